"""Step 2, `/times/`: a free time, from the diary's freeList."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from bookings import clock, wizard

from .wizard_support import (
    ANNA,
    JOHN,
    ROOM_1,
    ROOM_2,
    UNAVAILABLE,
    FakeDiary,
    Raw,
    at,
    day,
    error,
    html,
    sets_no_cookie,
    slot,
    ymd,
)


def times_url(date=None, staff=ANNA, room=ROOM_2, **more):
    return wizard.url("times", staffId=staff, sectionId=room, date=date, **more)


def heading(d: dt.date) -> str:
    """A day as the page heads it: "Saturday 7 October 2017"."""
    return f"{d:%A} {d.day} {d:%B %Y}"


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


# --- The free times ------------------------------------------------------------------


def test_it_asks_the_diary_once_for_every_bookable_day_from_today(client, diary):
    diary.add_free(at(1, "1415"))
    client.get(times_url())
    (sent,) = diary.calls("freeList")
    assert sent["date"] == ymd(day(0))
    assert sent["numDays"] == (clock.last_bookable_day() - day(0)).days + 1
    assert (sent["staffId"], sent["sectionId"]) == (ANNA, ROOM_2)


def test_it_groups_free_times_by_day_and_part_of_day(client, diary):
    diary.add_free(at(1, "0915"), at(1, "1415"), at(1, "1800"), at(2, "1000"))
    page = html(client.get(times_url()))
    assert page.index(heading(day(1))) < page.index(heading(day(2)))
    first_day = page[page.index(heading(day(1))) : page.index(heading(day(2)))]
    assert [first_day.index(part) for part in ("Morning", "Afternoon", "Evening")] == sorted(
        first_day.index(part) for part in ("Morning", "Afternoon", "Evening")
    )
    assert "09:15" in first_day
    assert "14:15" in first_day
    assert "18:00" in first_day


def test_it_offers_each_free_time_as_a_radio_button_named_slot(client, diary):
    diary.add_free(at(1, "1415"))
    page = html(client.get(times_url()))
    assert f'type="radio" name="slot" value="{slot(at(1, "1415"), ANNA, ROOM_2)}"' in page


def test_it_shows_the_slot_length_and_uk_time(client, diary):
    diary.add_free(at(1, "1415"))
    page = html(client.get(times_url()))
    assert "Appointments last 45 minutes" in page
    assert "UK time" in page


def test_it_hides_times_too_soon_to_book(client, diary, settings):
    notice = dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    now = timezone.now().replace(second=0, microsecond=0)
    too_soon = timezone.localtime(now + notice - dt.timedelta(minutes=30))
    bookable = timezone.localtime(now + notice + dt.timedelta(minutes=60))
    diary.add_free(too_soon, bookable)
    page = html(client.get(times_url()))
    assert slot(bookable) in page
    assert slot(too_soon) not in page


def test_it_sends_a_chosen_time_to_the_details_page(client, diary):
    page = client.get(times_url(ymd(day(0)), slot=slot(at(3, "1415"))))
    assert page.status_code == 302
    assert urlsplit(page["Location"]).path == "/details/"
    assert query(page["Location"]) == {
        "staffId": str(ANNA),
        "sectionId": str(ROOM_2),
        "date": ymd(day(3)),
        "time": "1415",
    }


def test_it_asks_for_a_time_when_continue_is_pressed_without_one(client, diary):
    diary.add_free(at(1, "1415"))
    page = client.get(times_url(ymd(day(0)), next=1))
    assert page.status_code == 400
    assert "Choose a time" in html(page)
    assert f'href="#slot-{slot(at(1, "1415"))}"' in html(page)


def test_it_says_the_time_chosen_has_passed(client, diary):
    page = client.get(times_url(passed=1))
    assert "The time you chose is no longer available to book online" in html(page)


# --- The window ----------------------------------------------------------------------


def test_it_has_no_earlier_link_on_today(client, diary):
    diary.add_free(at(8, "1000"))
    page = client.get(times_url())
    assert 'rel="prev"' not in html(page)
    assert times_url(ymd(day(7))).replace("&", "&amp;") in html(page)


def test_it_links_a_later_window_back_to_the_one_before(client, diary):
    diary.add_free(at(1, "1000"), at(15, "1000"))
    page = client.get(times_url(ymd(day(7))))
    assert times_url(ymd(day(0))).replace("&", "&amp;") in html(page)
    assert times_url(ymd(day(14))).replace("&", "&amp;") in html(page)


def test_it_has_no_later_link_at_the_horizon(client, diary):
    diary.add_free(at(1, "1000"))
    page = client.get(times_url(ymd(clock.last_bookable_day())))
    assert 'rel="prev"' in html(page)
    assert 'rel="next"' not in html(page)
    (sent,) = diary.calls("freeList")  # from today: the overview and Earlier need the days before
    assert (sent["date"], sent["numDays"]) == (
        ymd(day(0)),
        (clock.last_bookable_day() - day(0)).days + 1,
    )


@pytest.mark.parametrize("asked", ["20000101", None])
def test_it_starts_the_window_today_for_a_day_gone_by_or_none(client, diary, asked):
    client.get(times_url(asked))
    assert diary.calls("freeList")[0]["date"] == ymd(day(0))


@pytest.mark.parametrize("asked", ["banana", "20171332", "٢٠٢٦١١٢٧"])
def test_it_refuses_a_date_that_is_not_one_without_asking_the_diary(client, diary, asked):
    page = client.get(times_url(asked))
    assert page.status_code == 400
    assert "this link is not valid" in html(page)
    assert diary.calls("freeList") == []


def test_it_refuses_a_date_beyond_the_last_bookable_day(client, diary):
    page = client.get(times_url(ymd(clock.last_bookable_day() + dt.timedelta(days=1))))
    assert page.status_code == 400
    assert diary.calls("freeList") == []


def test_it_finds_the_next_free_day_in_the_same_call(client, diary):
    diary.add_free(at(20, "1415"))
    page = client.get(times_url())
    assert len(diary.calls("freeList")) == 1
    assert f"The next free time is on {day(20):%A} {day(20).day} {day(20):%B}" in html(page)
    assert times_url(ymd(day(20))).replace("&", "&amp;") in html(page)


def test_it_says_there_are_no_free_times_in_the_next_90_days(client, diary):
    diary.add_free(clock.at(clock.last_bookable_day() + dt.timedelta(days=1), dt.time(10)))
    page = client.get(times_url())
    assert len(diary.calls("freeList")) == 1
    assert "no free times to book online in the next 90 days" in html(page)


def test_beyond_one_calls_reach_it_looks_further_ahead_with_more(client, diary, settings):
    settings.BOOKING_HORIZON_DAYS = 120  # more than the 90 days one freeList call may ask for
    diary.add_free(at(100, "1415"))
    page = client.get(times_url())
    assert [sent["numDays"] for sent in diary.calls("freeList")] == [90, 90, 23]
    assert f"The next free time is on {day(100):%A}" in html(page)


def test_it_offers_the_next_window_when_the_look_ahead_fails(client, diary, settings):
    settings.BOOKING_HORIZON_DAYS = 120
    diary.answer("freeList", diary.answers["freeList"][0], Raw(500))
    page = client.get(times_url())
    assert page.status_code == 200
    assert "Look at the next 7 days" in html(page)


# --- Any practitioner, any room ------------------------------------------------------


def test_it_asks_about_every_practitioner_in_every_room_for_any(client, diary):
    diary.add_free(at(1, "1000"))
    client.get(times_url(staff="any", room="any"))
    pairs = [(sent["staffId"], sent["sectionId"]) for sent in diary.calls("freeList")]
    assert sorted(pairs) == sorted((s, r) for s in (JOHN, ANNA) for r in (ROOM_1, ROOM_2))


def test_it_merges_the_free_times_of_any_earliest_first(client, diary):
    diary.add_free(at(1, "1100"), staff=JOHN, room=ROOM_1)
    diary.add_free(at(1, "0900"), staff=ANNA, room=ROOM_2)
    diary.add_free(at(1, "1000"), staff=JOHN, room=ROOM_2)
    page = html(client.get(times_url(staff="any", room="any")))
    keys = [slot(at(1, "0900"), ANNA, ROOM_2), slot(at(1, "1000"), JOHN, ROOM_2)]
    keys.append(slot(at(1, "1100"), JOHN, ROOM_1))
    positions = [page.index(f'value="{key}"') for key in keys]
    assert positions == sorted(positions)


@pytest.mark.parametrize("code", [3, 4])
def test_it_treats_a_pair_the_diary_does_not_know_as_having_no_times(client, diary, code):
    diary.add_free(at(1, "1000"), staff=ANNA, room=ROOM_2)
    diary.answer_pair(JOHN, ROOM_1, error(code, action="freeList"))
    page = client.get(times_url(staff="any", room="any"))
    assert page.status_code == 200
    assert slot(at(1, "1000")) in html(page)
    assert "could not check every diary" not in html(page)


def test_it_shows_the_others_and_says_so_when_one_pair_fails(client, diary):
    diary.add_free(at(1, "1000"), staff=ANNA, room=ROOM_2)
    diary.answer_pair(JOHN, ROOM_1, Raw(500))
    page = client.get(times_url(staff="any", room="any"))
    assert page.status_code == 200
    assert slot(at(1, "1000")) in html(page)
    assert "could not check every diary just now" in html(page)
    assert "John in Treatment Room 1" in html(page)


def test_it_gives_the_practices_phone_when_every_pair_fails(client, diary, settings):
    diary.answer("freeList", Raw(500))
    page = client.get(times_url(staff="any", room="any"))
    assert page.status_code == 503
    assert settings.PRACTICE_PHONE in html(page)
    assert settings.PRACTICE_EMAIL in html(page)


# --- One practitioner, one room ------------------------------------------------------


def test_it_needs_no_choice_with_one_practitioner_and_one_room(client, live_api):
    diary = FakeDiary(live_api, staff={ANNA: "Anna"}, rooms={ROOM_2: "Treatment Room 2"})
    diary.add_free(at(1, "1415"))
    page = client.get("/times/")
    assert page.status_code == 200
    assert slot(at(1, "1415")) in html(page)


# --- Choosing again ------------------------------------------------------------------


def test_it_asks_to_choose_again_for_a_practitioner_not_listed(client, diary):
    page = client.get(times_url(staff=99999))
    assert page.status_code == 400
    assert "not taking online bookings" in html(page)
    assert diary.calls("freeList") == []


def test_it_asks_to_choose_again_when_the_diary_no_longer_knows_the_practitioner(client, diary):
    diary.answer("freeList", error(4, action="freeList"))
    page = client.get(times_url())
    assert page.status_code == 400
    assert "This practitioner cannot be booked online at the moment" in html(page)


# --- When the diary is unavailable ---------------------------------------------------


@pytest.mark.parametrize("action", ["staffList", "freeList"])
@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_it_gives_the_practices_phone_and_email_when_the_diary_is_unavailable(
    client, diary, settings, action, fault
):
    diary.answer(action, fault)
    page = client.get(times_url())
    assert page.status_code == 503
    assert "Online booking is unavailable just now" in html(page)
    assert settings.PRACTICE_PHONE in html(page)
    assert settings.PRACTICE_EMAIL in html(page)


def test_it_sets_no_cookie(client, diary):
    diary.add_free(at(1, "1415"))
    assert sets_no_cookie(client.get(times_url()))
    assert sets_no_cookie(client.get(times_url(slot=slot(at(1, "1415")))))


# --- Odd corners -------------------------------------------------------------------


def test_it_sends_the_patient_back_to_choose_when_nothing_is_listed(client, live_api):
    diary = FakeDiary(live_api)
    diary.answer("staffList", {"staff": []})
    page = client.get(times_url())
    assert page.status_code == 302
    assert page["Location"] == wizard.url("choose")


def test_an_old_any_link_means_the_one_practitioner_left(client, live_api):
    diary = FakeDiary(live_api, staff={ANNA: "Anna"})
    diary.add_free(at(1, "1415"))
    page = client.get(times_url(staff=wizard.ANY))
    assert page.status_code == 200
    (sent,) = diary.calls("freeList")
    assert sent["staffId"] == ANNA


def test_a_diary_error_with_no_field_on_free_times_is_the_unavailable_page(client, diary):
    diary.answer("freeList", error(13, action="freeList"))
    page = client.get(times_url())
    assert page.status_code == 503
    assert "01632 960 123" in html(page)


def test_each_day_is_a_heading_inside_its_legend(client, diary):
    diary.add_free(at(1, "1415"))
    body = html(client.get(times_url()))
    assert f'<h2 class="free-day-heading">{heading(day(1))}</h2>' in body
    assert '<h3 class="part-of-day-heading"' in body


def test_with_nothing_free_it_offers_a_wider_search(client, diary):
    body = html(client.get(times_url(staff=ANNA, room=ROOM_1)))
    assert "Look for Anna in any room" in body
    assert "Look for any practitioner in Treatment Room 1" in body
    assert f'href="{times_url(staff=ANNA, room=wizard.ANY)}"'.replace("&", "&amp;") in body


def test_with_one_practitioner_and_one_room_there_is_no_change_link(client, live_api):
    diary = FakeDiary(live_api, staff={ANNA: "Anna"}, rooms={ROOM_2: "Treatment Room 2"})
    diary.add_free(at(1, "1415"))
    assert "Change<span" not in html(client.get(times_url()))
