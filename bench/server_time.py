"""Server time per step, with the reference diary answering after a fixed latency L.

    .venv/bin/python bench/server_time.py                 # L = 150 ms
    .venv/bin/python bench/server_time.py --latency-ms 300
    LATENCY_MS=300 .venv/bin/python bench/server_time.py

The reference diary runs in a gunicorn of its own with SANDBOX_LATENCY_MS=L
(bench/diary_counter.py logs each call), the site reaches it over real HTTP,
and every request is timed by the client on loopback, first byte sent to last
byte read: the site's time plus a fraction of a millisecond. The demo
practice is set up fresh in a temporary database with one practitioner
deleted, so that "any practitioner" means 4 practitioners in 3 rooms: 12
freeList calls, made at once by the site. The site runs on one gunicorn
worker (its caches are per process: one worker makes "warm" mean warm) with
one thread; it is sent one request at a time.

Each step is measured over 50 requests (median and p95, nearest rank):

- times page, one practitioner and room, and "any" (staffId=any&sectionId=any):
  cold, on a site started with BOOKING_FREE_TIMES_CACHE_SECONDS=0 so that every
  request asks the diary (exactly what a cache miss costs: the same call, for
  the same days), and warm, on a site with the default free-times cache, the
  same URL again. The diary's log proves which is which: the calls each
  request made are counted.
- details page GET (practitioner and room lists, and the free times it
  checks its time against, cached: no call).
- booking: the details form posted (one `book` call), for 50 distinct free
  times of the one practitioner and room (fewer if there are not 50; said so).

Practitioner and room lists are warm throughout (GET / first); a list-cache
miss, once per PHYSIODIARY_LIST_CACHE_SECONDS per process, adds one round
trip (staffList and sectionList are asked for at once) to any step.

Targets, on the cold median: one practitioner and room <= L + 15 ms; any
(12 pairs) <= 1.3 L. Ends with a BENCH-RESULT line.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from harness import (
    KEEP_FOUR,
    Diary,
    Page,
    bench_result,
    busiest_pair,
    by_action,
    expect,
    fetch,
    median,
    patient,
    percentile,
    reference_diary,
    site,
    slot_query,
)
from load_urls import real

REQUESTS = 50
ONE = "times, one practitioner and room"
WARM_UP = 3


@dataclass
class Step:
    """One step's requests: client times, and the diary calls each made."""

    name: str
    cache: str
    ms: list[float] = field(default_factory=list)
    diary_ms: list[float] = field(default_factory=list)  # the longest call of each request
    calls: Counter[str] = field(default_factory=Counter)  # over all requests
    calls_per_request: set[int] = field(default_factory=set)

    def time(self, diary: Diary, url: str, form: dict[str, str] | None, status: int) -> Page:
        mark = diary.calls.mark()
        page = expect(fetch(url, form), status)
        made = diary.calls.since(mark)
        self.ms.append(page.seconds * 1000)
        self.diary_ms.append(max((call.ms for call in made), default=0))
        self.calls.update(call.action for call in made)
        self.calls_per_request.add(len(made))
        return page

    @property
    def site_ms(self) -> list[float]:
        """Client time less the longest diary call: the site's own time, HTTP to the diary in."""
        return [ms - diary for ms, diary in zip(self.ms, self.diary_ms, strict=True)]

    @property
    def summary(self) -> str:
        return f"median {median(self.ms):.1f} ms, p95 {percentile(self.ms, 95):.1f} ms"

    def print(self) -> None:
        per = "/".join(str(n) for n in sorted(self.calls_per_request))
        print(
            f"{self.name:<34} {self.cache:<5} {len(self.ms):>3}  {median(self.ms):8.1f}"
            f" {percentile(self.ms, 95):8.1f} {median(self.diary_ms):8.1f}"
            f" {median(self.site_ms):8.1f}  {per:>5}  {by_action(self.calls)}",
            flush=True,
        )


def measure(name: str, cache: str, diary: Diary, url: str, n: int) -> Step:
    step = Step(name, cache)
    for _ in range(n):
        step.time(diary, url, None, 200)
    step.print()
    return step


def header() -> None:
    print(
        f"\n{'step':<34} {'cache':<5} {'n':>3}  {'med ms':>8} {'p95 ms':>8} {'diary ms':>8}"
        f" {'site ms':>8}"
        f"  {'calls':>5}  diary calls in all",
        flush=True,
    )


def find_pair(diary: Diary) -> tuple[str, str]:
    """The times pages of the practitioner and room with the most free times in their
    first window that has any, and of "any" in that same window.

    Asked of the diary's own site (its in-process diary: not counted, and
    the caches of the site under test untouched).
    """
    one, anyone, _ = busiest_pair(diary.base)
    return one, anyone


def count_pairs(base: str) -> int:
    """How many practitioner and room pairs "any" asks about: step 1's two questions."""
    who = real(expect(fetch(base + "/"), 200).inputs.get("staffId", []))
    where = expect(fetch(base + "/?staffId=any"), 200).inputs.get("sectionId", [])
    return len(who) * len(real(where))


def free_slots(base: str, times_url: str, wanted: int) -> list[str]:
    """Up to `wanted` free times, window after window (Later)."""
    slots: list[str] = []
    url = times_url
    while len(slots) < wanted:
        page = expect(fetch(url), 200)
        slots.extend(page.inputs.get("slot", []))
        if not page.next_href:
            break
        url = base + page.next_href
    return slots[:wanted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--latency-ms", type=int, default=int(os.environ.get("LATENCY_MS", "150")), help="L"
    )
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    latency, n = args.latency_ms, args.requests

    with reference_diary(latency_ms=latency, prepare=KEEP_FOUR) as diary:
        single, anyone = find_pair(diary)
        print(f"L = {latency} ms; one practitioner and room: {single}; any: {anyone}")
        steps: dict[str, Step] = {}

        # Cold: every request asks the diary.
        with site(diary, BOOKING_FREE_TIMES_CACHE_SECONDS="0") as base:
            pairs = count_pairs(base)
            for _ in range(WARM_UP):
                expect(fetch(base + single), 200)
                expect(fetch(base + anyone), 200)
            header()
            steps["single cold"] = measure(ONE, "cold", diary, base + single, n)
            steps["any cold"] = measure(
                f"times, any ({pairs} pairs)", "cold", diary, base + anyone, n
            )

        # Warm: the default free-times cache, the same URL again; then book.
        with site(diary) as base:
            expect(fetch(base + "/"), 200)
            for _ in range(WARM_UP):
                expect(fetch(base + single), 200)
                expect(fetch(base + anyone), 200)
            steps["single warm"] = measure(ONE, "warm", diary, base + single, n)
            steps["any warm"] = measure(
                f"times, any ({pairs} pairs)", "warm", diary, base + anyone, n
            )
            slots = free_slots(base, base + single, n)
            # Each details page GET, then each form posted (token from its page).
            # The GETs first: a booking drops the pair's cached free times,
            # which the details page reads to check its time was offered.
            details = steps["details"] = Step("details page GET", "warm")
            book = steps["book"] = Step(f"booking (details POST), {len(slots)} times", "-")
            urls = [f"{base}/details/?{urlencode(slot_query(slot))}" for slot in slots]
            pages = [details.time(diary, url, None, 200) for url in urls]
            for number, (slot, url, page) in enumerate(zip(slots, urls, pages, strict=True), 1):
                form = {**slot_query(slot), "token": page.inputs["token"][0], **patient(number)}
                book.time(diary, url, form, 303)
            details.print()
            book.print()

    print(
        "\nms: client's time per request on loopback; diary ms: the longest diary call of the"
        " request, timed in the diary (L and the reference diary's own work); site ms: the"
        " difference (the site's own time, fan-out and HTTP to the diary included);"
        " calls: the numbers of diary calls one request made (cold: every request a miss;"
        " warm: none)."
    )
    if len(slots) < n:
        print(f"Only {len(slots)} free times found for the booking step, not {n}.")

    single_target, any_target = latency + 15, 1.3 * latency
    problems = []
    if steps["single cold"].calls_per_request != {1}:
        problems.append("a cold single-pair request did not make exactly one call")
    if steps["any cold"].calls_per_request != {pairs}:
        problems.append(f"a cold 'any' request did not make exactly {pairs} calls")
    for name in ("single warm", "any warm", "details"):
        if steps[name].calls_per_request != {0}:
            problems.append(f"{name}: some requests called the diary")
    for problem in problems:
        print("WARNING: " + problem)

    single_ms, any_ms = median(steps["single cold"].ms), median(steps["any cold"].ms)
    figures = {
        "L": f"{latency} ms",
        "times, one pair, cold": steps["single cold"].summary,
        f"times, any ({pairs} pairs), cold": steps["any cold"].summary,
        "times, one pair, warm": steps["single warm"].summary,
        f"times, any ({pairs} pairs), warm": steps["any warm"].summary,
        "details GET": steps["details"].summary,
        f"booking POST ({len(slots)} times)": steps["book"].summary,
    }
    targets = {
        "times, one pair, cold": f"median <= L + 15 = {single_target:.0f} ms",
        f"times, any ({pairs} pairs), cold": f"median <= 1.3 L = {any_target:.0f} ms",
    }
    met = single_ms <= single_target and any_ms <= any_target and not problems
    print()
    for key, label, total, target in (
        ("single cold", "times, one pair, cold", single_ms, single_target),
        ("any cold", f"times, any ({pairs} pairs), cold", any_ms, any_target),
    ):
        step = steps[key]
        in_diary, in_site = median(step.diary_ms), median(step.site_ms)
        figures[f"{label}: in the diary"] = f"median {in_diary:.1f} ms"
        figures[f"{label}: in the site"] = f"median {in_site:.1f} ms"
        print(
            f"{label}: median {total:.1f} ms (target <= {target:.0f}):"
            f" {'met' if total <= target else 'NOT met'}; in the diary {in_diary:.1f} ms"
            f" (L + {in_diary - latency:.1f} ms of the reference diary's own work),"
            f" in the site {in_site:.1f} ms"
        )
    bench_result("server_time", figures, targets, met)


if __name__ == "__main__":
    main()
