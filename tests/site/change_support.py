"""What the change link's page tests share: a booking with its link, and the emails it sent.

The diary is faked at the HTTP boundary (tests/site/conftest.py's `diary`);
the link's record is in the test database, as the site keeps it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from bookings import changes
from bookings.changes import Appointment

from .wizard_support import ANNA, PATIENT, ROOM_2, WHEN, html, submit

#: A change link's path on a page or in an email, in any language.
CHANGE_PATH = re.compile(r"(?:/[a-z-]+)?/change/([A-Za-z0-9_-]{43})/")


def book(client, when: dt.datetime = WHEN, **typed: str) -> str:
    """Book `when` through the wizard's details form; the confirmation page's path."""
    page = submit(client, when, **typed)
    assert page.status_code == 303, page.status_code
    return page["Location"]


def link_on(page) -> str:
    """The change link's id on a page (its "Change or cancel" button)."""
    found = CHANGE_PATH.search(html(page))
    assert found, "the page has no change link"
    return found[1]


def booked_with_link(client, when: dt.datetime = WHEN) -> str:
    """Book `when`; the new booking's change link id, from its confirmation page."""
    return link_on(client.get(book(client, when)))


def to_practice() -> list[EmailMessage]:
    return [message for message in mail.outbox if message.to == [settings.PRACTICE_NOTIFY_EMAIL]]


def to_patient(address: str = PATIENT["email"]) -> list[EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


def altered(link: str) -> str:
    """The link with one character changed, as a mistyped or damaged copy has it."""
    return link[:-1] + ("A" if link[-1] != "A" else "B")


def kept_appointment(start: dt.datetime, minutes: int = 45, language: str = "en-gb") -> str:
    """A change link kept straight in the database, for an appointment at `start`."""
    appointment = Appointment(
        practitioner_id=ANNA,
        practitioner_name="Anna",
        room_id=ROOM_2,
        room_name="Treatment Room 2",
        start=timezone.localtime(start),
        duration_minutes=minutes,
        name=PATIENT["name"],
        phone=PATIENT["phone"],
        email=PATIENT["email"],
        language=language,
    )
    return changes.keep(appointment, confirmation=f"kept-{start.isoformat()}-{minutes}")


def token_on(page) -> str:
    """The cancel form's token."""
    found = re.search(r'name="token" value="([^"]+)"', html(page))
    assert found, "the page has no cancel form"
    return found[1]
