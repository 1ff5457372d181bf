"""Free times past BOOKING_FREE_TIMES_CACHE_SECONDS: shown at once, refreshed behind the page.

Nobody waits for the diary before the details form but the first to look at
a pair in BOOKING_FREE_TIMES_MAX_AGE_SECONDS. The diary is held (a gate the
test opens) to show that a page did not wait for it.
"""

import threading

import pytest
from django.core.cache import cache

from bookings import kept_free_times, refresh

from .wizard_support import ANNA, JOHN, ROOM_1, ROOM_2, WHEN, at, html, open_details, submit


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN, at(9, "1000"))
    return diary


def times_url(staff=ANNA, room=ROOM_2) -> str:
    return f"/times/?staffId={staff}&sectionId={room}"


def age_by(seconds: float, staff=ANNA, room=ROOM_2) -> None:
    """Make the kept free times of a pair this much older, as time would."""
    key = kept_free_times.free_times_key(staff, room)
    kept = cache.get(key)
    kept_free_times.keep(key, kept._replace(asked_at=kept.asked_at - seconds), 3600)


class Gate:
    """The diary's freeList answer, held until the test opens the gate."""

    def __init__(self, diary):
        self.open, self.asked = threading.Event(), threading.Event()
        self.answer = diary._free_list

    def __call__(self, payload):
        self.asked.set()
        assert self.open.wait(10), "the gate was never opened"
        return self.answer(payload)


def test_free_times_younger_than_the_cache_time_are_shown_without_asking(client, diary):
    client.get(times_url())
    age_by(30)
    client.get(times_url())
    refresh.wait_for_background()
    assert len(diary.calls("freeList")) == 1


def test_older_ones_are_shown_at_once_and_refreshed_behind_the_page(client, diary, settings):
    client.get(times_url())
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)
    gate = Gate(diary)
    diary.answer("freeList", gate)
    diary.add_free(at(1, "1100"))  # new in the diary since

    page = client.get(times_url())  # returns while the diary has not answered

    assert gate.asked.wait(5) and not gate.open.is_set()
    assert "14:15" in html(page) and "11:00" not in html(page)
    gate.open.set()
    refresh.wait_for_background()
    assert "11:00" in html(client.get(times_url()))
    assert len(diary.calls("freeList")) == 2


def test_many_looks_at_once_refresh_a_pair_once(client, diary, settings):
    client.get(times_url())
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)
    gate = Gate(diary)
    diary.answer("freeList", gate)

    for _ in range(5):
        assert client.get(times_url()).status_code == 200
    gate.open.set()
    refresh.wait_for_background()

    assert len(diary.calls("freeList")) == 2


def test_past_the_max_age_the_patient_waits_for_the_diary(client, diary, settings):
    client.get(times_url())
    age_by(settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS + 1)
    diary.add_free(at(1, "1100"))

    page = client.get(times_url())

    assert "11:00" in html(page)
    assert len(diary.calls("freeList")) == 2


def test_the_max_age_set_equal_to_the_cache_time_shows_nothing_older(client, diary, settings):
    settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS = settings.BOOKING_FREE_TIMES_CACHE_SECONDS
    client.get(times_url())
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)
    diary.add_free(at(1, "1100"))
    assert "11:00" in html(client.get(times_url()))


def test_the_details_page_checks_its_time_against_older_ones_without_a_refresh(
    client, diary, settings
):
    client.get(times_url())
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)
    page = client.get(
        f"/details/?staffId={ANNA}&sectionId={ROOM_2}&date={WHEN:%Y%m%d}&time={WHEN:%H%M}"
    )
    refresh.wait_for_background()
    assert page.status_code == 200
    assert len(diary.calls("freeList")) == 1  # `book` decides, as for any time shown


def test_a_refresh_asked_for_before_a_booking_does_not_bring_its_time_back(client, diary, settings):
    token = open_details(client, WHEN)
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)
    gate = Gate(diary)
    diary.answer("freeList", gate)
    client.get(times_url())  # a refresh starts, and the diary is slow to answer
    assert gate.asked.wait(5)

    from .wizard_support import details_url, valid_post

    assert client.post(details_url(WHEN), valid_post(token, WHEN)).status_code == 303
    gate.open.set()  # its answer, from before the booking, still lists the time
    refresh.wait_for_background()

    assert "14:15" not in html(client.get(times_url()))


def test_a_booking_leaves_other_pairs_alone(client, diary):
    client.get(times_url(JOHN, ROOM_1))
    assert submit(client, WHEN).status_code == 303
    refresh.wait_for_background()
    asked = len(diary.calls("freeList"))
    client.get(times_url(JOHN, ROOM_1))
    refresh.wait_for_background()
    assert len(diary.calls("freeList")) == asked


def test_any_practitioner_asks_only_about_the_pairs_not_kept(client, diary):
    client.get(times_url("any", "any"))
    asked = len(diary.calls("freeList"))
    kept_free_times.forget_free_times(JOHN, ROOM_1)

    client.get(times_url("any", "any"))
    refresh.wait_for_background()

    pairs = [(sent["staffId"], sent["sectionId"]) for sent in diary.calls("freeList")[asked:]]
    assert pairs == [(JOHN, ROOM_1)]


def test_any_practitioner_refreshes_its_older_pairs_behind_the_page(client, diary, settings):
    client.get(times_url("any", "any"))
    asked = len(diary.calls("freeList"))
    age_by(settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1)  # Anna in room 2 only
    gate = Gate(diary)
    diary.answer("freeList", gate)

    page = client.get(times_url("any", "any"))

    assert gate.asked.wait(5) and "14:15" in html(page)
    gate.open.set()
    refresh.wait_for_background()
    pairs = [(sent["staffId"], sent["sectionId"]) for sent in diary.calls("freeList")[asked:]]
    assert pairs == [(ANNA, ROOM_2)]
