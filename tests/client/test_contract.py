"""The contract: the same tests against the vendor's recorded answers and our reference diary.

Each test runs three times (see `diary` in conftest.py): on the recorded
answers, on the reference diary over real HTTP, and on the reference diary
in-process. Passing on all three is what shows that they agree: the same
types and shapes, and the same error code and field for the same bad input.
"""

import datetime as dt
import logging
import traceback

import pytest
from django.utils import timezone

from physiodiary import (
    Confirmation,
    ErrorCode,
    FreeDay,
    FreeList,
    NotAuthorised,
    Practitioner,
    Rejected,
    Room,
    UnknownOutcome,
    parse_booking,
    parse_free_list,
    parse_staff_list,
)

# The vendor's example staff and sections; the reference diary is seeded with them.
VENDOR_STAFF = {42228: "John", 42230: "Anna", 42229: "Jayne", 42233: "Chris", 42227: "Demo User"}
VENDOR_ROOMS = {7322: "Treatment Room 1", 7323: "Treatment Room 2", 7324: "Treatment Room 3"}
PATIENT = {
    "name": "Fred Smith",
    "phone": "123456",
    "email": "fred@smith.co.uk",
    "desc": "Pain in back",
}


def first_free_time(client, diary):
    free = client.free_times(diary.practitioner_id, diary.room_id, diary.start, 7)
    return free.days[0].date, free.days[0].times[0]


def book(client, diary, **changes):
    fields = {
        "practitioner_id": diary.practitioner_id,
        "room_id": diary.room_id,
        "date": diary.start,
        "time": dt.time(9, 0),
        **PATIENT,
        **changes,
    }
    return client.book(**fields)


def book_fields(diary, **changes):
    """A book request's fields as sent, to send what the client itself never would."""
    return {
        "date": f"{diary.start:%Y%m%d}",
        "time": "0900",
        "sectionId": diary.room_id,
        "staffId": diary.practitioner_id,
        **PATIENT,
        **changes,
    }


# --- Actions ------------------------------------------------------------------


def test_it_lists_the_practitioners(diary):
    diary.answers("staffList.json")

    practitioners = diary.client().practitioners()

    assert type(practitioners) is tuple
    assert all(type(p) is Practitioner for p in practitioners)
    assert all(type(p.id) is int and type(p.name) is str for p in practitioners)
    assert {p.id: p.name for p in practitioners} == VENDOR_STAFF


def test_it_lists_the_rooms(diary):
    diary.answers("sectionList.json")

    rooms = diary.client().rooms()

    assert type(rooms) is tuple
    assert all(type(r) is Room for r in rooms)
    assert {r.id: r.name for r in rooms} == VENDOR_ROOMS


def test_it_lists_free_times_sorted_without_repeats(diary):
    diary.answers("freeList.json")

    free = diary.client().free_times(diary.practitioner_id, diary.room_id, diary.start, 7)

    assert type(free) is FreeList
    assert free.slot_minutes == 45
    assert type(free.practitioner) is Practitioner
    assert type(free.room) is Room
    assert (free.practitioner.name, free.room.name) == ("Anna", "Treatment Room 2")
    assert free.days, "Anna has free times in the week"
    dates = [day.date for day in free.days]
    assert dates == sorted(set(dates))
    assert all(diary.start <= d < diary.start + dt.timedelta(days=7) for d in dates)
    for day in free.days:
        assert type(day) is FreeDay
        assert type(day.date) is dt.date
        assert all(type(t) is dt.time for t in day.times)
        assert list(day.times) == sorted(set(day.times))
        assert day.times, "a day is listed only with a free time"


def test_it_books_a_free_time_and_gets_a_confirmation(diary):
    diary.answers("freeList.json", "book-confirmed.json")
    client = diary.client()
    day, at = first_free_time(client, diary)

    confirmation = book(client, diary, date=day, time=at)

    assert type(confirmation) is Confirmation
    assert type(confirmation.date) is dt.date
    assert type(confirmation.time) is dt.time
    assert confirmation.duration_minutes == 45
    assert confirmation.room_name == "Treatment Room 2"
    assert confirmation.practitioner_name == "Anna"


def test_it_is_told_a_time_booked_already_is_unavailable(diary):
    diary.answers("freeList.json", "book-confirmed.json", "book-error-12.json")
    client = diary.client()
    day, at = first_free_time(client, diary)
    book(client, diary, date=day, time=at)

    with pytest.raises(Rejected) as raised:
        book(client, diary, date=day, time=at)

    assert not isinstance(raised.value, UnknownOutcome)
    assert raised.value.codes == (ErrorCode.ALREADY_BOOKED,)
    assert raised.value.errors[0].field == "booking"
    assert raised.value.errors[0].message == "Date/time/section is unavailable."


# --- Errors -------------------------------------------------------------------

# (code, field, how to provoke it). Codes 1, 5 and 7 the client cannot
# provoke through its public methods (it sends only known actions, splits
# long spans, formats times itself), so those send the raw fields: the test
# still shows the client keeps whatever the diary says.
PROVOKED = [
    (1, "action", lambda c, d: c._call("cancel", {}, parse_staff_list, retries=0)),
    (2, "apiKey", lambda c, d: d.client(key="").practitioners()),
    (3, "sectionId", lambda c, d: c.free_times(d.practitioner_id, 0, d.start, 7)),
    (4, "staffId", lambda c, d: c.free_times(0, d.room_id, d.start, 7)),
    (
        5,
        "numDays",
        lambda c, d: c._call(
            "freeList",
            {
                "date": f"{d.start:%Y%m%d}",
                "numDays": 91,
                "sectionId": d.room_id,
                "staffId": d.practitioner_id,
            },
            parse_free_list,
            retries=0,
        ),
    ),
    (6, "date", lambda c, d: book(c, d, date=timezone.localdate() - dt.timedelta(days=1))),
    (
        7,
        "time",
        lambda c, d: c._call("book", book_fields(d, time="2460"), parse_booking, retries=0),
    ),
    (8, "name", lambda c, d: book(c, d, name="")),
    (9, "phone", lambda c, d: book(c, d, phone="")),
    (10, "email", lambda c, d: book(c, d, email="fred.smith")),
    (11, "desc", lambda c, d: book(c, d, desc="x" * 501)),
]


@pytest.mark.parametrize(
    ("code", "field", "provoke"), [pytest.param(*row, id=f"code {row[0]}") for row in PROVOKED]
)
def test_it_gets_the_same_error_code_and_field_for_the_same_bad_input(code, field, provoke, diary):
    diary.answers(f"error-{code:02d}.json")

    with pytest.raises(Rejected) as raised:
        provoke(diary.client(), diary)

    (error,) = raised.value.errors
    assert (error.code, error.field) == (code, field)
    assert error.kind is ErrorCode(code)
    assert type(error.message) is str and error.message


def test_it_gets_an_unknown_error_when_the_diary_fails_on_its_side(diary):
    # A lone surrogate travels as "\ud800" in JSON, but no database can
    # store it: the reference diary fails while booking, as a real server
    # may fail, and answers UNKNOWN_ERROR.
    diary.answers("freeList.json", "error-13.json")
    client = diary.client()
    day, at = first_free_time(client, diary)

    with pytest.raises(Rejected) as raised:
        book(client, diary, date=day, time=at, name="Fred \ud800")

    (error,) = raised.value.errors
    assert (error.code, error.field) == (ErrorCode.UNKNOWN_ERROR, "")


def test_it_gets_every_error_of_a_request_at_once(diary):
    diary.answers("book-errors-4-8-9.json")

    with pytest.raises(Rejected) as raised:
        book(diary.client(), diary, practitioner_id=0, name="", phone="")

    assert [(e.code, e.field) for e in raised.value.errors] == [
        (4, "staffId"),
        (8, "name"),
        (9, "phone"),
    ]


def test_it_is_not_authorised_with_a_wrong_key(diary):
    diary.answers("404")

    with pytest.raises(NotAuthorised):
        diary.client(key="not-the-key").practitioners()


def test_it_is_not_authorised_from_an_unregistered_ip_address(diary, settings):
    settings.SANDBOX_ALLOWED_IPS = ["203.0.113.7"]
    diary.answers("404")

    with pytest.raises(NotAuthorised):
        diary.client().rooms()


def test_it_keeps_the_key_out_of_errors_and_logs(diary, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_key = "wrong-key-Zq81-must-never-leak"
    diary.answers("404", "book-errors-4-8-9.json")
    raised = []

    with pytest.raises(NotAuthorised) as refused:
        diary.client(key=wrong_key).practitioners()
    raised.append(refused.value)
    client = diary.client()
    with pytest.raises(Rejected) as rejected:
        book(client, diary, practitioner_id=0, name="", phone="")
    raised.append(rejected.value)

    for key in (wrong_key, client._api_key):
        assert key not in caplog.text
        for error in raised:
            assert key not in str(error)
            assert key not in repr(error)
            assert key not in "".join(traceback.format_exception(error))
