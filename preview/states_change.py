"""The states of the change or cancel link's pages, in the order a patient meets them:
the link's page, a move through the times and details pages, a cancel, what a second
visit shows, and the link that does not work or whose appointment has started.

Apart from states.py, which lists them after step 4 (`CHANGE_LINK_STATES`).
"""

from __future__ import annotations

from functools import partial

from . import contexts, contexts_change
from .state import State

CHANGE = "Change or cancel: the link in the confirmation and its email"

OVERVIEW, CANCEL = "bookings/change.html", "bookings/change_cancel.html"
TIMES, DETAILS = "bookings/times.html", "bookings/details.html"


def _overview(slug: str, title: str, **kwargs: object) -> State:
    """The link's page, /change/<link>/, in one of its states."""
    return State(slug, CHANGE, title, OVERVIEW, 200, partial(contexts_change.overview, **kwargs))


def _cancel(slug: str, title: str, status: int = 200, **kwargs: bool) -> State:
    """The cancel's "are you sure?", /change/<link>/cancel/."""
    return State(slug, CHANGE, title, CANCEL, status, partial(contexts_change.cancel, **kwargs))


CHANGE_LINK_STATES: tuple[State, ...] = (
    _overview("change", "The link's page: the appointment, then move or cancel"),
    # A move: the wizard's own pages, with the link (change=) and the banner.
    State(
        "change-move-times",
        CHANGE,
        "Move: the free times, the appointment being moved named above them",
        TIMES,
        200,
        partial(contexts.times_one, moving=True),
    ),
    State(
        "change-move-details",
        CHANGE,
        "Move: the details form, its name, phone and email filled in (no reason)",
        DETAILS,
        200,
        contexts.details_moving,
    ),
    _overview(
        "change-moving",
        "Visited again while the new time is being booked",
        state="moving",
    ),
    _overview(
        "change-moved",
        "Visited again after the move: the new appointment and the old",
        state="moved",
    ),
    _overview(
        "change-move-unknown",
        "Visited again after a move whose outcome was lost: call the practice",
        state="unknown",
    ),
    # A cancel.
    _cancel("change-cancel", "Cancel: are you sure? (outside the late-cancellation notice)"),
    _cancel(
        "change-cancel-late",
        "Cancel inside the practice's late-cancellation notice (BOOKING_LATE_CANCEL_HOURS)",
        late=True,
    ),
    _cancel(
        "change-cancel-expired",
        "Cancel pressed after the page was open too long: asked again",
        400,
        expired=True,
    ),
    _overview(
        "change-cancelled",
        "Cancel requested: the acknowledgement, straight after (emailed too)",
        state="cancel",
        just_now=True,
    ),
    _overview(
        "change-cancelled-not-emailed",
        "Cancel requested, but the acknowledgement's email could not be sent",
        state="cancel",
        just_now=True,
        emailed=False,
    ),
    _overview(
        "change-cancel-requested",
        "Visited again after the cancel: what was asked, and when",
        state="cancel",
    ),
    # The link itself.
    State(
        "change-link-not-found",
        CHANGE,
        "404: a link that does not work (altered, cut short, or its appointment over)",
        "bookings/change_unknown.html",
        404,
        contexts_change.link_not_found,
    ),
    State(
        "change-started",
        CHANGE,
        "410: the appointment has started",
        "bookings/change_started.html",
        410,
        contexts_change.started,
    ),
)
