"""Two web servers on one Redis: a booking's steps alternating between them, timed and counted.

    .venv/bin/python bench/two_servers.py
    .venv/bin/python bench/two_servers.py --bookings 40 --double-submits 20

Starts what the deployment tests start (tests/deploy/services.py, the same
functions): Debian's redis-server on a free port, the reference diary in a
gunicorn of its own (tests/deploy/counted_diary.py: every API call it answers
is written down), and two booking sites A and B, each a gunicorn of 2 workers
x 2 threads with production settings and CACHE_URL=redis://, as behind a
load balancer (CLIENT_IP_HEADER=X-Forwarded-For, so each patient here has a
client address of their own). Static files, database and secrets are made
fresh in a temporary folder; the developer's db.sqlite3 is not used. Then:

1. N complete bookings (default 20) for Anna in Treatment Room 2, each by a
   new patient (no cookies, no JavaScript), whose steps alternate between
   the servers: choose on A, times (and the chosen time, a 302) on B, details
   on A, the form posted to B, the confirmation page on A; odd bookings the
   mirror image. Every request is timed by the client, on loopback, from
   sending to the last byte read (the site's time plus well under a
   millisecond). The first booking is cold (nothing cached yet, a worker's
   first pages) and shown on its own; median and p95 (nearest rank) are over
   the other N - 1. Each step's API calls are counted at the diary. Then:
   bookings found in the diary's database (one, the right patient, at each
   time) and confirmation pages found on the server that did not take the
   booking.
2. Double submits (default 10): one details form posted to A and to B at the
   same moment (two connections, released by one barrier). Reported: each
   pair of statuses, whether both answers name the same confirmation, the
   `book` calls the diary answered meanwhile, the bookings the diary holds at
   that time (must be 1), and the confirmation page on A and on B.
3. The booking form's rate limit (BOOKING_FORM_ERROR_RATE_LIMIT=3 per client
   address on both sites, the deployment tests' value, for forms the site
   refuses): one form, refused by the site for an empty name so that nothing
   is booked, posted alternately to A and B six times; then once from another
   address.

The sites free a week's times as they run out by following the times page's
own "Later" link, as a patient would. Prints a table per part, then a line
`BENCH-RESULT {json}` (see bench/run_all.py). Targets: every booking in the
diary and its confirmation on the other server, at most 2 API calls per warm
booking, every double submit booked once, 400 x 3 then 429 across both
servers. Needs redis-server (`make services` installs it). Every process it
starts is stopped on the way out, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from harness import bench_result, by_action, median, percentile  # noqa: E402
from load_urls import MAX_WINDOWS, Inputs  # noqa: E402

from tests.deploy.services import (  # noqa: E402
    RATE_LIMIT,
    TwoSites,
    prepare,
    two_sites_on_one_redis,
)
from tests.deploy.support import (  # noqa: E402
    ANNA,
    BOOKED_PATH,
    ROOM_2,
    TIMEOUT,
    DetailsForm,
    Patient,
    details,
)

T = TypeVar("T")

#: The steps of one booking: (name, whether it runs on the booking's first server).
STEPS = (
    ("1 choose", True),
    ("2 times", False),
    ("2 pick time (302)", False),
    ("3 details", True),
    ("3 book (POST)", False),
    ("4 booked", True),
)
#: Patient numbers (support.details) and client addresses, one per patient.
BOOKING_PATIENTS, DOUBLE_PATIENTS, LIMIT_PATIENT = 1, 101, 201
RATE_POSTS = 6


def address(number: int) -> str:
    """The patient's client address, as the load balancer would report it (TEST-NET-2)."""
    return f"198.51.100.{number % 250 + 1}"


# --- Free times, a week after another ---------------------------------------------------


@dataclass
class Times:
    """Anna's times page in Room 2: the first week, then the next once a week is booked full."""

    path: str = "/times/?" + urlencode({"staffId": ANNA, "sectionId": ROOM_2})
    weeks_moved: int = 0

    def first_free(self, patient: Patient, base: str) -> str:
        """The first free time, from this week's page or a later one's (the "Later" link)."""
        for _ in range(MAX_WINDOWS):
            page = patient.get(base + self.path)
            assert page.status_code == 200, (self.path, page.status_code)
            found = Inputs()
            found.feed(page.text)
            if found.values.get("slot"):
                return found.values["slot"][0]
            assert found.next_href, f"no free time and no later week after {self.path}"
            later = urlsplit(urljoin(base + self.path, found.next_href))
            self.path = f"{later.path}?{later.query}"
            self.weeks_moved += 1
        raise AssertionError(f"no free time in {MAX_WINDOWS} weeks")


# --- Part 1: bookings alternating between the servers ----------------------------------


@dataclass
class Booking:
    number: int
    first: str  # "A" or "B": where it starts
    ms: dict[str, float] = field(default_factory=dict)
    calls: dict[str, Counter[str]] = field(default_factory=dict)
    slot: str = ""
    posted: int = 0
    confirmation: int = 0  # the confirmation page's status on the other server
    in_diary: list[str] = field(default_factory=list)

    @property
    def total_ms(self) -> float:
        return sum(self.ms.values())

    @property
    def total_calls(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.calls.values():
            total.update(counts)
        return total

    @property
    def booked(self) -> bool:
        return self.in_diary == [details(self.number)["name"]]


def book_alternating(sites: TwoSites, times: Times, number: int, first: str) -> Booking:
    """One booking whose steps alternate: `first` takes 1, 3 and 4; the other 2 and the POST."""
    here, there = (sites.a.base, sites.b.base) if first == "A" else (sites.b.base, sites.a.base)
    booking = Booking(number, first)
    patient = Patient(address(number))

    def step(name: str, do: Callable[[], T]) -> T:
        mark = len(sites.diary.calls())
        started = time.perf_counter()
        result = do()
        booking.ms[name] = (time.perf_counter() - started) * 1000
        booking.calls[name] = Counter(call.action for call in sites.diary.calls()[mark:])
        return result

    try:
        step("1 choose", lambda: patient.choose(here))
        booking.slot = step("2 times", lambda: times.first_free(patient, there))
        path = step("2 pick time (302)", lambda: patient.pick(there, booking.slot))
        form = step("3 details", lambda: patient.open_details(here, path))
        answer = step("3 book (POST)", lambda: patient.book(there, form, number))
        booking.posted = answer.status_code
        if answer.status_code == 303:
            booked = urlsplit(answer.headers["Location"]).path
            assert BOOKED_PATH.fullmatch(booked), booked
            page = step("4 booked", lambda: patient.get(here + booked))
            booking.confirmation = page.status_code
    finally:
        patient.close()
    booking.in_diary = sites.diary.bookings(booking.slot)
    return booking


def per_booking(counts: Counter[str], bookings: int) -> str:
    """Calls per booking by action: "freeList=1 book=1", or "freeList=0.95" when uneven."""
    if not counts:
        return "none"
    parts = []
    for action, text in (part.split("=") for part in by_action(counts).split()):
        each = int(text) / bookings
        parts.append(f"{action}={each:g}" if each.is_integer() else f"{action}={each:.2f}")
    return " ".join(parts)


def report_bookings(bookings: list[Booking]) -> dict[str, str]:
    cold, warm = bookings[0], bookings[1:]
    n = len(warm)
    print(f"\n== 1. {len(bookings)} bookings, steps alternating between A and B")
    print(
        "   (even bookings: choose, details, booked on A; times, pick, POST on B. Odd: the mirror.)"
    )
    print(f"   cold = booking 1; median and p95 (nearest rank) over bookings 2..{len(bookings)}")
    head = f"   {'step':<19} {'on':<5} {'cold ms':>8} {'median':>8} {'p95':>8}  "
    print(head + f"{'API calls: cold':<44} warm, per booking")
    figures: dict[str, str] = {}
    for name, on_first in STEPS:
        ms = [b.ms[name] for b in warm if name in b.ms]
        on = "A/B" if on_first else "B/A"
        cold_ms = f"{cold.ms[name]:.1f}" if name in cold.ms else "-"
        warm_calls: Counter[str] = Counter()
        for b in warm:
            warm_calls.update(b.calls.get(name, Counter()))
        middle, p95 = (f"{median(ms):.1f}", f"{percentile(ms, 95):.1f}") if ms else ("-", "-")
        print(
            f"   {name:<19} {on:<5} {cold_ms:>8} {middle:>8} {p95:>8}  "
            f"{by_action(cold.calls.get(name, Counter())):<44} {per_booking(warm_calls, n)}"
        )
        figures[f"{name}, warm median / p95"] = f"{middle} / {p95} ms"
    totals = [b.total_ms for b in warm]
    warm_total: Counter[str] = Counter()
    for b in warm:
        warm_total.update(b.total_calls)
    print(
        f"   {'whole booking':<19} {'':<5} {cold.total_ms:>8.1f} {median(totals):>8.1f} "
        f"{percentile(totals, 95):>8.1f}  {by_action(cold.total_calls):<44} "
        f"{per_booking(warm_total, n)}"
    )
    shapes = Counter(by_action(b.total_calls) for b in warm)
    print("   API calls per warm booking: " + ", ".join(f"{k} ({v}x)" for k, v in shapes.items()))
    in_diary = sum(b.booked for b in bookings)
    confirmed = sum(b.confirmation == 200 for b in bookings)
    posted = Counter(b.posted for b in bookings)
    print(
        f"   forms answered: {', '.join(f'{v} x {k}' for k, v in sorted(posted.items()))}; "
        f"bookings in the diary (one, the right patient): {in_diary}/{len(bookings)}; "
        f"confirmation pages found on the other server: {confirmed}/{len(bookings)}"
    )
    for b in bookings:
        if not b.booked or b.confirmation != 200:
            print(
                f"   ! booking {b.number} ({b.slot}): posted {b.posted}, confirmation "
                f"{b.confirmation or '-'}, diary holds {b.in_diary}"
            )
    calls_per_warm = sum(warm_total.values()) / n
    cold_calls = sum(cold.total_calls.values())
    return {
        "whole booking, warm median / p95": (
            f"{median(totals):.1f} / {percentile(totals, 95):.1f} ms"
        ),
        "whole booking, cold (the first)": f"{cold.total_ms:.1f} ms",
        **figures,
        "API calls per booking, warm": f"{calls_per_warm:.2f} ({per_booking(warm_total, n)})",
        "API calls, cold booking": f"{cold_calls} ({by_action(cold.total_calls)})",
        "bookings in the diary": f"{in_diary}/{len(bookings)}",
        "confirmations found on the other server": f"{confirmed}/{len(bookings)}",
    }


# --- Part 2: one form posted to both servers at once -----------------------------------


@dataclass
class Double:
    number: int
    prepared_on: str
    statuses: tuple[int, int] = (0, 0)  # A's answer, B's answer
    same_confirmation: bool = False
    books: int = 0
    in_diary: list[str] = field(default_factory=list)
    confirmation_pages: tuple[int, int] = (0, 0)
    slower_ms: float = 0


def double_submit(sites: TwoSites, times: Times, number: int, prepared_on: str) -> Double:
    base = sites.a.base if prepared_on == "A" else sites.b.base
    patient = Patient(address(number))
    try:
        slot = times.first_free(patient, base)
        form: DetailsForm = patient.open_details(base, patient.pick(base, slot))
        data = form.filled(number)
        together = threading.Barrier(2)

        def post(to: str) -> tuple[int, str, float]:
            tab = Patient(address(number))  # another tab: a connection of its own
            try:
                together.wait(timeout=TIMEOUT)
                started = time.perf_counter()
                answer = tab.post(to + form.action, data)
                ms = (time.perf_counter() - started) * 1000
                return answer.status_code, answer.headers.get("Location", ""), ms
            finally:
                tab.close()

        mark = len(sites.diary.calls())
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(post, (sites.a.base, sites.b.base)))
        books = sum(call.action == "book" for call in sites.diary.calls()[mark:])
        locations = {location for _, location, _ in answers}
        (location, *others) = locations
        result = Double(
            number,
            prepared_on,
            statuses=(answers[0][0], answers[1][0]),
            same_confirmation=not others and bool(BOOKED_PATH.search(location)),
            books=books,
            in_diary=sites.diary.bookings(slot),
            slower_ms=max(ms for _, _, ms in answers),
        )
        if result.same_confirmation:
            path = urlsplit(location).path
            result.confirmation_pages = (
                patient.get(sites.a.base + path).status_code,
                patient.get(sites.b.base + path).status_code,
            )
        return result
    finally:
        patient.close()


def pair(statuses: tuple[int, int]) -> str:
    return f"{statuses[0]}, {statuses[1]}"


def report_doubles(doubles: list[Double]) -> dict[str, str]:
    print(f"\n== 2. {len(doubles)} double submits: one form posted to A and B at the same moment")
    print(
        f"   {'#':>3} {'form from':<9} {'A, B answer':<12} {'same page':<9} {'book calls':>10} "
        f"{'booked':>6}  {'confirmation on A, B':<20} {'slower answer':>13}"
    )
    for d in doubles:
        print(
            f"   {d.number - DOUBLE_PATIENTS + 1:>3} {d.prepared_on:<9} "
            f"{pair(d.statuses):<12} {'yes' if d.same_confirmation else 'NO':<9} "
            f"{d.books:>10} {len(d.in_diary):>6}  {pair(d.confirmation_pages):<20} "
            f"{d.slower_ms:>10.1f} ms"
        )
    once = sum(len(d.in_diary) == 1 and d.same_confirmation for d in doubles)
    books = sum(d.books for d in doubles)
    pairs = Counter(d.statuses for d in doubles)
    pairs_text = ", ".join(f"{n} x {a}+{b}" for (a, b), n in sorted(pairs.items()))
    found = sum(d.confirmation_pages == (200, 200) for d in doubles)
    slower = [d.slower_ms for d in doubles]
    print(
        f"   booked once: {once}/{len(doubles)}; book calls at the diary: {books} for "
        f"{len(doubles)} forms; status pairs: {pairs_text}; confirmation on both servers: "
        f"{found}/{len(doubles)}; slower answer median {median(slower):.1f} ms"
    )
    return {
        "double submits booked once": f"{once}/{len(doubles)}",
        "double submits: book calls at the diary": f"{books} for {len(doubles)} forms",
        "double submits: status pairs (A+B)": pairs_text,
        "double submits: confirmation on both servers": f"{found}/{len(doubles)}",
        "double submits: slower answer, median": f"{median(slower):.1f} ms",
    }


# --- Part 3: the rate limit, counted across both servers -------------------------------


def rate_limit(sites: TwoSites, times: Times) -> tuple[list[tuple[str, int]], str, int]:
    """(server, status) of each refused post in turn, the first 429's Retry-After, another's."""
    patient = Patient(address(LIMIT_PATIENT))
    other = Patient(address(LIMIT_PATIENT + 1))
    try:
        slot = times.first_free(patient, sites.a.base)
        form = patient.open_details(sites.b.base, patient.pick(sites.b.base, slot))
        nameless = {**form.filled(LIMIT_PATIENT), "name": ""}  # refused: nothing is booked
        sequence, retry_after = [], ""
        for turn in range(RATE_POSTS):
            name, base = ("A", sites.a.base) if turn % 2 == 0 else ("B", sites.b.base)
            answer = patient.post(base + form.action, nameless)
            sequence.append((name, answer.status_code))
            if answer.status_code == 429 and not retry_after:
                retry_after = answer.headers.get("Retry-After", "")
        another = other.post(sites.b.base + form.action, nameless).status_code
        return sequence, retry_after, another
    finally:
        patient.close()
        other.close()


def report_rate_limit(
    sequence: list[tuple[str, int]], retry_after: str, another: int
) -> tuple[dict[str, str], bool]:
    expected = [400] * RATE_LIMIT + [429] * (RATE_POSTS - RATE_LIMIT)
    statuses = [status for _, status in sequence]
    met = statuses == expected and another == 400
    print(
        f"\n== 3. Rate limit: BOOKING_FORM_ERROR_RATE_LIMIT={RATE_LIMIT} per client address"
        " on both sites; a form refused for an empty name, posted alternately"
    )
    print("   " + ", ".join(f"{name} {status}" for name, status in sequence))
    print(
        f"   expected {RATE_LIMIT} x 400 then 429: {'yes' if statuses == expected else 'NO'}; "
        f"Retry-After {retry_after or '-'} s; another address, on B: {another}"
    )
    return {
        "rate limit, alternating A/B": " ".join(f"{n}{s}" for n, s in sequence),
        "rate limit, another address": str(another),
    }, met


# --- The whole -------------------------------------------------------------------------


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, through every `finally` that stops a process."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=20, help="alternating bookings (>= 2)")
    parser.add_argument("--double-submits", type=int, default=10)
    args = parser.parse_args()
    if not (2 <= args.bookings <= 100 and 1 <= args.double_submits <= 99):
        parser.error("--bookings: 2 to 100; --double-submits: 1 to 99")
    stop_on_sigterm()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-two-servers-") as work:
            folder = Path(work)
            prepared = prepare(folder)
            print(f"static files, database, secrets: {time.monotonic() - started:.1f} s")
            up = time.monotonic()
            with two_sites_on_one_redis(prepared, folder) as sites:
                print(
                    f"Redis, diary and sites A and B up: {time.monotonic() - up:.1f} s "
                    f"(A {sites.a.base}, B {sites.b.base}, diary {sites.diary.server.base})"
                )
                figures, met = run(sites, args.bookings, args.double_submits)
    except (pytest.skip.Exception, pytest.fail.Exception) as missing:
        # tests/deploy/services.py skips a test for want of a program; here that is fatal.
        sys.exit(f"two_servers: {missing.msg}")
    except KeyboardInterrupt:
        print("\ntwo_servers: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    figures["wall time, start to finish"] = f"{time.monotonic() - started:.0f} s"
    targets = {
        "bookings in the diary": f"{args.bookings}/{args.bookings}",
        "confirmations found on the other server": f"{args.bookings}/{args.bookings}",
        "API calls per booking, warm": "<= 2 (one freeList, one book)",
        "double submits booked once": f"{args.double_submits}/{args.double_submits}",
        "double submits: book calls at the diary": (
            f"{args.double_submits} for {args.double_submits} forms"
        ),
        "rate limit, alternating A/B": f"{RATE_LIMIT} x 400, then 429",
        "rate limit, another address": "400",
    }
    bench_result("two_servers", figures, targets, met)
    return 0


def run(sites: TwoSites, n_bookings: int, n_doubles: int) -> tuple[dict[str, str], bool]:
    times = Times()
    bookings = [
        book_alternating(sites, times, BOOKING_PATIENTS + i, "A" if i % 2 == 0 else "B")
        for i in range(n_bookings)
    ]
    figures = report_bookings(bookings)
    doubles = [
        double_submit(sites, times, DOUBLE_PATIENTS + i, "A" if i % 2 == 0 else "B")
        for i in range(n_doubles)
    ]
    figures.update(report_doubles(doubles))
    limit_figures, limit_met = report_rate_limit(*rate_limit(sites, times))
    figures.update(limit_figures)
    if times.weeks_moved:
        print(f"\n(Anna's free times ran out in {times.weeks_moved} week(s): went on to the next)")
    warm_calls = sum(sum(b.total_calls.values()) for b in bookings[1:]) / (n_bookings - 1)
    met = (
        all(b.booked and b.confirmation == 200 for b in bookings)
        and warm_calls <= 2
        and all(len(d.in_diary) == 1 and d.same_confirmation and d.books == 1 for d in doubles)
        and limit_met
    )
    return figures, met


if __name__ == "__main__":
    sys.exit(main())
