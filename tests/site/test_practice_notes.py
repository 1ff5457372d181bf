"""What the practice's inbox hears of online bookings: a note of each (when asked for), and
always a note of a booking whose outcome was lost, with the free time only."""

from __future__ import annotations

import pytest

from .change_support import book, to_practice
from .wizard_support import PATIENT, UNAVAILABLE, WHEN, html, submit


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def test_with_practice_notify_bookings_the_practice_gets_a_note_of_each_booking(
    client, diary, settings
):
    settings.PRACTICE_NOTIFY_BOOKINGS = True

    book(client)

    (note,) = to_practice()
    assert "14:15" in note.subject + note.body
    assert PATIENT["name"] in note.body
    assert PATIENT["desc"] not in note.body  # the reason stays between patient and diary


def test_without_it_the_practice_hears_nothing_of_a_booking(client, diary):
    book(client)

    assert to_practice() == []


def test_a_booking_whose_outcome_was_lost_sends_the_practice_the_free_time_to_check(client, diary):
    diary.answer("book", UNAVAILABLE["timeout"])

    page = submit(client, WHEN)

    assert "may or may not have been made" in html(page)
    (note,) = to_practice()
    assert "14:15" in note.subject + note.body
    for detail in PATIENT.values():
        assert detail not in note.subject + note.body


def test_a_booking_the_diary_refused_sends_the_practice_nothing(client, diary):
    diary.answer("book", UNAVAILABLE["connection refused"])

    submit(client, WHEN)

    assert to_practice() == []
