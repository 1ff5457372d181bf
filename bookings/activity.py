"""The site's own counters: how many times a day each step was reached, booked, failed.

The console's activity page reads them (console/views.py). Each is a number
per day and event, nothing more: no patient, no address, no time of day, no
practitioner, so that they say how the booking is used without saying by
whom. `manage.py purge_change_records` deletes them after
CONSOLE_RETENTION_DAYS.

Counting must never cost a patient a page: a database that fails to count
is logged and the page goes on.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .clock import today
from .models import DailyCount
from .submissions import Kind

logger = logging.getLogger(__name__)

#: Every event counted, in the order the console's activity page shows them.
EVENTS = (
    "step-choose",  # a page of step 1 shown (each of its two questions counts)
    "step-times",  # a page of free times shown
    "step-details",  # a details form shown
    "booked",  # the diary confirmed a booking (a move's new time among them)
    "just-taken",  # the time was booked meanwhile: the nearest free times offered
    "cancel-requested",  # a change link's cancel request sent to the practice
    "move-requested",  # a change link's move booked, and the practice asked to remove the old
    "diary-failure",  # a page or a booking the diary could not serve
    "lost-outcome",  # `book`'s answer lost: the practice asked to check its diary
)

#: What became of a booking form's first post, as the event it counts; a refusal
#: the patient fixes on the form counts as none.
OUTCOMES = {
    Kind.BOOKED: "booked",
    Kind.TAKEN: "just-taken",
    Kind.UNKNOWN: "lost-outcome",
    Kind.UNAVAILABLE: "diary-failure",
}


def count(event: str) -> None:
    """Add one to today's count of `event`. Never raises."""
    if event not in EVENTS:
        # A typo in a call would otherwise count quietly under a name no page shows.
        logger.error("activity: unknown event %s not counted", event)
        return
    try:
        # A savepoint: a failure here must not spoil the caller's transaction.
        with transaction.atomic():
            _add_one(event)
    except Exception:  # whatever went wrong, the patient's page goes on
        logger.warning("activity: %s not counted: the database failed", event, exc_info=True)


def count_outcome(kind: Kind) -> None:
    """Count what became of a booking form's first post (bookings/views/booking.py)."""
    if kind in OUTCOMES:
        count(OUTCOMES[kind])


def _add_one(event: str) -> None:
    day = today()
    # One UPDATE, atomic in the database: two servers counting at once both count.
    if DailyCount.objects.filter(day=day, event=event).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DailyCount.objects.create(day=day, event=event, count=1)
    except IntegrityError:
        # Another request made today's row between our UPDATE and INSERT.
        DailyCount.objects.filter(day=day, event=event).update(count=F("count") + 1)


def purge() -> tuple[int, int]:
    """Delete the counts, and the admin's record of who changed what, older than
    CONSOLE_RETENTION_DAYS: (counts, changes) deleted. `purge_change_records` runs it."""
    days = dt.timedelta(days=settings.CONSOLE_RETENTION_DAYS)
    counts, _ = DailyCount.objects.filter(day__lt=today() - days).delete()
    changes, _ = LogEntry.objects.filter(action_time__lt=timezone.now() - days).delete()
    return counts, changes
