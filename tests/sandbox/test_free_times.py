"""Free times and booking, below the wire format."""

from datetime import UTC, date, datetime, time

import pytest

from sandbox.free_times import FreeDay, Patient, SlotUnavailable, book, free_times
from sandbox.models import Booking, Practitioner, Room

from .helpers import NOW

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 6, 3)  # NOW's date
TUESDAY = date(2030, 6, 4)
FRED = Patient("Fred Smith", "123456", "fred@smith.co.uk", "")


def times_on(free: list[FreeDay], day: date) -> list[str]:
    return next(([f"{t:%H%M}" for t in f.times] for f in free if f.date == day), [])


def booked(practitioner: Practitioner, room: Room, day: date, at: str, minutes: int = 45) -> None:
    Booking.objects.create(
        practitioner=practitioner,
        room=room,
        date=day,
        time=time(int(at[:2]), int(at[2:])),
        duration=minutes,
        name="Someone",
        phone="123456",
        email="someone@example.com",
    )


def test_free_times_step_by_the_slot_length_while_the_slot_ends_in_time(anna, room2):
    free = free_times(anna, room2, TUESDAY, 1, NOW)

    # 14:15 to 20:15 holds eight 45-minute slots exactly.
    assert times_on(free, TUESDAY) == [
        "1415",
        "1500",
        "1545",
        "1630",
        "1715",
        "1800",
        "1845",
        "1930",
    ]


def test_free_times_leave_out_a_slot_that_would_end_after_the_hours(room2):
    jayne = Practitioner.objects.create(id=42229, name="Jayne", slot_minutes=60)
    jayne.working_hours.create(room=room2, weekday=1, start=time(9), end=time(11, 30))

    assert times_on(free_times(jayne, room2, TUESDAY, 1, NOW), TUESDAY) == ["0900", "1000"]


def test_free_times_leave_out_times_earlier_than_now_in_the_practices_time_zone(anna, room2):
    # 09:00 UTC is 10:00 in London in June.
    free = free_times(anna, room2, MONDAY, 1, NOW)

    assert times_on(free, MONDAY) == ["1030", "1115", "1200", "1245"]


def test_a_time_starting_exactly_now_is_still_free(anna, room2):
    at_1030 = datetime(2030, 6, 3, 9, 30, tzinfo=UTC)

    assert times_on(free_times(anna, room2, MONDAY, 1, at_1030), MONDAY)[0] == "1030"


def test_a_time_that_started_a_second_ago_is_not_free(anna, room2):
    just_after_1030 = datetime(2030, 6, 3, 9, 30, 1, tzinfo=UTC)

    assert times_on(free_times(anna, room2, MONDAY, 1, just_after_1030), MONDAY)[0] == "1115"


def test_free_times_leave_out_past_days(anna, room2):
    free = free_times(anna, room2, date(2030, 5, 27), 8, NOW)

    assert [f.date for f in free] == [MONDAY]


def test_free_times_of_a_past_period_are_empty(anna, room2):
    assert free_times(anna, room2, date(2017, 10, 7), 90, NOW) == []


def test_num_days_counts_the_first_day(anna, room2):
    assert [f.date for f in free_times(anna, room2, MONDAY, 1, NOW)] == [MONDAY]
    assert [f.date for f in free_times(anna, room2, MONDAY, 2, NOW)] == [MONDAY, TUESDAY]


def test_free_times_leave_out_days_without_a_free_time(anna, room2):
    free = free_times(anna, room2, MONDAY, 7, NOW)

    assert [f.date for f in free] == [MONDAY, TUESDAY]


def test_free_times_leave_out_booked_slots(anna, room2):
    booked(anna, room2, MONDAY, "1115")

    assert times_on(free_times(anna, room2, MONDAY, 1, NOW), MONDAY) == ["1030", "1200", "1245"]


def test_free_times_leave_out_the_practitioners_bookings_in_another_room(anna, room1, room2):
    booked(anna, room1, MONDAY, "1200")

    assert times_on(free_times(anna, room2, MONDAY, 1, NOW), MONDAY) == ["1030", "1115", "1245"]


def test_free_times_leave_out_other_practitioners_bookings_of_the_room(anna, john, room2):
    booked(john, room2, MONDAY, "1245")

    assert times_on(free_times(anna, room2, MONDAY, 1, NOW), MONDAY) == ["1030", "1115", "1200"]


def test_free_times_leave_out_slots_that_a_booking_overlaps_in_part(anna, john, room2):
    # 10:45-11:15 overlaps the 10:30 slot only: 11:15 starts as it ends.
    booked(john, room2, MONDAY, "1045", minutes=30)

    assert times_on(free_times(anna, room2, MONDAY, 1, NOW), MONDAY) == ["1115", "1200", "1245"]


def test_free_times_ignore_other_practitioners_in_other_rooms(anna, john, room1, room2):
    booked(john, room1, MONDAY, "1030")

    assert times_on(free_times(anna, room2, MONDAY, 1, NOW), MONDAY)[0] == "1030"


def test_free_times_are_empty_in_a_room_where_the_practitioner_does_not_work(anna, room1):
    assert free_times(anna, room1, MONDAY, 90, NOW) == []


def test_free_times_do_not_overflow_at_the_end_of_the_calendar(anna, room2):
    free = free_times(anna, room2, date(9999, 12, 27), 90, NOW)

    assert [f.date for f in free] == [date(9999, 12, 27), date(9999, 12, 28)]


def test_book_stores_the_booking(anna, room2):
    booking = book(anna, room2, TUESDAY, time(14, 15), FRED, NOW)

    assert Booking.objects.get() == booking
    assert (booking.duration, booking.name) == (45, "Fred Smith")


def test_book_refuses_a_taken_slot(anna, room2):
    book(anna, room2, TUESDAY, time(14, 15), FRED, NOW)

    with pytest.raises(SlotUnavailable):
        book(anna, room2, TUESDAY, time(14, 15), FRED, NOW)
    assert Booking.objects.count() == 1
