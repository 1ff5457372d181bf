"""A booking keeps the language it was made in: its email and calendar file are in it.

The confirmation page itself is in its address's language, like every page; what
the patient typed goes to the diary as typed, whatever the page's language.
(The site's own Welsh, every word: tests/site/test_welsh.py.)
"""

import icalendar
import pytest
from django.core import mail
from django.utils import dateformat, translation

from ..some_welsh import use_some_welsh
from .wizard_support import WHEN, details_url, html, token_of, valid_post


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def bilingual(bilingual, tmp_path):
    settings = bilingual
    settings.BOOKING_CONFIRMATION_EMAIL = True
    use_some_welsh(
        settings,
        tmp_path,
        (
            "Physiotherapy with %(practitioner)s at %(practice)s",
            "Ffisiotherapi gyda %(practitioner)s yn %(practice)s",
        ),
        ("UK time", "amser y DU"),
    )


def book_in_welsh(client, **typed: str) -> str:
    """Book WHEN through the Welsh details page; the confirmation's reference."""
    with translation.override("cy"):
        url = details_url(WHEN)
    assert url.startswith("/cy/details/?")
    token = token_of(client.get(url))
    page = client.post(url, valid_post(token, WHEN, **typed))
    assert page.status_code == 303
    assert page["Location"].startswith("/cy/booked/")
    return page["Location"].split("/")[-2]


def summary_of(ics: bytes) -> str:
    (event,) = [c for c in icalendar.Calendar.from_ical(ics).walk() if c.name == "VEVENT"]
    return str(event["SUMMARY"])


def test_a_booking_made_in_welsh_is_emailed_in_welsh(client, diary, bilingual):
    book_in_welsh(client)
    (message,) = mail.outbox
    with translation.override("cy"):
        day = dateformat.format(WHEN, "l j F Y")
    assert day in message.body  # Django's Welsh day and month names
    assert day.startswith("Dydd ")
    assert "amser y DU" in message.body
    assert "UK time" not in message.body
    assert summary_of(message.attachments[0][1].encode()).startswith("Ffisiotherapi gyda Anna")


def test_its_calendar_file_is_welsh_even_from_an_address_in_english(client, diary, bilingual):
    reference = book_in_welsh(client)
    ics = client.get(f"/booked/{reference}/appointment.ics")
    assert ics.status_code == 200
    assert summary_of(ics.content) == "Ffisiotherapi gyda Anna yn Riverside Physiotherapy"


def test_its_confirmation_page_is_in_the_language_of_its_address(client, diary, bilingual):
    reference = book_in_welsh(client)
    welsh, english = client.get(f"/cy/booked/{reference}/"), client.get(f"/booked/{reference}/")
    assert "amser y DU" in html(welsh)
    assert "UK time" not in html(welsh)
    assert "14:15 to 15:00 (45 minutes, UK time)" in html(english)


def test_what_the_patient_types_on_a_welsh_page_goes_to_the_diary_as_typed(
    client, diary, bilingual
):
    typed = {"name": "Siân Llŷr", "desc": "Poen yn fy mhen-glin ar ôl rhedeg"}
    book_in_welsh(client, **typed)
    (sent,) = diary.calls("book")
    assert (sent["name"], sent["desc"]) == (typed["name"], typed["desc"])
    assert (sent["phone"], sent["email"]) == ("01632 960 001", "fred@smith.example")
