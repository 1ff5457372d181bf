"""A themed site (THEME_* changed, nothing rebuilt) as Chromium draws it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PURPLE, PURPLE_RGB = "#6a1b9a", "rgb(106, 27, 154)"
AMBER_RGB = "rgb(255, 213, 79)"


@pytest.fixture
def themed(site, settings):
    settings.THEME_BRAND_COLOUR = PURPLE
    settings.THEME_ACCENT_COLOUR = "#ffd54f"
    settings.THEME_RADIUS = "12px"
    settings.THEME_FONT_STACK = "Georgia, serif"
    return site


def style(locator, prop: str) -> str:
    return locator.evaluate(f"element => getComputedStyle(element)['{prop}']")


def test_the_brand_colour_accent_radius_and_font_reach_the_page(themed, page, screenshot, axe):
    page.goto(f"{themed.url}/?staffId=42230&sectionId=7323")  # the room question
    button = page.get_by_role("button", name="Find a free time")
    assert style(button, "backgroundColor") == PURPLE_RGB
    assert style(button, "color") == "rgb(255, 255, 255)"  # white reads best on purple
    assert style(button, "borderTopLeftRadius") == "12px"
    # Pressed once, the button is disabled ("Booking…"): still purple, no other colour.
    button.evaluate("element => { element.disabled = true; }")
    assert style(button, "borderTopColor") == PURPLE_RGB
    button.evaluate("element => { element.disabled = false; }")
    header = page.locator(".site-header")
    assert style(header, "backgroundColor") == PURPLE_RGB
    assert style(header, "borderBottomColor") == AMBER_RGB
    assert style(page.locator("body"), "fontFamily") == "Georgia, serif"
    chosen = page.get_by_role("radio", name="Treatment Room 2", exact=True)
    expect(chosen).to_be_checked()
    assert style(chosen, "backgroundColor") == PURPLE_RGB
    screenshot("theme-1-choose")
    axe(page, "themed choose")

    button.click()
    tile = page.locator(".free-time label").first
    assert style(tile, "color") == PURPLE_RGB
    assert style(tile, "borderTopLeftRadius") == "12px"
    screenshot("theme-2-times")


def test_a_light_brand_colour_gets_dark_text(site, settings, page):
    settings.THEME_BRAND_COLOUR = "#ffd54f"
    page.goto(f"{site.url}/")
    button = page.get_by_role("button", name="Continue")
    assert style(button, "backgroundColor") == AMBER_RGB
    assert style(button, "color") == "rgb(27, 27, 27)"
