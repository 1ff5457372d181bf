"""The wizard's window of days, its date and time formats and free-time keys."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import clock, wizard
from bookings.slots import Slot
from bookings.wizard import Window
from physiodiary import Practitioner, Room


@pytest.fixture
def today(monkeypatch, settings) -> dt.date:
    """Today, pinned for the test, with a 7-day window and a 31-day horizon.

    31 days, today the first, so the last bookable day is today + 30.
    """
    settings.BOOKING_WINDOW_DAYS = 7
    settings.BOOKING_HORIZON_DAYS = 31
    pinned = clock.today()
    monkeypatch.setattr(clock, "today", lambda: pinned)
    return pinned


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- Window ---------------------------------------------------------------------


def test_the_window_starts_today_by_default(today):
    assert Window.starting(None) == Window(today, 7)
    assert Window.starting("") == Window(today, 7)


def test_a_window_asked_for_with_a_bad_date_starts_today(today):
    assert Window.starting("20230230") == Window(today, 7)
    assert Window.starting("tomorrow") == Window(today, 7)


def test_a_window_in_the_past_starts_today(today):
    past = today - days(10)
    assert Window.starting(f"{past:%Y%m%d}") == Window(today, 7)


def test_a_window_in_the_future_starts_on_the_day_asked_for(today):
    start = today + days(5)
    window = Window.starting(f"{start:%Y%m%d}")
    assert window == Window(start, 7)
    assert window.end == start + days(6)


def test_a_window_on_the_last_bookable_day_is_one_day(today):
    last = today + days(30)
    assert Window.starting(f"{last:%Y%m%d}") == Window(last, 1)


def test_there_is_no_window_beyond_the_horizon(today):
    assert Window.starting(f"{today + days(31):%Y%m%d}") is None


def test_a_window_is_shortened_at_the_horizon(today):
    start = today + days(27)
    window = Window.starting(f"{start:%Y%m%d}")
    assert window.days == 4  # days 27, 28, 29 and 30
    assert window.end == clock.last_bookable_day() == today + days(30)


def test_a_window_ending_on_the_last_bookable_day_is_not_shortened(today):
    start = today + days(24)
    window = Window.starting(f"{start:%Y%m%d}")
    assert window == Window(start, 7)
    assert window.end == today + days(30)


def test_there_is_nothing_earlier_than_today(today):
    assert Window.starting(None).earlier is None


def test_earlier_goes_back_one_window(today):
    start = today + days(10)
    assert Window.starting(f"{start:%Y%m%d}").earlier == today + days(3)


def test_earlier_stops_at_today(today):
    start = today + days(3)
    assert Window.starting(f"{start:%Y%m%d}").earlier == today


def test_later_is_the_day_after_the_window(today):
    assert Window.starting(None).later == today + days(7)


def test_later_may_be_the_last_bookable_day(today):
    start = today + days(23)
    assert Window.starting(f"{start:%Y%m%d}").later == today + days(30)


def test_there_is_nothing_later_than_the_horizon(today):
    start = today + days(24)
    assert Window.starting(f"{start:%Y%m%d}").later is None
    assert Window.starting(f"{today + days(28):%Y%m%d}").later is None


def test_the_horizon_counts_today_as_its_first_day(today):
    assert (clock.last_bookable_day() - today).days + 1 == 31


def test_following_later_from_today_reaches_the_horizon_without_a_gap(today):
    window, seen = Window.starting(None), set()
    while True:
        seen.update(window.start + days(i) for i in range(window.days))
        if window.later is None:
            break
        window = Window.starting(f"{window.later:%Y%m%d}")
    assert seen == {today + days(i) for i in range(31)}


# --- Slots: one free time, written and read one way ---------------------------------


def slot_at(day: dt.date, moment: dt.time, staff_id: int, section_id: int) -> Slot:
    return Slot(Practitioner(staff_id, "Anna"), Room(section_id, "Room 2"), clock.at(day, moment))


def test_a_slot_key_is_formatted_as_date_time_practitioner_room():
    slot = slot_at(dt.date(2030, 10, 7), dt.time(9, 5), 42230, 7323)
    assert slot.key == "20301007-0905-42230-7323"


def test_a_slot_key_round_trips():
    slot = slot_at(dt.date(2030, 10, 7), dt.time(9, 5), 42230, 7323)
    parsed = Slot.from_key(slot.key)
    assert (parsed.practitioner.id, parsed.room.id, parsed.start) == (42230, 7323, slot.start)
    assert parsed.key == slot.key


def test_a_slot_gives_the_details_steps_query_in_the_apis_names():
    parsed = Slot.from_key("20301007-0905-42230-7323")
    assert parsed.query == {
        "staffId": "42230",
        "sectionId": "7323",
        "date": "20301007",
        "time": "0905",
    }


def test_a_slot_read_from_a_query_is_the_slot_of_its_key():
    query = {"staffId": "42230", "sectionId": "7323", "date": "20301007", "time": "0905"}
    assert Slot.from_query(query) == Slot.from_key("20301007-0905-42230-7323")


def test_a_slot_read_from_a_link_is_named_from_the_diarys_lists():
    anna, room = Practitioner(42230, "Anna"), Room(7323, "Treatment Room 2")
    parsed = Slot.from_key("20301007-0905-42230-7323")
    assert parsed.practitioner.name == "the practitioner you chose"
    named = parsed.named([Practitioner(1, "John"), anna], [room])
    assert (named.practitioner, named.room) == (anna, room)
    unlisted = Slot.from_key("20301007-0905-99-7323").named([anna], [room])
    assert unlisted.practitioner == Practitioner(99, "the practitioner you chose")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "20301007-0905-42230",
        "20301007-0905-42230-7323-1",
        "20300230-0905-42230-7323",
        "20301007-2460-42230-7323",
        "20301007-1a00-42230-7323",
        "20301007-0905-anna-7323",
        "20301007-0905--1-7323",
        "20301007-0905-1234567890123-7323",
        " 20301007-0905-42230-7323",
        "20301007-0905-42230-7323\n",
        "20301007T0905-42230-7323",
    ],
)
def test_a_slot_key_that_is_not_one_is_refused(value):
    assert Slot.from_key(value) is None


# --- Notice and URLs -------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, 120, 24 * 60])
def test_earliest_bookable_honours_the_minimum_notice(settings, minutes):
    settings.BOOKING_MIN_NOTICE_MINUTES = minutes
    before = timezone.now()
    earliest = clock.earliest_bookable()
    after = timezone.now()
    notice = dt.timedelta(minutes=minutes)
    assert before + notice <= earliest <= after + notice
    assert earliest.tzinfo is not None


def test_at_is_in_the_practices_time_zone():
    moment = clock.at(dt.date(2030, 7, 1), dt.time(9, 0))
    assert moment.utcoffset() == dt.timedelta(hours=1)  # Europe/London, summer
    assert clock.at(dt.date(2030, 1, 1), dt.time(9, 0)).utcoffset() == dt.timedelta(0)


def test_url_drops_empty_values():
    link = wizard.url("times", staffId="any", sectionId="", date=None, time=0)
    parts = urlsplit(link)
    assert parts.path == reverse("bookings:times")
    assert parse_qs(parts.query) == {"staffId": ["any"], "time": ["0"]}


def test_url_without_a_query_has_no_question_mark():
    assert wizard.url("choose") == reverse("bookings:choose")
    assert wizard.url("times", staffId="", sectionId=None) == reverse("bookings:times")


def test_url_encodes_its_values():
    link = wizard.url("details", desc="a&b=c")
    assert parse_qs(urlsplit(link).query) == {"desc": ["a&b=c"]}


def test_the_steps_are_in_order():
    assert [s.name for s in wizard.STEPS] == ["choose", "times", "details", "booked"]
    assert wizard.step("details").number == 3


@pytest.mark.parametrize(
    ("moment", "real"),
    [
        ((2027, 3, 28, 1, 30), False),  # the clocks go forward at 01:00: 01:30 never happens
        ((2027, 3, 28, 2, 30), True),
        ((2027, 10, 31, 1, 30), True),  # the clocks go back: 01:30 happens twice, but happens
        ((2027, 6, 1, 9, 0), True),
    ],
)
def test_a_time_skipped_when_the_clocks_go_forward_does_not_exist(moment, real):
    *day, hour, minute = moment
    assert clock.exists(clock.at(dt.date(*day), dt.time(hour, minute))) is real


def test_minimum_notice_is_counted_in_real_time_across_a_clock_change(settings, monkeypatch):
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    # 00:30 GMT on the morning the clocks go forward: two hours later is 03:30 BST.
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    )
    earliest = clock.earliest_bookable()
    assert (earliest.hour, earliest.minute) == (3, 30)
