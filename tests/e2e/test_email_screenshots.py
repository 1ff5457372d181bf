"""Every email, as /preview/ shows it, in Chromium at a phone's and a desktop's size: both
parts on one page (the HTML part in its frame, the text part below it), and the HTML part
alone as a mail program shows it, with the practice's logo attached.

Screenshots land in test-artifacts/ as email-<email>-<phone|desktop>.png (the preview
page) and email-<email>-html-<phone|desktop>.png (the HTML part alone), where <email> is
the preview state's name after its "email-" ("email" itself: "confirmation").
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Iterator

import pytest
from django.urls import clear_url_caches
from playwright.sync_api import Page, expect

from preview import states

from ..images import a_png
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

DEVICES = {"phone": PHONE, "desktop": DESKTOP}
EMAILS = [state for state in states.STATES if state.message is not None]
WITH_HTML = [state.slug for state in EMAILS if "practice" not in state.slug]


def shot_name(slug: str) -> str:
    """email-confirmation for the state "email", email-moved for "email-moved", and so on."""
    return "email-" + (slug.removeprefix("email-") if slug != "email" else "confirmation")


def _reload_urls() -> None:
    clear_url_caches()
    importlib.reload(importlib.import_module("booking_site.urls"))


@pytest.fixture
def preview(live_server, settings, tmp_path):
    """/preview/ on the live server (DEBUG on routes it), the practice's logo a PNG.

    The patterns are rebuilt as they were afterwards, with DEBUG as it was: the other
    tests see no /preview/.
    """
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "logo.png").write_bytes(a_png((178, 34, 52)))
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    settings.THEME_LOGO = "theme/logo.png"
    debug = settings.DEBUG
    settings.DEBUG = True
    _reload_urls()
    yield live_server
    settings.DEBUG = debug
    _reload_urls()


def fits_the_screen(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scrolling"


@contextlib.contextmanager
def whole_page_on_screen(page: Page) -> Iterator[None]:
    """A screen as tall as the page, its width kept, then the screen as it was.

    Chromium paints the email's sandboxed frame (a process of its own) only where it is on
    screen, so a full page's screenshot of a phone-sized screen shows most of it blank.
    """
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    # Two frames: the resized layout, then the frame's paint of it.
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    yield
    page.set_viewport_size(size)


def text_part(page: Page) -> str:
    part = page.get_by_label("The email's text")
    expect(part).to_be_visible()
    return part.inner_text()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("slug", [state.slug for state in EMAILS])
def test_each_email_shows_both_parts(preview, new_page, screenshot, axe, slug, device):
    page = new_page(**DEVICES[device])
    page.goto(f"{preview.url}/preview/{slug}/")

    lines = [line for line in text_part(page).splitlines() if line.strip()]
    assert len(lines) >= 3, "the text part is missing or empty"
    frame = page.frame_locator('iframe[title="The email\'s HTML part"]')
    if slug in WITH_HTML:
        expect(frame.get_by_role("heading", level=1)).to_be_visible()
        # Both parts say the same: the text part's first words are in the HTML part too.
        expect(frame.locator("body")).to_contain_text(lines[1].strip()[:20])
    else:
        expect(page.locator("iframe")).to_have_count(0)
    with whole_page_on_screen(page):
        screenshot(f"{shot_name(slug)}-{device}", page)
    axe(page, f"/preview/{slug}/ on a {device}")
    fits_the_screen(page)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("slug", WITH_HTML)
def test_the_html_part_alone_reads_well_on_its_own(preview, new_page, screenshot, slug, device):
    page = new_page(**DEVICES[device])
    answer = page.goto(f"{preview.url}/preview/{slug}/email.html")

    assert re.search(r'<html lang="[a-z]{2}(-[A-Z]{2})?">', answer.text())
    images = page.locator("img")
    expect(images).not_to_have_count(0)  # the logo, attached and shown inline
    for image in images.all():
        assert (image.get_attribute("alt") or "").strip(), "an image without alternative text"
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "an image not shown"
    screenshot(f"{shot_name(slug)}-html-{device}", page)
    meets_wcag(page, f"the HTML part of {slug} on a {device}")
    fits_the_screen(page)


def meets_wcag(page: Page, where: str) -> None:
    """axe-core's WCAG 2.2 A and AA rules. Not its best practices for web pages (a main
    landmark, all content in landmarks): a mail program shows an email inside its own page."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"
