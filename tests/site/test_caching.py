"""Caching: lists kept (and served stale when the diary fails), free times kept briefly.

The aim: one API round trip a page, and none where a recent answer will do.
"""

import logging
import threading

import pytest
from django.core.cache import cache

from bookings import kept_free_times, refresh

from .wizard_support import (
    ANNA,
    JOHN,
    ROOM_1,
    ROOM_2,
    UNAVAILABLE,
    WHEN,
    at,
    day,
    details_url,
    error,
    html,
    open_details,
    submit,
    valid_post,
    ymd,
)


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN, at(9, "1000"))
    return diary


def times_url(date=None, staff=ANNA, room=ROOM_2) -> str:
    url = f"/times/?staffId={staff}&sectionId={room}"
    return f"{url}&date={date}" if date else url


# --- Free times ------------------------------------------------------------------------


def test_a_second_look_at_the_same_times_asks_the_diary_nothing(client, diary):
    client.get(times_url())
    client.get(times_url())
    assert len(diary.calls("freeList")) == 1


def test_the_next_window_comes_from_the_same_answer(client, diary):
    first = client.get(times_url())
    later = client.get(times_url(ymd(day(7))))
    assert "10:00" in html(later)
    assert "14:15" in html(first)
    assert len(diary.calls("freeList")) == 1


def test_a_later_window_is_asked_for_from_today_so_earlier_ones_need_no_call(client, diary):
    client.get(times_url(ymd(day(7))))
    client.get(times_url())
    assert [sent["date"] for sent in diary.calls("freeList")] == [ymd(day(0))]


def test_each_practitioner_and_room_is_kept_apart(client, diary):
    client.get(times_url())
    client.get(times_url(staff=JOHN, room=ROOM_1))
    assert len(diary.calls("freeList")) == 2


def test_any_practitioner_a_second_time_asks_the_diary_nothing(client, diary):
    client.get(times_url(staff="any", room="any"))
    assert len(diary.calls("freeList")) == 4
    client.get(times_url(staff="any", room="any"))
    assert len(diary.calls("freeList")) == 4


def test_a_booking_takes_its_time_out_at_once_and_asks_the_diary_nothing(client, diary):
    diary.add_free(at(1, "1100"), at(1, "1445"), at(1, "1500"))
    client.get(times_url(staff=JOHN, room=ROOM_1))
    assert submit(client, WHEN).status_code == 303  # 14:15, for 45 minutes
    asked = len(diary.calls("freeList"))

    page = client.get(times_url())
    client.get(times_url(staff=JOHN, room=ROOM_1))
    refresh.wait_for_background()

    assert "14:15" not in html(page)  # the time just booked
    assert "14:45" not in html(page)  # a start the appointment overlaps
    assert "11:00" in html(page) and "15:00" in html(page)  # the rest, as they were
    assert len(diary.calls("freeList")) == asked  # nothing asked: we know what changed


def test_just_taken_asks_the_diary_afresh_for_the_nearest_times(client, diary):
    token = open_details(client, WHEN)
    asked = len(diary.calls("freeList"))
    diary.answer("book", error(12))
    page = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert page.status_code == 409
    assert len(diary.calls("freeList")) == asked + 1  # the kept answer had offered the taken time


def test_free_times_expire(client, diary):
    client.get(times_url())
    key = kept_free_times.free_times_key(ANNA, ROOM_2)
    cache.delete_many([key, kept_free_times.version_key(key)])  # as the cache does on expiry
    client.get(times_url())
    assert len(diary.calls("freeList")) == 2


def test_no_caching_when_switched_off(client, diary, settings):
    settings.BOOKING_FREE_TIMES_CACHE_SECONDS = 0
    client.get(times_url())
    client.get(times_url())
    assert len(diary.calls("freeList")) == 2


# --- Lists ---------------------------------------------------------------------------


def test_the_lists_are_asked_for_once(client, diary):
    client.get("/")
    client.get(times_url())
    client.get("/")
    assert len(diary.calls("staffList")) == len(diary.calls("sectionList")) == 1


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_lists_kept_from_before_are_served_while_the_diary_fails(
    client, diary, settings, caplog, fault
):
    client.get("/")  # the lists, fetched and kept
    cache.delete("physiodiary:practitioners")  # their freshness has run out
    cache.delete("physiodiary:rooms")
    diary.answer("staffList", fault)
    diary.answer("sectionList", fault)
    caplog.set_level(logging.WARNING, logger="bookings.diary")

    page = client.get("/")
    refresh.wait_for_background()  # where the diary is asked again, and fails

    assert page.status_code == 200
    assert "John" in html(page)
    assert "serving the list kept from before" in caplog.text
    # ...and for a while the diary is not asked again on every page.
    calls = len(diary.sent)
    client.get("/")
    assert len(diary.sent) == calls


def test_without_a_kept_list_a_failing_diary_is_the_unavailable_page(client, diary):
    diary.answer("staffList", UNAVAILABLE["timeout"])
    assert client.get("/").status_code == 503


def test_a_kept_list_is_not_kept_forever(client, diary, settings):
    settings.PHYSIODIARY_LIST_STALE_SECONDS = 0  # kept for no time at all
    client.get("/")
    cache.delete("physiodiary:practitioners")
    diary.answer("staffList", UNAVAILABLE["timeout"])
    assert client.get("/").status_code == 503


def test_both_lists_are_asked_for_at_once_when_neither_is_kept(client, diary):
    both_asked = threading.Barrier(2, timeout=5)  # broken, and the test failed, if one waits alone

    def listing(answer):
        def wait_for_the_other(payload):
            both_asked.wait()
            return answer

        return wait_for_the_other

    diary.answer("staffList", listing(diary.answers["staffList"][0]))
    diary.answer("sectionList", listing(diary.answers["sectionList"][0]))

    page = client.get("/?staffId=any")  # the room question: both lists on one page

    assert page.status_code == 200
    assert "Treatment Room 1" in html(page)
