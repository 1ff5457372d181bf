"""/preview/: every page of the booking and every error page, with sample data.

For designers (docs/designers.md): each state is rendered by its real
template, from a context built by the views' own helpers (`views.*_context`)
out of the objects the views use (forms, `wizard.Window`, the diary's
practitioners, rooms and free times, `confirmations.Booked`), so a template
change that breaks a real page breaks its preview too. A thin wrapper
(templates/preview/page.html) adds a banner and `noindex`; the real
templates know nothing of it.

Nothing here asks the diary, writes to the cache or books: the samples are
made up, the details form posts back to its own preview, and its token is
not a signed one, so the real details page would refuse it too.

Only with DEBUG on: otherwise every address under /preview/ is a 404. They
are never framed (`embedding.NEVER_FRAMED`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from . import views, wizard
from .confirmations import Booked
from .context_processors import practice
from .diary import FreeTime, Search
from .forms import ChooseForm, DetailsForm
from .physiodiary import ApiError, ErrorCode, Practitioner, Room

# --- Sample data ------------------------------------------------------------------------
# The vendor's example ids, with longer names than its own, so that layouts
# meet names of a realistic length.

JOHN = Practitioner(42228, "John Okoro")
ANNA = Practitioner(42230, "Anna Whitfield")
JAYNE = Practitioner(42229, "Jayne Fairbairn-Hughes")
ROOM_1 = Room(7322, "Treatment Room 1")
ROOM_2 = Room(7323, "Treatment Room 2")
STUDIO = Room(7324, "Rehabilitation Studio")
PRACTITIONERS = (JOHN, ANNA, JAYNE)
ROOMS = (ROOM_1, ROOM_2, STUDIO)
#: Who works where, for "any practitioner".
PAIRS = ((ANNA, ROOM_2), (JOHN, ROOM_1), (JAYNE, STUDIO))

#: A made-up patient (Ofcom's drama number, the reserved example.com).
PATIENT = {
    "name": "Alex Morgan",
    "phone": "07700 900 982",
    "email": "alex.morgan@example.com",
    "desc": "Sore knee after running",
}

#: In the details form's token field. Not signed, so even posted to the real
#: details page it books nothing: that page refuses it as an expired form.
TOKEN = "preview-not-a-real-form"  # noqa: S105

#: A confirmation reference of the real shape (REFERENCE_PATTERN), kept nowhere.
REFERENCE = "preview-sample-not-a-booking-001"

#: Free times on successive weekdays, morning, afternoon and evening.
_DAY_PATTERNS = (
    ("0900", "0945", "1030", "1400", "1445", "1730"),
    ("1115", "1200", "1615", "1700", "1745", "1830", "1915"),
    ("0830", "1330"),
    ("0915", "1000", "1045", "1130", "1415", "1500", "1545", "1630"),
)


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return wizard.at(day, dt.time(int(hhmm[:2]), int(hhmm[2:])))


def _weekday(after: int) -> dt.date:
    """The first weekday at least `after` days from today."""
    day = wizard.today() + dt.timedelta(days=after)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _window() -> wizard.Window:
    window = wizard.Window.starting(None)
    assert window is not None  # today is always bookable
    return window


def _free_times(
    pairs: tuple[tuple[Practitioner, Room], ...], window: wizard.Window, minutes: tuple[int, ...]
) -> tuple[FreeTime, ...]:
    """Free times on the window's weekdays from tomorrow (today's are mostly too soon)."""
    found = []
    for offset in range(1, window.days):
        day = window.start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for n, (practitioner, room) in enumerate(pairs):
            for hhmm in _DAY_PATTERNS[(offset + n) % len(_DAY_PATTERNS)]:
                length = minutes[n % len(minutes)]
                found.append(FreeTime(_at(day, hhmm), practitioner, room, length))
    # In the order the diary search gives them (diary.find_free_times).
    found.sort(key=lambda free: (free.start, free.practitioner.name, free.room.name))
    return tuple(found)


def _chosen() -> views.Chosen:
    return views.Chosen(ANNA, ROOM_2, _at(_weekday(2), "1415"))


def _booked(*, moved: bool = False) -> Booked:
    start = _at(_weekday(2), "0745" if moved else "1415")
    return Booked(
        reference=REFERENCE,
        date=start.date(),
        time=start.time(),
        duration_minutes=45,
        practitioner_name=ANNA.name,
        room_name=ROOM_2.name,
        # The vendor's own example confirms 07:45 for a request of 09:15.
        requested=_at(start.date(), "0915") if moved else start,
        emailed=not moved,
    )


# --- Step 1 -----------------------------------------------------------------------------


def _choose(request: HttpRequest) -> dict[str, Any]:
    return views.step_context("choose", views.choose_context(ChooseForm(PRACTITIONERS, ROOMS)))


def _choose_unknown(request: HttpRequest) -> dict[str, Any]:
    # A practice's deep link, /?staffId=99999, to a practitioner no longer listed.
    form = ChooseForm(PRACTITIONERS, ROOMS, data={"staffId": "99999", "sectionId": wizard.ANY})
    form.is_valid()
    return views.step_context("choose", views.choose_context(form))


def _choose_closed(request: HttpRequest) -> dict[str, Any]:
    return views.step_context("choose", {"closed": True})


# --- Step 2 -----------------------------------------------------------------------------

_ONE = {"staffId": str(ANNA.id), "sectionId": str(ROOM_2.id)}
_ANY = {"staffId": wizard.ANY, "sectionId": wizard.ANY}


def _times_one(
    request: HttpRequest, *, no_time_chosen: bool = False, passed: bool = False
) -> dict[str, Any]:
    window = _window()
    search = Search(_free_times(((ANNA, ROOM_2),), window, (45,)))
    context = views.times_context(
        _ONE,
        window,
        search,
        [ANNA],
        [ROOM_2],
        PRACTITIONERS,
        ROOMS,
        no_time_chosen=no_time_chosen,
        passed=passed,
    )
    return views.step_context("times", context)


def _times_any(request: HttpRequest, *, unchecked: bool = False) -> dict[str, Any]:
    window = _window()
    if unchecked:
        # One diary could not be read, and the others' slots differ in length.
        search = Search(_free_times(PAIRS[:2], window, (45, 30)), unchecked=(PAIRS[2],))
    else:
        search = Search(_free_times(PAIRS, window, (45,)))
    context = views.times_context(
        _ANY, window, search, list(PRACTITIONERS), list(ROOMS), PRACTITIONERS, ROOMS
    )
    return views.step_context("times", context)


def _times_empty(request: HttpRequest, *, next_free: str) -> dict[str, Any]:
    """No free time in the window; then the look ahead found a day, none, or failed."""
    window = _window()
    context = views.times_context(_ONE, window, Search(()), [ANNA], [ROOM_2], PRACTITIONERS, ROOMS)
    if next_free == "found" and window.later:
        day = min(window.later + dt.timedelta(days=2), wizard.last_bookable_day())
        context.update(views.next_free_context(_ONE, day))
    elif next_free == "none":
        context.update(views.next_free_context(_ONE, None))
    return views.step_context("times", context)


# --- Step 3 -----------------------------------------------------------------------------


def _details_form(**changes: str) -> DetailsForm:
    """The form as posted: the free time, the token and the patient's details."""
    chosen = _chosen()
    data = {key: str(value) for key, value in chosen.query.items()}
    form = DetailsForm({**data, "token": TOKEN, **PATIENT, **changes})
    form.is_valid()
    return form


def _details(
    request: HttpRequest,
    form: DetailsForm | None = None,
    *,
    problem: str | None = None,
    taken: tuple[FreeTime, ...] | None = None,
    wait: int = 0,
) -> dict[str, Any]:
    chosen = _chosen()
    if form is None:
        form = DetailsForm(initial={**chosen.query, "token": TOKEN})
    context = views.details_context(request, form, chosen, problem=problem, taken=taken, wait=wait)
    # Back to this preview, never to the real details page: nothing is booked.
    context["action"] = request.path
    return views.step_context("details", context)


def _details_field_errors(request: HttpRequest) -> dict[str, Any]:
    form = _details_form(
        name="",
        phone="0161 ab",
        email="alex.morgan@",
        # Over the 500 characters allowed, whitespace stripped as the form strips it.
        desc=("My knee hurts when I run downhill, and lately on the stairs too. " * 9).strip(),
    )
    return _details(request, form)


def _details_refused(request: HttpRequest) -> dict[str, Any]:
    # The diary's own errors, each on its field through forms.API_ERRORS.
    form = _details_form()
    form.add_api_errors(
        [
            ApiError(ErrorCode.INVALID_STAFF_ID, "staffId", ""),
            ApiError(ErrorCode.INVALID_TIME, "time", ""),
            ApiError(ErrorCode.INVALID_PHONE, "phone", ""),
        ]
    )
    return _details(request, form)


def _details_no_field(request: HttpRequest) -> dict[str, Any]:
    form = _details_form()
    form.add_error(None, views.HONEYPOT_FILLED)
    return _details(request, form)


def _alternatives() -> tuple[FreeTime, ...]:
    chosen = _chosen()
    day, next_day = chosen.start.date(), _weekday((chosen.start.date() - wizard.today()).days + 1)
    times = [(day, "1330"), (day, "1500"), (day, "1545"), (next_day, "0900")]
    times += [(next_day, "0945"), (next_day, "1115")]
    return tuple(FreeTime(_at(d, hhmm), ANNA, ROOM_2, 45) for d, hhmm in times)


def _details_problem(problem: str, **extra: int) -> Callable[[HttpRequest], dict[str, Any]]:
    def build(request: HttpRequest) -> dict[str, Any]:
        return _details(request, _details_form(), problem=problem, **extra)

    return build


# --- Step 4 and the email ---------------------------------------------------------------


def _booked_page(request: HttpRequest, *, moved: bool = False) -> dict[str, Any]:
    return views.step_context("booked", views.booked_context(_booked(moved=moved)))


def _email(request: HttpRequest, *, moved: bool = False) -> dict[str, Any]:
    booked = _booked(moved=moved)
    page_url = request.build_absolute_uri(reverse("bookings:booked", args=[booked.reference]))
    # The context confirmations.send_email gives both templates (an email has no request).
    context = {"booked": booked, "name": PATIENT["name"], "page_url": page_url, **practice()}
    return {
        "email_subject": render_to_string("bookings/email/subject.txt", context).strip(),
        "email_body": render_to_string("bookings/email/confirmation.txt", context),
        "email_from": settings.DEFAULT_FROM_EMAIL,
        "email_to": PATIENT["email"],
        "email_reply_to": settings.PRACTICE_EMAIL,
    }


def _error_page(request: HttpRequest) -> dict[str, Any]:
    return {}


def _maybe_booked(request: HttpRequest) -> dict[str, Any]:
    # As errors.unavailable for a post that failed on the site's own store.
    return {"maybe_booked": True}


def _too_many(request: HttpRequest) -> dict[str, Any]:
    # As errors.too_many_requests words a whole period's wait.
    return {"wait_minutes": math.ceil(settings.BOOKING_RATE_LIMIT_SECONDS / 60)}


# --- The states -------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """One page as a patient may meet it."""

    slug: str
    group: str
    title: str
    template: str
    #: The HTTP status the real page answers with (its preview answers 200);
    #: None for the email, which is no page.
    status: int | None
    build: Callable[[HttpRequest], dict[str, Any]]
    #: The request method the template is to see (400.html words a form apart).
    method: str | None = None
    #: Rendered as inside a practice's frame (as `Sec-Fetch-Dest: iframe` says).
    framed: bool = False
    #: The real templates shown, where `template` is only the preview's frame.
    real_templates: str = ""

    @property
    def shows(self) -> str:
        return self.real_templates or self.template


STEP_1 = "Step 1: practitioner and room"
STEP_2 = "Step 2: date and time"
STEP_3 = "Step 3: your details"
STEP_4 = "Step 4: booked"
EMAIL = "The confirmation email"
ERRORS = "Error pages"

CHOOSE, TIMES, DETAILS = "bookings/choose.html", "bookings/times.html", "bookings/details.html"
BOOKED, GONE = "bookings/booked.html", "bookings/booked_gone.html"
_EMAIL_TEMPLATES = "bookings/email/subject.txt and bookings/email/confirmation.txt"

STATES: tuple[State, ...] = (
    State("choose", STEP_1, "Choose a practitioner and a room", CHOOSE, 200, _choose),
    State(
        "choose-unknown",
        STEP_1,
        "A deep link to a practitioner no longer listed (a field error)",
        CHOOSE,
        200,
        _choose_unknown,
    ),
    State(
        "choose-closed",
        STEP_1,
        "Closed: no practitioner takes bookings",
        CHOOSE,
        200,
        _choose_closed,
    ),
    State(
        "times",
        STEP_2,
        "One practitioner and room, free times over several days",
        TIMES,
        200,
        _times_one,
    ),
    State(
        "times-any",
        STEP_2,
        "Any practitioner, any room: labelled free times",
        TIMES,
        200,
        _times_any,
    ),
    State(
        "times-unchecked",
        STEP_2,
        "Any practitioner, one diary not checked, slots of different lengths",
        TIMES,
        200,
        lambda request: _times_any(request, unchecked=True),
    ),
    State(
        "times-no-time-chosen",
        STEP_2,
        "Continue pressed with no time chosen (an error)",
        TIMES,
        400,
        lambda request: _times_one(request, no_time_chosen=True),
    ),
    State(
        "times-passed",
        STEP_2,
        "Back from the details page: the chosen time is now too soon",
        TIMES,
        200,
        lambda request: _times_one(request, passed=True),
    ),
    State(
        "times-empty-next-free",
        STEP_2,
        "No free times this week; the next free day offered",
        TIMES,
        200,
        lambda request: _times_empty(request, next_free="found"),
    ),
    State(
        "times-empty",
        STEP_2,
        "No free times at all in the bookable days, with wider searches",
        TIMES,
        200,
        lambda request: _times_empty(request, next_free="none"),
    ),
    State(
        "times-empty-later",
        STEP_2,
        "No free times this week; the look ahead failed, so a Later button",
        TIMES,
        200,
        lambda request: _times_empty(request, next_free="failed"),
    ),
    State(
        "times-embedded",
        STEP_2,
        "Free times as inside a practice's website (framed: no header, “Open in a new tab”)",
        TIMES,
        200,
        _times_one,
        framed=True,
    ),
    State("details", STEP_3, "The blank form", DETAILS, 200, _details),
    State(
        "details-errors",
        STEP_3,
        "Every field wrong, with the error summary",
        DETAILS,
        400,
        _details_field_errors,
    ),
    State(
        "details-refused",
        STEP_3,
        "The diary refused the practitioner, the time and the phone number",
        DETAILS,
        400,
        _details_refused,
    ),
    State(
        "details-no-field",
        STEP_3,
        "An error on no field (the honeypot was filled in)",
        DETAILS,
        400,
        _details_no_field,
    ),
    State(
        "details-taken",
        STEP_3,
        "The time was just taken: the nearest free times offered",
        DETAILS,
        409,
        lambda request: _details(request, _details_form(), taken=_alternatives()),
    ),
    State(
        "details-taken-none",
        STEP_3,
        "The time was just taken, with no other free time near it",
        DETAILS,
        409,
        lambda request: _details(request, _details_form(), taken=()),
    ),
    State(
        "details-unknown",
        STEP_3,
        "Problem “unknown”: the diary's answer was lost",
        DETAILS,
        503,
        _details_problem("unknown"),
    ),
    State(
        "details-pending",
        STEP_3,
        "Problem “pending”: the same form sent twice, the first still booking",
        DETAILS,
        409,
        _details_problem("pending"),
    ),
    State(
        "details-too-many",
        STEP_3,
        "Problem “too_many”: too many booking attempts",
        DETAILS,
        429,
        _details_problem("too_many", wait=600),
    ),
    State(
        "details-rejected",
        STEP_3,
        "Problem “rejected”: the diary refused the booking, on no field",
        DETAILS,
        503,
        _details_problem("rejected"),
    ),
    State(
        "details-unavailable",
        STEP_3,
        "Problem “unavailable”: the diary could not be reached",
        DETAILS,
        503,
        _details_problem("unavailable"),
    ),
    State("booked", STEP_4, "The confirmation", BOOKED, 200, _booked_page),
    State(
        "booked-moved",
        STEP_4,
        "The confirmation of another time than the one asked for, not emailed",
        BOOKED,
        200,
        lambda request: _booked_page(request, moved=True),
    ),
    State(
        "booked-gone",
        STEP_4,
        "The confirmation expired",
        GONE,
        404,
        lambda request: views.step_context("booked_gone", {}),
    ),
    State(
        "email",
        EMAIL,
        "The email (plain text)",
        "preview/email.html",
        None,
        _email,
        real_templates=_EMAIL_TEMPLATES,
    ),
    State(
        "email-moved",
        EMAIL,
        "The email for another time than the one asked for",
        "preview/email.html",
        None,
        lambda request: _email(request, moved=True),
        real_templates=_EMAIL_TEMPLATES,
    ),
    State("400", ERRORS, "400: a link changed by hand or cut short", "400.html", 400, _error_page),
    State(
        "400-form",
        ERRORS,
        "400: a form that could not be read",
        "400.html",
        400,
        _error_page,
        method="POST",
    ),
    State("403", ERRORS, "403: not allowed", "403.html", 403, _error_page),
    State("404", ERRORS, "404: page not found", "404.html", 404, _error_page),
    State("429", ERRORS, "429: too many requests", "429.html", 429, _too_many),
    State("500", ERRORS, "500: a fault of ours", "500.html", 500, _error_page),
    State("503", ERRORS, "503: the diary is unavailable", "503.html", 503, _error_page),
    State(
        "503-maybe-booked",
        ERRORS,
        "503: the site's own cache failed during a booking (it may have been made)",
        "503.html",
        503,
        _maybe_booked,
        method="POST",
    ),
)

_BY_SLUG = {state.slug: state for state in STATES}


# --- Views ------------------------------------------------------------------------------


def _debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 404 unless DEBUG is on, checked per request (settings can change in tests)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404("The preview is shown only with DEBUG on")
        return view(request, *args, **kwargs)

    return wrapper


@csrf_exempt  # so that with DEBUG off even a POST is the 404 (the check would be a 403)
@_debug_only
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A link to every state, by step."""
    groups: dict[str, list[State]] = {}
    for state in STATES:
        groups.setdefault(state.group, []).append(state)
    context = {"preview_groups": list(groups.items()), "theme_dir": settings.THEME_DIR}
    return _render(request, "preview/index.html", context, None)


# The details form posts back here; what was typed is neither read nor kept.
@csrf_exempt
@_debug_only
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """One state, rendered by its real template with sample data."""
    state = _BY_SLUG.get(slug)
    if state is None:
        raise Http404("No such preview")
    # The same page as another request would see it (context processors
    # read the request, and win over the context given to render).
    seen_as = request
    if state.method or state.framed:
        seen_as = copy.copy(request)
        seen_as.META = dict(request.META)
        if state.method:
            seen_as.method = state.method
        if state.framed:
            seen_as.META["HTTP_SEC_FETCH_DEST"] = "iframe"
        seen_as.__dict__.pop("headers", None)  # HttpRequest.headers is cached from META
    return _render(seen_as, state.template, state.build(request), state)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], state: State | None
) -> HttpResponse:
    position = STATES.index(state) if state else -1
    context = {
        **context,
        "preview_template": template,
        "preview_state": state,
        "preview_previous": STATES[position - 1] if position > 0 else None,
        "preview_next": STATES[position + 1] if 0 <= position < len(STATES) - 1 else None,
    }
    response = render(request, "preview/page.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


app_name = "preview"

urlpatterns = [
    path("", index, name="index"),
    path("<slug:slug>/", page, name="page"),
]
