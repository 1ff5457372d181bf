"""Double booking under real concurrency: real HTTP, real threads, one database."""

from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta
from threading import Barrier

import pytest
import requests
from django.utils import timezone

from sandbox.models import Booking, Practitioner, Room, WorkingHours

from .helpers import API, KEY

PATIENTS = 20


@pytest.mark.django_db(transaction=True)
def test_only_one_of_twenty_simultaneous_bookings_of_a_slot_is_confirmed(live_server):
    day = timezone.localdate() + timedelta(days=7)
    room = Room.objects.create(id=7323, name="Treatment Room 2")
    anna = Practitioner.objects.create(id=42230, name="Anna")
    WorkingHours.objects.create(
        practitioner=anna, room=room, weekday=day.weekday(), start=time(9), end=time(17)
    )
    start_together = Barrier(PATIENTS)

    def book(patient: int) -> dict:
        body = {
            "action": "book",
            "apiKey": KEY,
            "date": f"{day:%Y%m%d}",
            "time": "1030",
            "sectionId": 7323,
            "staffId": 42230,
            "name": f"Patient {patient}",
            "phone": f"0161 496 {patient:04d}",
            "email": f"patient{patient}@example.com",
            "desc": "",
        }
        with requests.Session() as session:
            session.trust_env = False  # no proxy between us and the live server
            start_together.wait(timeout=30)
            response = session.post(live_server.url + API, json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
        answers = list(pool.map(book, range(PATIENTS)))

    confirmed = [a for a in answers if a.get("result") == "Confirmed"]
    refused = [a for a in answers if [e["error"] for e in a.get("errors", [])] == [12]]
    assert len(confirmed) == 1
    assert len(refused) == PATIENTS - 1
    assert Booking.objects.count() == 1
    assert Booking.objects.get().name == f"Patient {answers.index(confirmed[0])}"
