"""Step 3, routed: the details page, and its POST, which books once.

A POST reads top to bottom: the free time it names; what became of this very
form if it was posted before; the form's checks (its fields, then its token,
honeypot and timing, then whether the free time can still be booked, all in
`DetailsForm.clean`); its count against the address's limits; a claim on the
form's nonce; one `book` call; and one function, `respond`, from what became
of it to the page, for the first post and for a repeat alike.

A move of a booked appointment is this same form with `change=<link>`: the
link is claimed (`changes.claim`, once on any server) before the nonce, and
what follows `book` (the link reopened, or the practice asked to remove the
old time) is in afterwards.py, with every booking's change link and emails.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from physiodiary import ApiError, ErrorCode, PhysiodiaryError, Rejected, UnknownOutcome

from .. import (
    activity,
    changes,
    clock,
    confirmations,
    diary,
    error_pages,
    guard,
    kept_free_times,
    maintenance,
    submissions,
    tokens,
    wizard,
)
from ..changes import Change
from ..client import get_client
from ..forms import DetailsForm, Offer
from ..slots import Slot
from ..submissions import Kind, Outcome
from ..tokens import FormToken
from . import afterwards
from .change import for_move, overview_url
from .common import diary_needed, see_other
from .details_page import Problem, render_details, show

logger = logging.getLogger(__name__)

PATIENT_FIELDS = ("name", "phone", "email", "desc")

#: The two counts a details form's post is in (guard.wait_needed's scopes):
#: "book" keeps the name it had when every post was counted in it.
BOOKS, BOOKS_NOTHING = "book", "form-error"


@csrf_exempt  # the form's signed token stands in for the CSRF cookie (see tokens.py)
@sensitive_post_parameters(*PATIENT_FIELDS)
@require_http_methods(["GET", "HEAD", "POST"])
@diary_needed
def details(request: HttpRequest) -> HttpResponse:
    if wizard.malformed(request.GET):
        return error_pages.bad_request(request)  # our links never look like this
    if request.method != "POST":
        return show(request)
    # The purge and the outbox, at most once a minute, after the page has gone.
    return maintenance.after(post(request))


@sensitive_variables()  # the patient's details, in error reports
def post(request: HttpRequest) -> HttpResponse:
    """The details form's POST: check it, then call `book` once.

    Only a post that reaches `book` counts against BOOKING_RATE_LIMIT; one
    that books nothing counts against the larger BOOKING_FORM_ERROR_RATE_LIMIT,
    so that a patient who mistypes is not locked out. Over either, the 429.
    """
    slot = Slot.from_query(request.POST)
    if slot is None or wizard.malformed(request.POST):
        return error_pages.bad_request(request)  # every form of ours names a free time
    move = for_move(request, request.POST, must_be_open=False)
    if isinstance(move, HttpResponse):
        return move  # the link does not work, or its appointment has started
    data = request.POST.copy()
    offer = _offer(data, slot)
    if offer.token and submissions.known(offer.token.nonce):
        # This very form was posted before: show what became of it. Checked
        # before anything that changes with time, so a Refresh long after
        # still finds the booking.
        form = _checked(DetailsForm(data, lists_known=offer.lists is not None))
        if too_many := _too_many(request, form, offer.slot, BOOKS_NOTHING):
            return too_many
        return respond(request, form, offer.slot, _first(offer.token))
    offer = _alternative(data, offer)
    data["token"] = tokens.issue(offer.slot)
    form = _checked(DetailsForm(data, offer=offer))
    if not form.is_valid() or form.reviewing:
        return _not_booking(request, form, offer.slot)
    if too_many := _too_many(request, form, offer.slot, BOOKS):
        return too_many
    assert offer.token is not None  # a form without one is not valid
    return _once(request, form, offer.slot, offer.token, move)


def _once(
    request: HttpRequest, form: DetailsForm, slot: Slot, token: FormToken, move: Change | None
) -> HttpResponse:
    """Claim a move's link, then the form's nonce, then call `book`: once, on any server.

    Once a move's link is claimed, a failure (the cache, a bug) marks its
    outcome unknown, as the 503 page then tells the patient (StoreDown):
    the link must not say "being booked" for ever, and the practice checks.
    """
    if move is not None and not changes.claim(move.link, changes.Request.MOVE):
        if submissions.known(token.nonce):
            # A double click whose other post claimed the link first: show what it got.
            return respond(request, form, slot, _first(token))
        return see_other(overview_url(move.link))  # moved or cancelled already: it says which
    try:
        claimed = submissions.claim(token.nonce)
        outcome = _book(request, form, slot, token.nonce, move) if claimed else None
    except Exception:
        if move is not None:
            afterwards.settle(request, Outcome(Kind.UNKNOWN), None, {}, slot, move)
        raise
    if not claimed:
        if move is not None:
            changes.release(move.link)  # this form's first post has the move in hand
        return respond(request, form, slot, _first(token))  # posted twice at once
    return respond(request, form, slot, outcome)


def _too_many(
    request: HttpRequest, form: DetailsForm, slot: Slot, scope: str
) -> HttpResponse | None:
    """Count this post in `scope`: the 429 page, keeping everything typed, if over its limit."""
    if scope == BOOKS:
        limit = settings.BOOKING_RATE_LIMIT
    else:
        limit = settings.BOOKING_FORM_ERROR_RATE_LIMIT
    wait = guard.wait_needed(request, scope, limit)
    if not wait:
        return None
    return render_details(request, form, slot, problem=Problem.TOO_MANY, status=429, wait=wait)


def _not_booking(request: HttpRequest, form: DetailsForm, slot: Slot) -> HttpResponse:
    """A post the form's checks refused, or Enter pressed while "just taken" offers times."""
    if too_many := _too_many(request, form, slot, BOOKS_NOTHING):
        return too_many
    if not form.is_valid():
        return render_details(request, form, slot, status=400)
    return _taken(request, form, slot)


def _offer(data: QueryDict, slot: Slot) -> Offer:
    """The free time posted, named from the diary's lists, and the form's token if it is for it."""
    token = tokens.read_for(data.get("token", ""), slot)
    try:
        practitioners, rooms = diary.lists()
    except PhysiodiaryError:
        # `book` checks the ids anyway, and its failure keeps what was typed.
        return Offer(slot, token, None)
    return Offer(slot.named(practitioners, rooms), token, (practitioners, rooms))


def _alternative(data: QueryDict, offer: Offer) -> Offer:
    """One of the free times offered after "just taken": same details, new time."""
    if offer.token is None or "slot" not in data:
        return offer
    alternative = Slot.from_key(data["slot"])
    if alternative is None or not offer.token.offers(alternative):
        return Offer(offer.slot, None, offer.lists)
    slot = offer.slot.moved_to(alternative)
    data.update(slot.query)
    return Offer(slot, offer.token, offer.lists)


def _checked(form: DetailsForm) -> DetailsForm:
    form.is_valid()
    return form


def _first(token: FormToken) -> Outcome | None:
    """What became of this form's first post; None while it is still booking."""
    # Long enough for the first post's `book` call to finish, whatever happens to it.
    return submissions.outcome(token.nonce, wait=sum(get_client().timeout) + 1)


@sensitive_variables()  # the patient's details, in error reports
def _book(
    request: HttpRequest, form: DetailsForm, slot: Slot, nonce: str, move: Change | None
) -> Outcome:
    """Call `book`, once, record its outcome against the form's nonce, and follow it up."""
    patient = {key: form.cleaned_data[key] for key in PATIENT_FIELDS}
    booked = None
    try:
        confirmation = get_client().book(
            practitioner_id=slot.practitioner.id,
            room_id=slot.room.id,
            date=slot.start.date(),
            time=slot.start.time(),
            **patient,
        )
    except Rejected as exc:
        outcome = _refused(exc, slot)
    except UnknownOutcome as exc:
        outcome = _unknown(slot, exc.reason)
    except PhysiodiaryError:
        outcome = Outcome(Kind.UNAVAILABLE)
    else:
        booked = confirmations.keep(confirmation, requested=slot.start)
        outcome = Outcome(Kind.BOOKED, booked.reference)
    _changed_free_times(slot, outcome)
    submissions.record(nonce, outcome)
    activity.count_outcome(outcome.kind)
    afterwards.settle(request, outcome, booked, patient, slot, move)
    return outcome


def _changed_free_times(slot: Slot, outcome: Outcome) -> None:
    """What the pair's kept free times must forget, before anyone sees them again."""
    if outcome.kind == Kind.TAKEN:
        # Ours were wrong: the nearest free times offered instead are asked for afresh.
        kept_free_times.forget_free_times(slot.practitioner.id, slot.room.id)
    elif outcome.kind in (Kind.BOOKED, Kind.UNKNOWN):
        kept_free_times.took_free_time(slot)  # (an unknown outcome may have booked it)


def _refused(exc: Rejected, slot: Slot) -> Outcome:
    if ErrorCode.ALREADY_BOOKED in exc.codes:
        return Outcome(Kind.TAKEN)
    if ErrorCode.UNKNOWN_ERROR in exc.codes:
        # The diary failed in a way it does not explain: the booking may
        # have been made, and trying again could make it twice.
        return _unknown(slot, "error 13")
    return Outcome(Kind.REJECTED, errors=tuple((error.code, error.field) for error in exc.errors))


def _unknown(slot: Slot, cause: str) -> Outcome:
    """The booking may or may not exist: never retried, and the practice must check."""
    # What the practice needs to find it in its diary; never the patient's details.
    logger.error(
        "booking outcome unknown (%s): staffId=%s sectionId=%s date=%s time=%s;"
        " the practice should check its diary",
        cause,
        *slot.query.values(),
    )
    return Outcome(Kind.UNKNOWN)


def respond(
    request: HttpRequest, form: DetailsForm, slot: Slot, outcome: Outcome | None
) -> HttpResponse:
    """The page for what became of a booking: the first post's, or a repeat's."""
    if outcome is None:
        return render_details(request, form, slot, problem=Problem.PENDING, status=409)
    if outcome.kind == Kind.BOOKED:
        return see_other(_confirmation_url(outcome.reference))
    if outcome.kind == Kind.TAKEN:
        return _taken(request, form, slot)
    if outcome.kind == Kind.REJECTED:
        # The diary's errors on their fields; those with no field say to call the practice.
        if form.add_api_errors([ApiError(code, field, "") for code, field in outcome.errors]):
            return render_details(request, form, slot, problem=Problem.REJECTED, status=503)
        return render_details(request, form, slot, status=400)
    problem = Problem.UNAVAILABLE if outcome.kind == Kind.UNAVAILABLE else Problem.UNKNOWN
    return render_details(request, form, slot, problem=problem, status=503)


def _taken(request: HttpRequest, form: DetailsForm, slot: Slot) -> HttpResponse:
    """12 ALREADY_BOOKED: keep what was typed and offer the nearest free times."""
    try:
        nearest = diary.nearest_free_times(
            slot.practitioner, slot.room, slot.start, not_before=clock.earliest_bookable()
        )
    except PhysiodiaryError:
        nearest = ()
    data = form.data.copy()
    data["token"] = tokens.issue(slot, nearest)
    offered = _checked(DetailsForm(data, lists_known=form.lists_known))
    return render_details(request, offered, slot, taken=nearest, status=409)


def _confirmation_url(reference: str) -> str:
    return reverse("bookings:booked", args=[reference])
