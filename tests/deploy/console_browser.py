"""The practice's console in Chromium: staff's ways through its forms, and a look at each page.

`checked(page, name, size)` is what every console page must pass as it is
now: axe-core finds nothing, nothing is wider than the screen, and a screenshot,
`test-artifacts/console-<name>-<size>.png`, for docs/practice.md. Each is the
screen as a manager sees it, one pixel per CSS pixel, so that the few copied
into docs/images/ stay small; what lies below the fold is checked by script.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from ..e2e.conftest import ARTIFACTS, DESKTOP, PHONE

CONSOLE = "/admin/"
#: The row of links to the console's pages (console/templates/admin/base_site.html).
MENU = "The console\N{RIGHT SINGLE QUOTATION MARK}s pages"
SIZES = {"desktop": DESKTOP, "phone": PHONE}
TITLE = {"en-gb": "Senior physiotherapist", "cy": "Uwch ffisiotherapydd"}
BIO = {
    "en-gb": "Sports injuries and runners' knees.",
    "cy": "Anafiadau chwaraeon a phengliniau rhedwyr.",
}
NOTICE = {
    "en-gb": "Closed for staff training today and tomorrow: online booking stays open.",
    "cy": "Ar gau ar gyfer hyfforddiant staff heddiw ac yfory: mae trefnu ar-lein ar agor.",
}
ACCESS_NOTES = "Step-free: on the ground floor, by the car park."

# --- Looking at a page ---------------------------------------------------------------


def accessible(page: Page, where: str) -> None:
    """axe-core finds nothing on the page as it is now.

    Without axe's "preload", which fetches each style sheet again to read it and
    resolves the admin's `@import url(widgets.css)` against the page instead of
    the sheet: the Content Security Policy refuses that fetch (rightly, it is
    axe's), and `new_page` fails a test on any refusal. Only its orientation-lock
    rule reads style sheets that way; the console locks no orientation.
    """
    results = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    assert results.violations_count == 0, (
        f"axe-core found {results.violations_count} violation(s) on {where}:\n"
        f"{results.generate_report()}"
    )


def shot(page: Page, name: str, size: str) -> Path:
    """test-artifacts/console-<name>-<size>.png: the screen, one pixel per CSS pixel."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}-{size}.png"
    page.screenshot(path=str(path), scale="css")
    return path


def fits_the_screen(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{where} scrolls sideways: {width} pixels wide"


def checked(page: Page, name: str, size: str) -> None:
    """The page as it is now: axe-core, nothing wider than the screen, a screenshot."""
    shot(page, name, size)
    accessible(page, f"{name} ({size})")
    fits_the_screen(page, f"{name} ({size})")


# --- Using the console ---------------------------------------------------------------


def sign_in(page: Page, base: str, account: tuple[str, str], size: str = "") -> None:
    page.goto(base + CONSOLE)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()  # sent to sign in
    if size:
        checked(page, "sign-in", size)
    page.get_by_label("Username").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + CONSOLE)


def open_from_menu(page: Page, link: str) -> None:
    """One of the console's pages, from the row of links under the practice's name."""
    menu = page.get_by_role("navigation", name=MENU)
    menu.get_by_role("link", name=link).click()
    page.wait_for_load_state()


def save(page: Page, message: str | re.Pattern) -> float:
    """Press Save; the admin says it worked. When it was saved (time.monotonic)."""
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(message)
    return time.monotonic()


def fill_in_anna(page: Page) -> None:
    """From the practitioners' list: Anna's page, her title and bio in both languages."""
    page.get_by_role("link", name="Anna", exact=True).click()
    expect(page.get_by_role("heading", name="Anna", level=2)).to_be_visible()  # the diary's name
    page.get_by_label("Title (English)").fill(TITLE["en-gb"])
    page.get_by_label("Title (Cymraeg)").fill(TITLE["cy"])
    page.get_by_label("Short bio (English)").fill(BIO["en-gb"])
    page.get_by_label("Short bio (Cymraeg)").fill(BIO["cy"])
    page.get_by_label("Languages spoken").fill("English, Cymraeg")


def fill_in_notice(page: Page) -> None:
    """From the notices' list: a new notice in both languages, from today to tomorrow."""
    page.get_by_role("link", name="Add notice").click()
    page.get_by_label("Text (English)").fill(NOTICE["en-gb"])
    page.get_by_label("Text (Cymraeg)").fill(NOTICE["cy"])
    # The calendar's "Today" for the first day; the last typed as a manager would.
    page.locator(".field-starts_on").get_by_role("link", name="Today").click()
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()  # TIME_ZONE's
    expect(page.get_by_label("Shown from")).to_have_value(f"{today:%d/%m/%Y}")
    page.get_by_label("Shown until").fill(f"{today + dt.timedelta(days=1):%d/%m/%Y}")
