"""One strong focus style and the GOV.UK details, in Chromium, by keyboard.

Each step is walked with the Tab key, as a keyboard user would, and every
element that takes focus is measured as the browser draws it: its outline and
its ring (box-shadow) at least 2px wide, one of them at least 3:1 against what
surrounds the element (WCAG 1.4.11 and 2.4.13), and the element not hidden under
anything (2.4.11). Contrast is computed here, from the computed colours.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, NO_JS, PHONE
from .test_booking_flow import JOHN, PATIENT, ROOM_1, field
from .test_embed import booking_frame, embedded, practice_site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize(
    "options", [DESKTOP, PHONE, NO_JS], ids=["desktop", "phone", "no-js"]
)

#: The focused element as the patient sees it: its kind, and each ring drawn
#: around it (outline, then box-shadow beyond it) with the colour behind it.
MEASURE = """() => {
  const el = document.activeElement;
  // A free-time tile's radio is see-through: its label draws the tile and the ring.
  const drawn = getComputedStyle(el).opacity === '0' && el.labels ? el.labels[0] : el;
  const style = getComputedStyle(drawn);
  const kind = el.closest('.free-time') ? 'time tile'
    : el.type === 'radio' ? 'radio' : el.tagName === 'TEXTAREA' ? 'textarea'
    : el.tagName === 'INPUT' ? 'text field' : el.tagName === 'BUTTON' ? 'button'
    : el.tagName === 'A' ? 'link' : el.tagName;
  const rings = [];
  const outline = parseFloat(style.outlineWidth);
  if (style.outlineStyle !== 'none' && outline > 0)
    rings.push({colour: style.outlineColor, width: outline});
  const length = String.raw`(-?[\\d.]+)px`;
  const shadow = style.boxShadow.match(
    new RegExp(String.raw`^(rgba?\\([^)]*\\)) ${length} ${length} ${length} ${length}$`));
  if (shadow) {
    const inside = Math.max(0, parseFloat(style.outlineOffset) + (rings.length ? outline : 0));
    const beyond = parseFloat(shadow[5]) - inside;
    if (beyond > 0) rings.push({colour: shadow[1], width: beyond});
  }
  let behind = 'rgb(255, 255, 255)';
  for (let node = drawn.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { behind = colour; break; }
  }
  const box = drawn.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const inView = y >= 0 && y < innerHeight && x >= 0 && x < innerWidth;
  const hit = inView ? document.elementFromPoint(x, y) : null;
  const seen = !!hit && (hit === el || el.contains(hit) || drawn.contains(hit) || hit.contains(el));
  const name = el.innerText || el.labels?.[0]?.innerText || el.name || '';
  const where = hit ? hit.outerHTML.slice(0, 60) : `out of view at ${x}, ${y}`;
  return {kind, name: name.trim().slice(0, 40), rings, behind, seen, hit: where};
}"""


def rgb(colour: str, over: str = "rgb(255, 255, 255)") -> tuple[float, float, float]:
    """A computed colour as 0-1 channels, see-through ones blended over `over` as drawn."""
    red, green, blue, *alpha = (float(v) for v in re.findall(r"[\d.]+", colour))
    opacity = alpha[0] if alpha else 1.0
    under = rgb(over) if opacity < 1 else (0.0, 0.0, 0.0)
    channels = zip((red, green, blue), under, strict=True)
    return tuple(opacity * v / 255 + (1 - opacity) * u for v, u in channels)


def luminance(colour: tuple[float, float, float]) -> float:
    red, green, blue = colour

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(ring: str, behind: str) -> float:
    light, dark = sorted((luminance(rgb(ring, behind)), luminance(rgb(behind))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def settle(page: Page) -> None:
    """Wait for focus's scroll into view (smooth, where the page asks) and for any
    transition a theme gives the ring, page scripts or none."""
    last = None
    for _ in range(40):
        now = page.evaluate("scrollY")
        if now == last:
            break
        last = now
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)


def tab_through(page: Page, most: int = 60) -> list[dict]:
    """Tab from the top of the page to its end; what each focused element shows."""
    seen, measured = set(), []
    page.locator("body").focus()
    for _ in range(most):
        page.keyboard.press("Tab")
        key = page.evaluate("document.activeElement.id || document.activeElement.outerHTML")
        if key in seen or page.evaluate("document.activeElement === document.body"):
            break
        seen.add(key)
        settle(page)
        measured.append(page.evaluate(MEASURE))
    return measured


def weak(focused: list[dict]) -> list[dict]:
    """The focused elements whose focus a patient could miss."""
    return [
        each
        for each in focused
        if not each["seen"]
        or not any(
            ring["width"] >= 2 and contrast(ring["colour"], each["behind"]) >= 3
            for ring in each["rings"]
        )
    ]


def pretty(focused: list[dict]) -> str:
    return "\n".join(str(each) for each in focused)


@pytest.fixture
def quick_forms(settings):
    settings.BOOKING_FORM_MIN_SECONDS = 0


@VIEWPORTS
def test_every_control_on_every_step_shows_a_strong_focus_by_keyboard(
    site, new_page, axe, options, quick_forms
):
    page = new_page(**options)
    if options.get("java_script_enabled") is False:
        axe = lambda page, where: None  # noqa: E731 (axe-core is a script: the same pages are checked with it on)
    focused = []
    page.goto(f"{site.url}/")
    focused += tab_through(page)
    axe(page, "step 1")
    page.goto(f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}&next=1")  # "Choose a time"
    focused += tab_through(page)
    axe(page, "step 2 with its error")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/details/\?"))
    page.get_by_role("button", name="Book appointment").click()  # empty: every field in error
    expect(page.locator(".error-summary")).to_be_visible()
    focused += tab_through(page)
    axe(page, "step 3 with errors")
    for label, value in PATIENT.items():
        field(page, label).fill(value)
    page.get_by_role("button", name="Book appointment").click()
    page.wait_for_url(re.compile(r"/booked/[^/]+/$"))
    focused += tab_through(page)
    axe(page, "step 4")

    kinds = {each["kind"] for each in focused}
    assert {"link", "button", "radio", "time tile", "text field", "textarea"} <= kinds, kinds
    assert not weak(focused), pretty(weak(focused))


def test_the_embeds_open_in_a_new_tab_link_shows_a_strong_focus(embedded, site, page):  # noqa: F811
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    link = frame.get_by_role("link", name="Open in a new tab")
    for _ in range(5):
        page.keyboard.press("Tab")
        if link.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached 'Open in a new tab'")
    (measured,) = [frame.evaluate(MEASURE)]
    assert not weak([measured]), pretty([measured])


@pytest.mark.parametrize("theme", ["#000000", "#ffdd00", "#0b0c0c"])
def test_no_theme_colour_can_hide_the_focus(site, page, settings, theme):
    settings.THEME_BRAND_COLOUR = theme
    settings.THEME_ACCENT_COLOUR = theme
    page.goto(f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}")
    focused = tab_through(page)
    assert {"link", "button", "time tile"} <= {each["kind"] for each in focused}
    assert not weak(focused), pretty(weak(focused))


def press_back(page: Page) -> None:
    """Tab to the back link and follow it with Enter, as a keyboard user would."""
    back = page.get_by_role("link", name="Back", exact=True)
    page.locator("body").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if back.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the back link")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@VIEWPORTS
def test_the_back_link_leads_to_the_step_before_with_the_choice_made(site, new_page, options):
    page = new_page(**options)
    page.goto(f"{site.url}/")
    expect(page.get_by_role("link", name="Back", exact=True)).to_have_count(0)
    page.goto(f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}")
    first = page.get_by_role("radio").first
    day = first.get_attribute("value")[:8]
    first.check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/details/\?"))

    press_back(page)
    assert page.url == f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}&date={day}"
    press_back(page)
    assert page.url == f"{site.url}/?staffId={JOHN}&sectionId={ROOM_1}"
    expect(page.get_by_role("radio", checked=True).first).to_be_visible()


@pytest.mark.parametrize("options", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_hints_sit_between_label_and_field_and_fields_in_error_have_no_icon(
    site, new_page, options, axe, screenshot
):
    page = new_page(**options)
    page.goto(f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/details/\?"))
    field(page, "Phone number").fill("0161 ab")
    page.get_by_role("button", name="Book appointment").click()
    phone = field(page, "Phone number")
    expect(phone).to_have_accessible_description(re.compile("^In case the practice.*Error: Enter"))

    label, hint, field_box = (
        page.locator(selector).bounding_box()
        for selector in ("label[for=id_phone]", "#id_phone_helptext", "#id_phone")
    )
    assert label["y"] < hint["y"] < field_box["y"]
    style = phone.evaluate(
        "f => { const s = getComputedStyle(f);"
        " return [s.backgroundImage, s.paddingLeft, s.paddingRight]; }"
    )
    assert style[0] == "none" and style[1] == style[2]  # no "!" and no room kept for it
    group = page.locator("#div_id_phone").evaluate(
        "g => [getComputedStyle(g).borderLeftWidth, getComputedStyle(g).borderLeftColor]"
    )
    assert float(group[0].removesuffix("px")) >= 4
    assert contrast(group[1], "rgb(255, 255, 255)") >= 4.5  # the error colour: red, not pale
    axe(page, "step 3, a field in error")


@VIEWPORTS
def test_the_times_error_marks_the_group_and_is_read_with_it(site, new_page, options, axe):
    page = new_page(**options)
    if options.get("java_script_enabled") is False:
        axe = lambda page, where: None  # noqa: E731 (axe-core is a script: checked with it on)
    page.goto(f"{site.url}/times/?staffId={JOHN}&sectionId={ROOM_1}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    times = page.locator("#free-times")
    width = times.evaluate("form => getComputedStyle(form).borderLeftWidth")
    assert float(width.removesuffix("px")) >= 4
    day = page.get_by_role("group").first
    expect(day).to_have_accessible_description(re.compile("Choose a time"))
    axe(page, "step 2, no time chosen")
