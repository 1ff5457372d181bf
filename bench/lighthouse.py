"""Lighthouse on every page of a booking: choose, times, details, booked.

    bench/lighthouse.sh              # installs Lighthouse when missing, then runs this
    .venv/bin/python bench/lighthouse.py [--runs 3] [--lighthouse PATH]

Serves the site with bench/serving.py (gunicorn, production settings, static
files hashed and compressed, the reference diary) on a throwaway copy of the
database. Finds a real URL for each step the way a patient would reach it:
the choose page `/`, the times page of the first practitioner and room with
two free times or more, the details page of the first, and the confirmation
page of a real booking of the second, made by posting the details form (its
hidden signed token and all). Then runs Lighthouse on each, mobile
(Lighthouse's default form factor, simulated slow 4G and a 4x slower CPU),
in Debian's Chromium, with the categories performance, accessibility and
best practices.

Prints per page the three scores (0-100), FCP, LCP, TBT, CLS and Speed Index;
for any score below 100 the audits that cost points (score < 1, weight > 0);
and for performance the insights that name savings, so the cause is visible.
The JSON reports go to test-artifacts/lighthouse/ (git-ignored). With
--runs N each page is measured N times and the median run (by performance
score, then LCP) is reported. Last line: `BENCH-RESULT {json}`; exits 1 when a
score is below the target of 100.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_urls import free_slots, real  # noqa: E402
from bench.serving import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

CHROME_FLAGS = ["--headless=new", *CHROMIUM_ARGS]
LIGHTHOUSE = ROOT / "bench" / ".npm" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "si_ms": "speed-index",
}
TARGET = 100
PATIENT = {
    "Full name": "Ada Lovelace",
    "Phone number": "01632 960 001",
    "Email address": "ada@example.com",
}


# --- Finding the pages -----------------------------------------------------------------


class Page(HTMLParser):
    """A page's form fields (name -> value, in order), labels and form action."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str, str]] = []  # (name, value, id)
        self.labels: dict[str, str] = {}  # for -> text
        self.action: str | None = None
        self._label_for: str | None = None
        self._textarea: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name"):
            self.fields.append((a["name"], a.get("value", ""), a.get("id", "")))
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], "", a.get("id", "")))
        elif tag == "label" and a.get("for"):
            self._label_for = a["for"]
            self.labels[self._label_for] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self.labels[self._label_for] += data

    def values(self, name: str) -> list[str]:
        return [value for field, value, _ in self.fields if field == name]


def get(url: str) -> Page:
    with urllib.request.urlopen(url, timeout=30) as answer:
        page = Page()
        page.feed(answer.read().decode("utf-8", "replace"))
        return page


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def find_pages(base: str) -> dict[str, str]:
    """A real URL for each step, ending with a real booking's confirmation page."""
    choose = get(base + "/")
    for practitioner in real(choose.values("staffId")):
        # Step 1 asks one question a page: the rooms are on the second.
        rooms = get(f"{base}/?staffId={practitioner}")
        for room in real(rooms.values("sectionId")):
            path, slots = free_slots(base, practitioner, room)
            if len(slots) >= 2:
                break
        else:
            continue
        break
    else:
        sys.exit("lighthouse: no practitioner and room has two free times")

    # The details page of one free time; the booking of another. Booked, the first would
    # be taken by the time Lighthouse opens its details page, which then leads back to
    # the times ("passed"): the times page would be measured twice, the form never.
    details, booked = (details_path(slot) for slot in slots[:2])
    return {"choose": "/", "times": path, "details": details, "booked": book(base, booked)}


def details_path(slot: str) -> str:
    """The details page of a free time, from its radio's value: YYYYMMDD-HHMM-staffId-sectionId."""
    date, time, slot_staff, slot_room = slot.split("-")[:4]
    return "/details/?" + urlencode(
        {"staffId": slot_staff, "sectionId": slot_room, "date": date, "time": time}
    )


def book(base: str, details: str) -> str:
    """Post the details form as a patient would; the confirmation page's path."""
    form = get(base + details)
    if form.action is None:
        sys.exit(f"lighthouse: no booking form on {details}")
    labels = {key: " ".join(text.split()).rstrip("*") for key, text in form.labels.items()}
    missing = set(PATIENT) - set(labels.values())
    if missing:
        sys.exit(f"lighthouse: the details form has no field labelled {sorted(missing)}")
    # Every field as the page has it (the hidden choice and token, the empty
    # honeypot), with the patient's details typed into the labelled ones.
    data = [
        (name, PATIENT.get(labels.get(field_id, ""), value))
        for name, value, field_id in form.fields
    ]
    request = urllib.request.Request(
        urljoin(base + details, form.action), data=urlencode(data).encode(), method="POST"
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            sys.exit(f"lighthouse: booking answered {answer.status}, not a redirect")
    except urllib.error.HTTPError as answer:
        location = answer.headers.get("Location", "")
        if answer.code not in (302, 303) or "/booked/" not in location:
            sys.exit(f"lighthouse: booking answered {answer.code} {location!r}")
    return urlsplit(urljoin(base, location)).path


# --- Running Lighthouse ----------------------------------------------------------------


#: Lighthouse's own errors that say "Please run Lighthouse again": its trace of the page
#: load, now and then incomplete in Chromium (NO_NAVSTART, NO_FCP). One more try each.
RUN_AGAIN = ("NO_NAVSTART", "NO_FCP", "NO_TRACING_STARTED")
TRIES = 2


def lighthouse(binary: Path, url: str, output: Path) -> dict:
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for attempt in range(1, TRIES + 1):
        output.unlink(missing_ok=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        said = done.stdout + done.stderr
        if attempt < TRIES and any(code in said for code in RUN_AGAIN):
            print(f"lighthouse: {url}: Lighthouse asked to be run again; running it again")
            continue
        if done.returncode != 0 or not output.exists():
            sys.stderr.write(said)
            sys.exit(f"lighthouse: failed on {url}: {shlex.join(command)}")
        report = json.loads(output.read_text())
        error = report.get("runtimeError") or {}
        if attempt < TRIES and error.get("code") in RUN_AGAIN:
            print(f"lighthouse: {url}: {error['code']}; running it again")
            continue
        if error:
            sys.exit(f"lighthouse: {url}: {error}")
        return report
    raise AssertionError("unreachable: the last try returns or exits")


def scores(report: dict) -> dict:
    figures = {}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        figures[category] = None if score is None else round(score * 100)
    for key, audit in METRICS.items():
        value = report["audits"][audit].get("numericValue")
        figures[key] = None if value is None else round(value, 3 if key == "cls" else 0)
    return figures


def losses(report: dict, category: str) -> list[str]:
    """What cost points in a category: its weighted audits that did not pass."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(
                f"    {ref['id']}: {audit['title']}{shown}, score {audit['score']:.2f},"
                f" weight {ref['weight']}"
            )
            lines.extend(f"      {item}" for item in items(audit))
    return lines


def insights(report: dict) -> list[str]:
    """Performance audits and insights that name savings: the causes behind the metrics."""
    lines = []
    for ref in report["categories"]["performance"]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        savings = {
            metric: value
            for metric, value in (audit.get("metricSavings") or {}).items()
            if value and value > 0
        }
        failing = audit.get("score") is not None and audit["score"] < 1
        rows = items(audit)
        if not savings and not (failing and rows):
            continue
        saved = ", ".join(f"{metric} {value:g}" for metric, value in savings.items())
        shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        lines.append(
            f"    {ref['id']}: {audit['title']}{shown}" + (f"; savings {saved}" if saved else "")
        )
        lines.extend(f"      {item}" for item in rows)
    return lines


def items(audit: dict, limit: int = 5) -> list[str]:
    """The first few rows of an audit's table: which resource or element."""
    details = audit.get("details") or {}
    rows = details.get("items")
    if details.get("type") == "list" and isinstance(rows, list):  # insights: a list of tables
        rows = [row for part in rows if isinstance(part, dict) for row in table(part)]
    found = []
    for row in table({"items": rows})[:limit]:
        node = row.get("node") or {}
        what = (
            row.get("url")
            or node.get("snippet")
            or node.get("selector")
            or row.get("source", {}).get("url")
            or row.get("label")
            or ""
        )
        numbers = ", ".join(
            f"{key} {value:g}"
            for key, value in row.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        )
        text = " ".join(str(what).split())[:140]
        if text or numbers:
            found.append(f"- {text}" + (f" [{numbers}]" if numbers else ""))
        explanation = node.get("explanation")
        if explanation:
            found.append("  " + " ".join(explanation.split())[:240])
    return found


def table(details: dict) -> list[dict]:
    """A table's rows, or none when the details are of another shape (a tree, a chain)."""
    rows = details.get("items")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def median_run(reports: list[dict]) -> dict:
    ranked = sorted(
        reports,
        key=lambda r: (
            r["categories"]["performance"]["score"] or 0,
            -(r["audits"]["largest-contentful-paint"].get("numericValue") or 0),
        ),
    )
    return ranked[len(ranked) // 2]


def copy_database(target: Path) -> None:
    source = ROOT / "db.sqlite3"
    if not source.exists():
        sys.exit("lighthouse: db.sqlite3 is missing: run `make setup` first")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    parser.add_argument("--lighthouse", type=Path, default=LIGHTHOUSE, help="the CLI to run")
    args = parser.parse_args()
    if not args.lighthouse.exists():
        sys.exit(f"lighthouse: {args.lighthouse} is missing: run bench/lighthouse.sh")
    REPORTS.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "db.sqlite3"
        copy_database(database)
        # One worker: Lighthouse asks one page at a time (serve()'s database
        # cache is shared by the workers, so more would also find the booked page).
        with serve(workers=1, DATABASE_URL=f"sqlite:///{database}") as base:
            pages = find_pages(base)
            for name, path in pages.items():
                runs = []
                for run in range(args.runs):
                    suffix = f"-{run + 1}" if args.runs > 1 else ""
                    output = REPORTS / f"{name}{suffix}.report.json"
                    print(f"lighthouse {name}: {path}", file=sys.stderr, flush=True)
                    runs.append(lighthouse(args.lighthouse, base + path, output))
                results[name] = median_run(runs)

    first = next(iter(results.values()))
    print(
        f"Lighthouse {first['lighthouseVersion']}, {first['configSettings']['formFactor']},"
        f" {first['configSettings']['throttlingMethod']} throttling, runs per page: {args.runs}"
    )
    print(f"reports: {REPORTS.relative_to(ROOT)}/")
    print()
    header = f"{'page':<8} {'perf':>4} {'a11y':>4} {'bp':>4} {'FCP ms':>7} {'LCP ms':>7} "
    print(header + f"{'TBT ms':>7} {'CLS':>6} {'SI ms':>7}  url")
    figures: dict[str, str] = {}  # one line a page in make bench's table; the detail is above
    for name, report in results.items():
        page = scores(report)
        figures[name] = (
            f"{page['performance']}/{page['accessibility']}/{page['best-practices']}"
            f" (perf/a11y/bp), LCP {page['lcp_ms']:.0f} ms, CLS {page['cls']:.3f}"
        )
        print(
            f"{name:<8} {page['performance']:>4} {page['accessibility']:>4} "
            f"{page['best-practices']:>4} {page['fcp_ms']:>7.0f} {page['lcp_ms']:>7.0f} "
            f"{page['tbt_ms']:>7.0f} {page['cls']:>6.3f} {page['si_ms']:>7.0f}  {pages[name]}"
        )

    met = True
    for name, report in results.items():
        page = scores(report)
        below = [c for c in CATEGORIES if page[c] is None or page[c] < TARGET]
        if not below:
            continue
        met = False
        print()
        print(f"{name}: below {TARGET} in {', '.join(below)}")
        for category in below:
            print(f"  {category} {page[category]}:")
            print("\n".join(losses(report, category)) or "    (no weighted audit failed)")
        if "performance" in below:
            print("  performance, where the time goes:")
            print("\n".join(insights(report)) or "    (no audit names savings)")
    if met:
        print()
        print(f"Every page scores {TARGET} in {', '.join(CATEGORIES)}.")
        # Still worth knowing: what Lighthouse would save, though no score is lost.
        for name, report in results.items():
            found = insights(report)
            if found:
                print(f"{name}: unscored opportunities")
                print("\n".join(found))

    targets = {name: f"{TARGET}/{TARGET}/{TARGET}" for name in results}
    result = {"name": "lighthouse", "figures": figures, "targets": targets, "met": met}
    print("BENCH-RESULT " + json.dumps(result))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
