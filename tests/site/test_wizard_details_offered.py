"""Step 3's page gives a form, and its token, only for a time the diary's free times list.

Any other link (a time typed or guessed, bookmarked long ago, taken since)
goes back to the times page. Coming from the times page, whose free times are
cached, that costs no call to the diary; otherwise one freeList call, as the
times page would make.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from bookings import wizard

from .wizard_support import (
    ANNA,
    ROOM_2,
    UNAVAILABLE,
    WHEN,
    at,
    details_url,
    error,
    html,
    slot,
    token_of,
    ymd,
)


@pytest.fixture
def diary(diary):
    """The diary offers WHEN, and no other time."""
    diary.add_free(WHEN)
    return diary


def test_it_sends_a_time_the_diary_did_not_offer_back_to_the_times_without_a_token(client, diary):
    unlisted = at(1, "1500")  # a well-formed link to a time that was never free
    page = client.get(details_url(unlisted))
    assert page.status_code == 302
    target = urlsplit(page["Location"])
    assert target.path == "/times/"
    assert parse_qs(target.query)["date"] == [ymd(unlisted)]
    assert parse_qs(target.query)["passed"] == ["1"]
    assert 'name="token"' not in html(page)
    assert 'name="token"' not in html(client.get(page["Location"]))


def test_it_sends_a_time_taken_since_the_times_were_shown_back_to_them(client, diary):
    assert client.get(details_url(WHEN)).status_code == 200
    diary.free[(ANNA, ROOM_2)].discard(WHEN)
    cache.clear()  # the free times are asked for again: WHEN has gone
    assert parse_qs(urlsplit(client.get(details_url(WHEN))["Location"]).query)["passed"] == ["1"]


def test_it_asks_the_diary_nothing_more_when_the_times_page_has_just_listed_the_time(client, diary):
    times = client.get(wizard.url("times", staffId=ANNA, sectionId=ROOM_2, date=ymd(WHEN)))
    assert slot(WHEN) in html(times)
    asked = len(diary.sent)
    page = client.get(details_url(WHEN))
    assert page.status_code == 200
    assert token_of(page)
    assert diary.sent[asked:] == []


def test_it_asks_for_the_free_times_once_when_none_are_cached(client, diary):
    client.get("/")  # the lists, cached
    asked = len(diary.sent)
    assert client.get(details_url(WHEN)).status_code == 200
    assert [call["action"] for call in diary.sent[asked:]] == ["freeList"]
    assert client.get(details_url(WHEN)).status_code == 200  # and cached for the next
    assert len(diary.sent) == asked + 1


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_it_gives_the_practices_phone_when_the_free_times_cannot_be_had(
    client, diary, settings, fault
):
    diary.answer("freeList", fault)
    page = client.get(details_url(WHEN))
    assert page.status_code == 503
    assert settings.PRACTICE_PHONE in html(page)
    assert 'name="token"' not in html(page)


def test_it_sends_a_practitioner_the_diary_does_not_see_in_that_room_back_to_the_times(
    client, diary
):
    diary.answer_pair(ANNA, ROOM_2, error(3, action="freeList"))
    page = client.get(details_url(WHEN))
    assert page.status_code == 302
    assert urlsplit(page["Location"]).path == "/times/"
