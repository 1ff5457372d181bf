"""A practitioner's or room's name, as the diary writes it, prints on one line everywhere.

The names come from the practice's diary (staffList, sectionList, freeList,
book); the site prints them in pages, the confirmation email, its calendar
file and the logs. The reference diary stores a name with a line break in it
as it was typed, so it can play a diary that sends one.
"""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core import mail

from bookings import diary
from sandbox.models import Practitioner, Room, Weekday, WorkingHours

from .wizard_support import PATIENT, token_of

#: What a name smuggles in after its line break: a header-like line in the
#: email, and a property of its own in the calendar file.
PRACTITIONER = "Anna\r\nX-Injected: yes"
ROOM = "Treatment Room 2\r\nATTENDEE:mailto:someone@evil.example"
STAFF_ID, ROOM_ID = 90001, 90002


@pytest.fixture
def reference_diary(db, settings):
    """The site on its in-process reference diary, with one practitioner and room so named."""
    settings.PHYSIODIARY_API_URL = ""
    settings.SANDBOX_ENABLED = True
    settings.PHYSIODIARY_API_KEY = settings.SANDBOX_API_KEY = "reference-test-key"
    settings.BOOKING_CONFIRMATION_EMAIL = True
    Practitioner.objects.all().delete()
    Room.objects.all().delete()
    practitioner = Practitioner.objects.create(id=STAFF_ID, name=PRACTITIONER)
    room = Room.objects.create(id=ROOM_ID, name=ROOM)
    for weekday in Weekday:
        WorkingHours.objects.create(
            practitioner=practitioner, room=room, weekday=weekday, start=dt.time(7), end=dt.time(21)
        )


def book(client) -> str:
    """A patient books the first free time, page by page; the confirmation page's URL."""
    times = client.get(f"/times/?staffId={STAFF_ID}&sectionId={ROOM_ID}")
    assert times.status_code == 200
    first = re.search(r'name="slot" value="([^"]+)"', times.content.decode())
    assert first, "the reference diary offers no free time"
    chosen = client.get(f"/times/?staffId={STAFF_ID}&sectionId={ROOM_ID}&slot={first[1]}")
    details = client.get(chosen["Location"])
    assert details.status_code == 200
    day, hhmm = first[1].split("-")[:2]
    form = {"staffId": STAFF_ID, "sectionId": ROOM_ID, "date": day, "time": hhmm}
    booked = client.post(chosen["Location"], {**form, "token": token_of(details), **PATIENT})
    assert booked.status_code == 303, booked.content.decode()[:2000]
    return booked["Location"]


def test_the_diarys_names_reach_the_site_as_one_line(reference_diary):
    practitioners, rooms = diary.lists()
    assert [p.name for p in practitioners] == ["Anna X-Injected: yes"]
    assert [r.name for r in rooms] == ["Treatment Room 2 ATTENDEE:mailto:someone@evil.example"]


def test_a_line_break_in_a_name_adds_no_line_to_the_email(client, reference_diary):
    book(client)
    (email,) = mail.outbox
    lines = email.body.splitlines()
    assert "Practitioner:  Anna X-Injected: yes" in lines
    assert "Room:          Treatment Room 2 ATTENDEE:mailto:someone@evil.example" in lines
    assert not [line for line in lines if line.startswith(("X-Injected", "ATTENDEE"))]


def calendar_lines(ics: bytes | str) -> list[str]:
    """The calendar file's content lines, unfolded (RFC 5545 folds long ones)."""
    text = ics.decode() if isinstance(ics, bytes) else ics  # an attachment's is text
    return text.replace("\r\n ", "").split("\r\n")


def test_a_line_break_in_a_name_adds_no_property_to_the_calendar_file(client, reference_diary):
    page = client.get(book(client) + "appointment.ics")
    (email,) = mail.outbox
    (attached,) = [body for name, body, _ in email.attachments if name == "appointment.ics"]
    for ics in (page.content, attached):
        assert not [line for line in calendar_lines(ics) if line.startswith("ATTENDEE")]
        (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert "attendee" not in event
        assert "with Anna X-Injected: yes in Treatment Room 2 ATTENDEE" in str(event["description"])
