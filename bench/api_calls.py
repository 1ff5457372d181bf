"""API calls per completed booking, counted at the reference diary.

    .venv/bin/python bench/api_calls.py

The reference diary runs in a gunicorn of its own (bench/diary_counter.py
logs every call it answers) and the site reaches it over real HTTP, so the
calls are counted where Physiodiary would count them, not by the client.
On a fresh copy of the demo practice (the developer's database is not used):

1. The site, with production settings (a database cache, CACHE_URL=dbcache://,
   which production requires to be shared), 1 gunicorn worker.
   Warm-up: GET / once (practitioner and room lists).
2. Ten complete bookings, as a patient makes them, for one practitioner and
   room: the times page (Later until a window has a free time), the chosen
   time (times page with `slot`, a redirect), the details page, the form
   posted with distinct patient details (303), the confirmation page.
3. The same again on 4 workers, the layout of bench/load.sh and serving.py,
   sharing that cache: shown, not compared with the target. A form answered
   409 (a worker's cached free times still offering the time just booked) or
   a confirmation page answered 404 (not found by another worker) is
   counted, not fatal: with a cache each worker kept to itself, which
   production now refuses, both happened. `--skip-workers` leaves this out.

Prints the calls of each step, the diary's log lines of any step that made
a call it should not have, calls per booking by action, and a BENCH-RESULT
line. Target: at most 2 calls per booking (one freeList, one book); since a
booking takes its time out of the kept free times, the ten in a row need one
freeList in all.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit

from harness import (
    CallLog,
    Diary,
    bench_result,
    busiest_pair,
    by_action,
    expect,
    fetch,
    patient,
    reference_diary,
    site,
    slot_query,
)
from load_urls import MAX_WINDOWS

#: What each step of a booking should cost, with warm list caches.
EXPECTED = {
    "times": Counter(freeList=1),
    "time chosen": Counter(),
    "details": Counter(),
    "book": Counter(book=1),
    "booked": Counter(),
}
#: After the first booking: each booking took its time out of the kept free
#: times, which are younger than BOOKING_FREE_TIMES_CACHE_SECONDS (the ten
#: bookings take seconds), so the times page asks nothing.
LATER = {"times": Counter()}


def find_pair(diary: Diary) -> tuple[str, str]:
    """The practitioner and room with the most free times, asked of the diary's own site.

    Step 1 is two questions (who on `/`, which room on `/?staffId=…`):
    harness.busiest_pair asks both, as server_time.py does. The diary's
    gunicorn also serves the site on its in-process diary: those calls never
    pass through the counter, and the site under test's caches stay untouched.
    """
    one, _, _ = busiest_pair(diary.base)
    query = dict(parse_qsl(urlsplit(one).query))
    return query["staffId"], query["sectionId"]


def book_once(
    base: str, calls: CallLog, staff: str, section: str, number: int, *, strict: bool = True
) -> tuple[dict[str, Counter[str]], dict[str, list[str]], str]:
    """One booking through the site: the calls of each step, their log lines, the outcome.

    The outcome is the confirmation page's status ("200"), or "post <status>"
    when the form was not answered with a 303; unless `strict`, which stops
    the benchmark there.
    """
    steps: dict[str, Counter[str]] = {}
    lines: dict[str, list[str]] = {}

    def step(name: str, mark: int) -> None:
        got = calls.since(mark)
        steps[name] = Counter(call.action for call in got)
        lines[name] = [
            f"{call.at:.3f} pid={call.pid} action={call.action} status={call.status} "
            f"ms={call.ms:.1f}"
            for call in got
        ]

    mark = calls.mark()
    url = f"{base}/times/?" + urlencode({"staffId": staff, "sectionId": section})
    for _ in range(MAX_WINDOWS):
        page = expect(fetch(url), 200)
        slots = page.inputs.get("slot", [])
        if slots or not page.next_href:
            break
        url = base + page.next_href
    if not slots:
        raise SystemExit(f"api_calls: no free time for staffId={staff} sectionId={section}")
    step("times", mark)

    mark = calls.mark()
    chosen = expect(fetch(f"{url}&slot={slots[0]}"), 302, 303)
    step("time chosen", mark)

    mark = calls.mark()
    details_url = chosen.location
    details = expect(fetch(details_url), 200)
    step("details", mark)

    hidden = {name: details.inputs[name][0] for name in slot_query(slots[0])}
    form = {**hidden, "token": details.inputs["token"][0], **patient(number)}
    mark = calls.mark()
    posted = fetch(details_url, form)
    if strict:
        expect(posted, 303)
    step("book", mark)
    if posted.status != 303:
        return steps, lines, f"post {posted.status}"

    mark = calls.mark()
    booked = fetch(posted.location)
    step("booked", mark)
    return steps, lines, str(booked.status)


def run(diary: Diary, staff: str, section: str, *, workers: int, bookings: int, first: int):
    """Warm up, then `bookings` bookings; (warm-up calls, calls by step, surprises, statuses)."""
    calls = diary.calls
    mark = calls.mark()  # gunicorn's start-up check already asked for / once
    with site(diary, workers=workers) as base:
        expect(fetch(base + "/"), 200)
        warm_up = calls.count(mark)
        by_step: dict[str, Counter[str]] = {name: Counter() for name in EXPECTED}
        surprises: list[str] = []
        statuses: Counter[str] = Counter()
        for number in range(first, first + bookings):
            steps, lines, status = book_once(
                base, calls, staff, section, number, strict=workers == 1
            )
            statuses[status] += 1
            for name, counts in steps.items():
                by_step[name].update(counts)
                wanted = EXPECTED[name] if number == first else LATER.get(name, EXPECTED[name])
                if counts != wanted:
                    surprises.append(
                        f"booking {number - first + 1}, {name}: {by_action(counts)} "
                        f"(expected {by_action(wanted)})"
                    )
                    surprises.extend("    diary: " + line for line in lines[name])
    return warm_up, by_step, surprises, statuses


def report(title: str, warm_up, by_step, surprises, statuses, bookings: int) -> Counter[str]:
    print(f"\n== {title}")
    print(f"warm-up (server start-up check + GET / once): {by_action(warm_up)}")
    print(f"{'step':<12} {'calls':>6}  by action (over {bookings} bookings)")
    total: Counter[str] = Counter()
    for name, counts in by_step.items():
        total.update(counts)
        print(f"{name:<12} {sum(counts.values()):>6}  {by_action(counts)}")
    print(f"{'total':<12} {sum(total.values()):>6}  {by_action(total)}")
    print(f"calls per booking: {sum(total.values()) / bookings:.2f}")
    print(
        "outcomes (confirmation page's status): "
        + ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    )
    if surprises:
        print("steps that made calls other than expected:")
        for line in surprises:
            print("  " + line)
    else:
        print("every step made exactly the calls expected")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=10)
    parser.add_argument(
        "--skip-workers", action="store_true", help="skip the 4-worker pass (step 3)"
    )
    args = parser.parse_args()
    n = args.bookings

    with reference_diary() as diary:
        staff, section = find_pair(diary)
        print(f"practitioner and room: staffId={staff} sectionId={section}")
        one = run(diary, staff, section, workers=1, bookings=n, first=1)
        total = report(f"{n} bookings, site on 1 worker, warm caches", *one, n)
        four = None
        if not args.skip_workers:
            four = run(diary, staff, section, workers=4, bookings=n, first=n + 1)
            total4 = report(f"{n} bookings, site on 4 workers (one database cache)", *four, n)

    per_booking = sum(total.values()) / n
    figures = {
        "calls per booking": f"{per_booking:.2f} calls",
        **{f"{action} per booking": f"{total[action] / n:.2f} calls" for action in total},
        "bookings completed": f"{one[3]['200']}/{n}",
    }
    if four is not None:
        outcomes = four[3]
        figures["4 workers: calls per booking"] = f"{sum(total4.values()) / n:.2f} calls"
        figures["4 workers: forms answered 409 taken"] = f"{outcomes['post 409']}/{n}"
        figures["4 workers: confirmation pages found"] = f"{outcomes['200']}/{n}"
        if outcomes["200"] != n:
            print(
                "\nNote (4 workers): the workers share one cache (CACHE_URL=dbcache://,"
                " bench/serving.py), so each confirmation page should be found by any"
                " worker; one that was not points at the cache. (With a cache each worker"
                " keeps to itself, which production now refuses, another worker answers"
                " 404 for it, and can still offer the time just booked: 409 taken.)"
            )
    met = per_booking <= 2 and total["book"] == n and one[3]["200"] == n
    bench_result(
        "api_calls",
        figures,
        {"calls per booking": "<= 2 (one freeList, one book)"},
        met,
    )


if __name__ == "__main__":
    sys.exit(main())
