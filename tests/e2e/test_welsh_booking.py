"""The whole booking in Welsh, in Chromium: as a Welsh-speaking patient books.

The site offers English and Welsh (`SITE_LANGUAGES=en-gb,cy`); the patient
starts at `/cy/` and books with JavaScript on (a desktop and a phone, axe-core
on every step) and off. Each step is found by its Welsh name, as a screen
reader would announce it (locale/cy/LC_MESSAGES/django.po), and says
`<html lang="cy">`. The language links lead to the same step in English, and
a Welsh browser arriving at `/` is sent to `/cy/`. Screenshots of every step
go to test-artifacts/welsh-….png, for a Welsh reader's eye; what a script can
tell of the layout (sideways scrolling, words cut off) is checked here too.
(The Welsh words themselves, page by page: tests/site/test_welsh.py.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import DESKTOP, NO_JS, PHONE
from .test_booking_flow import JOHN, PATIENT, ROOM_1, Slot, expect_in_diary, field, press
from .test_focus_and_details import MEASURE, pretty, settle, weak

pytestmark = pytest.mark.browser

#: What the patient types, Welsh diacritics and all, by the form's Welsh labels.
CLAF = {
    "Enw llawn": "Siân Llŷr",
    "Rhif ffôn": "01632 960 002",
    "Cyfeiriad e-bost": "sian@example.com",
    "Rheswm dros eich ymweliad (dewisol)": "Poen yn fy mhen-glin ers rhedeg",
}
#: The same, by the English labels test_booking_flow's `expect_in_diary` reads.
AS_TYPED = dict(zip(PATIENT, CLAF.values(), strict=True))

#: Django's Welsh day and month names, as the pages write a date ("Dydd Llun 7 Rhagfyr").
DIWRNODAU = ("Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener")
DIWRNODAU += ("Dydd Sadwrn", "Dydd Sul")
# "Gorffenaf" is Django's own spelling of July (Gorffennaf): on the review list.
MISOEDD = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffenaf", "Awst")
MISOEDD += ("Medi", "Hydref", "Tachwedd", "Rhagfyr")

#: Step 1's first question: "Who would you like to see?"
WHO = "Gyda phwy yr hoffech chi gael apwyntiad?"
#: A browser set to Welsh: it sends `Accept-Language: cy-GB`.
WELSH_BROWSER = {**DESKTOP, "locale": "cy-GB"}
SIZES = {"desktop": DESKTOP, "phone": PHONE}

#: Words of our English a Welsh page must not show (booking.js's among them).
ENGLISH = re.compile(r"\b(Continue|Booking|Print|Back|Change|Book|Your|the|with)\b")

#: What a script can tell of words that do not fit: an element wider than the
#: screen, or a button, heading, label or link whose text is cut off by its box.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const seen = (el) => el.getClientRects().length > 0;
  const cut = [];
  for (const el of document.querySelectorAll(
      'button, .btn, h1, h2, h3, legend, label, .language-links a, .back-link, .practice-name')) {
    if (!seen(el) || el.closest('.visually-hidden, .leave-empty')) continue;
    const box = el.getBoundingClientRect();
    const clipped = el.scrollWidth > el.clientWidth + 1
      || (getComputedStyle(el).overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1);
    if (box.right > width + 1 || box.left < -1 || clipped)
      cut.push(el.outerHTML.slice(0, 80));
  }
  return cut;
}"""


def dydd(moment: dt.datetime) -> str:
    """A date as the Welsh pages write it: "Dydd Gwener 11 Rhagfyr 2026"."""
    return f"{DIWRNODAU[moment.weekday()]} {moment.day} {MISOEDD[moment.month - 1]} {moment.year}"


def overlap(one: dict, other: dict) -> bool:
    """Whether two bounding boxes share any area."""
    across = min(one["x"] + one["width"], other["x"] + other["width"]) - max(one["x"], other["x"])
    down = min(one["y"] + one["height"], other["y"] + other["height"]) - max(one["y"], other["y"])
    return across > 0 and down > 0


def expect_welsh(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "cy")


def expect_nothing_cut_off(page: Page, where: str) -> None:
    assert page.evaluate(CUT_OFF) == [], f"words cut off or too wide on {where}"
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{where} scrolls sideways: {width} > {viewport} pixels"


def choose_in_welsh(page: Page, site, *, touch: bool, before: Callable[[str], None]) -> None:
    """Step 1 at /cy/: "Gyda phwy…?" John, then "Pa ystafell?" Treatment Room 1."""
    page.goto(f"{site.url}/cy/")
    questions = (
        (WHO, "John", "Parhau", "1-who"),
        ("Pa ystafell?", "Treatment Room 1", "Dod o hyd i amser rhydd", "1-which-room"),
    )
    for question, answer, button, step in questions:
        expect(page.get_by_role("group", name=question)).to_be_visible()
        press(page.get_by_role("radio", name=answer, exact=True), touch=touch)
        before(step)
        press(page.get_by_role("button", name=button), touch=touch)
    page.wait_for_url(re.compile(r"/cy/times/\?"))


def pick_first_time_in_welsh(
    page: Page, *, touch: bool, javascript: bool, before: Callable[[str], None]
) -> Slot:
    """Step 2: the first free time (each tile says its day, in Welsh), then Parhau."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Dewiswch ddyddiad ac amser")
    expect(page.get_by_text("Gyda John, yn Treatment Room 1.")).to_be_visible()
    first = page.get_by_role("radio").first
    slot = Slot.parse(first.get_attribute("value"))
    day = dydd(slot.start).rsplit(" ", 1)[0]  # "Dydd Gwener 11 Rhagfyr"
    expect(first).to_have_accessible_name(re.compile(rf"^{slot.hhmm} ?, {day}$"))
    press(first, touch=touch)
    expect(first).to_be_checked()
    proceed = page.get_by_role("button", name=re.compile("^Parhau"))
    # With the script, Continue names the time chosen; without, it says Parhau.
    expect(proceed).to_have_text(f"Parhau: {day}, {slot.hhmm}" if javascript else "Parhau")
    before("2-times")
    press(proceed, touch=touch)
    page.wait_for_url(re.compile(r"/cy/details/\?"))
    return slot


def details_with_errors(
    page: Page, slot: Slot, *, touch: bool, before: Callable[[str], None]
) -> None:
    """Step 3: the appointment, then the form sent half filled in: Welsh errors,
    linked, and what was typed kept as typed."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich manylion")
    summary = page.get_by_role("region", name="Eich apwyntiad")
    expect(summary).to_contain_text(f"{dydd(slot.start)} am {slot.hhmm}")
    expect(summary).to_contain_text("John")
    expect(summary).to_contain_text("Treatment Room 1")
    before("3-details")
    field(page, "Enw llawn").fill(CLAF["Enw llawn"])
    field(page, "Cyfeiriad e-bost").fill("sian-yn-example")
    press(page.get_by_role("button", name="Trefnu'r apwyntiad"), touch=touch)
    problem = page.get_by_role("alert").filter(has_text="Mae problem wedi codi")
    expect(problem).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Gwall: Eich manylion"))
    expect(problem.get_by_role("link")).to_have_text(
        ["Rhowch rif ffôn", "Rhowch gyfeiriad e-bost fel name@example.com"]
    )
    expect(field(page, "Enw llawn")).to_have_value("Siân Llŷr")
    expect(field(page, "Rhif ffôn")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "Rhif ffôn")).to_have_accessible_description(re.compile("Rhowch rif ffôn"))
    before("3-details-errors")
    for label, value in CLAF.items():
        field(page, label).fill(value)
    # Pressed, the button says it is booking (booking.js), in Welsh.
    book = page.get_by_role("button", name="Trefnu'r apwyntiad")
    expect(book).to_have_attribute("data-busy", "Wrthi'n trefnu…")


def dd(region: Locator, term: str) -> Locator:
    """The value beside `term` in a summary list."""
    return region.locator(".summary-row").filter(has=region.page.get_by_text(term, exact=True))


def expect_booked_in_welsh(page: Page, slot: Slot) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Apwyntiad wedi'i drefnu")
    expect(page).to_have_title(re.compile(r"^Apwyntiad wedi'i drefnu "))
    expect(page.locator(".panel-when")).to_have_text(f"{dydd(slot.start)} am {slot.hhmm}")
    appointment = page.get_by_role("region", name="Eich apwyntiad")
    end = slot.start + dt.timedelta(minutes=45)
    expect(dd(appointment, "Dyddiad")).to_contain_text(dydd(slot.start))
    expect(dd(appointment, "Amser")).to_contain_text(f"{slot.hhmm} i {end:%H:%M} (45 munud")
    expect(dd(appointment, "Ymarferydd")).to_contain_text("John")
    expect(dd(appointment, "Ystafell")).to_contain_text("Treatment Room 1")
    expect(page.get_by_text("Sylwch ar yr amser")).to_have_count(0)  # booked as asked


def download_welsh_calendar(page: Page, slot: Slot) -> icalendar.Event:
    with page.expect_download() as info:
        page.get_by_role("link", name="Lawrlwytho ffeil calendr (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == slot.start
    return event


def book_in_welsh(page: Page, site, screenshot, prefix: str, *, touch=False, axe=None) -> Slot:
    """Who, which room, a time, the details (with errors on the way), booked."""
    javascript = axe is not None

    def check(step: str) -> None:
        expect_welsh(page)
        screenshot(f"{prefix}-{step}", page)
        expect_nothing_cut_off(page, f"{prefix}-{step}")
        if axe:
            axe(page, f"{prefix}-{step}")

    choose_in_welsh(page, site, touch=touch, before=check)
    slot = pick_first_time_in_welsh(page, touch=touch, javascript=javascript, before=check)
    assert (slot.practitioner_id, slot.room_id) == (JOHN, ROOM_1)
    details_with_errors(page, slot, touch=touch, before=check)
    press(page.get_by_role("button", name="Trefnu'r apwyntiad"), touch=touch)
    page.wait_for_url(re.compile(r"/cy/booked/[^/]+/$"))
    expect_booked_in_welsh(page, slot)
    # The one thing the script adds here, a print button, speaks Welsh too.
    printing = page.get_by_role("button", name="Argraffu'r dudalen hon")
    expect(printing).to_have_count(1 if javascript else 0)
    check("4-booked")
    english = [
        line for line in page.locator("main").inner_text().splitlines() if ENGLISH.search(line)
    ]
    assert english == [], "English on the Welsh confirmation"
    event = download_welsh_calendar(page, slot)
    assert str(event["SUMMARY"]).startswith("Ffisiotherapi gyda John yn ")
    assert expect_in_diary(slot, AS_TYPED).name == "Siân Llŷr"
    return slot


@pytest.fixture
def welsh_site(site, bilingual):
    """The site offering English and Welsh, as `SITE_LANGUAGES=en-gb,cy` makes it."""
    return site


# --- 1 to 3: the whole booking, on a desktop, a phone and without JavaScript, all cy ------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_welsh_patient_books_in_welsh_with_javascript(
    welsh_site, new_page, screenshot, axe, size
):
    page = new_page(**SIZES[size])

    book_in_welsh(page, welsh_site, screenshot, f"welsh-{size}", touch=size == "phone", axe=axe)


def test_a_welsh_patient_books_in_welsh_without_javascript(welsh_site, new_page, screenshot):
    page = new_page(**NO_JS)

    book_in_welsh(page, welsh_site, screenshot, "welsh-nojs")


# --- 4 and 5: the language links, the browser's language, the keyboard, the header -------


def test_the_english_link_keeps_the_step_and_its_choices_and_english_sticks(welsh_site, new_page):
    page = new_page(**WELSH_BROWSER)
    page.goto(f"{welsh_site.url}/cy/times/?staffId={JOHN}&sectionId={ROOM_1}")
    expect_welsh(page)
    times = [radio.get_attribute("value") for radio in page.get_by_role("radio").all()]
    english = page.get_by_role("navigation", name="Ieithoedd").get_by_role("link", name="English")
    expect(english).to_have_attribute("lang", "en-GB")
    expect(english).to_have_attribute("hreflang", "en-GB")

    english.click()

    page.wait_for_url(re.compile(r"/times/\?"))
    assert "/cy/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a date and time")
    expect(page.get_by_text("With John, in Treatment Room 1.")).to_be_visible()
    assert [radio.get_attribute("value") for radio in page.get_by_role("radio").all()] == times
    for way_back in ("Back", "Change practitioner or room"):
        page.get_by_role("link", name=way_back, exact=True).click()
        expect(page.get_by_role("group", name=re.compile(r"\?$"))).to_be_visible()
        # Step 1 is `/`, which follows a Welsh browser only when it arrives from elsewhere.
        expect(page.locator("html")).to_have_attribute("lang", "en-GB")
        assert "/cy/" not in page.url
        page.go_back()
    expect(page.get_by_role("link", name="Cymraeg")).to_have_attribute("lang", "cy")


def test_a_welsh_browser_opening_the_start_lands_on_the_welsh_start(welsh_site, new_page):
    page = new_page(**WELSH_BROWSER)

    page.goto(f"{welsh_site.url}/")

    assert page.url == f"{welsh_site.url}/cy/"
    expect_welsh(page)
    expect(page.get_by_role("group", name=WHO)).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_by_keyboard_the_language_link_comes_before_the_content_and_shows_focus(
    welsh_site, new_page, size
):
    page = new_page(**SIZES[size])
    page.goto(f"{welsh_site.url}/cy/times/?staffId={JOHN}&sectionId={ROOM_1}")
    page.locator("body").focus()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Neidio i'r prif gynnwys")).to_be_focused()
    page.keyboard.press("Tab")

    expect(page.get_by_role("link", name="English")).to_be_focused()
    settle(page)
    focused = [page.evaluate(MEASURE)]
    assert not weak(focused), pretty(focused)


#: A Welsh practice name as long as they come, beside the language link on a phone.
LONG_NAME = "Ffisiotherapi a Chlinig Anafiadau Chwaraeon Glan yr Afon"


@pytest.mark.parametrize("name", ["Riverside Physiotherapy", LONG_NAME], ids=["name", "long-name"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_language_link_sits_in_the_header_clear_of_the_practice_name(
    welsh_site, new_page, screenshot, settings, size, name
):
    settings.PRACTICE_TEXTS = {"cy": {"PRACTICE_NAME": name}}
    page = new_page(**SIZES[size])
    page.goto(f"{welsh_site.url}/cy/")
    expect(page.locator(".practice-name")).to_have_text(name)
    header = page.locator(".site-header").bounding_box()
    practice = page.locator(".practice-name").bounding_box()
    link = page.get_by_role("link", name="English").bounding_box()

    screenshot(f"welsh-{size}-header{'-long-name' if name == LONG_NAME else ''}", page)

    assert not overlap(practice, link), (practice, link)
    assert header["y"] <= link["y"] and link["y"] + link["height"] <= header["y"] + header["height"]
    # Beside the name, at the header's far end, where a language switch is looked
    # for; under a name too long to share its line (the header wraps).
    beside = link["y"] < practice["y"] + practice["height"]
    if size == "desktop" or beside:
        assert link["x"] + link["width"] >= header["x"] + header["width"] - 40, (link, header)
    else:
        assert link["y"] >= practice["y"] + practice["height"], (practice, link)
    assert link["height"] >= 24  # to tap (WCAG 2.5.8)
