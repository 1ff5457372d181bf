"""Step 1 as two questions, one a page (GOV.UK): who, then which room.

On a phone and a desktop, with JavaScript and without, by keyboard; axe on
each question; every radio row at least 44 px tall as Chromium lays it out; the
chosen answer still marked in forced colours (Windows' contrast themes).
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, NO_JS, PHONE
from .test_booking_flow import ANNA, JOHN, ROOM_1, ROOM_2

pytestmark = pytest.mark.browser

WHO, WHERE = "Who would you like to see?", "Which room?"
SIZES = {"phone": PHONE, "desktop": DESKTOP}
#: Every way of opening the page: two screen sizes, with and without JavaScript.
CONTEXTS = {
    **SIZES,
    "phone-nojs": {**PHONE, "java_script_enabled": False},
    "desktop-nojs": NO_JS,
}


def expect_question(page: Page, question: str) -> None:
    """The question is a group named by its legend, and that legend is the page's only h1."""
    expect(page.get_by_role("group", name=question)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    expect(page.locator("legend > h1")).to_have_text(question)


#: Of two PNGs the same size: how many pixels, and how many differ plainly (not by antialiasing).
DIFFERENT_PIXELS = """async ([first, second]) => {
  const pixels = async (source) => {
    const image = new Image();
    image.src = source;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, image.width, image.height).data;
  };
  const [a, b] = [await pixels(first), await pixels(second)];
  let differ = 0;
  for (let i = 0; i < a.length; i += 4) {
    let by = 0;
    for (let c = 0; c < 3; c += 1) by += Math.abs(a[i + c] - b[i + c]);
    if (by > 90) differ += 1;
  }
  return [a.length / 4, differ];
}"""


def png(element) -> str:
    return "data:image/png;base64," + base64.b64encode(element.screenshot()).decode()


def expect_rows_44px_tall(page: Page) -> None:
    rows = page.locator(".question-radio")
    assert rows.count() > 1
    for i in range(rows.count()):
        for box in (rows.nth(i).bounding_box(), rows.nth(i).locator("label").bounding_box()):
            assert box is not None and box["height"] >= 44, f"row {i}: {box}"


@pytest.mark.parametrize("kind", CONTEXTS)
def test_who_then_which_room_then_the_times(site, new_page, axe, screenshot, kind):
    page = new_page(**CONTEXTS[kind])
    page.goto(f"{site.url}/")
    expect_question(page, WHO)
    expect(page.get_by_role("radio", name="Any practitioner")).to_be_checked()
    expect(page.get_by_role("radio", name="Treatment Room 1")).to_have_count(0)
    expect(page.get_by_role("link", name="Back")).to_have_count(0)
    expect_rows_44px_tall(page)
    if "nojs" not in kind:  # axe-core runs as a script: the same markup is checked with JS
        axe(page, f"{kind} who")
    screenshot(f"step1-{kind}-1-who", page)

    page.get_by_role("radio", name="Anna", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(rf"/\?staffId={ANNA}$"))  # a real URL, no cookie
    expect_question(page, WHERE)
    expect(page.get_by_text("For an appointment with Anna.")).to_be_visible()
    expect(page.get_by_role("radio", name="Any room")).to_be_checked()
    expect_rows_44px_tall(page)
    if "nojs" not in kind:
        axe(page, f"{kind} which room")
    screenshot(f"step1-{kind}-2-room", page)

    page.get_by_role("radio", name="Treatment Room 2", exact=True).check()
    page.get_by_role("button", name="Find a free time").click()
    page.wait_for_url(re.compile(rf"/times/\?staffId={ANNA}&sectionId={ROOM_2}$"))
    expect(page.get_by_text("With Anna, in Treatment Room 2.")).to_be_visible()
    expect(page.get_by_text("Step 2 of 4")).to_be_visible()
    assert page.context.cookies() == []

    # Back, the browser's: the room question again, then who.
    page.go_back()
    expect_question(page, WHERE)
    page.go_back()
    expect_question(page, WHO)


@pytest.mark.parametrize("size", SIZES)
def test_both_questions_by_keyboard_alone(site, new_page, size):
    page = new_page(**SIZES[size])
    page.goto(f"{site.url}/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    checked = page.get_by_role("radio", name="Any practitioner")
    expect(checked).to_be_focused()
    page.keyboard.press("ArrowDown")  # a radio group: arrows choose
    expect(page.get_by_role("radio", name="Anna", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/\?staffId={ANNA}$"))

    expect_question(page, WHERE)
    page.get_by_role("link", name="Back").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Any room")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Treatment Room 1", exact=True)).to_be_checked()
    page.keyboard.press("Enter")  # Enter in a radio group sends the form
    page.wait_for_url(re.compile(rf"/times/\?staffId={ANNA}&sectionId={ROOM_1}$"))


def test_the_chosen_answer_still_shows_in_forced_colours(site, new_page):
    # Windows' contrast themes repaint backgrounds: a radio drawn as a filled
    # background (appearance: none) would look unchosen there, so site.css
    # hands it back to the system's own radio.
    page = new_page(**PHONE, forced_colors="active")
    page.goto(f"{site.url}/")
    chosen = page.get_by_role("radio", name="Any practitioner")
    expect(chosen).to_be_checked()
    unchosen = page.get_by_role("radio", name="Anna", exact=True)

    pixels, differ = page.evaluate(DIFFERENT_PIXELS, [png(chosen), png(unchosen)])
    assert differ > pixels / 10, (pixels, differ)


def test_the_back_link_leads_to_the_first_question(site, nojs_page):
    nojs_page.goto(f"{site.url}/?staffId={JOHN}")
    nojs_page.get_by_role("link", name="Back").click()
    nojs_page.wait_for_url(f"{site.url}/")
    expect_question(nojs_page, WHO)


def test_a_link_naming_both_goes_straight_on_to_the_times(site, page):
    page.goto(f"{site.url}/?staffId={ANNA}&sectionId={ROOM_2}")
    expect_question(page, WHERE)
    expect(page.get_by_role("radio", name="Treatment Room 2", exact=True)).to_be_checked()
    page.get_by_role("button", name="Find a free time").click()
    page.wait_for_url(re.compile(rf"/times/\?staffId={ANNA}&sectionId={ROOM_2}$"))


def test_rooms_anna_has_no_free_time_in_are_left_out_once_her_times_were_seen(site, page, axe):
    # The reference diary: Anna works in Treatment Room 2 only. Her times in
    # any room have been looked at, so the answers are at hand.
    page.goto(f"{site.url}/times/?staffId={ANNA}&sectionId=any")
    page.goto(f"{site.url}/?staffId={ANNA}")
    expect_question(page, WHERE)
    expect(page.get_by_role("radio", name="Treatment Room 2", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name="Treatment Room 1", exact=True)).to_have_count(0)
    expect(page.get_by_text("Only the rooms with a free time")).to_be_visible()
    axe(page, "rooms left out")


@pytest.mark.parametrize("size", SIZES)
def test_an_unknown_practitioner_in_a_link_is_said_on_the_question(site, new_page, axe, size):
    page = new_page(**SIZES[size])
    page.goto(f"{site.url}/?staffId=99999")
    expect_question(page, WHO)
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()  # the error summary first, as GOV.UK
    summary.get_by_role("link").click()
    expect(page.get_by_role("radio", name="Any practitioner")).to_be_focused()
    axe(page, f"{size} unknown practitioner")
