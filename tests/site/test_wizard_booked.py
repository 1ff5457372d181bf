"""Step 4, `/booked/<ref>/`: what the diary confirmed, its calendar file and its email."""

import logging
import smtplib
from unittest.mock import patch

import pytest
from django.core import mail
from django.core.cache import cache

from ..client.support import recorded_json
from .wizard_support import PATIENT, WHEN, at, html, sets_no_cookie, submit


@pytest.fixture
def diary(diary):
    """The diary offers WHEN, the time these tests book."""
    diary.add_free(WHEN)
    return diary


def book(client, when=WHEN) -> str:
    """Book `when` through the details form; the confirmation page's URL."""
    page = submit(client, when)
    assert page.status_code == 303
    return page["Location"]


def test_it_shows_what_the_diary_confirmed(client, diary):
    page = client.get(book(client))
    assert page.status_code == 200
    assert f"{WHEN:%A} {WHEN.day} {WHEN:%B %Y}" in html(page)
    assert "14:15 to 15:00 (45 minutes, UK time)" in html(page)
    assert "Anna" in html(page)
    assert "Treatment Room 2" in html(page)
    assert "Please note the time" not in html(page)


def test_it_shows_the_diarys_answer_not_the_request_and_says_to_note_the_time(client, diary):
    diary.answer("book", recorded_json("book-confirmed.json"))  # 07:45 on 7 October 2017
    diary.add_free(at(1, "0915"))
    page = client.get(book(client, at(1, "0915")))
    assert "Please note the time" in html(page)
    assert "You asked for 09:15" in html(page)
    assert "07:45 to 08:30" in html(page)
    assert "Saturday 7 October 2017" in html(page)


def test_it_offers_a_calendar_file_in_uk_time(client, diary):
    page = client.get(book(client) + "appointment.ics")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/calendar")
    assert page["Cache-Control"] == "no-store"
    assert f"DTSTART;TZID=Europe/London:{WHEN:%Y%m%d}T141500" in page.content.decode()


def test_it_links_to_google_and_outlook_calendars(client, diary):
    page = html(client.get(book(client)))
    assert "https://calendar.google.com/calendar/render?" in page
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in page


def test_it_is_never_cached_and_sets_no_cookie(client, diary):
    page = client.get(book(client))
    assert page["Cache-Control"] == "no-store"
    assert sets_no_cookie(page)


def test_it_is_gone_once_the_confirmation_has_expired(client, diary):
    url = book(client)
    cache.clear()
    page = client.get(url)
    assert page.status_code == 404
    assert "This confirmation is no longer available" in html(page)
    assert client.get(url + "appointment.ics").status_code == 404


def test_it_is_gone_for_a_reference_it_never_made(client):
    page = client.get("/booked/" + "A" * 32 + "/")
    assert page.status_code == 404
    assert "This confirmation is no longer available" in html(page)


# --- Email ---------------------------------------------------------------------------


def test_it_emails_the_patient_the_confirmation_with_a_calendar_file(client, diary, settings):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    page = client.get(book(client))
    (email,) = mail.outbox
    assert email.to == [PATIENT["email"]]
    ((filename, content, mimetype),) = email.attachments
    assert (filename, mimetype) == ("appointment.ics", "text/calendar")
    assert "BEGIN:VEVENT" in (content if isinstance(content, str) else content.decode())
    assert "We have emailed you a confirmation" in html(page)


def test_the_subject_is_plain_text_not_html(client, diary, settings):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    settings.PRACTICE_NAME = "Smith & Jones Physio"
    client.get(book(client))
    (email,) = mail.outbox
    assert email.subject.startswith("Your appointment at Smith & Jones Physio on ")


def test_it_sends_no_email_when_the_practice_does_not_want_it(client, diary, settings):
    settings.BOOKING_CONFIRMATION_EMAIL = False
    page = client.get(book(client))
    assert mail.outbox == []
    assert "We have emailed you" not in html(page)


@pytest.mark.parametrize(
    "failure",
    [smtplib.SMTPRecipientsRefused({PATIENT["email"]: (550, b"no")}), TimeoutError()],
    ids=["refused", "timeout"],
)
def test_it_confirms_the_booking_when_the_email_fails(client, diary, settings, caplog, failure):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    with (
        patch("django.core.mail.EmailMessage.send", side_effect=failure),
        caplog.at_level(logging.ERROR),
    ):
        url = book(client)
    page = client.get(url)
    assert page.status_code == 200
    assert "We have emailed you" not in html(page)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert not any(PATIENT["email"] in line for line in errors)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(86400, "24 hours"), (3600, "1 hour"), (1800, "30 minutes"), (60, "1 minute")],
)
def test_it_says_how_long_the_page_stays(client, diary, settings, seconds, words):
    settings.BOOKING_CONFIRMATION_SECONDS = seconds
    page = client.get(book(client))
    assert f"This page stays available for {words}." in html(page)
