"""Double booking under real concurrency: real HTTP, real threads, one database."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from sandbox.models import Booking, Practitioner, Room, WorkingHours

from .helpers import book_at_once, confirmed_and_refused

PATIENTS = 20


@pytest.mark.django_db(transaction=True)
def test_only_one_of_twenty_simultaneous_bookings_of_a_slot_is_confirmed(live_server):
    day = timezone.localdate() + timedelta(days=7)
    room = Room.objects.create(id=7323, name="Treatment Room 2")
    anna = Practitioner.objects.create(id=42230, name="Anna")
    WorkingHours.objects.create(
        practitioner=anna, room=room, weekday=day.weekday(), start=time(9), end=time(17)
    )
    answers = book_at_once(live_server.url, [(anna.id, room.id, day, "1030")] * PATIENTS)

    confirmed, refused = confirmed_and_refused(answers)
    assert len(confirmed) == 1
    assert len(refused) == PATIENTS - 1
    assert Booking.objects.count() == 1
    assert Booking.objects.get().name == f"Patient {answers.index(confirmed[0])}"
