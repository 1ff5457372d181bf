"""A span longer than the vendor's 90 days is asked for in windows of at most 90, then merged."""

import datetime as dt
import json

import pytest
import responses

from physiodiary import FreeDay, Practitioner, Room, Unavailable

from ..client.support import VENDOR_URL, answer, sent

START = dt.date(2017, 10, 7)


def answer_every_window(mock):
    """Answer each freeList with free times on the first and last day it asked for."""

    def callback(request):
        body = json.loads(request.body)
        first = dt.datetime.strptime(body["date"], "%Y%m%d").date()
        last = first + dt.timedelta(days=body["numDays"] - 1)
        free = [
            {"date": f"{day:%Y%m%d}", "times": ["1500", "0900", "1500"]}
            for day in sorted({first, last})
        ]
        answer = {
            "slotLength": 45,
            "free": free,
            "staffId": 43,
            "staffName": "Anna",
            "sectionId": 2,
            "sectionName": "Treatment Room 2",
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(answer)

    mock.add_callback(responses.POST, VENDOR_URL, callback=callback)


@pytest.mark.parametrize(
    ("days", "windows"),
    [
        (1, [("20171007", 1)]),
        (90, [("20171007", 90)]),
        (91, [("20171007", 90), ("20180105", 1)]),
        (100, [("20171007", 90), ("20180105", 10)]),
        (181, [("20171007", 90), ("20180105", 90), ("20180405", 1)]),
    ],
)
def test_it_asks_in_windows_of_at_most_90_days(days, windows, mocked, client):
    answer_every_window(mocked)

    client.free_times(43987, 1245, START, days)

    asked = [(sent(call)["date"], sent(call)["numDays"]) for call in mocked.calls]
    assert asked == windows
    assert all(
        (sent(call)["staffId"], sent(call)["sectionId"]) == (43987, 1245) for call in mocked.calls
    )


def test_it_merges_the_windows_into_one_sorted_answer(mocked, client):
    answer_every_window(mocked)

    free = client.free_times(43987, 1245, START, 100)

    nine, three = dt.time(9, 0), dt.time(15, 0)
    assert free.days == (
        FreeDay(dt.date(2017, 10, 7), (nine, three)),  # first day of the first window
        FreeDay(dt.date(2018, 1, 4), (nine, three)),  # its 90th day
        FreeDay(dt.date(2018, 1, 5), (nine, three)),  # first day of the second window
        FreeDay(dt.date(2018, 1, 14), (nine, three)),  # the 100th day
    )
    assert free.slot_minutes == 45
    assert free.practitioner == Practitioner(43, "Anna")
    assert free.room == Room(2, "Treatment Room 2")


def test_it_leaves_out_days_the_diary_answered_outside_the_span(mocked, client):
    mocked.post(
        VENDOR_URL,
        json={
            "slotLength": 45,
            "free": [
                {"date": "20171006", "times": ["0900"]},
                {"date": "20171007", "times": ["0900"]},
                {"date": "20171008", "times": ["0900"]},
                {"date": "20171009", "times": ["0900"]},
            ],
            "staffId": 43,
            "staffName": "Anna",
            "sectionId": 2,
            "sectionName": "Treatment Room 2",
        },
    )

    free = client.free_times(43987, 1245, START, 2)

    assert [day.date for day in free.days] == [dt.date(2017, 10, 7), dt.date(2017, 10, 8)]


def test_it_raises_unavailable_when_a_later_window_fails(mocked, client, sleeps):
    answer(mocked, "freeList.json")
    mocked.post(VENDOR_URL, status=503)

    with pytest.raises(Unavailable):
        client.free_times(43987, 1245, START, 100)

    assert len(mocked.calls) == 1 + 3  # the first window, then three tries at the second
    assert sleeps == [0.3, 0.6]
