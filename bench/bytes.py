"""Bytes over the wire for one whole booking, in a cold Chromium.

    .venv/bin/python bench/bytes.py        # John, Treatment Room 1, as the browser tests
    .venv/bin/python bench/bytes.py --any  # "Any practitioner", "Any room", the biggest times page

Serves the site with bench/serving.py (gunicorn, production settings, static
files hashed and compressed, the reference diary) on a throwaway copy of the
database, so the booking made here never lands in the development diary.
Debian's Chromium, driven by Playwright, opens a new context (empty cache) on
a phone-sized screen and books as a patient would: choose, times, details,
booked. The Chrome DevTools Protocol reports every response: its bytes as
received (`Network.loadingFinished` encodedDataLength: status line, headers
and the compressed body) and its headers; the body as sent (compressed) is
that less the headers. Redirects are counted from their `redirectResponse`.
What later pages take from the browser's cache costs nothing and is listed
as such. Request bytes (what the browser sends) are not counted.

Prints every response (page, type, status, bytes, encoding, URL), totals by
type and by page, and last a line `BENCH-RESULT {json}`. Targets: at most
60 KB in all and at most 15 KB of JavaScript, KB = 1000 bytes, on the wire.
Exits 1 when a target is missed or the booking did not go through.

Needs `make setup` (a migrated, seeded database) and Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serving import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "en-GB",
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
PATIENT = {
    "Full name": "Ada Lovelace",
    "Phone number": "01632 960 001",
    "Email address": "ada@example.com",
    "Reason for your visit (optional)": "Sore knee after running",
}
KB = 1000
TARGETS = {"total_bytes_max": 60 * KB, "script_bytes_max": 15 * KB}
TYPES = ("document", "stylesheet", "script", "image", "other")
#: The Chrome DevTools Protocol's resource types, in this report's five.
CDP_TYPES = {
    "Document": "document",
    "Stylesheet": "stylesheet",
    "Script": "script",
    "Image": "image",
}


@dataclass
class Response:
    step: str
    method: str
    url: str
    kind: str
    status: int = 0
    encoding: str = ""
    header_bytes: int = 0
    wire_bytes: int = 0
    from_cache: bool = False
    finished: bool = False
    failed: str = ""
    order: int = 0

    @property
    def body_bytes(self) -> int:
        return max(self.wire_bytes - self.header_bytes, 0)


class Recorder:
    """Every response the page receives, by CDP requestId, labelled with the step it belongs to."""

    def __init__(self, cdp) -> None:
        self.step = ""
        self.open: dict[str, Response] = {}
        self.done: list[Response] = []
        for event in (
            "requestWillBeSent",
            "responseReceived",
            "responseReceivedExtraInfo",
            "requestServedFromCache",
            "loadingFinished",
            "loadingFailed",
        ):
            cdp.on(f"Network.{event}", getattr(self, event))

    def requestWillBeSent(self, event: dict) -> None:
        url = event["request"]["url"]
        if not url.startswith("http"):
            return  # data: URLs never touch the network
        rid = event["requestId"]
        redirect = event.get("redirectResponse")
        if redirect and rid in self.open:
            # A redirect reuses the requestId: the hop is finished here.
            hop = self.open.pop(rid)
            hop.status = redirect["status"]
            hop.encoding = header(redirect.get("headers", {}), "content-encoding")
            hop.wire_bytes = int(redirect.get("encodedDataLength", 0))
            hop.header_bytes = hop.header_bytes or hop.wire_bytes
            hop.finished = True
            self.done.append(hop)
        kind = CDP_TYPES.get(event.get("type", ""), "other")
        self.open[rid] = Response(
            self.step, event["request"]["method"], url, kind, order=len(self.done) + len(self.open)
        )

    def responseReceived(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        if item is None:
            return
        response = event["response"]
        item.kind = CDP_TYPES.get(event.get("type", ""), item.kind)
        item.status = response["status"]
        item.encoding = header(response.get("headers", {}), "content-encoding")
        item.from_cache = item.from_cache or bool(
            response.get("fromDiskCache") or response.get("fromPrefetchCache")
        )
        # Bytes received when the headers were parsed: the status line and headers.
        item.header_bytes = item.header_bytes or int(response.get("encodedDataLength", 0))

    def responseReceivedExtraInfo(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        text = event.get("headersText")
        if item is not None and text:
            item.header_bytes = len(text.encode("latin-1", "replace"))

    def requestServedFromCache(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        if item is not None:
            item.from_cache = True

    def loadingFinished(self, event: dict) -> None:
        item = self.open.pop(event["requestId"], None)
        if item is None:
            return
        item.wire_bytes = int(event.get("encodedDataLength", 0))
        item.finished = True
        self.done.append(item)

    def loadingFailed(self, event: dict) -> None:
        item = self.open.pop(event["requestId"], None)
        if item is None:
            return
        item.failed = event.get("errorText", "failed")
        self.done.append(item)


def header(headers: dict, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def copy_database(target: Path) -> None:
    """A consistent copy of the development database (WAL included), for one booking."""
    source = ROOT / "db.sqlite3"
    if not source.exists():
        sys.exit("bytes: db.sqlite3 is missing: run `make setup` first")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def settle(page) -> None:
    """Wait until the page and everything it asked for has arrived, and the events are read."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(100)


def book(base: str, practitioner: str, room: str) -> tuple[list[Response], list[str]]:
    """One whole booking in a new context; every response, and the pages' URLs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE)
            context.set_default_timeout(20_000)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            recorder = Recorder(cdp)
            cdp.send("Network.enable")
            urls = []

            recorder.step = "1 choose"
            page.goto(base + "/")
            settle(page)
            urls.append(page.url)
            # Step 1 is two questions, two pages: who, then which room.
            page.get_by_role("radio", name=practitioner, exact=True).check()
            recorder.step = "1 choose room"
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url(re.compile(r"/\?staffId="))
            settle(page)
            urls.append(page.url)
            page.get_by_role("radio", name=room, exact=True).check()

            recorder.step = "2 times"
            page.get_by_role("button", name="Find a free time").click()
            page.wait_for_url(re.compile(r"/times/\?"))
            settle(page)
            urls.append(page.url)
            page.get_by_role("radio").first.check()

            recorder.step = "3 details"
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url(re.compile(r"/details/\?"))
            settle(page)
            urls.append(page.url)
            for label, value in PATIENT.items():
                page.get_by_role("textbox", name=label, exact=True).fill(value)

            recorder.step = "4 booked"
            page.get_by_role("button", name="Book appointment").click()
            page.wait_for_url(re.compile(r"/booked/[^/]+/$"))
            settle(page)
            urls.append(page.url)
            heading = page.get_by_role("heading", level=1).inner_text()
            if heading.strip() != "Appointment booked":
                sys.exit(f"bytes: the booking did not go through: the page says {heading!r}")
            cdp.detach()
            context.close()
        finally:
            browser.close()
    responses = recorder.done + list(recorder.open.values())
    return sorted(responses, key=lambda r: (r.step, r.order)), urls


def short(url: str, base: str) -> str:
    path = url[len(base) :] if url.startswith(base) else url
    return path if len(path) <= 72 else path[:69] + "..."


def report(responses: list[Response], base: str) -> dict:
    print(f"{'page':<10} {'type':<10} {'st':>3} {'wire':>7} {'body':>7}  {'enc':<5} url")
    by_type: dict[str, int] = defaultdict(int)
    body_by_type: dict[str, int] = defaultdict(int)
    by_step: dict[str, int] = defaultdict(int)
    requests = 0
    for r in responses:
        note = " (from cache)" if r.from_cache else ""
        note += f" (failed: {r.failed})" if r.failed else ""
        note += " (unfinished)" if not r.finished and not r.failed else ""
        print(
            f"{r.step:<10} {r.kind:<10} {r.status:>3} {r.wire_bytes:>7} {r.body_bytes:>7}  "
            f"{r.encoding or '-':<5} {r.method} {short(r.url, base)}{note}"
        )
        by_type[r.kind] += r.wire_bytes
        body_by_type[r.kind] += r.body_bytes
        by_step[r.step] += r.wire_bytes
        requests += 0 if r.from_cache else 1

    total = sum(by_type.values())
    body_total = sum(body_by_type.values())
    print()
    print(f"{'type':<12} {'wire':>8} {'body':>8}   (bytes; wire = status line + headers + body)")
    for kind in TYPES:
        print(f"{kind:<12} {by_type[kind]:>8} {body_by_type[kind]:>8}")
    print(f"{'total':<12} {total:>8} {body_total:>8}")
    print()
    print(f"{'page':<12} {'wire':>8}")
    for step in sorted(by_step):
        print(f"{step:<12} {by_step[step]:>8}")
    return {
        "total_bytes": total,
        "total_body_bytes": body_total,
        "requests": requests,
        **{f"{kind}_bytes": by_type[kind] for kind in TYPES},
        **{f"{kind}_body_bytes": body_by_type[kind] for kind in TYPES},
        **{f"page_{step.split()[1]}_bytes": by_step[step] for step in sorted(by_step)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--any", action="store_true", help='book under "Any practitioner" and "Any room"'
    )
    parser.add_argument("--practitioner", default="John")
    parser.add_argument("--room", default="Treatment Room 1")
    args = parser.parse_args()
    practitioner, room = (
        ("Any practitioner", "Any room") if args.any else (args.practitioner, args.room)
    )

    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "db.sqlite3"
        copy_database(database)
        # One worker: one booking needs no more (serve()'s database cache is
        # shared by the workers, so more would also find the confirmation).
        with serve(workers=1, DATABASE_URL=f"sqlite:///{database}") as base:
            responses, urls = book(base, practitioner, room)

    print(f"One booking with {practitioner}, {room}; a new Chromium context, empty cache.")
    for url in urls:
        print("  " + short(url, base))
    print()
    figures = report(responses, base)
    met = (
        figures["total_bytes"] <= TARGETS["total_bytes_max"]
        and figures["script_bytes"] <= TARGETS["script_bytes_max"]
    )
    print()
    total, script = figures["total_bytes"] / KB, figures["script_bytes"] / KB
    print(
        f"total {total:.1f} KB (target <= {TARGETS['total_bytes_max'] / KB:.0f}),"
        f" JavaScript {script:.1f} KB (target <= {TARGETS['script_bytes_max'] / KB:.0f}),"
        f" KB = 1000 bytes: {'met' if met else 'NOT met'}"
    )
    # The table in make bench gets the headline; the detail is printed above.
    headline = {
        "in all": f"{total:.1f} KB",
        "JavaScript": f"{script:.1f} KB",
        "CSS": f"{figures['stylesheet_bytes'] / KB:.1f} KB",
        "HTML (4 pages)": f"{figures['document_bytes'] / KB:.1f} KB",
        "requests": str(figures["requests"]),
    }
    targets = {
        "in all": f"<= {TARGETS['total_bytes_max'] / KB:.0f} KB",
        "JavaScript": f"<= {TARGETS['script_bytes_max'] / KB:.0f} KB",
    }
    result = {"name": "bytes", "figures": headline, "targets": targets, "met": met}
    print("BENCH-RESULT " + json.dumps(result, sort_keys=False))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
