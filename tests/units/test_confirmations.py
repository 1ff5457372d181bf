"""What the patient keeps of a booking: the confirmation, its calendar file and email."""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import threading
import time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.utils import translation

from booking_site import logs
from bookings import clock, confirmations
from bookings.confirmations import (
    REFERENCE_PATTERN,
    Booked,
    calendar_file,
    find,
    google_calendar_url,
    keep,
    outlook_calendar_url,
    send_email,
)
from physiodiary import Confirmation

from ..some_welsh import use_some_welsh

LONDON = ZoneInfo("Europe/London")


def in_days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


def confirmation(day: dt.date | None = None, moment: dt.time = dt.time(9, 15)) -> Confirmation:
    return Confirmation(
        date=day or in_days(3),
        time=moment,
        duration_minutes=45,
        room_name="Treatment Room 2",
        practitioner_name="Anna",
    )


def booked_on(day: dt.date, moment: dt.time = dt.time(9, 15), minutes: int = 45) -> Booked:
    return Booked(
        reference="Abc_-" + "x" * 27,
        date=day,
        time=moment,
        duration_minutes=minutes,
        practitioner_name="Anna",
        room_name="Treatment Room 2",
        requested=clock.at(day, moment),
    )


def next_year(month: int, day: int) -> dt.date:
    return dt.date(clock.today().year + 1, month, day)


# --- keep and find ------------------------------------------------------------------


def test_keep_stores_under_a_32_character_url_safe_reference():
    requested = clock.at(in_days(3), dt.time(9, 15))
    booked = keep(confirmation(), requested)
    assert len(booked.reference) == 32
    assert re.fullmatch(REFERENCE_PATTERN, booked.reference)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", booked.reference)
    assert find(booked.reference) == booked


def test_keep_copies_what_the_diary_confirmed():
    requested = clock.at(in_days(3), dt.time(9, 15))
    booked = keep(confirmation(), requested)
    assert (booked.date, booked.time, booked.duration_minutes) == (in_days(3), dt.time(9, 15), 45)
    assert (booked.practitioner_name, booked.room_name) == ("Anna", "Treatment Room 2")
    assert booked.requested == requested
    assert booked.emailed is False


def test_each_booking_gets_its_own_reference():
    requested = clock.at(in_days(3), dt.time(9, 15))
    references = {keep(confirmation(), requested).reference for _ in range(50)}
    assert len(references) == 50


def test_an_unknown_reference_finds_nothing():
    assert find("A" * 32) is None


def test_a_confirmation_is_found_until_it_expires(settings, monkeypatch):
    settings.BOOKING_CONFIRMATION_SECONDS = 600
    booked = keep(confirmation(), clock.at(in_days(3), dt.time(9, 15)))
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 590)
    assert find(booked.reference) == booked
    monkeypatch.setattr(time, "time", lambda: real() + 610)
    assert find(booked.reference) is None


def test_mark_emailed_keeps_the_same_reference():
    booked = keep(confirmation(), clock.at(in_days(3), dt.time(9, 15)))
    confirmations.mark_emailed(booked)
    found = find(booked.reference)
    assert found.emailed is True
    assert found.reference == booked.reference


# --- moved ----------------------------------------------------------------------------


def test_a_booking_at_the_time_asked_for_has_not_moved():
    booked = keep(confirmation(), clock.at(in_days(3), dt.time(9, 15)))
    assert booked.moved is False


def test_a_booking_confirmed_at_another_time_has_moved():
    # The vendor's example: 07:45 confirmed for a request of 09:15.
    booked = keep(confirmation(moment=dt.time(7, 45)), clock.at(in_days(3), dt.time(9, 15)))
    assert booked.moved is True


def test_a_booking_confirmed_on_another_day_has_moved():
    booked = keep(confirmation(day=in_days(4)), clock.at(in_days(3), dt.time(9, 15)))
    assert booked.moved is True


def test_the_same_moment_in_another_time_zone_has_not_moved():
    requested = clock.at(in_days(3), dt.time(9, 15)).astimezone(dt.UTC)
    assert keep(confirmation(), requested).moved is False


# --- The calendar file ------------------------------------------------------------------


def event_of(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = [c for c in calendar.walk() if c.name == "VEVENT"]
    return calendar, event


@pytest.mark.parametrize("month", [1, 7], ids=["gmt", "bst"])
def test_the_calendar_file_has_the_appointment_in_london_time(month):
    booked = booked_on(next_year(month, 15), dt.time(9, 15), minutes=45)
    _, event = event_of(calendar_file(booked))
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTEND"].params["TZID"] == "Europe/London"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == dt.datetime.combine(next_year(month, 15), dt.time(9, 15), tzinfo=LONDON)
    assert start.replace(tzinfo=None) == dt.datetime.combine(next_year(month, 15), dt.time(9, 15))
    assert end - start == dt.timedelta(minutes=45)


def test_the_calendar_file_has_the_length_the_diary_confirmed():
    booked = booked_on(next_year(3, 3), dt.time(16, 30), minutes=60)
    _, event = event_of(calendar_file(booked))
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=60)


def test_the_calendar_file_carries_the_london_time_zone():
    calendar, _ = event_of(calendar_file(booked_on(next_year(7, 15))))
    zones = [c for c in calendar.walk() if c.name == "VTIMEZONE"]
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]


def test_the_calendar_file_is_at_the_practices_address(settings):
    _, event = event_of(calendar_file(booked_on(next_year(7, 15))))
    assert str(event["LOCATION"]) == f"{settings.PRACTICE_NAME}, {settings.PRACTICE_ADDRESS}"


def test_the_calendar_files_uid_does_not_give_away_the_reference():
    booked = booked_on(next_year(7, 15))
    data = calendar_file(booked)
    _, event = event_of(data)
    uid = str(event["UID"])
    assert uid
    assert booked.reference not in uid
    assert booked.reference.encode() not in data


def test_the_calendar_files_uid_is_the_same_for_the_same_booking():
    booked = booked_on(next_year(7, 15))
    first, second = event_of(calendar_file(booked))[1], event_of(calendar_file(booked))[1]
    assert str(first["UID"]) == str(second["UID"])


def test_the_calendar_file_names_the_practitioner_and_practice(settings):
    _, event = event_of(calendar_file(booked_on(next_year(7, 15))))
    assert str(event["SUMMARY"]) == f"Physiotherapy with Anna at {settings.PRACTICE_NAME}"
    assert settings.PRACTICE_PHONE in str(event["DESCRIPTION"])


# --- Calendar links ---------------------------------------------------------------------


def query_of(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [(7, "081500", "090000"), (1, "091500", "100000")],
    ids=["bst", "gmt"],
)
def test_the_google_link_carries_the_start_and_end_in_utc(month, start, end):
    day = next_year(month, 15)
    link = google_calendar_url(booked_on(day, dt.time(9, 15), minutes=45))
    assert link.startswith("https://calendar.google.com/calendar/render?")
    query = query_of(link)
    assert query["action"] == "TEMPLATE"
    assert query["dates"] == f"{day:%Y%m%d}T{start}Z/{day:%Y%m%d}T{end}Z"


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [(7, "08:15:00", "09:00:00"), (1, "09:15:00", "10:00:00")],
    ids=["bst", "gmt"],
)
def test_the_outlook_link_carries_the_start_and_end_in_utc(month, start, end):
    day = next_year(month, 15)
    link = outlook_calendar_url(booked_on(day, dt.time(9, 15), minutes=45))
    assert link.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    query = query_of(link)
    assert query["startdt"] == f"{day:%Y-%m-%d}T{start}Z"
    assert query["enddt"] == f"{day:%Y-%m-%d}T{end}Z"


def test_the_calendar_links_carry_the_practices_address(settings):
    address = f"{settings.PRACTICE_NAME}, {settings.PRACTICE_ADDRESS}"
    booked = booked_on(next_year(7, 15))
    assert query_of(google_calendar_url(booked))["location"] == address
    assert query_of(outlook_calendar_url(booked))["location"] == address


# --- Email ----------------------------------------------------------------------------


def send(booked: Booked) -> bool:
    return send_email(
        booked, to="fred@example.com", name="Fred Smith", page_url="https://site.example/booked/x/"
    )


def test_the_email_is_sent_once_with_the_calendar_file_and_reply_to_the_practice(
    settings, mailoutbox
):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    booked = booked_on(next_year(7, 15))
    assert send(booked) is True
    (message,) = mailoutbox
    assert message.to == ["fred@example.com"]
    assert message.reply_to == [settings.PRACTICE_EMAIL]
    assert "Fred Smith" in message.body
    assert "https://site.example/booked/x/" in message.body
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert (filename, mimetype) == ("appointment.ics", "text/calendar")
    _, event = event_of(content.encode() if isinstance(content, str) else content)
    assert event.decoded("DTSTART") == booked.start


def test_the_email_says_when_the_diary_moved_the_time(settings, mailoutbox):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    day = next_year(7, 15)
    moved = Booked(
        **{**booked_on(day, dt.time(7, 45)).__dict__, "requested": clock.at(day, dt.time(9, 15))}
    )
    assert send(moved) is True
    assert "you asked for 09:15" in mailoutbox[0].body


def test_no_email_is_sent_when_the_practice_turned_them_off(settings, mailoutbox):
    settings.BOOKING_CONFIRMATION_EMAIL = False
    assert send(booked_on(next_year(7, 15))) is False
    assert mailoutbox == []


def test_a_failing_mail_server_is_logged_without_the_address_and_not_raised(
    settings, mailoutbox, monkeypatch, caplog
):
    settings.BOOKING_CONFIRMATION_EMAIL = True

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"fred@example.com": (550, b"no")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with caplog.at_level(logging.INFO):
        assert send(booked_on(next_year(7, 15))) is False
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    (error,) = errors
    assert error.name == "bookings.emails"
    assert "fred@example.com" not in error.getMessage()
    assert error.exc_info is None
    assert "fred@example.com" not in caplog.text
    assert mailoutbox == []


def test_the_email_is_sent_in_the_requests_context_so_its_log_line_has_the_request_id(
    settings, monkeypatch
):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    seen = []
    monkeypatch.setattr(EmailMessage, "send", lambda self: seen.append(logs.request_id.get()))
    token = logs.request_id.set("f00dfeed12345678")
    try:
        send(booked_on(next_year(7, 15)))
    finally:
        logs.request_id.reset(token)
    assert seen == ["f00dfeed12345678"]


def test_a_slow_mail_server_holds_the_page_no_longer_than_email_timeout(settings, monkeypatch):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    settings.EMAIL_TIMEOUT = 0.05
    release = threading.Event()
    monkeypatch.setattr(EmailMessage, "send", lambda self: release.wait(5) and 1)
    booked = keep(confirmation(), requested=clock.at(in_days(3), dt.time(9, 15)))

    sent = send_email(booked, to="fred@example.com", name="Fred", page_url="https://x/")

    assert sent is False  # the page goes on while the mail server dawdles
    assert not find(booked.reference).emailed
    release.set()
    (sender,) = [t for t in threading.enumerate() if t.name == "confirmation-email"]
    sender.join(5)
    assert find(booked.reference).emailed  # and the send, once done, is recorded


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (dt.date(2027, 3, 28), dt.time(0, 45), "02:30"),  # 45 minutes, the clocks going forward
        (dt.date(2027, 10, 31), dt.time(0, 45), "01:30"),  # the first 01:30, before they go back
    ],
)
def test_an_appointment_lasts_its_length_across_a_clock_change(day, start, end):
    booked = booked_on(day, start, minutes=45)
    assert f"{booked.end:%H:%M}" == end
    assert booked.end.astimezone(dt.UTC) - booked.start.astimezone(dt.UTC) == dt.timedelta(
        minutes=45
    )
    dates = query_of(google_calendar_url(booked))["dates"].split("/")
    assert dates[0] < dates[1]


# --- The language it was booked in ----------------------------------------------------


@pytest.fixture
def welsh(settings, tmp_path):
    use_some_welsh(
        settings,
        tmp_path,
        (
            "Physiotherapy with %(practitioner)s at %(practice)s",
            "Ffisiotherapi gyda %(practitioner)s yn %(practice)s",
        ),
        (
            (
                "%(minutes)d minute with %(practitioner)s in %(room)s.",
                "%(minutes)d minutes with %(practitioner)s in %(room)s.",
            ),
            "%(minutes)d munud gyda %(practitioner)s yn %(room)s.",
        ),
        ("UK time", "amser y DU"),
    )


def test_a_booking_is_kept_in_the_language_of_the_page_it_was_made_on():
    requested = clock.at(in_days(3), dt.time(9, 15))
    with translation.override("cy"):
        booked = keep(confirmation(), requested)
    assert booked.language == "cy"
    assert find(booked.reference).language == "cy"
    assert confirmations.mark_emailed(booked).language == "cy"
    assert keep(confirmation(), requested).language == "en-gb"


def test_a_confirmation_kept_before_languages_were_reads_in_the_default_language(settings):
    # As a confirmation kept by the version before: pickled with no `language`.
    booked = keep(confirmation(), clock.at(in_days(3), dt.time(9, 15)))
    old = object.__new__(Booked)
    old.__dict__.update({k: v for k, v in booked.__dict__.items() if k != "language"})
    cache.set(confirmations._key(booked.reference), old)
    settings.LANGUAGE_CODE = "cy"  # a site whose default is Welsh

    found = find(booked.reference)

    assert found.language == "cy"
    assert found.reference == booked.reference
    assert b"SUMMARY:Ffisiotherapi gyda Anna" in calendar_file(found)  # in the default, Welsh


def test_the_calendar_file_is_in_the_language_it_was_booked_in_whatever_the_page(welsh):
    with translation.override("cy"):
        booked = keep(confirmation(), clock.at(in_days(3), dt.time(9, 15)))
    _, event = event_of(calendar_file(booked))  # asked for with English active
    assert str(event["SUMMARY"]) == "Ffisiotherapi gyda Anna yn Riverside Physiotherapy"
    assert str(event["DESCRIPTION"]).startswith("45 munud gyda Anna yn Treatment Room 2.\n")
    assert translation.get_language() == "en-gb"  # and the page's language is as it was


def test_in_english_the_calendar_entry_reads_as_it_always_has(settings):
    booked = booked_on(next_year(7, 15))
    _, event = event_of(calendar_file(booked))
    description = (
        "45 minutes with Anna in Treatment Room 2.\n"
        f"To change or cancel, call {settings.PRACTICE_PHONE} or email {settings.PRACTICE_EMAIL}."
    )
    assert str(event["DESCRIPTION"]) == description
    assert query_of(google_calendar_url(booked))["details"] == description
    assert query_of(outlook_calendar_url(booked))["subject"] == (
        f"Physiotherapy with Anna at {settings.PRACTICE_NAME}"
    )


def test_the_email_is_in_the_language_it_was_booked_in_whatever_the_page(
    settings, mailoutbox, welsh
):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    first_week_of_july = (next_year(7, n) for n in range(1, 8))
    day = next(d for d in first_week_of_july if d.weekday() == 1)  # a Tuesday
    with translation.override("cy"):
        booked = keep(confirmation(day), clock.at(day, dt.time(9, 15)))

    send(booked)  # with English active, as after a page in another language

    (message,) = mailoutbox
    assert f"Dydd Mawrth {day.day} Gorffenaf" in message.subject  # Django's own Welsh dates
    assert "amser y DU" in message.body
    _, event = event_of(message.attachments[0][1].encode())
    assert str(event["SUMMARY"]).startswith("Ffisiotherapi gyda Anna")
    assert translation.get_language() == "en-gb"
