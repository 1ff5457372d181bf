"""Privacy and accessibility, stated, as a patient meets them in Chromium: the
notice beside the details form, the footer's links on every page, and the two
pages themselves, on a phone and a desktop, without JavaScript, by keyboard and
inside a practice's frame."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bookings import wizard
from bookings.slots import Slot

from .conftest import DESKTOP, NO_JS, PHONE
from .test_booking_flow import JOHN, ROOM_1
from .test_embed import booking_frame, embedded, practice_site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-privacy")  # noqa: S108 (where this issue asks for them)
DEVICES = {"phone": PHONE, "desktop": DESKTOP, "no-js": NO_JS}
FOOTER_LINKS = ("Privacy", "Accessibility statement")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_details(page: Page, site) -> None:
    """Step 3 for the first free time John has in room 1, by its real URL."""
    page.goto(f"{site.url}{wizard.url('times', staffId=JOHN, sectionId=ROOM_1)}")
    slot = Slot.from_key(page.get_by_role("radio").first.get_attribute("value"))
    page.goto(f"{site.url}{wizard.url('details', **slot.query)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")


def footer_link(page, name: str):
    return page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True)


@pytest.mark.parametrize("device", DEVICES)
def test_the_notice_sits_beside_the_form_just_above_its_first_field(site, new_page, axe, device):
    page = new_page(**DEVICES[device])
    open_details(page, site)

    notice = page.locator("#privacy-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("goes to Riverside Physiotherapy\u2019s appointment diary")
    expect(notice).to_contain_text("it is information about your health")
    box = notice.bounding_box()
    name_label = page.locator("label[for='id_name']").bounding_box()
    width = DEVICES[device]["viewport"]["width"]
    # Between the form's heading and its first field, no more than a line apart,
    # and wholly on the screen's width (no sideways scrolling on a phone).
    assert 0 <= name_label["y"] - (box["y"] + box["height"]) <= 32
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    link = notice.get_by_role("link", name=re.compile("^How Riverside Physiotherapy uses"))
    expect(link).to_have_attribute("href", "/privacy/")
    if device != "no-js":  # axe runs in the page: the markup is the same either way
        axe(page, f"details with the privacy notice ({device})")
    shoot(page, f"details-notice-{device}")


def test_the_notices_link_opens_the_privacy_page_in_a_new_tab_and_keeps_what_was_typed(site, page):
    open_details(page, site)
    page.get_by_role("textbox", name="Full name", exact=True).fill("Fred Smith")

    with page.expect_popup() as opened:
        page.locator("#privacy-notice").get_by_role("link").click()
    privacy = opened.value
    privacy.wait_for_load_state()

    assert privacy.url == f"{site.url}/privacy/"
    expect(privacy.get_by_role("heading", level=1)).to_contain_text("Privacy")
    expect(page.get_by_role("textbox", name="Full name", exact=True)).to_have_value("Fred Smith")


def test_the_notices_link_comes_before_the_fields_by_keyboard(site, page):
    open_details(page, site)
    page.locator("body").focus()

    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        )
        if reached[-1] == "id_name":
            break
    notice_link = next(i for i, name in enumerate(reached) if name.startswith("How Riverside"))
    assert notice_link < reached.index("id_name")


@pytest.mark.parametrize("device", DEVICES)
def test_every_page_links_privacy_and_accessibility_in_its_footer(site, new_page, device):
    page = new_page(**DEVICES[device])
    pages = ["/", wizard.url("times", staffId=JOHN, sectionId=ROOM_1), "/no-such-page/"]
    for path in pages:
        page.goto(f"{site.url}{path}")
        for name in FOOTER_LINKS:
            expect(footer_link(page, name)).to_be_visible()
    open_details(page, site)
    footer_link(page, "Accessibility statement").click()
    expect(page).to_have_url(f"{site.url}/accessibility/")
    footer_link(page, "Privacy").click()
    expect(page).to_have_url(f"{site.url}/privacy/")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("path", ["/privacy/", "/accessibility/"])
def test_both_pages_are_accessible_and_lead_back_to_the_step(site, new_page, axe, device, path):
    page = new_page(**DEVICES[device])
    open_details(page, site)
    details_url = page.url
    footer_link(page, "Privacy" if path == "/privacy/" else "Accessibility statement").click()
    expect(page).to_have_url(f"{site.url}{path}")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if device != "no-js":  # both need script in the page; the markup is the same without
        width = DEVICES[device]["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page, f"{path} ({device})")
    shoot(page, f"{path.strip('/')}-{device}")
    page.get_by_role("link", name="Back to your booking").click()
    expect(page).to_have_url(details_url)


def test_by_keyboard_the_footer_reaches_the_statement_and_back(site, page):
    page.goto(f"{site.url}/privacy/")
    page.locator("body").focus()

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Accessibility statement":
            break
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site.url}/accessibility/")
    page.keyboard.press("Tab")  # the skip link first
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused in ("Open in a new tab", "Back to your booking")


def test_the_screen_reader_tree_of_the_statement_has_its_headings_in_order(site, page):
    page.goto(f"{site.url}/accessibility/")

    tree = page.locator("main").aria_snapshot()

    headings = re.findall(r"heading \"(.+?)\" \[level=(\d)\]", tree)
    assert headings[0] == (
        "Accessibility statement for Riverside Physiotherapy\u2019s online booking",
        "1",
    )
    assert ("How we tested this website", "2") in headings
    assert ("Compliance status", "3") in headings


def test_inside_a_practices_frame_the_footer_opens_both_pages_in_the_frame(
    embedded,  # noqa: F811 (the fixture imported above)
    site,
    new_page,
    axe,
):
    page = new_page(**PHONE)
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)

    footer_link(frame, "Accessibility statement").click()
    frame.wait_for_url(f"{site.url}/accessibility/")
    expect(frame.locator("html")).to_have_class(re.compile("is-embedded"))
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    axe(frame, "embedded accessibility statement")
    page.evaluate("document.querySelector('[data-physio-booking] iframe').scrollIntoView()")
    page.screenshot(path=str(SHOTS / "accessibility-framed-phone.png"))

    footer_link(frame, "Privacy").click()
    frame.wait_for_url(f"{site.url}/privacy/")
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Privacy")
    axe(frame, "embedded privacy")

    frame.get_by_role("link", name="Back to your booking").click()
    frame.wait_for_url(f"{site.url}/")
