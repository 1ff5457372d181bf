"""Overlapping bookings of one room at once: real HTTP, real threads, one database.

Two practitioners share a room with different appointment lengths, so two
of their free times overlap without starting together: Anna at 09:45 (45
minutes) and Jayne at 10:00 (30 minutes). The unique constraints cannot tell
these apart (other practitioner, other time); only the lock the diary takes
on the room before it looks again can. On SQLite the database's one write
lock serialises bookings anyway; on PostgreSQL (tests/deploy/
test_postgresql.py runs this file there too) the row lock is all there is.
"""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from sandbox.models import Booking, Practitioner, Room, WorkingHours

from .helpers import book_at_once, confirmed_and_refused

PATIENTS = 16  # half for each of the two overlapping times


@pytest.mark.django_db(transaction=True)
def test_of_two_overlapping_times_in_one_room_booked_at_once_only_one_is_confirmed(live_server):
    day = timezone.localdate() + timedelta(days=7)
    room = Room.objects.create(id=7323, name="Treatment Room 2")
    anna = Practitioner.objects.create(id=42230, name="Anna", slot_minutes=45)
    jayne = Practitioner.objects.create(id=42229, name="Jayne", slot_minutes=30)
    for practitioner in (anna, jayne):
        WorkingHours.objects.create(
            practitioner=practitioner, room=room, weekday=day.weekday(), start=time(9), end=time(17)
        )
    wanted = [(anna.id, room.id, day, "0945"), (jayne.id, room.id, day, "1000")]
    answers = book_at_once(live_server.url, [wanted[n % 2] for n in range(PATIENTS)])

    confirmed, refused = confirmed_and_refused(answers)
    assert len(confirmed) == 1, confirmed
    assert len(refused) == PATIENTS - 1
    assert Booking.objects.filter(room=room, date=day).count() == 1
