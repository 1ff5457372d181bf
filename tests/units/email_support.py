"""What the email tests share: a booking, its change record, and ways to read a message."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.core.mail import EmailMessage
from django.utils import dateformat, translation

from bookings import clock, emails
from bookings.changes import Appointment, Change, Request
from bookings.confirmations import Booked

#: A Tuesday: "Tue 8 Dec" in the practice's subjects.
DAY = dt.date(2026, 12, 8)
REASON = "Sore knee after running downhill"
PATIENT = {"name": "Fred Smith", "phone": "07700 900 123", "email": "fred@example.com"}
PAGE_URL = "https://booking.example/booked/Zq8Lr2Xc4Vb6Nm1Kj3Hg5Fd7Sa9Pw0Oe/"
CHANGE_URL = "https://booking.example/change/" + "L" * 43 + "/"


def booked(language: str = "en-gb", *, moved: bool = False) -> Booked:
    start = clock.at(DAY, dt.time(10, 30))
    return Booked(
        reference="Zq8Lr2Xc4Vb6Nm1Kj3Hg5Fd7Sa9Pw0Oe",
        date=DAY,
        time=start.time(),
        duration_minutes=45,
        practitioner_name="Anna",
        room_name="Treatment Room 2",
        requested=clock.at(DAY, dt.time(9, 15)) if moved else start,
        language=language,
    )


def appointment(
    language: str = "en-gb", *, day: dt.date = DAY, hhmm: str = "1030", who: str = "Anna"
) -> Appointment:
    return Appointment(
        practitioner_id=42230,
        practitioner_name=who,
        room_id=7323,
        room_name="Treatment Room 2",
        start=clock.at(day, dt.time(int(hhmm[:2]), int(hhmm[2:]))),
        duration_minutes=45,
        language=language,
        **PATIENT,
    )


def cancelled(language: str = "en-gb") -> Change:
    return Change(
        link="L" * 43,
        appointment=appointment(language),
        request=Request.CANCEL,
        requested_at=clock.at(DAY - dt.timedelta(days=1), dt.time(14, 2)),
        moved_to=None,
        state="cancel",
    )


def confirmation(language: str = "en-gb", **changes: object) -> emails.PatientEmail:
    arguments = {"to": PATIENT["email"], "name": PATIENT["name"], "page_url": PAGE_URL}
    return emails.confirmation(
        booked(language), **{**arguments, "change_url": CHANGE_URL, **changes}
    )


def html_of(message: EmailMessage) -> str:
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return content


def text_of_html(markup: str) -> str:
    """The HTML part's words, as a reader sees them: tags out, entities read."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def welsh_date(moment: dt.datetime, format: str = "l j F Y") -> str:
    with translation.override("cy"):
        return dateformat.format(moment, format)


def everything(message: EmailMessage) -> str:
    """The whole message as sent: headers, every part, every attachment."""
    return message.message().as_string()
