from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from sandbox.models import Booking, Practitioner, Room, Weekday, WorkingHours

pytestmark = pytest.mark.django_db


def hours(
    practitioner: Practitioner, room: Room, weekday: int, start: str, end: str
) -> WorkingHours:
    return WorkingHours(
        practitioner=practitioner,
        room=room,
        weekday=weekday,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
    )


def a_booking(practitioner: Practitioner, room: Room, at: time = time(14, 15)) -> Booking:
    return Booking(
        practitioner=practitioner,
        room=room,
        date=date(2030, 6, 4),
        time=at,
        duration=45,
        name="Fred Smith",
        phone="123456",
        email="fred@smith.co.uk",
    )


def test_working_hours_must_end_after_they_start(anna, room2):
    with pytest.raises(ValidationError) as error:
        hours(anna, room2, Weekday.FRIDAY, "12:00", "12:00").clean()

    assert "end" in error.value.message_dict


def test_working_hours_must_not_overlap_the_practitioners_other_hours_that_day(anna, room1):
    # Anna works 09:00-13:30 on Mondays, in room 2.
    with pytest.raises(ValidationError, match="overlap 09:00-13:30"):
        hours(anna, room1, Weekday.MONDAY, "13:00", "15:00").clean()


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [
        (Weekday.MONDAY, "13:30", "17:00"),  # right after
        (Weekday.MONDAY, "07:00", "09:00"),  # right before
        (Weekday.WEDNESDAY, "09:00", "13:30"),  # another day
    ],
)
def test_working_hours_may_touch_or_fall_on_another_day(anna, room2, weekday, start, end):
    hours(anna, room2, weekday, start, end).clean()


def test_working_hours_do_not_clash_with_themselves(anna):
    monday = anna.working_hours.get(weekday=Weekday.MONDAY)
    monday.end = time(14)

    monday.clean()


def test_working_hours_may_overlap_another_practitioners(anna, john, room2):
    hours(john, room2, Weekday.TUESDAY, "14:15", "20:15").clean()


def test_the_database_refuses_hours_that_end_before_they_start(anna, room2):
    with pytest.raises(IntegrityError):
        hours(anna, room2, Weekday.FRIDAY, "12:00", "11:00").save()


def test_the_database_refuses_two_bookings_of_a_room_at_one_time(anna, john, room2):
    a_booking(anna, room2).save()

    with pytest.raises(IntegrityError):
        a_booking(john, room2).save()


def test_the_database_refuses_two_bookings_of_a_practitioner_at_one_time(anna, room1, room2):
    a_booking(anna, room2).save()

    with pytest.raises(IntegrityError):
        a_booking(anna, room1).save()


def test_things_read_as_the_practice_names_them(anna, room2):
    booking = a_booking(anna, room2)

    assert str(anna) == "Anna"
    assert str(room2) == "Treatment Room 2"
    assert str(anna.working_hours.get(weekday=Weekday.TUESDAY)) == (
        "Anna, Tuesday 14:15-20:15, Treatment Room 2"
    )
    # No patient details: a booking can end up in a log line.
    assert str(booking) == "04 Jun 2030 14:15, Anna, Treatment Room 2"
    assert Booking._meta.verbose_name == "booking"
    assert WorkingHours._meta.verbose_name_plural == "working hours"
