"""The times page (step 2) as patients meet it, in Chromium: "any" at a glance, the
overview of free days, each time's day for a screen reader, and Continue in reach;
on a phone and a desktop, with and without JavaScript, and by keyboard; axe-core
on every state. Screenshots go to test-artifacts/times-*.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from physiodiary import read_date

from .conftest import DESKTOP, PHONE
from .test_booking_flow import ANNA, ROOM_2, Slot
from .test_embed import booking_frame, embedded, practice_site, snippet  # noqa: F401

pytestmark = pytest.mark.browser

DEVICES = {"phone": PHONE, "desktop": DESKTOP}
ANY = "/times/?staffId=any&sectionId=any"
ONE = f"/times/?staffId={ANNA}&sectionId={ROOM_2}"


def height(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def continue_button(page: Page):
    return page.get_by_role("button", name=re.compile(r"^Continue"))


def in_viewport(page: Page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


@pytest.fixture(params=["phone", "desktop"])
def device(request) -> str:
    return request.param


def test_an_any_week_on_a_phone_is_at_most_2_2_times_one_practitioners(site, new_page, screenshot):
    page = new_page(**PHONE)
    page.goto(site.url + ONE)
    one = height(page)
    screenshot("times-phone-one", page)
    page.goto(site.url + ANY)
    several = height(page)
    screenshot("times-phone-any", page)
    times = [radio.get_attribute("value")[:13] for radio in page.get_by_role("radio").all()]
    assert len(times) == len(set(times)), "a start time shown twice on one day"
    assert several <= 2.2 * one, f"any: {several}px, one practitioner: {one}px"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_overview_links_free_days_and_names_days_without(
    site, new_page, screenshot, axe, device, javascript
):
    page = new_page(**DEVICES[device], java_script_enabled=javascript)
    page.goto(site.url + ONE)
    overview = page.get_by_role("navigation", name="Days with free times")
    expect(overview).to_be_visible()
    if javascript:  # axe-core runs as a script: with JavaScript off, the same markup is checked
        axe(page, f"{device} times with the overview")
    screenshot(f"times-{device}-{'js' if javascript else 'nojs'}", page)
    # Anna works Tuesdays and Thursdays: the other days say so and are not links.
    days = overview.get_by_role("link", name=re.compile(r": free times$"))
    expect(days.first).to_be_visible()
    expect(overview.get_by_text(re.compile(r": no free times$")).first).to_be_attached()
    name = days.nth(1).inner_text()
    days.nth(1).click()
    page.wait_for_url(re.compile(r"date=\d{8}"))
    first = Slot.parse(page.get_by_role("radio").first.get_attribute("value"))
    assert first.start.day == int(re.search(r"\d+", name)[0])  # the window starts that day


def test_later_is_offered_only_while_something_is_free_later(site, page, axe, settings):
    # The last bookable day a Saturday: Anna works Tuesdays and Thursdays, so the window
    # that ends on her last free day (a Thursday) still has days after it, none free.
    today = timezone.localdate()
    settings.BOOKING_HORIZON_DAYS = 60 + (5 - (today + dt.timedelta(days=59)).weekday()) % 7
    page.goto(site.url + ONE)
    expect(page.get_by_role("link", name="Later dates")).to_be_visible()
    overview = page.get_by_role("navigation", name="Days with free times")
    next_month = overview.get_by_role("link", name=re.compile(r"^Next month"))
    while next_month.count():
        next_month.click()
        page.wait_for_load_state()
    # The overview's days, not its "Previous month: free times".
    last_day = overview.get_by_role("table").get_by_role("link", name=re.compile(r": free times$"))
    last_free = read_date(re.search(r"date=(\d{8})", last_day.last.get_attribute("href"))[1])
    days = settings.BOOKING_WINDOW_DAYS
    last_bookable = today + dt.timedelta(days=settings.BOOKING_HORIZON_DAYS - 1)
    assert last_free < last_bookable, "no bookable day after the last free day"

    def window_ending(day: dt.date) -> None:
        start = day - dt.timedelta(days=days - 1)
        page.goto(site.url + f"{ONE}&date={start:%Y%m%d}")

    # A window ending the day before the last free day: Later leads to it.
    window_ending(last_free - dt.timedelta(days=1))
    expect(page.get_by_role("link", name="Later dates")).to_be_visible()
    # The window ending on the last free day: bookable days follow, but none is free.
    window_ending(last_free)
    expect(page.get_by_role("radio").last).to_have_attribute(
        "value", re.compile(f"^{last_free:%Y%m%d}-")
    )
    expect(page.get_by_role("link", name="Later dates")).to_have_count(0)
    expect(page.get_by_role("link", name="Earlier dates")).to_be_visible()
    axe(page, "the last free days, no Later")


def test_each_time_says_its_day_and_any_names_no_one(site, page):
    page.goto(site.url + ANY)
    for radio in page.get_by_role("radio").all()[:10]:
        slot = Slot.parse(radio.get_attribute("value"))
        day = f"{slot.start:%A} {slot.start.day} {slot.start:%B}"
        # Chromium puts a space before the hidden text: "10:30 , Tuesday 8 December".
        expect(radio).to_have_accessible_name(re.compile(rf"^{slot.hhmm} ?, {day}$"))


def test_by_keyboard_a_time_is_chosen_and_continue_is_in_reach(
    site, new_page, screenshot, axe, device
):
    page = new_page(**DEVICES[device])
    page.goto(site.url + ANY)
    first = page.get_by_role("radio").first
    for _ in range(60):  # Tab through the links above to the first time
        page.keyboard.press("Tab")
        if first.evaluate("radio => radio === document.activeElement"):
            break
    expect(first).to_be_focused()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    slot = Slot.parse(first.get_attribute("value"))
    day = f"{slot.start:%A} {slot.start.day} {slot.start:%B}"
    button = continue_button(page)
    expect(button).to_have_text(f"Continue with {day}, {slot.hhmm}")
    assert in_viewport(page, button), "Continue is out of reach"
    # The focused time is not hidden behind the bar (WCAG 2.4.11).
    tile = page.locator(f"label[for='{first.get_attribute('id')}']").bounding_box()
    bar = page.locator("[data-continue-bar]").bounding_box()
    assert tile["y"] + tile["height"] <= bar["y"] + 1
    page.screenshot(path=f"test-artifacts/times-{device}-chosen.png")
    axe(page, f"{device} any, a time chosen")
    button.press("Enter")
    page.wait_for_url(re.compile(r"/details/\?"))
    expect(page.get_by_role("region", name="Your appointment")).to_contain_text(slot.hhmm)


def test_focus_moving_down_the_times_is_never_behind_the_bar(site, phone_page):
    page = phone_page
    page.goto(site.url + ANY)
    page.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    bar = page.locator("[data-continue-bar]")
    for _ in range(25):  # down the times by arrow, as a keyboard user moves in a group
        page.keyboard.press("ArrowDown")
        focused = page.locator("input[name=slot]:focus + label").bounding_box()
        assert focused["y"] + focused["height"] <= bar.bounding_box()["y"] + 1


def test_without_javascript_continue_says_continue_and_books_the_time(site, new_page, device):
    page = new_page(**DEVICES[device], java_script_enabled=False)
    page.goto(site.url + ANY)
    first = page.get_by_role("radio").first
    first.check()
    button = page.get_by_role("button", name="Continue", exact=True)
    assert in_viewport(page, button)
    button.click()
    page.wait_for_url(re.compile(r"/details/\?"))


def test_embedded_choosing_a_time_scrolls_continue_into_the_practices_view(
    embedded,  # noqa: F811 (the fixture, imported from test_embed)
    site,
    new_page,
):
    page = new_page(**PHONE)
    embedded.snippet = snippet(site.url, **{"staff-id": str(ANNA), "room-id": str(ROOM_2)})
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    frame.wait_for_function("document.documentElement.classList.contains('is-embedded')")
    # The last time of all, so that it and Continue fit on one screen.
    radio = frame.get_by_role("radio").last
    # Scrolled to by the practice's page, as a patient would: Playwright's own scrolling
    # waits for the frame to paint, and Chromium paints no frame of another origin that
    # is wholly off the screen (the booking starts below the practice's fold).
    radio_top = radio.evaluate("r => r.parentNode.getBoundingClientRect().top")
    page.evaluate(
        """radioTop => {
            const frame = document.querySelector('[data-physio-booking] iframe');
            window.scrollBy(0, frame.getBoundingClientRect().top + radioTop - innerHeight + 60);
        }""",
        radio_top,
    )  # the time at the foot of the screen, Continue below it
    page.wait_for_timeout(300)  # the frame has told the page its height
    button = frame.get_by_role("button", name=re.compile("^Continue"))

    def on_screen() -> tuple[float, float]:
        # Cross-origin: the frame's box from the page, Continue's box from the frame.
        top = page.evaluate(
            "document.querySelector('[data-physio-booking] iframe').getBoundingClientRect().top"
        )
        bottom = button.evaluate("b => b.getBoundingClientRect().bottom")
        chosen = radio.evaluate("r => r.parentNode.getBoundingClientRect().top")
        return top + bottom, top + chosen

    assert on_screen()[0] > page.viewport_size["height"] + 1, "Continue was on screen already"
    radio.click()
    expect(button).to_have_text(re.compile("^Continue with"))
    for _ in range(30):
        continue_bottom, chosen_top = on_screen()
        if continue_bottom <= page.viewport_size["height"] + 1:
            break
        page.wait_for_timeout(100)
    assert continue_bottom <= page.viewport_size["height"] + 1, "Continue is off the screen"
    assert chosen_top >= -1, "the chosen time was scrolled away"
