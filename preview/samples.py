"""The preview's sample data: practitioners, rooms, a patient, free times, bookings.

The vendor's example ids, with longer names than its own, so that layouts
meet names of a realistic length. All made up; none is ever sent anywhere.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation

from bookings import clock, wizard
from bookings.changes import Appointment, Change, Request
from bookings.confirmations import Booked
from bookings.slots import Slot
from physiodiary import Practitioner, Room

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

#: A change link's id of the real shape (changes.LINK_PATTERN), kept nowhere.
CHANGE_LINK = "preview-sample-not-a-change-link-0000000001"

#: Free times on successive weekdays, morning, afternoon and evening.
_DAY_PATTERNS = (
    ("0900", "0945", "1030", "1400", "1445", "1730"),
    ("1115", "1200", "1615", "1700", "1745", "1830", "1915"),
    ("0830", "1330"),
    ("0915", "1000", "1045", "1130", "1415", "1500", "1545", "1630"),
)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """`day` at `hhmm` in the practice's time zone."""
    return clock.at(day, dt.time(int(hhmm[:2]), int(hhmm[2:])))


def weekday(after: int) -> dt.date:
    """The first weekday at least `after` days from today."""
    day = clock.today() + dt.timedelta(days=after)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def window() -> wizard.Window:
    """The times step's first window of days, from today."""
    first = wizard.Window.starting(None)
    assert first is not None  # today is always bookable
    return first


def free_times(
    pairs: tuple[tuple[Practitioner, Room], ...], shown: wizard.Window, minutes: tuple[int, ...]
) -> tuple[Slot, ...]:
    """Free times on the window's weekdays from tomorrow (today's are mostly too soon)."""
    found = []
    for offset in range(1, shown.days):
        day = shown.start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for n, (practitioner, room) in enumerate(pairs):
            for hhmm in _DAY_PATTERNS[(offset + n) % len(_DAY_PATTERNS)]:
                length = minutes[n % len(minutes)]
                found.append(Slot(practitioner, room, at(day, hhmm), length))
    # In the order the diary search gives them (diary.find_free_times).
    found.sort(key=lambda free: (free.start, free.practitioner.name, free.room.name))
    return tuple(found)


def chosen() -> Slot:
    """The free time the details step shows: Anna, Treatment Room 2, in two weekdays."""
    return Slot(ANNA, ROOM_2, at(weekday(2), "1415"))


def alternatives() -> tuple[Slot, ...]:
    """The nearest free times offered when the chosen one was just taken."""
    start = chosen().start
    day, next_day = start.date(), weekday((start.date() - clock.today()).days + 1)
    times = [(day, "1330"), (day, "1500"), (day, "1545"), (next_day, "0900")]
    times += [(next_day, "0945"), (next_day, "1115")]
    return tuple(Slot(ANNA, ROOM_2, at(d, hhmm), 45) for d, hhmm in times)


def booked(*, moved: bool = False) -> Booked:
    """A confirmation of the chosen time, or (`moved`) of another than the one asked for."""
    start = at(weekday(2), "0745" if moved else "1415")
    return Booked(
        reference=REFERENCE,
        date=start.date(),
        time=start.time(),
        duration_minutes=45,
        practitioner_name=ANNA.name,
        room_name=ROOM_2.name,
        # The vendor's own example confirms 07:45 for a request of 09:15.
        requested=at(start.date(), "0915") if moved else start,
        emailed=not moved,
    )


def appointment(*, moved: bool = False, start: dt.datetime | None = None) -> Appointment:
    """The sample booking as its change link keeps it (never the reason), or (`moved`) the
    time it was moved to, or the same at `start`: in the language of the page that shows
    it, as a booking is."""
    start = start or (at(weekday(3), "1030") if moved else booked().start)
    return Appointment(
        practitioner_id=ANNA.id,
        practitioner_name=ANNA.name,
        room_id=ROOM_2.id,
        room_name=ROOM_2.name,
        start=start,
        duration_minutes=45,
        name=PATIENT["name"],
        phone=PATIENT["phone"],
        email=PATIENT["email"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


#: What was asked for, by the link's state (changes.Change.state).
_ASKED = {
    "open": None,
    "cancel": Request.CANCEL,
    "moving": Request.MOVE,
    "moved": Request.MOVE,
    "unknown": Request.MOVE,
}


def change(state: str = "open", *, start: dt.datetime | None = None) -> Change:
    """What the sample change link finds in `state`: what was asked a few minutes ago, and
    for "moved" the new appointment too; the appointment at `start` if given."""
    asked = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=4)
    request = _ASKED[state]
    return Change(
        link=CHANGE_LINK,
        appointment=appointment(start=start),
        request=request,
        requested_at=asked if request else None,
        moved_to=appointment(moved=True) if state == "moved" else None,
        state=state,
    )


def from_now(minutes: int) -> dt.datetime:
    """The first quarter hour after `minutes` from now (the last before it, if negative), in
    the practice's time zone: an appointment soon, or one that has started."""
    then = timezone.localtime() + dt.timedelta(minutes=minutes)
    quarter = then.replace(minute=then.minute - then.minute % 15, second=0, microsecond=0)
    return quarter if minutes < 0 else quarter + dt.timedelta(minutes=15)
