"""The practice's emails (bookings/emails.py): plain text to PRACTICE_NOTIFY_EMAIL, in the
site's language, each with a subject a receptionist can sort by and only what finds and acts
on the diary's entry: never the reason for the visit.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from bookings import emails
from bookings.slots import Slot
from physiodiary import Practitioner, Room

from .email_support import (
    DAY,
    PATIENT,
    REASON,
    appointment,
    booked,
    cancelled,
    confirmation,
    everything,
)


def test_a_cancel_request_has_a_subject_to_sort_by_and_what_finds_the_entry(settings):
    settings.PRACTICE_NOTIFY_EMAIL = "reception@riverside-physio.example"

    message = emails.practice_cancel_request(cancelled())

    assert message.subject == "Cancel request: Tue 8 Dec 10:30, Anna"
    assert message.to == ["reception@riverside-physio.example"]
    assert message.reply_to == [PATIENT["email"]]  # a reply reaches the patient
    lines = message.body.splitlines()
    assert lines[0] == (
        "A patient has asked online to cancel this appointment. Please remove it from the diary."
    )
    assert [line for line in lines if re.match(r"^[A-Z][a-z]+:  ", line)] == [
        "Date:          Tuesday 8 December 2026",
        "Time:          10:30 to 11:15 (45 minutes, UK time)",
        "Practitioner:  Anna",
        "Room:          Treatment Room 2",
        "Patient:       Fred Smith",
        "Phone:         07700 900 123",
        "Email:         fred@example.com",
    ]
    assert "Asked at 14:02 on Monday 7 December 2026." in lines


def test_a_move_request_says_booked_online_new_then_please_remove_old():
    old = appointment()
    new = appointment(day=DAY + dt.timedelta(days=1), hhmm="1415", who="John")

    message = emails.practice_move_request(old, new)

    assert message.subject == "Move request: Tue 8 Dec 10:30, Anna, to Wed 9 Dec 14:15, John"
    body = message.body
    booked_online = body.index("Booked online (the new time):")
    remove = body.index("Please remove (the old time):")
    assert booked_online < body.index("Wednesday 9 December 2026") < remove
    assert remove < body.index("Tuesday 8 December 2026")
    assert "Practitioner:  John" in body[booked_online:remove]
    assert "Practitioner:  Anna" in body[remove:]
    assert "Patient:       Fred Smith" in body
    assert "Phone:         07700 900 123" in body


def test_a_booking_note_names_the_entry_and_the_patient_but_never_the_reason(settings):
    settings.PRACTICE_NOTIFY_EMAIL = "reception@riverside-physio.example"

    message = emails.practice_booking_note(booked(), {**PATIENT, "desc": REASON})

    assert message.subject == "Booked online: Tue 8 Dec 10:30, Anna"
    assert message.to == ["reception@riverside-physio.example"]
    assert "Patient:       Fred Smith" in message.body
    assert "Email:         fred@example.com" in message.body
    assert REASON not in everything(message)
    assert "knee" not in everything(message).lower()


def test_a_designers_booking_note_that_asks_for_the_reason_gets_nothing(settings, tmp_path):
    # The note is given the patient's name, phone and email only, whatever a template asks.
    (tmp_path / "bookings" / "email").mkdir(parents=True)
    mine = tmp_path / "bookings" / "email" / "practice_booking_note.txt"
    mine.write_text("{{ patient.name }} [{{ patient.desc }}] [{{ desc }}]")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    message = emails.practice_booking_note(booked(), {**PATIENT, "desc": REASON})

    assert message.body == "Fred Smith [] []"


def test_a_lost_outcome_names_the_free_time_only(settings):
    start = appointment().start
    message = emails.practice_lost_outcome(
        Slot(Practitioner(42230, "Anna"), Room(7323, "Treatment Room 2"), start)
    )

    assert message.subject == "Check the diary: a booking may have been made: Tue 8 Dec 10:30, Anna"
    assert message.to == [settings.PRACTICE_NOTIFY_EMAIL]
    assert message.reply_to == []
    assert "Date:          Tuesday 8 December 2026" in message.body
    assert "Time:          10:30 (UK time)" in message.body
    assert "Practitioner:  Anna (diary id 42230)" in message.body
    assert "Room:          Treatment Room 2 (diary id 7323)" in message.body
    assert "@" not in message.body  # no patient's address, nor anyone's


def test_the_practice_reads_its_emails_in_the_sites_language_whatever_the_patients():
    with translation.override("cy"):  # as in a request to a Welsh page
        message = emails.practice_cancel_request(cancelled("cy"))

    assert "Tuesday 8 December 2026" in message.body
    assert message.subject.startswith("Cancel request: Tue 8 Dec")


@pytest.mark.parametrize(
    "build",
    [
        lambda: emails.practice_cancel_request(cancelled()),
        lambda: emails.practice_move_request(appointment(), appointment(hhmm="1500")),
        lambda: emails.practice_booking_note(booked(), {**PATIENT, "desc": REASON}),
        lambda: emails.cancel_acknowledgement(cancelled(), page_url="https://x.example/"),
        lambda: confirmation(),
    ],
)
def test_no_email_holds_the_reason_for_the_visit_or_any_html_in_its_text(build):
    message = build()

    assert REASON not in everything(message)
    assert not re.search(r"<[a-z]", message.body)
    assert "\n" not in message.subject


def test_a_subject_stays_on_one_line_whatever_a_name_holds(settings):
    settings.PRACTICE_NAME = "Riverside\nPhysiotherapy"

    message = confirmation()

    assert message.subject == (
        "Your appointment at Riverside Physiotherapy on Tuesday 8 December at 10:30"
    )
    message.message()  # a header with a line break would raise BadHeaderError
