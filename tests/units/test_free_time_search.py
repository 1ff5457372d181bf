"""Searching the diary for free times: one freeList call per practitioner and room."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import responses

from bookings import clock, diary
from physiodiary import NotAuthorised, Practitioner, Rejected, Room, Unavailable

from ..support import LIVE_URL

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "physiodiary"

JOHN = Practitioner(42228, "John")
ANNA = Practitioner(42230, "Anna")
JAYNE = Practitioner(42229, "Jayne")
CHRIS = Practitioner(42233, "Chris")
DEMO = Practitioner(42227, "Demo User")
ROOM_1 = Room(7322, "Treatment Room 1")
ROOM_2 = Room(7323, "Treatment Room 2")


def recorded(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def free_list(day: dt.date, times: list[str] | None = None, *, doubled: bool = True) -> dict:
    """The vendor's freeList example moved to `day`, its echo (43 / 2, Anna) kept."""
    answer = recorded("freeList.json")
    if times is not None:
        answer["free"][0]["times"] = times * 2 if doubled else times
    answer["free"][0]["date"] = f"{day:%Y%m%d}"
    return answer


def free_days(days: dict[dt.date, list[str]]) -> dict:
    answer = recorded("freeList.json")
    answer["free"] = [{"date": f"{d:%Y%m%d}", "times": t} for d, t in days.items()]
    return answer


Answer = dict | tuple[int, str] | Callable[[dict], Any]


class FakeDiary:
    """Answers freeList by the pair asked about; records calls and their overlap.

    With `together` set, each answer is held until that many calls are in
    progress at once (or all `expected` calls have arrived), so overlap is
    shown by a condition met, not by sleeping and hoping the threads line up.
    """

    def __init__(self, mock: responses.RequestsMock, together: int = 0, expected: int = 0) -> None:
        self.answers: dict[tuple[int, int], Answer] = {}
        self.requests: list[dict] = []
        self.together, self.expected = together, expected
        self.active = 0
        self.most_active = 0
        self._changed = threading.Condition()
        mock.add_callback(responses.POST, LIVE_URL, callback=self._answer)
        # A search the cache or the horizon answers asks nothing: no failure in
        # itself, since the tests count what was asked through `requests`.
        mock.assert_all_requests_are_fired = False

    def answer(self, practitioner: Practitioner, room: Room, answer: Answer) -> None:
        self.answers[(practitioner.id, room.id)] = answer

    def pairs_asked(self) -> list[tuple[int, int]]:
        return [(r["staffId"], r["sectionId"]) for r in self.requests]

    def _answer(self, request) -> tuple[int, dict, str]:
        body = json.loads(request.body)
        with self._changed:
            self.requests.append(body)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self._changed.notify_all()
            # A search that asks one pair at a time never meets this: it waits
            # out the timeout, and `most_active` tells.
            self._changed.wait_for(
                lambda: self.active >= self.together or len(self.requests) >= self.expected,
                timeout=5,
            )
        try:
            answer = self.answers[(body["staffId"], body["sectionId"])]
            if isinstance(answer, tuple):
                return answer[0], {}, answer[1]
            return 200, {"Content-Type": "application/json"}, json.dumps(answer)
        finally:
            with self._changed:
                self.active -= 1
                self._changed.notify_all()


@pytest.fixture
def today(monkeypatch) -> dt.date:
    pinned = clock.today()
    monkeypatch.setattr(clock, "today", lambda: pinned)
    return pinned


@pytest.fixture
def fake(live_api) -> FakeDiary:
    return FakeDiary(live_api)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return clock.at(day, dt.time(int(hhmm[:2]), int(hhmm[2:])))


def midnight(day: dt.date) -> dt.datetime:
    return clock.at(day, dt.time(0, 0))


# --- find_free_times --------------------------------------------------------------


def test_one_practitioner_in_one_room_is_one_call(fake, today):
    day = today + dt.timedelta(days=3)
    fake.answer(ANNA, ROOM_2, free_list(day))
    search = diary.find_free_times([ANNA], [ROOM_2], day, 2, not_before=midnight(today))
    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request["action"] == "freeList"
    assert (request["staffId"], request["sectionId"]) == (ANNA.id, ROOM_2.id)
    # Every bookable day from today, in the one call: the cache serves the rest,
    # and the days before `day` are known for the overview of free days.
    rest = (clock.last_bookable_day() - today).days + 1
    assert (request["date"], request["numDays"]) == (f"{today:%Y%m%d}", rest)
    assert [f.start for f in search.free_times] == [
        at(day, t) for t in ["1415", "1500", "1715", "1800", "1845", "1930"]
    ]
    assert search.unchecked == ()
    assert search.slot_minutes == 45


def test_the_vendors_doubled_times_are_listed_once(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(ANNA, ROOM_2, free_list(day))
    search = diary.find_free_times([ANNA], [ROOM_2], day, 1, not_before=midnight(today))
    keys = [f.key for f in search.free_times]
    assert len(keys) == len(set(keys)) == 6


def test_times_are_labelled_with_the_pair_asked_about_not_the_diarys_echo(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, free_list(day, ["0900"]))  # echoes staffId 43 "Anna", room 2
    (free,) = diary.find_free_times([JOHN], [ROOM_1], day, 1, not_before=midnight(today)).free_times
    assert (free.practitioner, free.room) == (JOHN, ROOM_1)
    assert free.key == f"{day:%Y%m%d}-0900-{JOHN.id}-{ROOM_1.id}"


def test_times_before_not_before_are_left_out(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(ANNA, ROOM_2, free_list(day))
    search = diary.find_free_times([ANNA], [ROOM_2], day, 1, not_before=at(day, "1500"))
    assert [f.start for f in search.free_times] == [
        at(day, t) for t in ["1500", "1715", "1800", "1845", "1930"]
    ]


def test_several_pairs_are_each_asked_about_once(fake, today):
    day = today + dt.timedelta(days=1)
    for p in (JOHN, ANNA):
        for r in (ROOM_1, ROOM_2):
            fake.answer(p, r, free_list(day, ["0900"]))
    diary.find_free_times([JOHN, ANNA], [ROOM_1, ROOM_2], day, 1, not_before=midnight(today))
    assert sorted(fake.pairs_asked()) == sorted(
        (p.id, r.id) for p in (JOHN, ANNA) for r in (ROOM_1, ROOM_2)
    )


def test_several_pairs_are_asked_about_at_once_but_never_more_than_the_limit(
    live_api, settings, today
):
    settings.BOOKING_MAX_PARALLEL_SEARCHES = 2
    fake = FakeDiary(live_api, together=2, expected=5)
    practitioners = [JOHN, ANNA, JAYNE, CHRIS, DEMO]
    day = today + dt.timedelta(days=1)
    for p in practitioners:
        fake.answer(p, ROOM_1, free_list(day, ["0900"]))
    diary.find_free_times(practitioners, [ROOM_1], day, 1, not_before=midnight(today))
    assert len(fake.requests) == 5
    assert fake.most_active == 2  # overlapping, so at once; and never three


def test_the_default_limit_lets_every_pair_of_a_small_practice_go_at_once(live_api, today):
    fake = FakeDiary(live_api, together=3, expected=3)
    practitioners = [JOHN, ANNA, JAYNE]
    day = today + dt.timedelta(days=1)
    for p in practitioners:
        fake.answer(p, ROOM_1, free_list(day, ["0900"]))
    diary.find_free_times(practitioners, [ROOM_1], day, 1, not_before=midnight(today))
    assert fake.most_active == 3


def test_several_pairs_are_merged_earliest_first_and_labelled_with_the_pair_asked(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, free_list(day, ["1000", "0800"]))
    fake.answer(ANNA, ROOM_1, free_list(day, ["0900"]))
    fake.answer(JOHN, ROOM_2, free_list(day, ["0900", "1100"]))
    fake.answer(ANNA, ROOM_2, free_days({day + dt.timedelta(days=1): ["0700"]}))
    search = diary.find_free_times(
        [JOHN, ANNA], [ROOM_1, ROOM_2], day, 2, not_before=midnight(today)
    )
    assert [(f.start, f.practitioner, f.room) for f in search.free_times] == [
        (at(day, "0800"), JOHN, ROOM_1),
        (at(day, "0900"), ANNA, ROOM_1),
        (at(day, "0900"), JOHN, ROOM_2),
        (at(day, "1000"), JOHN, ROOM_1),
        (at(day, "1100"), JOHN, ROOM_2),
        (at(day + dt.timedelta(days=1), "0700"), ANNA, ROOM_2),
    ]
    assert search.unchecked == ()


def test_several_pairs_drop_times_before_not_before(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, free_list(day, ["0800", "1000"]))
    fake.answer(ANNA, ROOM_1, free_list(day, ["0859", "0900"]))
    search = diary.find_free_times([JOHN, ANNA], [ROOM_1], day, 1, not_before=at(day, "0900"))
    assert [(f.start, f.practitioner) for f in search.free_times] == [
        (at(day, "0900"), ANNA),
        (at(day, "1000"), JOHN),
    ]


@pytest.mark.parametrize("code", [3, 4])
def test_a_pair_the_diary_does_not_know_just_has_no_free_times(fake, today, code):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, free_list(day, ["0800"]))
    fake.answer(ANNA, ROOM_1, recorded(f"error-{code:02d}.json"))
    search = diary.find_free_times([JOHN, ANNA], [ROOM_1], day, 1, not_before=midnight(today))
    assert [f.practitioner for f in search.free_times] == [JOHN]
    assert search.unchecked == ()


@pytest.mark.parametrize(
    "failure",
    [(500, "Internal Server Error"), (200, "<html>Welcome</html>"), recorded("error-13.json")],
    ids=["http-500", "not-json", "error-13"],
)
def test_one_pair_failing_leaves_the_others_and_is_listed_as_unchecked(fake, today, failure):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, free_list(day, ["0800"]))
    fake.answer(ANNA, ROOM_1, failure)
    fake.answer(JAYNE, ROOM_1, free_list(day, ["0900"]))
    search = diary.find_free_times(
        [JOHN, ANNA, JAYNE], [ROOM_1], day, 1, not_before=midnight(today)
    )
    assert [f.practitioner for f in search.free_times] == [JOHN, JAYNE]
    assert search.unchecked == ((ANNA, ROOM_1),)


def test_every_pair_failing_raises(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, (502, "Bad gateway"))
    fake.answer(ANNA, ROOM_1, (503, "Unavailable"))
    with pytest.raises(Unavailable):
        diary.find_free_times([JOHN, ANNA], [ROOM_1], day, 1, not_before=midnight(today))
    assert len(fake.requests) == 2


def test_every_pair_failing_with_a_wrong_key_raises_not_authorised(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(JOHN, ROOM_1, (404, ""))
    fake.answer(ANNA, ROOM_1, (404, ""))
    with pytest.raises(NotAuthorised):
        diary.find_free_times([JOHN, ANNA], [ROOM_1], day, 1, not_before=midnight(today))


def test_a_single_pairs_rejection_is_raised(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(ANNA, ROOM_1, recorded("error-04.json"))
    with pytest.raises(Rejected) as raised:
        diary.find_free_times([ANNA], [ROOM_1], day, 1, not_before=midnight(today))
    assert raised.value.codes == (4,)


def test_a_single_pairs_failure_is_raised(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(ANNA, ROOM_1, (500, "oops"))
    with pytest.raises(Unavailable):
        diary.find_free_times([ANNA], [ROOM_1], day, 1, not_before=midnight(today))


def test_no_free_time_at_all_is_an_empty_search(fake, today):
    day = today + dt.timedelta(days=1)
    fake.answer(ANNA, ROOM_1, free_days({}))
    fake.answer(JOHN, ROOM_1, free_list(day, []))
    search = diary.find_free_times([ANNA, JOHN], [ROOM_1], day, 1, not_before=midnight(today))
    assert search.free_times == ()
    assert search.slot_minutes is None


# --- nearest_free_times -------------------------------------------------------------


def test_nearest_free_times_are_the_closest_to_the_wanted_one_in_time_order(fake, today, settings):
    settings.BOOKING_ALTERNATIVES = 3
    day = today + dt.timedelta(days=5)
    fake.answer(
        ANNA,
        ROOM_2,
        free_days(
            {
                day - dt.timedelta(days=1): ["0900"],
                day: ["0800", "1000", "1030", "1100", "1400", "1000"],
                day + dt.timedelta(days=1): ["1030"],
            }
        ),
    )
    wanted = at(day, "1030")
    nearest = diary.nearest_free_times(ANNA, ROOM_2, wanted, not_before=midnight(today))
    # 10:00 and 11:00 are 30 minutes away, 08:00 150; 14:00 (210) and the next day are not kept.
    assert [f.start for f in nearest] == [at(day, "0800"), at(day, "1000"), at(day, "1100")]
    assert all((f.practitioner, f.room) == (ANNA, ROOM_2) for f in nearest)
    assert len(fake.requests) == 1


def test_nearest_free_times_never_offer_the_wanted_time_itself(fake, today, settings):
    settings.BOOKING_ALTERNATIVES = 6
    day = today + dt.timedelta(days=5)
    fake.answer(ANNA, ROOM_2, free_list(day, ["0900", "0945", "1030"]))
    nearest = diary.nearest_free_times(ANNA, ROOM_2, at(day, "0945"), not_before=midnight(today))
    assert [f.start for f in nearest] == [at(day, "0900"), at(day, "1030")]


def test_nearest_free_times_leave_out_times_too_soon(fake, today, settings):
    settings.BOOKING_ALTERNATIVES = 6
    day = today + dt.timedelta(days=5)
    fake.answer(ANNA, ROOM_2, free_list(day, ["0900", "0945", "1030"]))
    nearest = diary.nearest_free_times(ANNA, ROOM_2, at(day, "1030"), not_before=at(day, "0930"))
    assert [f.start for f in nearest] == [at(day, "0945")]


def test_nearest_free_times_ask_from_today_over_the_horizon(fake, today, settings):
    settings.BOOKING_FREE_TIMES_CACHE_SECONDS = 0
    wanted_day = today + dt.timedelta(days=10)
    fake.answer(ANNA, ROOM_2, free_days({}))
    diary.nearest_free_times(ANNA, ROOM_2, at(wanted_day, "0900"), not_before=midnight(today))
    diary.nearest_free_times(ANNA, ROOM_2, at(today, "2300"), not_before=midnight(today))
    first, second = fake.requests
    assert first["date"] == second["date"] == f"{today:%Y%m%d}"
    assert first["numDays"] == second["numDays"] == (clock.last_bookable_day() - today).days + 1


# --- first_free_day -----------------------------------------------------------------


def test_first_free_day_looks_over_the_rest_of_the_horizon_in_one_call(fake, today, settings):
    settings.BOOKING_HORIZON_DAYS = 90
    start = today + dt.timedelta(days=7)
    found = start + dt.timedelta(days=40)
    fake.answer(ANNA, ROOM_2, free_days({found: ["1415"], found + dt.timedelta(days=2): ["0900"]}))
    assert diary.first_free_day([ANNA], [ROOM_2], start) == found
    (request,) = fake.requests
    assert request["date"] == f"{today:%Y%m%d}"
    assert request["numDays"] == (clock.last_bookable_day() - today).days + 1 == 90


def test_first_free_day_asks_about_every_pair_once(fake, today):
    start = today + dt.timedelta(days=7)
    fake.answer(JOHN, ROOM_1, free_days({start + dt.timedelta(days=9): ["0900"]}))
    fake.answer(ANNA, ROOM_1, free_days({start + dt.timedelta(days=4): ["1700"]}))
    assert diary.first_free_day([JOHN, ANNA], [ROOM_1], start) == start + dt.timedelta(days=4)
    assert sorted(fake.pairs_asked()) == sorted([(JOHN.id, ROOM_1.id), (ANNA.id, ROOM_1.id)])


def test_first_free_day_is_none_when_nothing_is_free(fake, today):
    fake.answer(ANNA, ROOM_2, free_days({}))
    assert diary.first_free_day([ANNA], [ROOM_2], today + dt.timedelta(days=7)) is None


def test_first_free_day_beyond_the_horizon_is_none_without_a_call(fake, today):
    beyond = clock.last_bookable_day() + dt.timedelta(days=1)
    assert diary.first_free_day([ANNA], [ROOM_2], beyond) is None
    assert fake.requests == []


def test_first_free_day_leaves_out_times_too_soon(fake, today, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 48 * 60
    fake.answer(
        ANNA,
        ROOM_2,
        free_days({today: ["2359"], today + dt.timedelta(days=5): ["0900"]}),
    )
    assert diary.first_free_day([ANNA], [ROOM_2], today) == today + dt.timedelta(days=5)


def test_a_time_the_clocks_skip_is_not_offered(fake):
    spring_forward = dt.date(2027, 3, 28)  # 01:00 GMT becomes 02:00 BST
    fake.answer(ANNA, ROOM_2, free_list(spring_forward, ["0030", "0130", "0230"]))
    search = diary.find_free_times(
        [ANNA], [ROOM_2], spring_forward, 1, not_before=midnight(spring_forward)
    )
    assert [f"{f.start:%H%M}" for f in search.free_times] == ["0030", "0230"]
