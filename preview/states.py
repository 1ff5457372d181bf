"""Every state of every page the preview shows, by step, in the index's order.

A state names the real template, the status the real page answers with, and
the builder of its context (contexts.py).
"""

from __future__ import annotations

from functools import partial

from bookings.views import Problem

from . import contexts
from .contexts import Message
from .state import State
from .states_change import CHANGE_LINK_STATES

STEP_1 = "Step 1: practitioner and room"
STEP_2 = "Step 2: date and time"
STEP_3 = "Step 3: your details"
STEP_4 = "Step 4: booked"
EMAIL = "The emails: the patient's (text and HTML) and the practice's (text)"
ERRORS = "Error pages"
STATEMENTS = "Privacy and accessibility (linked from every footer)"

CHOOSE, TIMES, DETAILS = "bookings/choose.html", "bookings/times.html", "bookings/details.html"
BOOKED, GONE = "bookings/booked.html", "bookings/booked_gone.html"
PRIVACY = "bookings/privacy.html"
EMAIL_PAGE = "preview/email.html"

_STEP_1 = (
    State("choose", STEP_1, "Who would you like to see?", CHOOSE, 200, contexts.choose),
    State(
        "choose-room",
        STEP_1,
        "Which room? (after the practitioner; rooms with no free time left out)",
        CHOOSE,
        200,
        contexts.choose_room,
    ),
    State(
        "choose-unknown",
        STEP_1,
        "A deep link to a practitioner no longer listed (a field error)",
        CHOOSE,
        200,
        contexts.choose_unknown,
    ),
    State(
        "choose-closed",
        STEP_1,
        "Closed: no practitioner takes bookings",
        CHOOSE,
        200,
        contexts.choose_closed,
    ),
)

_STEP_2 = (
    State(
        "times",
        STEP_2,
        "One practitioner and room, free times over several days",
        TIMES,
        200,
        contexts.times_one,
    ),
    State(
        "times-any",
        STEP_2,
        "Any practitioner, any room: labelled free times",
        TIMES,
        200,
        contexts.times_any,
    ),
    State(
        "times-unchecked",
        STEP_2,
        "Any practitioner, one diary not checked, slots of different lengths",
        TIMES,
        200,
        partial(contexts.times_any, unchecked=True),
    ),
    State(
        "times-no-time-chosen",
        STEP_2,
        "Continue pressed with no time chosen (an error)",
        TIMES,
        400,
        partial(contexts.times_one, no_time_chosen=True),
    ),
    State(
        "times-passed",
        STEP_2,
        "Back from the details page: the chosen time is now too soon",
        TIMES,
        200,
        partial(contexts.times_one, passed=True),
    ),
    State(
        "times-empty-next-free",
        STEP_2,
        "No free times this week; the next free day offered",
        TIMES,
        200,
        partial(contexts.times_empty, next_free="found"),
    ),
    State(
        "times-empty",
        STEP_2,
        "No free times at all in the bookable days, with wider searches",
        TIMES,
        200,
        partial(contexts.times_empty, next_free="none"),
    ),
    State(
        "times-empty-later",
        STEP_2,
        "No free times this week; the look ahead failed, so a Later button",
        TIMES,
        200,
        partial(contexts.times_empty, next_free="failed"),
    ),
    State(
        "times-embedded",
        STEP_2,
        "Free times as inside a practice's website (framed: no header, “Open in a new tab”)",
        TIMES,
        200,
        contexts.times_one,
        framed=True,
    ),
)

_STEP_3 = (
    State("details", STEP_3, "The blank form", DETAILS, 200, contexts.details),
    State(
        "details-errors",
        STEP_3,
        "Every field wrong, with the error summary",
        DETAILS,
        400,
        contexts.details_field_errors,
    ),
    State(
        "details-refused",
        STEP_3,
        "The diary refused the practitioner, the time and the phone number",
        DETAILS,
        400,
        contexts.details_refused,
    ),
    State(
        "details-no-field",
        STEP_3,
        "An error on no field (the honeypot was filled in)",
        DETAILS,
        400,
        contexts.details_no_field,
    ),
    State(
        "details-taken",
        STEP_3,
        "The time was just taken: the nearest free times offered",
        DETAILS,
        409,
        contexts.details_taken,
    ),
    State(
        "details-taken-none",
        STEP_3,
        "The time was just taken, with no other free time near it",
        DETAILS,
        409,
        partial(contexts.details_taken, offered=False),
    ),
)


def _problem(slug: str, status: int, problem: Problem, words: str, **extra: int) -> State:
    """The details page with one problem box, titled by the problem's own name."""
    title = f"Problem “{problem.value}”: {words}"
    return State(slug, STEP_3, title, DETAILS, status, contexts.details_problem(problem, **extra))


_PROBLEMS = (
    _problem("details-unknown", 503, Problem.UNKNOWN, "the diary's answer was lost"),
    _problem(
        "details-pending",
        409,
        Problem.PENDING,
        "the same form sent twice, the first still booking",
    ),
    _problem("details-too-many", 429, Problem.TOO_MANY, "too many booking attempts", wait=600),
    _problem(
        "details-rejected", 503, Problem.REJECTED, "the diary refused the booking, on no field"
    ),
    _problem("details-unavailable", 503, Problem.UNAVAILABLE, "the diary could not be reached"),
)

_STEP_4 = (
    State(
        "booked",
        STEP_4,
        "The confirmation, with its “Change or cancel” link",
        BOOKED,
        200,
        contexts.booked_page,
    ),
    State(
        "booked-moved",
        STEP_4,
        "The confirmation of another time than the one asked for, not emailed",
        BOOKED,
        200,
        partial(contexts.booked_page, moved=True),
    ),
    State(
        "booked-no-change-link",
        STEP_4,
        "The confirmation without a change link (BOOKING_CHANGE_LINKS off): “call us”",
        BOOKED,
        200,
        partial(contexts.booked_page, change_link=False),
    ),
    State("booked-gone", STEP_4, "The confirmation expired", GONE, 404, contexts.booked_gone),
)


def _email(slug: str, title: str, message: Message, templates: str) -> State:
    """An email as a page: its headers, its HTML part (if it has one) and its text part."""
    built = partial(contexts.email, message, slug)
    return State(
        slug, EMAIL, title, EMAIL_PAGE, None, built, real_templates=templates, message=message
    )


def _templates(name: str, *, html: bool = True, subject: str = "") -> str:
    """The templates of the email `name`, as the banner names them."""
    subject = subject or f"{name}_subject.txt"
    parts = [subject, f"{name}.txt", *([f"{name}.html"] if html else [])]
    return ", ".join(f"bookings/email/{part}" for part in parts)


_CONFIRMATION = _templates("confirmation", subject="subject.txt")

_EMAIL = (
    _email(
        "email",
        "The confirmation, with its “Change or cancel” link",
        contexts.confirmation_email,
        _CONFIRMATION,
    ),
    _email(
        "email-moved",
        "The confirmation of another time than the one asked for",
        partial(contexts.confirmation_email, moved=True),
        _CONFIRMATION,
    ),
    _email(
        "email-no-change-link",
        "The confirmation without a change link (BOOKING_CHANGE_LINKS off): “call us”",
        partial(contexts.confirmation_email, change_link=False),
        _CONFIRMATION,
    ),
    _email(
        "email-cancel-acknowledgement",
        "To the patient: the practice has the cancel request",
        contexts.cancel_acknowledgement_email,
        _templates("cancel_acknowledgement"),
    ),
    _email(
        "email-practice-cancel",
        "To the practice: a cancel request",
        contexts.practice_cancel_email,
        _templates("practice_cancel_request", html=False),
    ),
    _email(
        "email-practice-move",
        "To the practice: a move (booked online: the new time; please remove: the old)",
        contexts.practice_move_email,
        _templates("practice_move_request", html=False),
    ),
    _email(
        "email-practice-booking-note",
        "To the practice: a booking made online (PRACTICE_NOTIFY_BOOKINGS)",
        contexts.practice_booking_note_email,
        _templates("practice_booking_note", html=False),
    ),
    _email(
        "email-practice-lost-outcome",
        "To the practice: a booking whose outcome was lost (the free time only)",
        contexts.practice_lost_outcome_email,
        _templates("practice_lost_outcome", html=False),
    ),
)

_ERRORS = (
    State(
        "400",
        ERRORS,
        "400: a link changed by hand or cut short",
        "400.html",
        400,
        contexts.error_page,
    ),
    State(
        "400-form",
        ERRORS,
        "400: a form that could not be read",
        "400.html",
        400,
        contexts.error_page,
        method="POST",
    ),
    State("403", ERRORS, "403: not allowed", "403.html", 403, contexts.error_page),
    State("404", ERRORS, "404: page not found", "404.html", 404, contexts.error_page),
    State("429", ERRORS, "429: too many requests", "429.html", 429, contexts.too_many),
    State("500", ERRORS, "500: a fault of ours", "500.html", 500, contexts.error_page),
    State(
        "503",
        ERRORS,
        "503: the diary is unavailable (Try again, opening hours)",
        "503.html",
        503,
        contexts.unavailable,
    ),
    State(
        "503-maybe-booked",
        ERRORS,
        "503: the site's own cache failed during a booking (it may have been made)",
        "503.html",
        503,
        contexts.maybe_booked,
        method="POST",
    ),
)

_STATEMENTS = (
    State("privacy", STATEMENTS, "Privacy (the built-in page)", PRIVACY, 200, contexts.privacy),
    State(
        "privacy-embedded",
        STATEMENTS,
        "Privacy, as inside a practice's website (reached from the footer)",
        PRIVACY,
        200,
        contexts.privacy,
        framed=True,
    ),
    State(
        "accessibility",
        STATEMENTS,
        "Accessibility statement",
        "bookings/accessibility.html",
        200,
        contexts.accessibility,
    ),
)

STATES: tuple[State, ...] = (
    *_STEP_1,
    *_STEP_2,
    *_STEP_3,
    *_PROBLEMS,
    *_STEP_4,
    *CHANGE_LINK_STATES,
    *_EMAIL,
    *_ERRORS,
    *_STATEMENTS,
)

BY_SLUG = {state.slug: state for state in STATES}


def grouped() -> list[tuple[str, list[State]]]:
    """The states by group, in order: the index's sections."""
    groups: dict[str, list[State]] = {}
    for state in STATES:
        groups.setdefault(state.group, []).append(state)
    return list(groups.items())
