"""Print a real times-page URL and a real details-page URL of a running site.

Used by bench/load.sh: run with the project's Python, given the site's base
URL (e.g. http://127.0.0.1:8765). Reads the choose page `/`, takes the first
practitioner and room pair (not "any") with a free time, reading each pair's
times page window by window, and checks that the details page for the first
free time answers 200. Prints two lines, paths only:

    /times/?staffId=42230&sectionId=7323
    /details/?staffId=42230&sectionId=7323&date=20261127&time=0900

Standard library only. Exits 1 with a message on stderr when it cannot.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

#: Windows of free times to look through before giving up (7 days each by default).
MAX_WINDOWS = 14


class Inputs(HTMLParser):
    """The values of <input name=...> fields, in page order, and the rel="next" link."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.next_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("value") is not None:
            self.values.setdefault(a["name"], []).append(a["value"] or "")
        elif tag == "a" and a.get("rel") == "next" and a.get("href") and not self.next_href:
            self.next_href = a["href"]


def fetch(base: str, path: str) -> Inputs:
    url = urljoin(base, path)
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            status, body = answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        sys.exit(f"load_urls: {url} answered {error.code}")
    if status != 200:
        sys.exit(f"load_urls: {url} answered {status}")
    page = Inputs()
    page.feed(body)
    return page


def real(values: list[str]) -> list[str]:
    return [value for value in values if value and value != "any"]


def free_slots(base: str, staff: str, section: str) -> tuple[str, list[str]]:
    """The first times page of this pair with free times on it, and those times."""
    path = "/times/?" + urlencode({"staffId": staff, "sectionId": section})
    for _ in range(MAX_WINDOWS):
        page = fetch(base, path)
        slots = page.values.get("slot", [])
        if slots or not page.next_href:
            return path, slots
        # The page's own "Later" link: the next window, whatever its length.
        nxt = urlsplit(urljoin(base + path, page.next_href))
        path = nxt.path + ("?" + nxt.query if nxt.query else "")
    return path, []


def main(base: str) -> None:
    choose = fetch(base, "/")
    staff_ids = real(choose.values.get("staffId", []))
    if not staff_ids:
        sys.exit("load_urls: the choose page lists no practitioner other than 'any'")
    # Not every practitioner works in every room: take the first pair, in the
    # pages' order, that has a free time. Step 1 asks who on `/`, then which
    # room on `/?staffId=…`.
    for staff in staff_ids:
        rooms = fetch(base, f"/?staffId={staff}")
        for section in real(rooms.values.get("sectionId", [])):
            times, slots = free_slots(base, staff, section)
            if slots:
                break
        else:
            continue
        break
    else:
        sys.exit(f"load_urls: no practitioner and room has a free time in {MAX_WINDOWS} windows")

    # A slot key: YYYYMMDD-HHMM-staffId-sectionId
    date, time, slot_staff, slot_section = slots[0].split("-")[:4]
    details = "/details/?" + urlencode(
        {"staffId": slot_staff, "sectionId": slot_section, "date": date, "time": time}
    )
    fetch(base, details)  # exits unless it answers 200
    print(times)
    print(details)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: load_urls.py http://127.0.0.1:PORT")
    main(sys.argv[1].rstrip("/"))
