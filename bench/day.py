"""A day of traffic on two web servers: who waits for the diary, and what the diary is asked.

    .venv/bin/python bench/day.py                        # 300 visitors over 10 minutes
    .venv/bin/python bench/day.py --minutes 2 --visitors 60
    .venv/bin/python bench/day.py --no-warm-compare      # the plain day only

Starts what the deployment tests start (tests/deploy/services.py, the same
functions): Debian's redis-server on a free port; the reference diary in a
gunicorn of its own (1 worker x 16 threads), answering every call after
SANDBOX_LATENCY_MS=500 and writing each one down with when it came in and
when its answer left, and for a freeList the practitioner and room asked
about (bench/diary_counter.py, ids only); and two booking sites A and B, each
a gunicorn of 2 workers x 2 threads with production settings, CACHE_URL=redis://
and CLIENT_IP_HEADER=X-Forwarded-For, each visitor with a client address of
their own (the deployment tests' start_site: its rate limits per address,
BOOKING_FORM_MIN_SECONDS=0). Static files, databases and secrets are made
fresh in a temporary folder. The practice: 10 practitioners x 3 rooms, 30
pairs, each working 2 or 3 four-hour blocks a week in each room (no room has
two practitioners at once, so a booking in one pair takes no other's time).

The day: --visitors (300) arriving as a Poisson process over --minutes (10)
of real time, each in a thread of their own (bench/day_visitors.py), with a
think time of 2 to 10 s (uniform; scaled down) before each step, every
request to A or B at random: `/` (who: a few practitioners are asked for
more, PRACTITIONERS), `/?staffId=X` (which room: uniform), the times page
of that one practitioner and room, Later once for a quarter of them. A fifth
of all visitors leave after step 1, --book-share (a third) book, the rest
leave after the times page. A booker takes one of the first 6 free times
shown (Later until a week has one), as the browser does: the times page with
`slot` (302), the details page, the form posted with distinct details
(303), the confirmation page; after "just taken" (409), one of the times
offered instead, once. The site's free times settings are its defaults, 60 s
fresh and 600 s at most, NOT scaled: the day is compressed, and the output
says how often each pair was looked at.

Two modes, each on fresh servers, a fresh diary and a fresh Redis: plain,
and --warm-step-1, where the "which room" page for a practitioner also sets
off, untimed and from another thread, the times page of each room offered,
which makes the site ask about those pairs as warming at step 1 on the
server would. Both days run at the same time, so that the whole run takes
about 12 minutes at the defaults; they share this machine's cores, so each
mode's server times include the other's work (--one-mode-at-a-time: plain,
then warm, in twice the time). The same visitors come to both (--seed); the
warm day starts half a visitor's gap later, so that twins do not collide.

Reported for each mode (bench/day_figures.py says how each is computed):
what became of the visitors, each step's server time (median, p95 nearest
rank, max; measured by the client on loopback from sending to the last byte),
the diary's calls in all and by action and per completed booking, the
freeList calls by cause (a pair's first look, older than fresh, after a
booking; any other is listed as unexplained), the times pages that waited
for the diary (over 250 ms while a call for their pair or the lists was
answered) and how many were a pair's first look, the times pages' server
time after the first look, the age of the free times shown, and freeList
calls for one pair overlapping; then how often a pair was looked at, and
this machine's load average before and after. Then a line
`BENCH-RESULT {json}` (bench/run_all.py). Targets: API calls per completed
booking <= 2.5 (plain), no overlapping freeList calls for one pair (both
modes), times pages after the first look at their pair p95 <= 100 ms (plain).
Every process it starts is stopped on the way out, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from day_figures import (  # noqa: E402
    FRESH_SECONDS,
    MAX_AGE_SECONDS,
    Figures,
    diary_calls,
    figures,
    look_intervals,
)
from day_visitors import THINK_SECONDS, Day, Plan, plans, run_day  # noqa: E402
from harness import bench_result  # noqa: E402

from tests.deploy.services import (  # noqa: E402
    PYTHON,
    Diary,
    Prepared,
    gunicorn,
    prepare,
    redis_server,
    running,
    start_site,
)

LATENCY_MS = 500
#: The practice: staffId -> (name, how busy: a few practitioners are asked for more).
PRACTITIONERS = {
    61001: ("Alys Morgan", 6),
    61002: ("Bethan Price", 4),
    61003: ("Cai Rowlands", 3),
    61004: ("Dafydd Owen", 2),
    61005: ("Elin Hughes", 2),
    61006: ("Ffion Jenkins", 1.5),
    61007: ("Gareth Lloyd", 1.5),
    61008: ("Heledd Parry", 1),
    61009: ("Iwan Thomas", 1),
    61010: ("Lowri Evans", 1),
}
ROOMS = {7501: "Room 1", 7502: "Room 2", 7503: "Room 3"}
PAIRS = len(PRACTITIONERS) * len(ROOMS)
#: Run in `manage.py shell` on the diary's database: the demo practice replaced by this
#: one. Each day has three four-hour blocks; in block b, room r has practitioner
#: (b + 7r) mod 10, so the three rooms never share a practitioner at once, and each
#: pair works 2 or 3 of the week's 21 blocks (10 to 15 free times a week).
PRACTICE = f"""
from datetime import time
from sandbox.models import Practitioner, Room, WorkingHours
for model in (WorkingHours, Practitioner, Room):
    model.objects.all().delete()
staff = [Practitioner.objects.create(id=i, name=n, slot_minutes=45)
         for i, (n, _) in {PRACTITIONERS!r}.items()]
rooms = [Room.objects.create(id=i, name=n) for i, n in {ROOMS!r}.items()]
for b in range(21):
    day, start = divmod(b, 3)
    for r, room in enumerate(rooms):
        WorkingHours.objects.create(practitioner=staff[(b + 7 * r) % 10], room=room, weekday=day,
                                    start=time(8 + 4 * start), end=time(12 + 4 * start))
print(f"practice: {{len(staff)}} practitioners x {{len(rooms)}} rooms,",
      f"{{WorkingHours.objects.count()}} blocks of working hours")
"""


def seed_practice(prepared: Prepared) -> None:
    """The template database's demo practice replaced by the day's."""
    env = prepared.production(prepared.database, SANDBOX_ENABLED="true", PHYSIODIARY_API_URL="")
    args = [PYTHON, "manage.py", "shell", "-v", "0", "-c", PRACTICE]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"day: seeding the practice failed:\n{done.stdout}{done.stderr}")
    print(done.stdout.strip())


@dataclass(frozen=True)
class Servers:
    sites: dict[str, str]  # "A" and "B": their base URLs
    calls: Path  # the diary's log of calls


@contextlib.contextmanager
def servers(prepared: Prepared, folder: Path) -> Iterator[Servers]:
    """Redis, the diary (its calls logged, answering in LATENCY_MS) and sites A and B."""
    folder.mkdir()
    with redis_server(folder) as cache_url:
        database = prepared.copy_database(folder)
        calls = folder / "diary-calls.log"
        env = prepared.production(
            database,
            SANDBOX_ENABLED="true",
            SANDBOX_HTTP="true",
            PHYSIODIARY_API_URL="",
            SANDBOX_API_KEY=prepared.api_key,
            SANDBOX_ALLOWED_IPS="127.0.0.1",
            SANDBOX_LATENCY_MS=str(LATENCY_MS),
            BENCH_DIARY_CALLS=str(calls),
            LOG_LEVEL="WARNING",
        )
        # Threads enough that a queue at the diary never stands in for its latency.
        server = gunicorn("diary", env, folder, app="bench.diary_counter", threads=16, workers=1)
        diary = Diary(server, database, calls)
        a = start_site("site-a", prepared, folder, diary, CACHE_URL=cache_url)
        b = start_site("site-b", prepared, folder, diary, CACHE_URL=cache_url)
        with running(a.process, b.process, server.process):
            for each in (server, a, b):
                each.wait_until_up()
            yield Servers({"A": a.base, "B": b.base}, calls)


@dataclass
class Mode:
    label: str
    warm: bool
    offset: float = 0.0  # seconds after the plan's times that its visitors arrive
    stop: threading.Event = field(default_factory=threading.Event)
    day: Day = field(default_factory=Day)
    result: Figures | None = None


def run_modes(modes: list[Mode], prepared: Prepared, folder: Path, plan: list[Plan]) -> None:
    """The modes' days at the same time, each on servers of its own; then their figures."""
    with contextlib.ExitStack() as stack:
        up = {
            mode.label: stack.enter_context(servers(prepared, folder / mode.label))
            for mode in modes
        }
        print(f"servers up for: {', '.join(up)}", flush=True)
        runners = [
            threading.Thread(target=_day, args=(mode, up[mode.label], plan), daemon=True)
            for mode in modes
        ]
        for runner in runners:
            runner.start()
        try:
            _wait_for(runners, modes)
        except KeyboardInterrupt:
            for mode in modes:
                mode.stop.set()
            for runner in runners:
                runner.join(timeout=30)
            raise
        for mode in modes:
            calls = diary_calls(up[mode.label].calls)
            mode.result = figures(mode.day, calls, mode.label, _bookers(plan))


def _wait_for(runners: list[threading.Thread], modes: list[Mode]) -> None:
    """Until every day is over, a line a minute to show how far each has got."""
    next_line = time.monotonic() + 60
    while any(runner.is_alive() for runner in runners):
        for runner in runners:
            runner.join(timeout=0.5)  # a Ctrl-C is seen here within half a second
        if time.monotonic() >= next_line:
            next_line += 60
            print(
                "   "
                + "; ".join(
                    f"{mode.label}: {mode.day.arrived} arrived, {len(mode.day.outcomes)} left, "
                    f"{len(mode.day.requests)} requests"
                    for mode in modes
                ),
                flush=True,
            )


def _bookers(plan: list[Plan]) -> int:
    return sum(visitor.kind == "book" for visitor in plan)


def _day(mode: Mode, on: Servers, plan: list[Plan]) -> None:
    run_day(mode.day, plan, on.sites, mode.stop, warm=mode.warm, offset=mode.offset)


def compression(plan: list[Plan], minutes: float, modes: list[Mode]) -> str:
    """How often each pair was looked at in the (plain) day, and in a real day of 8 hours."""
    gaps = look_intervals(modes[0].day.requests, minutes * 60)
    if not gaps:
        return "no times page was seen"
    middle = gaps[len(gaps) // 2]
    real = middle * 8 * 60 / minutes
    return (
        f"{len(plan)} visitors over {minutes:g} minutes: each pair looked at about every "
        f"{middle:.0f} s (median over the {len(gaps)} pairs looked at, of {PAIRS}; busiest every "
        f"{gaps[0]:.0f} s, quietest {gaps[-1]:.0f} s). The site keeps free times "
        f"{FRESH_SECONDS} s fresh and {MAX_AGE_SECONDS} s at most, its defaults, NOT scaled: "
        f"this day is compressed. The same visitors over an 8-hour day would look at a pair "
        f"about every {real:.0f} s."
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10, help="of real time")
    parser.add_argument("--book-share", type=float, default=1 / 3)
    parser.add_argument("--seed", type=int, default=19, help="the same seed, the same visitors")
    parser.add_argument("--warm-step-1", action="store_true", help="the warm mode only")
    parser.add_argument("--no-warm-compare", action="store_true", help="the plain mode only")
    parser.add_argument("--one-mode-at-a-time", action="store_true", help="in twice the time")
    args = parser.parse_args()
    if not (1 <= args.visitors <= 999 and 0 < args.minutes <= 60 and 0 <= args.book_share <= 0.8):
        parser.error("--visitors 1 to 999, --minutes up to 60, --book-share 0 to 0.8")
    return args


def main() -> int:
    args = arguments()
    stop_on_sigterm()
    started = time.monotonic()
    seconds = args.minutes * 60
    weights = {staff: weight for staff, (_, weight) in PRACTITIONERS.items()}
    plan = plans(args.visitors, seconds, args.book_share, weights, list(ROOMS), args.seed)
    # The warm day half a visitor's gap after the plain one: twin requests do not meet.
    modes = [Mode("plain", False), Mode("warm step 1", True, offset=seconds / len(plan) / 2)]
    modes = modes[1:] if args.warm_step_1 else modes[:1] if args.no_warm_compare else modes
    when = ", one after the other" if args.one_mode_at_a_time else ", at the same time"
    print(
        f"{args.visitors} visitors over {args.minutes:g} minutes (Poisson arrivals), "
        f"{_bookers(plan)} booking; think times uniform {THINK_SECONDS[0]:g}-"
        f"{THINK_SECONDS[1]:g} s before each step; diary latency {LATENCY_MS} ms; modes: "
        f"{', '.join(m.label for m in modes)}{when if len(modes) > 1 else ''}\n"
        f"this machine: {load()} before the servers start",
        flush=True,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-day-") as work:
            folder = Path(work)
            prepared = prepare(folder)
            seed_practice(prepared)
            print(f"static files, databases, secrets: {time.monotonic() - started:.0f} s")
            for group in [[mode] for mode in modes] if args.one_mode_at_a_time else [modes]:
                run_modes(group, prepared, folder, plan)
    except (pytest.skip.Exception, pytest.fail.Exception) as missing:
        sys.exit(f"day: {missing.msg}")  # tests/deploy/services.py's "not installed"
    except KeyboardInterrupt:
        print("\nday: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    print("\n" + compression(plan, args.minutes, modes))
    print(f"this machine: {load()} at the end (shared: its other work is in every server time)")
    report(modes, time.monotonic() - started)
    return 0


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min), {five:.2f} (5 min)"


def report(modes: list[Mode], seconds: float) -> None:
    found: dict[str, str] = {}
    targets: dict[str, str] = {}
    met = True
    for mode in modes:
        result = mode.result
        assert result is not None
        found.update(result.figures)
        targets[f"{mode.label}: overlapping freeList calls"] = "0"
        met &= result.overlaps == 0
        if not mode.warm:
            targets[f"{mode.label}: API calls per booking"] = "<= 2.5"
            targets[f"{mode.label}: times p95 after first look"] = "<= 100 ms"
            met &= result.calls_per_booking <= 2.5 and result.after_first_p95 <= 100
    found["wall time, start to finish"] = f"{seconds:.0f} s"
    bench_result("day", found, targets, met)


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, through every `finally` that stops a process."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":
    sys.exit(main())
