"""Each action's answer, as the vendor's document prints it, parses to typed results."""

import datetime as dt

from physiodiary import (
    Confirmation,
    FreeDay,
    FreeList,
    Practitioner,
    Room,
)

from ..client.support import VENDOR_BOOKING, answer


def test_it_reads_the_staff_list(mocked, client):
    answer(mocked, "staffList.json")

    assert client.practitioners() == (
        Practitioner(42228, "John"),
        Practitioner(42230, "Anna"),
        Practitioner(42229, "Jayne"),
        Practitioner(42233, "Chris"),
        Practitioner(42227, "Demo User"),
    )


def test_it_reads_the_section_list_as_rooms(mocked, client):
    answer(mocked, "sectionList.json")

    assert client.rooms() == (
        Room(7322, "Treatment Room 1"),
        Room(7323, "Treatment Room 2"),
        Room(7324, "Treatment Room 3"),
    )


def test_it_reads_free_times_as_dates_and_times_without_the_doubled_entries(mocked, client):
    answer(mocked, "freeList.json")

    free = client.free_times(43987, 1245, dt.date(2017, 10, 7), 2)

    assert isinstance(free, FreeList)
    assert free.slot_minutes == 45
    assert free.days == (
        FreeDay(
            dt.date(2017, 10, 7),
            tuple(
                dt.time(h, m) for h, m in [(14, 15), (15, 0), (17, 15), (18, 0), (18, 45), (19, 30)]
            ),
        ),
    )
    assert type(free.days[0].date) is dt.date
    assert all(type(t) is dt.time for t in free.days[0].times)


def test_it_accepts_an_echo_of_other_ids_than_it_asked_for(mocked, client):
    # The vendor's example answers staffId 43 / sectionId 2 to 43987 / 1245.
    answer(mocked, "freeList.json")

    free = client.free_times(43987, 1245, dt.date(2017, 10, 7), 2)

    assert free.practitioner == Practitioner(43, "Anna")
    assert free.room == Room(2, "Treatment Room 2")


def test_it_sorts_free_times_and_days_and_merges_a_day_listed_twice(mocked, client):
    mocked.post(
        "https://api456.physiodiary.co.uk:1234/api/request",
        json={
            "slotLength": 30,
            "free": [
                {"date": "20171008", "times": ["1600", "0900", "1600"]},
                {"date": "20171007", "times": ["1130", "0830"]},
                {"date": "20171008", "times": ["0930"]},
                {"date": "20171009", "times": []},
            ],
            "staffId": 1,
            "staffName": "Anna",
            "sectionId": 2,
            "sectionName": "Treatment Room 2",
        },
    )

    free = client.free_times(1, 2, dt.date(2017, 10, 7), 3)

    assert free.days == (
        FreeDay(dt.date(2017, 10, 7), (dt.time(8, 30), dt.time(11, 30))),
        FreeDay(dt.date(2017, 10, 8), (dt.time(9, 0), dt.time(9, 30), dt.time(16, 0))),
    )


def test_it_reads_no_free_time_as_no_days(mocked, client):
    mocked.post(
        "https://api456.physiodiary.co.uk:1234/api/request",
        json={
            "slotLength": 45,
            "free": [],
            "staffId": 43,
            "staffName": "Anna",
            "sectionId": 2,
            "sectionName": "Treatment Room 2",
        },
    )

    assert client.free_times(43987, 1245, dt.date(2017, 10, 7), 2).days == ()


def test_it_keeps_the_confirmed_time_not_the_time_asked_for(mocked, client):
    # The vendor's example confirms 07:45 for a request of 09:15.
    answer(mocked, "book-confirmed.json")

    confirmation = client.book(**VENDOR_BOOKING)

    assert VENDOR_BOOKING["time"] == dt.time(9, 15)
    assert confirmation == Confirmation(
        date=dt.date(2017, 10, 7),
        time=dt.time(7, 45),
        duration_minutes=45,
        room_name="Treatment Room 2",
        practitioner_name="Anna",
    )
    assert type(confirmation.date) is dt.date
    assert type(confirmation.time) is dt.time
