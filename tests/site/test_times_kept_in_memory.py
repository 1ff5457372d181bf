"""A times page seen again is made from what the worker kept (bookings/page_memo.py and
`{% memo %}`), and never shows less than what has changed since: a booking on another
server, free times refreshed, an old answer due for a refresh, the page's language,
its error, a move's link, a frame, the console's notices."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test.signals import template_rendered

from bookings import clock, configuration, kept_free_times, page_memo, refresh, wizard
from bookings import diary as bookings_diary
from bookings.models import Notice

from .change_support import booked_with_link
from .wizard_support import ANNA, ROOM_2, at, free_time, html, slot

TEN, ELEVEN = at(1, "1000"), at(1, "1100")


@pytest.fixture
def diary(diary):
    diary.add_free(TEN, ELEVEN)
    return diary


@pytest.fixture
def searches(monkeypatch):
    """How many times the times pages searched the kept free times (diary.find_free_times)."""
    made = []
    search = bookings_diary.find_free_times

    def counted(*args, **kwargs):
        made.append(args)
        return search(*args, **kwargs)

    monkeypatch.setattr(bookings_diary, "find_free_times", counted)
    return made


def times_url(**more: str) -> str:
    return wizard.url("times", staffId=ANNA, sectionId=ROOM_2, **more)


def radios(page: str) -> list[str]:
    return re.findall(r'name="slot" value="([^"]+)"', page)


def test_the_same_week_again_is_the_same_page_without_searching_again(client, diary, searches):
    # The first look asks the diary; the search made from free times already kept
    # (the second look's) is the one kept.
    first = html(client.get(times_url()))
    assert html(client.get(times_url())) == first
    assert len(searches) == 2
    assert html(client.get(times_url())) == first
    assert len(searches) == 2
    assert len(diary.calls("freeList")) == 1


def test_the_same_week_again_is_the_page_kept_not_its_templates_rendered_again(
    client, diary, monkeypatch
):
    # The clocks held: a slow machine taking 2 s between pages would otherwise see the
    # search and the configuration made anew, and the page rightly made again.
    held = SimpleNamespace(monotonic=lambda: 1000.0)
    monkeypatch.setattr(page_memo, "time", held)
    monkeypatch.setattr(configuration, "time", held)
    configuration.forget()
    looked_at_twice(client)
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        again = client.get(times_url())
    finally:
        template_rendered.disconnect(note)

    assert rendered == []
    assert again.status_code == 200 and slot(TEN) in radios(html(again))
    assert again["Content-Type"] == "text/html; charset=utf-8"


def test_the_same_week_in_a_frame_has_the_frames_bar_and_outside_it_has_not(client, diary):
    looked_at_twice(client)
    framed = html(client.get(times_url(), headers={"Sec-Fetch-Dest": "iframe"}))
    assert '<p class="embed-bar" data-embed-bar>' in framed
    assert "data-embed-bar hidden" in html(client.get(times_url()))


def test_a_notice_from_the_console_is_on_the_next_page_though_the_week_was_just_shown(
    client, diary
):
    looked_at_twice(client)
    today = clock.today()
    Notice.objects.create(
        text={"en-gb": "Closed 24 to 26 December."},
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
    )
    assert "Closed 24 to 26 December." in html(client.get(times_url()))


def test_another_address_for_the_same_week_is_its_own_page(client, diary):
    looked_at_twice(client)
    page = html(client.get(times_url(passed="1")))
    assert "no longer available to book online" in page
    assert "no longer available to book online" not in html(client.get(times_url()))


def test_any_practitioners_week_again_is_not_searched_again(client, diary, searches):
    any_url = wizard.url("times", staffId=wizard.ANY, sectionId=wizard.ANY)
    first = html(client.get(any_url))
    client.get(any_url)
    assert html(client.get(any_url)) == first
    assert len(searches) == 2


def looked_at_twice(client) -> str:
    """The week's page, looked at until this worker keeps its search."""
    client.get(times_url())
    return html(client.get(times_url()))


def test_a_time_booked_through_another_server_is_gone_from_the_next_page(client, diary):
    assert slot(TEN) in radios(looked_at_twice(client))
    # Another server's booking: the time leaves the pair's free times in the shared cache.
    diary.free[(ANNA, ROOM_2)].discard(TEN)
    kept_free_times.took_free_time(free_time(TEN))
    assert radios(html(client.get(times_url()))) == [slot(ELEVEN)]


def test_free_times_asked_for_again_elsewhere_show_on_the_next_page(client, diary):
    looked_at_twice(client)
    diary.add_free(at(1, "1200"))
    kept_free_times.forget_free_times(ANNA, ROOM_2)  # another server found a time taken
    assert slot(at(1, "1200")) in radios(html(client.get(times_url())))


def test_an_answer_due_for_a_refresh_is_refreshed_within_seconds_though_the_search_is_kept(
    client, diary, settings, monkeypatch
):
    looked_at_twice(client)
    # The kept answer is now past BOOKING_FREE_TIMES_CACHE_SECONDS, unchanged.
    later = kept_free_times.time.time() + settings.BOOKING_FREE_TIMES_CACHE_SECONDS + 1
    monkeypatch.setattr(kept_free_times, "time", SimpleNamespace(time=lambda: later))

    client.get(times_url())  # within MEMO_SECONDS: the search kept, nothing asked
    assert refresh.wait_for_background()
    assert len(diary.calls("freeList")) == 1

    seconds_on = page_memo.time.monotonic() + page_memo.MEMO_SECONDS + 0.1
    monkeypatch.setattr(page_memo, "time", SimpleNamespace(monotonic=lambda: seconds_on))
    client.get(times_url())  # past them: searched again, and refreshed behind the page
    assert refresh.wait_for_background()
    assert len(diary.calls("freeList")) == 2


def test_the_same_week_in_welsh_is_in_welsh(client, diary, bilingual):
    english = html(client.get(times_url()))
    welsh = html(client.get("/cy" + times_url()))
    assert "Morning" in english and "Days with free times" in english
    assert "Bore" in welsh and "Morning" not in welsh and "Days with free times" not in welsh
    assert 'action="/cy/times/"' in welsh


def test_continue_with_no_time_chosen_says_so_though_the_same_week_was_just_shown(client, diary):
    looked_at_twice(client)
    page = client.get(times_url(next="1"))
    assert page.status_code == 400
    assert 'id="slot-error"' in html(page) and 'aria-describedby="slot-error"' in html(page)
    assert 'id="slot-error"' not in html(client.get(times_url()))


def test_a_moves_week_carries_its_link_though_the_same_week_was_just_shown(client, diary):
    link = booked_with_link(client, ELEVEN)
    diary.free[(ANNA, ROOM_2)].discard(ELEVEN)  # booked: the diary lists it no more
    client.get(times_url())  # the rest refreshed behind this page
    assert refresh.wait_for_background()
    looked_at_twice(client)
    page = html(client.get(times_url(change=link)))
    assert f'<input type="hidden" name="change" value="{link}">' in page
    days = re.findall(r'href="(/times/\?[^"]*)"', page)
    assert days and all(f"change={link}" in day for day in days)


def test_a_designers_times_page_written_for_the_days_as_pairs_still_shows_them(
    client, diary, settings, tmp_path
):
    # docs/designers.md: `days`, a list of (day, parts). An override from before the
    # days had labels of their own unpacks them so.
    theme = tmp_path / "templates" / "bookings"
    theme.mkdir(parents=True)
    (theme / "times.html").write_text(
        '{% extends "bookings/times.html" %}{% block step_content %}'
        '{% for day, parts in days %}<h2>{{ day|date:"Ymd" }}</h2>'
        "{% for part in parts %}{{ part.name }}:{% for free in part.free_times %}"
        "[{{ free.key }}]{% endfor %}{% endfor %}{% endfor %}{% endblock %}"
    )
    first = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**first, "DIRS": [tmp_path / "templates", *first["DIRS"]]}]
    page = html(client.get(times_url()))
    assert f"<h2>{TEN:%Y%m%d}</h2>Morning:[{slot(TEN)}][{slot(ELEVEN)}]" in page
