"""The confirmation panel and the diary-down pages in a real browser, at a phone's
and a desktop's size, with and without JavaScript, by keyboard, checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, NO_JS, PHONE
from .test_booking_flow import PATIENT, book, fill_details, pick_first_time

pytestmark = pytest.mark.browser

DEVICES = {"phone": PHONE, "desktop": DESKTOP, "nojs": NO_JS}


def check(axe, page: Page, device: str, where: str) -> None:
    """axe, where it can run: it is a script, which a page without JavaScript never runs."""
    if device != "nojs":
        axe(page, f"{device} {where}")


#: John's free times in Treatment Room 1 (step 1, another page, is not what these test).
TIMES = "/times/?staffId=42228&sectionId=7322"


def booked_page(page: Page, site, device: str) -> None:
    touch = device == "phone"
    page.goto(site.url + TIMES)
    pick_first_time(page, touch=touch)
    fill_details(page)
    book(page, touch=touch)


@pytest.mark.parametrize("device", DEVICES)
def test_the_confirmation_panel_is_the_first_thing_seen(site, new_page, screenshot, axe, device):
    page = new_page(**DEVICES[device])
    booked_page(page, site, device)

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Appointment booked")
    panel = page.locator(".panel-confirmation")
    expect(panel).to_contain_text(re.compile(r"\w+day \d+ \w+ \d{4} at \d\d:\d\d"))
    expect(panel).to_contain_text("with John, Treatment Room 1")
    # The whole panel in view without scrolling, on a phone too.
    box = panel.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
    expect(page.get_by_text(re.compile(r"^Step \d of \d$"))).to_have_count(0)
    expect(page.get_by_role("navigation", name="Booking progress")).to_have_count(0)
    next_steps = page.get_by_role("region", name="What happens next")
    expect(next_steps).to_contain_text("arrive 5 minutes early")
    expect(next_steps).to_contain_text("at least 24 hours before")
    screenshot(f"{device}-4-booked-panel", page)
    check(axe, page, device, "confirmation")


def test_the_confirmation_by_keyboard_reaches_the_calendar_links(site, page):
    booked_page(page, site, "desktop")
    ics = page.get_by_role("link", name="Download calendar file (.ics)")
    for _ in range(20):  # the skip link, the header, then the page in order
        page.keyboard.press("Tab")
        if ics.evaluate("element => element === document.activeElement"):
            break
    expect(ics).to_be_focused()


@pytest.mark.parametrize("device", DEVICES)
def test_the_expired_confirmation_is_accessible(site, new_page, screenshot, axe, device):
    page = new_page(**DEVICES[device])
    response = page.goto(f"{site.url}/booked/{'A' * 32}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This confirmation is no longer available"
    )
    expect(page.get_by_role("navigation", name="Booking progress")).to_have_count(0)
    screenshot(f"{device}-booked-gone", page)
    check(axe, page, device, "booked gone")


@pytest.fixture
def diary_down(site, settings):
    """The site's diary at an address where nothing answers."""
    settings.PHYSIODIARY_API_URL = "http://127.0.0.1:9/api/request"
    settings.PHYSIODIARY_READ_RETRIES = 0
    settings.PHYSIODIARY_BREAKER_FAILURES = 0
    return site


@pytest.mark.parametrize("device", DEVICES)
def test_the_503_offers_try_again_and_the_opening_hours(
    diary_down, new_page, screenshot, axe, device
):
    page = new_page(**DEVICES[device])
    url = diary_down.url + TIMES
    response = page.goto(url)
    assert response.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Online booking is unavailable just now"
    )
    expect(page.get_by_text("Monday to Friday, 8am to 8pm")).to_be_visible()
    retry = page.get_by_role("link", name="Try again")
    expect(retry).to_be_visible()
    screenshot(f"{device}-503", page)
    check(axe, page, device, "503")
    # By keyboard: Try again is reached and asks for the very same page.
    retry.focus()
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.url == url
    assert navigation.value.status == 503


@pytest.mark.parametrize("device", ["phone", "nojs"])
def test_try_again_on_the_details_page_sends_what_was_typed(
    site, new_page, screenshot, axe, settings, device
):
    page = new_page(**DEVICES[device])
    page.goto(site.url + TIMES)
    pick_first_time(page)
    fill_details(page)
    # The diary goes down between the form and its post.
    working = settings.PHYSIODIARY_API_URL
    settings.PHYSIODIARY_API_URL = "http://127.0.0.1:9/api/request"
    settings.PHYSIODIARY_READ_RETRIES = 0
    page.get_by_role("button", name="Book appointment").click()
    problem = page.get_by_role("alert").filter(has_text="has not been booked yet")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Monday to Friday, 8am to 8pm")
    for label, value in PATIENT.items():
        expect(page.get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    screenshot(f"{device}-details-unavailable", page)
    check(axe, page, device, "details unavailable")

    settings.PHYSIODIARY_API_URL = working
    problem.get_by_role("button", name="Try again").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/booked/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
