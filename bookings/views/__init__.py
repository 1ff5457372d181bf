"""The booking wizard: four pages, each a real URL, none needing a cookie or JavaScript.

1. `choose` (choice.py): practitioner and room, a GET form, so the choice
   becomes the next URL
2. `times` (free_times.py): a free time, from the diary's freeList
3. `details` (booking.py, its page in details_page.py): the patient's details;
   its POST calls `book` once
4. `booked` (confirmation.py): what the diary confirmed, at an unguessable,
   expiring URL

The order of the steps lives in `bookings/wizard.py`. Each step's context is
built by a function apart from its view (`*_context`), so that /preview/
renders the templates with the same names.
"""

from .booking import details
from .choice import choose, choose_context
from .common import step_context
from .confirmation import booked, booked_calendar, booked_context
from .details_page import Problem, details_context
from .free_times import move_times_context, next_free_context, times, times_context

__all__ = [
    "Problem",
    "booked",
    "booked_calendar",
    "booked_context",
    "choose",
    "choose_context",
    "details",
    "details_context",
    "move_times_context",
    "next_free_context",
    "step_context",
    "times",
    "times_context",
]
