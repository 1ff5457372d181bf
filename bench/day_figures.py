"""bench/day.py's figures: one mode's day, from the client's timings and the diary's log.

The diary's log (bench/diary_counter.py) has, for each call it answered,
when it came in and when its answer was ready to leave, on this machine's
clock, and for a freeList the practitioner and room asked about. The
client's timings (day_visitors.Request) are on the same clock. From both:

- the age of the free times a times page showed: the page's last byte
  minus the start of the latest freeList call for its pair that had
  completed by then (its answer is what the shared cache holds; an answer
  the site did not keep, because a booking in that pair began meanwhile,
  is counted as if it had been: the age is then understated);
- a times page is a first look when no freeList call for its pair had
  completed before the page was asked for, in the last
  BOOKING_FREE_TIMES_MAX_AGE_SECONDS: nothing was kept to show;
- overlapping freeList calls for one pair: a call for a pair that came in
  before the diary had finished answering the one before (target 0).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from day_visitors import Day, Request
from harness import by_action, median, percentile

#: Steps in the order a patient takes them.
STEPS = (
    "who",
    "which room",
    "times",
    "times, Later",
    "chosen time (302)",
    "details",
    "times, a time gone",
    "book (POST)",
    "book again (POST)",
    "confirmation",
)
TIMES_PAGES = ("times", "times, Later", "times, a time gone")
#: A times page slower than this, while a call it may have needed was answered, waited for
#: the diary (it answers in 500 ms here).
WAITED_MS = 250
#: Why a freeList call was made (`causes`), in the order they are reported.
CAUSES = ("first look", "older than fresh", "after a booking (fresh)", "unexplained")
#: The site's defaults, which the day does not scale.
FRESH_SECONDS, MAX_AGE_SECONDS = 60, 600


@dataclass(frozen=True)
class DiaryCall:
    started: float
    ended: float
    action: str
    status: str
    pair: tuple[int, int] | None  # a freeList's practitioner and room


def diary_calls(path: Path) -> list[DiaryCall]:
    """The calls in the diary's log, in the order their answers were ready."""
    calls = []
    for line in path.read_text().splitlines():
        ended, _pid, action, status, _ms, started, staff, section = line.split()[:8]
        pair = (int(staff), int(section)) if staff.isdigit() and section.isdigit() else None
        calls.append(DiaryCall(float(started), float(ended), action, status, pair))
    return calls


def overlapping(calls: list[DiaryCall]) -> list[tuple[DiaryCall, DiaryCall]]:
    """freeList calls for one pair that came in while another for that pair was being answered."""
    by_pair: dict[tuple[int, int], list[DiaryCall]] = defaultdict(list)
    for call in calls:
        if call.action == "freeList" and call.pair is not None:
            by_pair[call.pair].append(call)
    found = []
    for pair_calls in by_pair.values():
        pair_calls.sort(key=lambda call: call.started)
        longest = pair_calls[0]  # of the calls so far, the one answered last
        for call in pair_calls[1:]:
            if call.started < longest.ended:
                found.append((longest, call))
            if call.ended > longest.ended:
                longest = call
        # (sorted by start, a call overlaps an earlier one iff it starts before the latest end)
    return found


def shown_age(page: Request, calls: list[DiaryCall]) -> float | None:
    """Seconds between the start of the freeList call whose answer the page showed and the
    page's last byte; None if no call for its pair had completed by then."""
    done = [c.started for c in calls if c.pair == page.pair and c.ended <= page.ended]
    return page.ended - max(done) if done else None


def answered_during(page: Request, calls: list[DiaryCall]) -> list[DiaryCall]:
    """The calls a times page may have waited for: its pair's, or the lists', answered while
    it was open."""
    return [
        c
        for c in calls
        if page.started <= c.ended <= page.ended
        and (c.pair == page.pair or c.action in ("staffList", "sectionList"))
    ]


def first_look(page: Request, calls: list[DiaryCall]) -> bool:
    """Whether nothing was kept for the page's pair when it was asked for."""
    return not any(
        c.pair == page.pair and c.ended <= page.started < c.started + MAX_AGE_SECONDS for c in calls
    )


def causes(
    calls: list[DiaryCall], requests: list[Request]
) -> tuple[Counter[str], list[tuple[DiaryCall, DiaryCall | None]]]:
    """Why each freeList call was made, as far as the log shows; and those it does not explain.

    Against the call for the same pair before it: none in the last
    MAX_AGE_SECONDS (nothing kept: a first look); that call began more than
    FRESH_SECONDS before (kept, but older than fresh: reason enough); else a
    booking form for the pair answered since that call began (booked, or
    "just taken": the kept times were changed or dropped); else unexplained.
    """
    posts = [r for r in requests if "POST" in r.step and r.status in (303, 409) and r.pair]
    found: Counter[str] = Counter()
    unexplained: list[tuple[DiaryCall, DiaryCall | None]] = []
    before: dict[tuple[int, int], DiaryCall] = {}
    for call in sorted(calls, key=lambda c: c.started):
        if call.action != "freeList" or call.pair is None:
            continue
        last = before.get(call.pair)
        before[call.pair] = call
        if last is None or call.started - last.started > MAX_AGE_SECONDS:
            found["first look"] += 1
        elif call.started - last.started > FRESH_SECONDS:
            found["older than fresh"] += 1
        elif any(p.pair == call.pair and last.started < p.ended <= call.started for p in posts):
            found["after a booking (fresh)"] += 1
        else:
            found["unexplained"] += 1
            unexplained.append((call, last))
    return found, unexplained


@dataclass
class Figures:
    """One mode's results, printed by `report` and given to BENCH-RESULT."""

    bookings: int
    calls_per_booking: float
    calls: Counter[str]
    waited: int
    times_pages: int
    first_looks: int
    after_first_p95: float
    overlaps: int
    ages: list[float]
    figures: dict[str, str]
    causes: Counter[str]  # of the freeList calls (`causes`)


def figures(day: Day, calls: list[DiaryCall], label: str, bookers: int) -> Figures:
    """Compute and print one mode's figures; `bookers`: the visitors who set out to book."""
    during = [c for c in calls if c.started >= day.started]
    counts = Counter(c.action for c in during)
    outcomes = Counter(day.outcomes.values())
    bookings = sum(n for outcome, n in outcomes.items() if outcome.startswith("booked"))
    per_booking = sum(counts.values()) / bookings if bookings else float("inf")
    pages = sorted((r for r in day.requests if r.step in TIMES_PAGES), key=lambda r: r.started)
    firsts = [page for page in pages if first_look(page, during)]
    later_pages = [page for page in pages if page not in firsts]
    slow = [page for page in pages if page.ms > WAITED_MS]
    waited = [page for page in slow if answered_during(page, during)]
    ages = [age for page in pages if (age := shown_age(page, during)) is not None]
    after_p95 = percentile([p.ms for p in later_pages], 95) if later_pages else 0.0
    overlaps = overlapping(during)
    why, unexplained = causes(during, day.requests)
    result = Figures(
        bookings, per_booking, counts, len(waited), len(pages), len(firsts), after_p95,
        len(overlaps), ages, {}, why,
    )  # fmt: skip
    _print_outcomes(day, outcomes, label, calls)
    _print_steps(day.requests)
    _print_calls(result, unexplained, day.started)
    _print_waits(pages, firsts, waited, slow, during, day.started)
    _print_times_pages(result, firsts, later_pages)
    _print_overlaps(overlaps, day.started)
    result.figures = _bench_figures(result, day.requests, label, bookers, outcomes)
    return result


def _print_outcomes(day: Day, outcomes: Counter[str], label: str, calls: list[DiaryCall]) -> None:
    print(f"\n== {label}: {len(day.outcomes)} visitors")
    print("   what became of them: " + ", ".join(f"{n} {k}" for k, n in outcomes.most_common()))
    taken = sum(r.status == 409 for r in day.requests if "POST" in r.step)
    print(
        f"   just taken (409): {taken} forms; the visitor then took an offered time: "
        f"{outcomes['booked an alternative (after just taken)']} booked, "
        f"{outcomes['just taken twice']} taken again"
    )
    gone = [r for r in day.requests if r.step == "details" and r.status == 302]
    print(
        f"   a time gone between the times page and the details page (302 back to the times,"
        f" `passed=1`; the visitor chose again once): {len(gone)}, of them after another "
        f"visitor's booking in that pair since their times page: {_booked_since(gone, day)}"
    )
    before = Counter(c.action for c in calls if c.started < day.started)
    print(f"   diary calls before the first visitor (servers starting): {by_action(before)}")
    if day.warmed:
        print(
            f"   warming (--warm-step-1): {day.warmed} times pages asked for at step 1, "
            "untimed, not among the figures below but for their diary calls"
        )


def _booked_since(gone: list[Request], day: Day) -> int:
    found = 0
    for details in gone:
        seen = max(
            (
                r
                for r in day.requests
                if r.visitor == details.visitor
                and r.step in TIMES_PAGES
                and r.ended <= details.started
            ),
            key=lambda r: r.ended,
            default=None,
        )
        if seen is not None and any(
            "POST" in r.step and r.status == 303 and r.pair == seen.pair
            and seen.started < r.ended <= details.started
            for r in day.requests
        ):  # fmt: skip
            found += 1
    return found


def _print_steps(requests: list[Request]) -> None:
    print(f"   {'step':<20} {'pages':>6} {'median':>8} {'p95':>8} {'max':>8}  statuses")
    for step in STEPS:
        ms = [r.ms for r in requests if r.step == step]
        if not ms:
            continue
        statuses = Counter(r.status for r in requests if r.step == step)
        print(
            f"   {step:<20} {len(ms):>6} {median(ms):>8.1f} {percentile(ms, 95):>8.1f} "
            f"{max(ms):>8.1f}  {', '.join(f'{n} x {s}' for s, n in sorted(statuses.items()))}"
        )
    print("   (server time in ms, from sending to the last byte, on loopback; p95 nearest rank)")


def _print_calls(
    result: Figures, unexplained: list[tuple[DiaryCall, DiaryCall | None]], started: float
) -> None:
    why = result.causes
    total = sum(result.calls.values())
    print(
        f"   API calls during the day: {total} ({by_action(result.calls)}); per completed "
        f"booking: {result.calls_per_booking:.2f} ({result.bookings} bookings)"
    )
    print(
        "   freeList calls by cause (against the pair's call before): "
        + ", ".join(f"{why[cause]} {cause}" for cause in CAUSES)
        + f" (first look: none in {MAX_AGE_SECONDS} s; older than fresh: it began over "
        f"{FRESH_SECONDS} s before; after a booking (fresh): younger, but a booking form for the"
        " pair was answered since it began)"
    )
    for call, last in unexplained[:8]:
        before = f"{last.started - started:.2f} s" if last else "-"
        print(
            f"     ! unexplained: pair {call.pair} at {call.started - started:.2f} s into the day,"
            f" the call before at {before}"
        )


def _print_waits(
    pages: list[Request],
    firsts: list[Request],
    waited: list[Request],
    slow: list[Request],
    calls: list[DiaryCall],
    started: float,
) -> None:
    print(
        f"   waited for the diary: {len(waited)} of {len(pages)} times pages (over {WAITED_MS} "
        f"ms while a call for its pair or the lists was answered); "
        f"{sum(page in firsts for page in waited)} of them first looks (a pair with nothing "
        f"kept from the last {MAX_AGE_SECONDS // 60} minutes: {len(firsts)} such pages)"
    )
    if len(slow) > len(waited):
        print(
            f"   slow (over {WAITED_MS} ms) with no such call answered meanwhile: "
            f"{len(slow) - len(waited)} (this machine's CPU, not the diary)"
        )
    for page in [p for p in waited if p not in firsts][:8]:
        meanwhile = "; ".join(
            f"{c.action} {c.started - started:.2f}-{c.ended - started:.2f} s"
            for c in answered_during(page, calls)
        )
        print(
            f"     ! not a first look, and waited: pair {page.pair}, {page.step}, {page.ms:.0f} ms"
            f" on {page.server}, {page.started - started:.2f} s into the day; the diary "
            f"answered meanwhile: {meanwhile}"
        )


def _print_times_pages(result: Figures, firsts: list[Request], later_pages: list[Request]) -> None:
    if later_pages:
        ms = [p.ms for p in later_pages]
        print(
            f"   times pages after the first look at their pair: {len(ms)}, median "
            f"{median(ms):.1f} ms, p95 {result.after_first_p95:.1f} ms, max {max(ms):.1f} ms"
        )
    if firsts:
        ms = [p.ms for p in firsts]
        print(f"   first looks: median {median(ms):.1f} ms, max {max(ms):.1f} ms")
    if result.ages:
        print(
            f"   age of the free times shown: median {median(result.ages):.1f} s, p95 "
            f"{percentile(result.ages, 95):.1f} s, max {max(result.ages):.1f} s (the page's last "
            "byte minus the start of its pair's latest freeList call completed by then)"
        )


def _print_overlaps(overlaps: list[tuple[DiaryCall, DiaryCall]], started: float) -> None:
    print(f"   freeList calls for one pair overlapping another for that pair: {len(overlaps)}")
    for first, second in overlaps[:8]:
        print(
            f"     ! pair {first.pair}: {first.started - started:.3f}-{first.ended - started:.3f}"
            f" s and {second.started - started:.3f}-{second.ended - started:.3f} s into the day"
        )


def look_intervals(requests: list[Request], seconds: float) -> list[float]:
    """For each pair looked at, the day's length over its times pages: seconds between looks."""
    looks = Counter(r.pair for r in requests if r.step in TIMES_PAGES and r.pair)
    return sorted(seconds / n for n in looks.values())


def _bench_figures(
    result: Figures,
    requests: list[Request],
    label: str,
    bookers: int,
    outcomes: Counter[str],
) -> dict[str, str]:
    shown = result.ages or [0.0]
    found = {
        f"{label}: API calls per booking": (
            f"{result.calls_per_booking:.2f} ({by_action(result.calls)})"
        ),
        f"{label}: bookings completed": (
            f"{result.bookings} of {bookers} bookers "
            f"({outcomes['booked an alternative (after just taken)']} after just taken)"
        ),
        f"{label}: freeList calls by cause": ", ".join(
            f"{result.causes[cause]} {cause}" for cause in CAUSES if result.causes[cause]
        ),
        f"{label}: times pages that waited": (
            f"{result.waited} of {result.times_pages} ({result.first_looks} first looks)"
        ),
        f"{label}: times p95 after first look": f"{result.after_first_p95:.1f} ms",
        f"{label}: age shown, median / max": f"{median(shown):.1f} / {max(shown):.1f} s",
        f"{label}: overlapping freeList calls": str(result.overlaps),
    }
    for step in STEPS:
        ms = [r.ms for r in requests if r.step == step]
        if ms:
            found[f"{label}: {step}, median / p95"] = (
                f"{median(ms):.1f} / {percentile(ms, 95):.1f} ms"
            )
    return found
