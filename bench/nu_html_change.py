"""bench/nu_html.py's pages of a booking's "Change or cancel" link, as a patient follows it.

From the confirmation page: the link's page; a move's times and details pages, by
"Move to another time" and a free time chosen there (nothing booked); the cancel's
"are you sure?", the cancel posted with its form's token, the acknowledgement, and
the link's page visited afterwards; then the link with one character altered (404).
The appointment that has started (410) cannot be had here without waiting for it.
"""

from __future__ import annotations

import re
import sys
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bench.nu_html import Fetched, Visitor

#: The link's page, as the confirmation page links it (after the language's prefix).
LINK = re.compile(r'href="((?:/[a-z]{2})?/change/([A-Za-z0-9_-]{43})/)"')


def href(page: Fetched, pattern: str) -> str:
    """The first link on `page` whose address matches `pattern`, unescaped."""
    found = re.search(rf'href="({pattern}[^"]*)"', page.body)
    if found is None:
        sys.exit(f"nu_html: no link like {pattern!r} on {page.url}")
    return unescape(found[1])


def path_of(visitor: Visitor, address: str) -> str:
    """An address on a page as `Visitor.get` takes it: path and query, language prefix off."""
    parts = urlsplit(address)
    path = parts.path.removeprefix(visitor.prefix)
    return path + (f"?{parts.query}" if parts.query else "")


def change_pages(visitor: Visitor, booked: Fetched) -> None:
    """The change link's pages for the booking `booked` confirms."""
    found = LINK.search(booked.body)
    if found is None:
        sys.exit(f"nu_html: {visitor.label}: no Change or cancel link on {booked.url}")
    page, link = path_of(visitor, found[1]), found[2]
    overview = visitor.get("change", page)
    move_pages(visitor, overview, link)
    # Are you sure? Then the cancel, posted as the details form is, with the form's token.
    cancel = visitor.get("change, cancel", path_of(visitor, href(overview, r"[^\"]*/cancel/")))
    visitor.post("change, cancelled", cancel, {}, 200)
    visitor.get("change, visited after the cancel", page)
    altered = link[:-1] + ("A" if link[-1] != "A" else "B")
    visitor.get("change, altered link", page.replace(link, altered), status=404)


def move_pages(visitor: Visitor, overview: Fetched, link: str) -> None:
    """The times and details pages of a move: "Move to another time", then a free time."""
    times = visitor.get("change, move: times", path_of(visitor, href(overview, r"[^\"]*/times/")))
    slots = times.form.values.get("slot", [])
    if not slots:
        sys.exit(f"nu_html: no free time on the move's times page {times.url}")
    # The times form's GET with a free time chosen sends it to its details page.
    chosen = visitor.get("", f"{path_of(visitor, times.url)}&slot={slots[0]}", status=302)
    if f"change={link}" not in chosen.location:
        sys.exit(f"nu_html: the move's details page lost its link: {chosen.location}")
    visitor.get("change, move: details", path_of(visitor, chosen.location))
