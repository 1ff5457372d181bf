"""The reference diary's endpoint, against the vendor's document."""

import logging
from datetime import date, time
from pathlib import Path

import pytest

from sandbox import free_times, views
from sandbox.models import Booking, Practitioner, Room

from .helpers import API, KEY, TODAY, TOMORROW, answer_of, errors_of

pytestmark = pytest.mark.django_db


def a_booking(**fields: object) -> dict[str, object]:
    """A valid book request for Anna's first free time tomorrow, with `fields` changed."""
    return {
        "date": TOMORROW,
        "time": "1415",
        "sectionId": 7323,
        "staffId": 42230,
        "name": "Fred Smith",
        "phone": "123456",
        "email": "fred@smith.co.uk",
        "desc": "Pain in back",
        **fields,
    }


# --- Where it answers -------------------------------------------------------------


def test_the_harnesses_that_cannot_reverse_its_path_write_the_same_one():
    # Both start the diary in a gunicorn of its own, from code without Django settings.
    from tests.deploy.services import API_PATH

    harness = (Path(__file__).parents[2] / "bench" / "harness.py").read_text()

    assert str(API) == API_PATH
    assert f'DIARY_API_PATH = "{API}"' in harness


# --- Who may call --------------------------------------------------------------


def test_it_answers_404_for_a_wrong_key(post, anna):
    response = post({"action": "staffList", "apiKey": "wrong-key"})

    assert response.status_code == 404
    assert response.content == b""


def test_it_answers_404_for_a_key_that_is_not_ascii(post, anna):
    response = post({"action": "staffList", "apiKey": "clé"})

    assert response.status_code == 404
    assert response.content == b""


def test_it_answers_404_for_a_wrong_ip_even_with_the_right_key(post, anna):
    response = post({"action": "staffList", "apiKey": KEY}, ip="203.0.113.7")

    assert response.status_code == 404
    assert response.content == b""


def test_it_answers_404_for_a_wrong_ip_whatever_the_body(post):
    response = post("not json", ip="203.0.113.7")

    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_it_answers_404_to_anything_but_post(client, method):
    response = getattr(client, method)(API)

    assert response.status_code == 404
    assert response.content == b""


def test_it_accepts_any_listed_ip(post, settings, anna):
    settings.SANDBOX_ALLOWED_IPS = ["198.51.100.4", "2001:db8::1"]

    response = post({"action": "staffList", "apiKey": KEY}, ip="2001:db8::1")

    assert answer_of(response) == {"staff": [{"id": 42230, "name": "Anna"}]}


def test_it_waits_the_configured_latency_first(post, settings, monkeypatch):
    settings.SANDBOX_LATENCY_MS = 250
    waits = []
    monkeypatch.setattr(views, "sleep", waits.append)

    post({"action": "staffList", "apiKey": "wrong-key"})

    assert waits == [0.25]


def test_it_does_not_wait_without_latency(post, monkeypatch):
    waits = []
    monkeypatch.setattr(views, "sleep", waits.append)

    post({"action": "staffList", "apiKey": KEY})

    assert waits == []


# --- The actions -----------------------------------------------------------------


def test_it_lists_the_staff_by_name(call, anna, john):
    response = call("staffList")

    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"staff":[{"id":42230,"name":"Anna"},{"id":42228,"name":"John"}]}'


def test_it_lists_the_sections_by_name(call, room1, room2):
    Room.objects.create(id=7321, name="Gym")

    answer = answer_of(call("sectionList"))

    assert answer == {
        "sections": [
            {"id": 7321, "name": "Gym"},
            {"id": 7322, "name": "Treatment Room 1"},
            {"id": 7323, "name": "Treatment Room 2"},
        ]
    }


def test_it_lists_free_times_from_now_on(call, anna, now):
    answer = answer_of(call("freeList", date=TODAY, numDays=2, sectionId=7323, staffId=42230))

    assert answer == {
        "slotLength": 45,
        "free": [
            # 09:00 and 09:45 are gone: it is 10:00 in London.
            {"date": TODAY, "times": ["1030", "1115", "1200", "1245"]},
            {
                "date": TOMORROW,
                "times": ["1415", "1500", "1545", "1630", "1715", "1800", "1845", "1930"],
            },
        ],
        "staffId": 42230,
        "staffName": "Anna",
        "sectionId": 7323,
        "sectionName": "Treatment Room 2",
    }


def test_it_lists_no_days_where_nothing_is_free(call, anna, now):
    answer = answer_of(call("freeList", date="20300605", numDays=5, sectionId=7323, staffId=42230))

    # Wednesday to Sunday: Anna works none of them.
    assert answer["free"] == []
    assert answer["staffName"] == "Anna"


def test_it_accepts_ids_and_num_days_as_numeric_strings(call, anna, now):
    answer = answer_of(call("freeList", date=TODAY, numDays="1", sectionId="7323", staffId="42230"))

    assert [day["date"] for day in answer["free"]] == [TODAY]


@pytest.mark.parametrize("num_days", [1, 90])
def test_it_accepts_num_days_from_1_to_90(call, anna, now, num_days):
    answer = answer_of(
        call("freeList", date=TODAY, numDays=num_days, sectionId=7323, staffId=42230)
    )

    assert len(answer["free"]) == (1 if num_days == 1 else 26)  # Mondays and Tuesdays


def test_it_books_a_free_time(call, anna, now):
    answer = answer_of(call("book", **a_booking(name="  Fred Smith ")))

    assert answer == {
        "result": "Confirmed",
        "date": TOMORROW,
        "time": "1415",
        "duration": 45,
        "section": "Treatment Room 2",
        "staff": "Anna",
    }
    booking = Booking.objects.get()
    assert (booking.practitioner, booking.room) == (anna, Room.objects.get(id=7323))
    assert (booking.date, booking.time, booking.duration) == (date(2030, 6, 4), time(14, 15), 45)
    assert (booking.name, booking.phone, booking.email, booking.desc) == (
        "Fred Smith",
        "123456",
        "fred@smith.co.uk",
        "Pain in back",
    )


def test_a_booked_time_is_no_longer_free(call, anna, now):
    answer_of(call("book", **a_booking()))

    answer = answer_of(call("freeList", date=TOMORROW, numDays=1, sectionId=7323, staffId=42230))

    assert "1415" not in answer["free"][0]["times"]
    assert "1500" in answer["free"][0]["times"]


@pytest.mark.parametrize("desc", ["", None])
def test_it_books_without_a_description(call, anna, now, desc):
    answer_of(call("book", **a_booking(desc=desc)))

    assert Booking.objects.get().desc == ""


def test_it_books_with_the_practitioners_slot_length(call, anna, now):
    Practitioner.objects.filter(id=42230).update(slot_minutes=30)

    answer = answer_of(call("book", **a_booking()))

    assert answer["duration"] == 30
    assert Booking.objects.get().duration == 30


# --- Errors: the shape -------------------------------------------------------------


def test_an_error_answer_has_the_documented_shape(call, anna, now):
    call("book", **a_booking())

    response = call("book", **a_booking())

    assert response.status_code == 200
    assert response.content == (
        b'{"errors":[{"error":12,"fieldName":"booking","message":"Date/time/section is'
        b' unavailable."}],"timestamp":"Jun 3, 2030 10:00:00 AM","numErrors":1,"action":"book"}'
    )


def test_it_lists_several_errors_at_once_as_the_vendor_does(call, anna, now):
    response = call("book", **a_booking(staffId=0, name="", phone=""))

    assert errors_of(response, "book") == [
        (4, "staffId", "Is zero or negative."),
        (8, "name", "Must not be empty"),
        (9, "phone", "Must not be empty"),
    ]


def test_it_lists_every_bad_field_of_a_free_list(call, now):
    response = call("freeList", date="2030-06-03", numDays=0, sectionId=-1, staffId=5)

    assert errors_of(response, "freeList") == [
        (6, "date", "Not a valid date (YYYYMMDD)."),
        (5, "numDays", "Must be from 1 to 90."),
        (3, "sectionId", "Is zero or negative."),
        (4, "staffId", "Not found."),
    ]


# --- Errors: each code -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "echo", "message"),
    [
        ({"action": "cancel"}, "cancel", "Unknown action."),
        ({"action": "StaffList"}, "StaffList", "Unknown action."),
        ({}, "", "Must not be empty"),
        ({"action": 7}, "", "Unknown action."),
        ({"action": ["book"]}, "", "Unknown action."),
    ],
)
def test_it_answers_1_for_an_unknown_action(post, body, echo, message):
    response = post({**body, "apiKey": KEY})

    assert errors_of(response, echo) == [(1, "action", message)]


@pytest.mark.parametrize(("key", "message"), [(None, "Must not be empty"), (42, "Must be text.")])
def test_it_answers_2_for_a_missing_key(post, key, message):
    response = post({"action": "staffList", "apiKey": key})

    assert errors_of(response, "staffList") == [(2, "apiKey", message)]


def test_it_answers_2_for_an_absent_key(post):
    response = post({"action": "sectionList"})

    assert errors_of(response, "sectionList") == [(2, "apiKey", "Must not be empty")]


@pytest.mark.parametrize(
    ("section_id", "message"),
    [
        (0, "Is zero or negative."),
        (-7323, "Is zero or negative."),
        (None, "Is zero or negative."),
        ("", "Is zero or negative."),
        ("room", "Is zero or negative."),
        (True, "Is zero or negative."),
        (7323.5, "Is zero or negative."),
        (9999, "Not found."),
        (2**40, "Not found."),
    ],
)
def test_it_answers_3_for_a_bad_section(call, anna, now, section_id, message):
    response = call("book", **a_booking(sectionId=section_id))

    assert errors_of(response, "book") == [(3, "sectionId", message)]


@pytest.mark.parametrize(
    ("staff_id", "message"),
    [
        (0, "Is zero or negative."),
        (-1, "Is zero or negative."),
        (None, "Is zero or negative."),
        ("Anna", "Is zero or negative."),
        (False, "Is zero or negative."),
        (1234, "Not found."),
        ("99999999999", "Not found."),
    ],
)
def test_it_answers_4_for_a_bad_practitioner(call, anna, now, staff_id, message):
    response = call("freeList", date=TODAY, numDays=1, sectionId=7323, staffId=staff_id)

    assert errors_of(response, "freeList") == [(4, "staffId", message)]


@pytest.mark.parametrize("num_days", [0, 91, -1, None, "two", True, 1.5, [2]])
def test_it_answers_5_for_num_days_outside_1_to_90(call, anna, now, num_days):
    response = call("freeList", date=TODAY, numDays=num_days, sectionId=7323, staffId=42230)

    assert errors_of(response, "freeList") == [(5, "numDays", "Must be from 1 to 90.")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Must not be empty"),
        ("", "Must not be empty"),
        ("2030-06-04", "Not a valid date (YYYYMMDD)."),
        ("20300231", "Not a valid date (YYYYMMDD)."),
        ("2030064", "Not a valid date (YYYYMMDD)."),
        (20300604, "Not a valid date (YYYYMMDD)."),
        ("20300602", "Is in the past."),
    ],
)
def test_it_answers_6_for_a_bad_booking_date(call, anna, now, value, message):
    response = call("book", **a_booking(date=value))

    assert errors_of(response, "book") == [(6, "date", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Must not be empty"),
        ("2400", "Not a valid time (HHMM)."),
        ("1460", "Not a valid time (HHMM)."),
        ("14:15", "Not a valid time (HHMM)."),
        ("915", "Not a valid time (HHMM)."),
        (1415, "Not a valid time (HHMM)."),
    ],
)
def test_it_answers_7_for_a_bad_time(call, anna, now, value, message):
    response = call("book", **a_booking(time=value))

    assert errors_of(response, "book") == [(7, "time", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Must not be empty"),
        ("   ", "Must not be empty"),
        (None, "Must not be empty"),
        ("x" * 101, "Must be at most 100 characters."),
        (["Fred"], "Must be text."),
        ("Fred\x00Smith", "Must not contain control characters."),
    ],
)
def test_it_answers_8_for_a_bad_name(call, anna, now, value, message):
    response = call("book", **a_booking(name=value))

    assert errors_of(response, "book") == [(8, "name", message)]


def test_it_accepts_a_name_of_100_characters(call, anna, now):
    answer_of(call("book", **a_booking(name="x" * 100)))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Must not be empty"),
        ("call me", "Not a valid phone number."),
        ("12345", "Not a valid phone number."),
        ("1" * 21, "Not a valid phone number."),
        ("0161 496 0000 ext. 2", "Not a valid phone number."),
        (1614960000, "Must be text."),
    ],
)
def test_it_answers_9_for_a_bad_phone(call, anna, now, value, message):
    response = call("book", **a_booking(phone=value))

    assert errors_of(response, "book") == [(9, "phone", message)]


@pytest.mark.parametrize("phone", ["+44 (0)161 496-0000", "123456", "1" * 20])
def test_it_accepts_plausible_phone_numbers(call, anna, now, phone):
    answer_of(call("book", **a_booking(phone=phone)))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Must not be empty"),
        ("fred@", "Not a valid email address."),
        ("fred smith@example.com", "Not a valid email address."),
        ("fred@example", "Not a valid email address."),
    ],
)
def test_it_answers_10_for_a_bad_email(call, anna, now, value, message):
    response = call("book", **a_booking(email=value))

    assert errors_of(response, "book") == [(10, "email", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 501, "Must be at most 500 characters."),
        (42, "Must be text."),
        ({"text": "Pain"}, "Must be text."),
    ],
)
def test_it_answers_11_for_a_bad_description(call, anna, now, value, message):
    response = call("book", **a_booking(desc=value))

    assert errors_of(response, "book") == [(11, "desc", message)]


def test_it_accepts_a_description_of_500_characters_over_several_lines(call, anna, now):
    answer_of(call("book", **a_booking(desc="Pain in back.\n" + "x" * 486)))


@pytest.mark.parametrize(
    "fields",
    [
        {"time": "1415"},  # taken by the first booking
        {"time": "1420"},  # not the start of a slot
        {"time": "0900"},  # before Anna starts on Tuesdays
        {"time": "1930", "sectionId": 7322},  # Anna does not work in room 1
        {"date": TODAY, "time": "0945"},  # earlier than now, today
    ],
)
def test_it_answers_12_for_a_time_that_is_not_free(call, anna, room1, now, fields):
    answer_of(call("book", **a_booking()))

    response = call("book", **a_booking(name="Jane Doe", **fields))

    assert errors_of(response, "book") == [(12, "booking", "Date/time/section is unavailable.")]
    assert Booking.objects.count() == 1


def test_it_answers_12_when_the_database_refuses_a_double_booking(call, anna, now, monkeypatch):
    # Stands for a second request that got past the row locks: only the
    # unique constraints are left to stop it.
    answer_of(call("book", **a_booking()))
    monkeypatch.setattr(free_times, "is_free", lambda *args: True)

    response = call("book", **a_booking(name="Jane Doe"))

    assert errors_of(response, "book") == [(12, "booking", "Date/time/section is unavailable.")]
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("body", ["[]", '"staffList"', "42", "null", "{", "", b"\xff\xfe{"])
def test_it_answers_13_for_a_body_that_is_not_a_json_object(post, body):
    response = post(body)

    assert errors_of(response, "") == [(13, "", "Not a JSON object.")]


def test_it_answers_13_and_logs_an_unexpected_failure_without_the_patients_details(
    call, anna, now, monkeypatch, caplog
):
    def fail(*args: object) -> None:
        raise RuntimeError("the diary's disk is full")

    monkeypatch.setattr(free_times, "book", fail)

    with caplog.at_level(logging.ERROR, logger="sandbox"):
        response = call("book", **a_booking())

    assert errors_of(response, "book") == [(13, "", "Unexpected error.")]
    assert "the diary's disk is full" in caplog.text
    for detail in a_booking().values():
        if isinstance(detail, str) and not detail.isdigit():
            assert detail not in caplog.text
