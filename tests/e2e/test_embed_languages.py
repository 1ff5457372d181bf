"""The embedded booking's language: `data-lang` on the snippet, in Chromium.

The practice's page is on another origin, as in tests/e2e/test_embed.py, whose
practice's website this borrows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from ..some_welsh import use_some_welsh
from .test_booking_flow import JOHN, ROOM_1
from .test_embed import Host, booking_frame, expect_fits, snippet
from .test_embed import _serve as serve

pytestmark = pytest.mark.browser


@pytest.fixture
def practice_site() -> Iterator[Host]:
    yield from serve("127.0.0.2")


@pytest.fixture
def embedded(site, bilingual, tmp_path, practice_site) -> Host:
    """The booking site in English and Welsh, framed by the practice's site, with
    Welsh for embed.js's own words."""
    settings = bilingual
    settings.EMBED_ALLOWED_ORIGINS = [practice_site.origin]
    use_some_welsh(
        settings,
        tmp_path,
        ("Book an appointment", "Trefnu apwyntiad"),
        ("Open the booking page in a new tab", "Agor y dudalen mewn tab newydd"),
    )
    return practice_site


def test_the_snippet_names_the_bookings_language(embedded, site, page):
    """`data-lang` on a booking, or on the script for every booking that names none."""
    # Only the addresses matter here: the frames' pages are not loaded.
    page.route(
        lambda url: url.startswith(f"{site.url}/") and not url.startswith(f"{site.url}/embed.js"),
        lambda route: route.abort(),
    )
    embedded.snippet = (
        f'<script src="{site.url}/embed.js" data-lang="cy" async></script>'
        f'<div data-physio-booking data-lang="cy" data-staff-id="{JOHN}" data-room-id="{ROOM_1}">'
        "</div>"
        f'<div data-physio-booking data-lang="en-GB" data-staff-id="{JOHN}"></div>'
        '<div data-physio-booking data-lang="xx"></div>'  # not offered: the site decides
        "<div data-physio-booking></div>"  # the script's
    )
    page.goto(embedded.url)
    frames = page.locator("[data-physio-booking] iframe")
    expect(frames).to_have_count(4)
    seen = [
        (frames.nth(i).get_attribute("src"), frames.nth(i).get_attribute("title")) for i in range(4)
    ]
    assert seen == [
        (f"{site.url}/cy/times/?staffId={JOHN}&sectionId={ROOM_1}", "Trefnu apwyntiad"),
        # The default language named: its pages have no prefix, so the address says it.
        (f"{site.url}/?staffId={JOHN}&lang=en-gb", "Book an appointment"),
        (f"{site.url}/", "Book an appointment"),
        (f"{site.url}/cy/", "Trefnu apwyntiad"),
    ]
    links = page.locator("[data-physio-booking] p a")
    assert [links.nth(i).text_content() for i in range(4)] == [
        "Agor y dudalen mewn tab newydd",
        "Open the booking page in a new tab",
        "Open the booking page in a new tab",
        "Agor y dudalen mewn tab newydd",
    ]
    assert links.nth(0).get_attribute("href") == seen[0][0]


def test_a_welsh_booking_opens_at_the_welsh_page(embedded, site, page):
    embedded.snippet = snippet(site.url, lang="cy")
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    assert frame.url == f"{site.url}/cy/"
    expect(frame.locator("html")).to_have_attribute("lang", "cy")
    # It answers the practice's page as in English: the frame takes its height.
    page.locator("[data-physio-booking] iframe").scroll_into_view_if_needed()
    expect_fits(page, frame)
