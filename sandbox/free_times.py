"""The diary itself: which times are free, and booking one of them."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Booking, Practitioner, Room, WorkingHours

# Minutes since midnight: slots and bookings never cross midnight, so plain
# integers make the overlap arithmetic simple.
Span = tuple[int, int]


@dataclass(frozen=True)
class FreeDay:
    date: date
    times: tuple[time, ...]


@dataclass(frozen=True)
class Patient:
    name: str
    phone: str
    email: str
    desc: str


class SlotUnavailable(Exception):
    """The time is not a free slot for this practitioner and room."""


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _grid(hours: Iterable[tuple[time, time]], slot_minutes: int) -> list[int]:
    starts: set[int] = set()
    for start, end in hours:
        first, last = _minutes(start), _minutes(end)
        starts.update(range(first, last - slot_minutes + 1, slot_minutes))
    return sorted(starts)


def _days(first_day: date, num_days: int) -> list[date]:
    # A start near date.max must not overflow into an exception.
    last_offset = min(num_days - 1, (date.max - first_day).days)
    return [first_day + timedelta(days=offset) for offset in range(last_offset + 1)]


# Rows as tuples and in no order (the models' ORDER BY cost more than the queries):
# 90 days are asked about on every freeList, 12 at once for "any".


def _working_hours(practitioner: Practitioner, room: Room) -> dict[int, list[tuple[time, time]]]:
    """The practitioner's hours in the room, (start, end) by weekday."""
    by_weekday: dict[int, list[tuple[time, time]]] = defaultdict(list)
    hours = WorkingHours.objects.filter(practitioner=practitioner, room=room).order_by()
    for weekday, start, end in hours.values_list("weekday", "start", "end"):
        by_weekday[weekday].append((start, end))
    return by_weekday


def _busy(
    practitioner: Practitioner, room: Room, first: date, last: date
) -> dict[date, list[Span]]:
    """The minutes taken each day by bookings of the practitioner (anywhere) or of the room."""
    busy: dict[date, list[Span]] = defaultdict(list)
    bookings = Booking.objects.filter(
        Q(practitioner=practitioner) | Q(room=room), date__range=(first, last)
    ).order_by()
    for day, start, duration in bookings.values_list("date", "time", "duration"):
        busy[day].append((_minutes(start), _minutes(start) + duration))
    return busy


def free_times(
    practitioner: Practitioner, room: Room, first_day: date, num_days: int, now: datetime
) -> list[FreeDay]:
    """Free times of `practitioner` in `room` over `num_days` days from `first_day`.

    A time is free when it starts a slot of the practitioner's working hours
    in that room, no booking of the practitioner (in any room) or of the room
    (with anyone) overlaps it, and it is not earlier than `now` in the
    practice's time zone. Days without a free time are left out.
    """
    local_now = timezone.localtime(now)
    today = local_now.date()
    days = [day for day in _days(first_day, num_days) if day >= today]
    if not days:
        return []

    hours_by_weekday = _working_hours(practitioner, room)
    if not hours_by_weekday:
        return []
    busy = _busy(practitioner, room, days[0], days[-1])

    slot = practitioner.slot_minutes
    # Each weekday's slot starts once, not once a day: 90 days are 13 of each.
    grids = {
        weekday: [(start, time(start // 60, start % 60)) for start in _grid(hours, slot)]
        for weekday, hours in hours_by_weekday.items()
    }
    result = []
    for day in days:
        grid = grids.get(day.weekday(), ())
        if day == today:
            grid = [(start, at) for start, at in grid if at >= local_now.time()]
        spans = busy.get(day)
        if spans:
            grid = [
                (start, at)
                for start, at in grid
                if not any(b_start < start + slot and start < b_end for b_start, b_end in spans)
            ]
        if grid:
            result.append(FreeDay(day, tuple(at for _, at in grid)))
    return result


def is_free(practitioner: Practitioner, room: Room, day: date, at: time, now: datetime) -> bool:
    return any(at in free.times for free in free_times(practitioner, room, day, 1, now))


def book(
    practitioner: Practitioner, room: Room, day: date, at: time, patient: Patient, now: datetime
) -> Booking:
    """Book the free time `at` on `day`, or raise SlotUnavailable.

    Safe under concurrent requests: the practitioner's and the room's rows
    are locked (always in that order, so two bookings cannot deadlock)
    before the slot is checked again, and the unique constraints catch
    whatever might still slip through.
    """
    try:
        with transaction.atomic():
            practitioner = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
            room = Room.objects.select_for_update().get(pk=room.pk)
            if not is_free(practitioner, room, day, at, now):
                raise SlotUnavailable
            return Booking.objects.create(
                practitioner=practitioner,
                room=room,
                date=day,
                time=at,
                duration=practitioner.slot_minutes,
                name=patient.name,
                phone=patient.phone,
                email=patient.email,
                desc=patient.desc,
            )
    except IntegrityError as error:
        raise SlotUnavailable from error
