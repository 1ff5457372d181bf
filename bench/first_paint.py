"""Bytes to first paint: each step's page and the style sheets that hold up its drawing, cold.

Used by bench/bytes.py, which serves the site and books. Each step is opened in
a new Chromium context (an empty cache, as for a patient who has never been
here), and counted on the wire as bench/cdp_recorder.py counts: the document
(any redirect on the way included) and every style sheet that blocks
rendering, each with its status line and headers and compressed. A sheet
blocks rendering when a `<link rel="stylesheet">` names it with no `media`,
or one that matches the phone's screen, and it is not disabled: read from
the page as drawn, so a sheet left out (or added) by the templates is seen.
Scripts are deferred and block nothing; they are not counted.

The steps: who, which room, one practitioner's times, "any" times, details,
details sent back with errors, booked, and the booking's change or cancel
link's two pages. Details with errors is a POST: its context loads the form
with the browser's cache switched off, so the page the POST answers with
fetches its style sheets again, as a cold browser would.

Target: at most 14,000 bytes a step, so that the page can be drawn after one
round trip. (A new TCP connection's first flight is 10 segments, 14,600 bytes
of payload at the usual 1,460-byte MSS; 14,000 leaves room for the TLS
record and the odd smaller MSS.)
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bench.cdp_recorder import Recorder, settle

TARGET = 14_000

#: The style sheets that block drawing the page as it is now, by address.
BLOCKING_SHEETS = """() => [...document.querySelectorAll('link[rel~="stylesheet" i]')]
  .filter(link => !link.disabled && (!link.media || matchMedia(link.media).matches))
  .map(link => link.href)"""

WRONG_DETAILS = {"Full name": "", "Phone number": "x", "Email address": "nope"}


@dataclass
class FirstPaint:
    step: str
    url: str
    status: int
    document: int
    sheets: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.document + sum(size for _, size in self.sheets)

    @property
    def met(self) -> bool:
        return self.total <= TARGET


@contextlib.contextmanager
def cold_page(browser, options: dict, *, cache: bool = True) -> Iterator[tuple]:
    """A page in a new context, and the recorder of what it receives."""
    context = browser.new_context(**options)
    try:
        context.set_default_timeout(20_000)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        recorder = Recorder(cdp)
        cdp.send("Network.enable")
        if not cache:
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        yield page, recorder
    finally:
        context.close()


def counted(page, recorder: Recorder, step: str) -> FirstPaint:
    """The step's document and blocking style sheets, as received; an error if one is missing."""
    received = [r for r in recorder.responses() if r.step == step]
    documents = [r for r in received if r.kind == "document"]
    if not documents or not documents[-1].finished or documents[-1].from_cache:
        raise RuntimeError(f"first paint: {step}: no document came over the network")
    sheets = []
    for href in page.evaluate(BLOCKING_SHEETS):
        found = [r for r in received if r.url == href and r.finished]
        if not found or found[-1].from_cache or not found[-1].wire_bytes:
            # A sheet from a cache (or not at all) would make the figure too small.
            raise RuntimeError(f"first paint: {step}: {href} was not fetched cold")
        sheets.append((href, found[-1].wire_bytes))
    return FirstPaint(
        step,
        page.url,
        documents[-1].status,
        sum(r.wire_bytes for r in documents),
        sheets,
    )


def visit(
    browser, options: dict, step: str, url: str, then: Callable | None = None
) -> tuple[FirstPaint, str]:
    """Open `url` cold and count it; then `then(page)`, whose answer (the next URL) is returned."""
    with cold_page(browser, options) as (page, recorder):
        recorder.step = step
        page.goto(url)
        settle(page)
        paint = counted(page, recorder, step)
        recorder.step = ""
        return paint, then(page) if then else ""


def click_through(choose: Callable, button: str, url: str) -> Callable:
    """An action for `visit`: choose something, press `button`, wait for a URL like `url`."""

    def act(page) -> str:
        choose(page)
        page.get_by_role("button", name=button).click()
        page.wait_for_url(re.compile(url))
        return page.url

    return act


def link(name: str) -> Callable:
    """An action for `visit`: the address of the link called `name`."""
    return lambda page: page.get_by_role("link", name=name, exact=True).first.evaluate(
        "a => a.href"
    )


def details_with_errors(browser, options: dict, url: str) -> FirstPaint:
    """The details page as a wrongly filled form's POST answers it, with nothing cached."""
    step = "3 details, errors"
    with cold_page(browser, options, cache=False) as (page, recorder):
        page.goto(url)
        settle(page)
        for label, value in WRONG_DETAILS.items():
            page.get_by_role("textbox", name=label, exact=True).fill(value)
        recorder.step = step
        with page.expect_navigation():
            page.get_by_role("button", name="Book appointment").click()
        settle(page)
        if not page.title().startswith("Error:"):
            raise RuntimeError(f"first paint: {step}: the form was not refused: {page.title()!r}")
        return counted(page, recorder, step)


def before_booking(browser, options: dict, base: str, practitioner: str, room: str) -> list:
    """Steps 1 to 3, each cold, walking from one to the next as a patient would."""

    def pick(role_name: str) -> Callable:
        return lambda page: page.get_by_role("radio", name=role_name, exact=True).check()

    def first_time(page) -> None:
        page.get_by_role("radio").first.check()

    who, room_url = visit(
        browser,
        options,
        "1 who",
        base + "/",
        click_through(pick(practitioner), "Continue", r"/\?staffId="),
    )
    which_room, times_url = visit(
        browser,
        options,
        "1 room",
        room_url,
        click_through(pick(room), "Find a free time", r"/times/\?"),
    )
    times, details_url = visit(
        browser,
        options,
        "2 times",
        times_url,
        click_through(first_time, "Continue", r"/details/\?"),
    )
    # "Any practitioner" in "any room": every pair's free times, the largest times page.
    any_times, _ = visit(
        browser, options, "2 times, any", base + "/times/?staffId=any&sectionId=any"
    )
    details, _ = visit(browser, options, "3 details", details_url)
    errors = details_with_errors(browser, options, details_url)
    return [who, which_room, times, any_times, details, errors]


def after_booking(browser, options: dict, booked_url: str) -> list:
    """The confirmation and its change or cancel link's pages, each cold."""
    booked, change_url = visit(browser, options, "4 booked", booked_url, link("Change or cancel"))
    change, cancel_url = visit(
        browser, options, "change", change_url, link("Cancel the appointment")
    )
    cancel, _ = visit(browser, options, "change: cancel", cancel_url)
    return [booked, change, cancel]


def report(paints: list[FirstPaint], short: Callable[[str], str]) -> FirstPaint:
    """Prints each step's figure against the target; returns the largest."""
    print(f"First paint, each step in a new context (cold cache); target <= {TARGET} bytes a step")
    print(f"{'step':<18} {'st':>3} {'document':>8} {'sheets':>14} {'total':>7}  met  url")
    for paint in paints:
        sheets = " + ".join(str(size) for _, size in paint.sheets) or "-"
        print(
            f"{paint.step:<18} {paint.status:>3} {paint.document:>8} {sheets:>14} {paint.total:>7}"
            f"  {'yes' if paint.met else 'NO ':<3}  {short(paint.url)}"
        )
    for paint in paints[:1]:
        for href, size in paint.sheets:
            print(f"  sheet {size:>6}  {short(href)}")
    return max(paints, key=lambda paint: paint.total)
