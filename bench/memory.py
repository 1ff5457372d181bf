"""Resident memory per gunicorn worker after 10,000 mixed requests, and its growth after 20,000.

    .venv/bin/python bench/memory.py
    .venv/bin/python bench/memory.py --requests 10000 --clients 4 --max-seconds 240

The site runs as production does (bench/harness.py: gunicorn, production
settings, WhiteNoise, the shared database cache, a fresh copy of the demo
practice in a temporary folder), with 2 sync workers of 1 thread, English
and Welsh (SITE_LANGUAGES=en-gb,cy), and the reference diary in a gunicorn
of its own, reached over HTTP as a practice's Physiodiary is. gunicorn's
worker recycling is turned off for the run (GUNICORN_MAX_REQUESTS=0, read by
gunicorn.conf.py, checked before the start), since a replaced worker would
hide a leak; the workers' pids are compared at the end. Everything else of
gunicorn.conf.py applies, its malloc arenas per worker among them.
`--env NAME=VALUE` adds to the site's environment: `MALLOC_ARENA_MAX=0` for
glibc's own limit; `BOOKING_FREE_TIMES_CACHE_SECONDS=5` for free times going
stale, and refreshed on background threads, about as often per request as
a day's traffic makes them (the run packs a day's requests into minutes).

Several client threads on loopback send the mix of bench/memory_mix.py
(every step in both languages, "any" and later weeks, the details form
refused for a missing name, a few real bookings with distinct patients,
their confirmation and change pages, 404s, 400s, /healthz, /embed.js,
/theme.css, static files), each request from one of thousands of client
addresses (X-Forwarded-For, CLIENT_IP_HEADER) with its own Accept-Language,
the rate limits at their defaults. After `--requests` (10,000) each
worker's VmRSS (/proc/<pid>/status) and Pss (/proc/<pid>/smaps_rollup) are
read; after as many again, read again. Readings every 2,500 requests show
the trend.

Target: each worker's resident memory grows by at most 2 MiB from 10,000 to
20,000 requests. Ends with a BENCH-RESULT line. A run cut short by
`--max-seconds` (6 minutes of load), or whose workers were replaced, says so
and does not meet it.

`--trace` asks each worker, at both readings, for its live objects by type
(bench/memory_settings.py and memory_trace.py), and prints what grew;
`--trace-frames N` adds tracemalloc's snapshots with N frames, which slows
the workers many times over: a traced run's figures are not the bench's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness import bench_result, reference_diary, site
from memory_mix import Mix, discover
from memory_trace import PATH, grew
from serving import PYTHON, ROOT

#: The target: growth of each worker's resident memory from the first reading to the second.
GROWTH_MAX_MIB = 2.0
WORKERS = 2
READ_EVERY = 2500
SITE_ENV = {
    "SITE_LANGUAGES": "en-gb,cy",
    # Off for the run: a worker replaced after N requests hides a leak.
    "GUNICORN_MAX_REQUESTS": "0",
    # Each simulated patient has an address of their own, as behind a proxy,
    # so the rate limits run at their defaults, as on a practice's site.
    "CLIENT_IP_HEADER": "X-Forwarded-For",
    "BOOKING_RATE_LIMIT": "10",
    "BOOKING_SEARCH_RATE_LIMIT": "300",
}


# --- The workers' memory ----------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One worker's memory at one moment, in KiB."""

    pid: int
    rss: int
    pss: int


def _field_kib(path: str, name: str) -> int:
    for line in Path(path).read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])  # "VmRSS:   51234 kB"
    raise SystemExit(f"memory: no {name} in {path}")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def site_master() -> int:
    """The site's gunicorn master: our child serving booking_site.wsgi (not the diary's)."""
    for pid in children(os.getpid()):
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"gunicorn" in command and b"booking_site.wsgi" in command:
            return pid
    raise SystemExit("memory: the site's gunicorn master is not among this process's children")


def read_workers(master: int) -> list[Reading]:
    return [
        Reading(
            pid,
            _field_kib(f"/proc/{pid}/status", "VmRSS"),
            _field_kib(f"/proc/{pid}/smaps_rollup", "Pss"),
        )
        for pid in children(master)
    ]


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def gunicorn_conf(env: dict[str, str]) -> dict[str, object]:
    """What gunicorn.conf.py sets under the run's environment that bears on memory."""
    code = (
        "import json, runpy; conf = runpy.run_path('gunicorn.conf.py');"
        " print(json.dumps({n: conf.get(n) for n in ('max_requests', 'malloc_arena_max')}))"
    )
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


# --- The load ---------------------------------------------------------------------------


@dataclass
class Load:
    """Requests sent so far, shared by the client threads."""

    mix: Mix
    deadline: float
    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, limit: int) -> bool:
        """One more request may go, unless `limit` are sent or time is up."""
        with self.lock:
            if self.sent >= limit or time.monotonic() > self.deadline:
                return False
            self.sent += 1
            return True

    def run(self, limit: int, clients: int) -> None:
        """Send requests from `clients` threads until `limit` in all are sent."""

        def client() -> None:
            while self.take(limit):
                try:
                    sent = self.mix.one()
                except OSError as exc:  # a refused or reset connection: counted, not fatal
                    sent = [("connection", type(exc).__name__)]
                with self.lock:
                    self.sent += len(sent) - 1  # take() counted one; a step may send up to 4
                    for label, status in sent:
                        self.statuses[f"{label} {status}"] += 1
                        if str(status).startswith("5") or label == "connection":
                            self.errors.append(f"{label} {status}")

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def load_and_read(load: Load, master: int, total: int, clients: int) -> list[Reading]:
    """Send requests up to `total`, printing the workers' memory every READ_EVERY."""
    while load.sent < total and time.monotonic() < load.deadline:
        started = time.monotonic()
        load.run(min(total, (load.sent // READ_EVERY + 1) * READ_EVERY), clients)
        readings = read_workers(master)
        rate = READ_EVERY / max(time.monotonic() - started, 1e-9)
        print(
            f"{load.sent:>6} requests ({rate:.0f}/s): "
            + ", ".join(f"pid {r.pid} RSS {mib(r.rss)} Pss {mib(r.pss)}" for r in readings),
            flush=True,
        )
    return read_workers(master)


# --- Report -----------------------------------------------------------------------------


def report(first: list[Reading], second: list[Reading], load: Load, total: int) -> bool:
    """Print the table and the BENCH-RESULT line; whether the target was met."""
    print("\nrequests by step and status:")
    for key, count in sorted(load.statuses.items()):
        print(f"  {key:<32} {count:>6}")
    same = [r.pid for r in first] == [r.pid for r in second]
    if not same:
        print(
            f"\nThe workers changed between the readings ({[r.pid for r in first]} ->"
            f" {[r.pid for r in second]}): a worker was replaced, the growth is not measured."
        )
    done = load.sent >= total
    if not done:
        print(f"\nStopped at the time limit after {load.sent} of {total} requests.")
    half, whole = f"{total / 2000:g}k", f"{total / 1000:g}k"
    columns = (f"RSS {half}", f"RSS {whole}", "growth", f"Pss {half}", f"Pss {whole}")
    print(f"\n{'worker':<8}" + "".join(f"{c:>12}" for c in columns))
    growth = {}
    for a, b in zip(first, second, strict=False):
        growth[a.pid] = b.rss - a.rss
        cells = (a.rss, b.rss, b.rss - a.rss, a.pss, b.pss)
        print(f"{a.pid:<8}" + "".join(f"{mib(c):>12}" for c in cells))
    worst = max(growth.values(), default=0)
    met = same and done and len(first) == WORKERS and worst <= GROWTH_MAX_MIB * 1024
    figures = {
        f"RSS per worker after {half}": ", ".join(mib(r.rss) for r in first),
        f"growth {half}->{whole}": ", ".join(mib(g) for g in growth.values()),
        f"Pss per worker after {whole}": ", ".join(mib(r.pss) for r in second),
        "requests, 5xx or failed connections": f"{load.sent}, {len(load.errors)}",
    }
    targets = {f"growth {half}->{whole}": f"<= {GROWTH_MAX_MIB:g} MiB per worker"}
    bench_result("memory", figures, targets, met)
    return met


# --- Where the memory goes (--trace) ---------------------------------------------------


def snapshot_workers(base: str, master: int, label: str, folder: Path) -> None:
    """A look at each worker (bench/memory_trace.py), asked for until each has answered."""
    wanted = set(children(master))
    for _ in range(40):
        looked = {int(p.name.split("-")[0]) for p in folder.glob(f"*-{label}.types.json")}
        if wanted <= looked:
            return
        with urllib.request.urlopen(f"{base}{PATH}?label={label}", timeout=120) as answer:
            answer.read()
    raise SystemExit(f"memory: not every worker answered {PATH} (wanted {sorted(wanted)})")


def print_growth(folder: Path, master: int, first: str, second: str) -> None:
    for pid in children(master):
        print(f"\n-- worker {pid}: what grew from {first} to {second}")
        print("\n".join(grew(folder, pid, first, second)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="before each reading")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--max-seconds", type=float, default=360, help="for the load, in all")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="more for the site"
    )
    parser.add_argument("--trace", action="store_true", help="what grew, by type (gc)")
    parser.add_argument(
        "--trace-frames", type=int, default=0, help="and where (tracemalloc): slow, no figures"
    )
    args = parser.parse_args()
    if args.requests < READ_EVERY or args.requests % READ_EVERY:
        parser.error(f"--requests: a multiple of {READ_EVERY}")
    started = time.monotonic()
    with reference_diary() as diary, tempfile.TemporaryDirectory(prefix="bench-trace-") as trace:
        extra = {**SITE_ENV, **dict(pair.split("=", 1) for pair in args.env)}
        if args.trace or args.trace_frames:
            extra.update(
                DJANGO_SETTINGS_MODULE="bench.memory_settings",
                BENCH_TRACEMALLOC=trace,
                BENCH_TRACEMALLOC_FRAMES=str(args.trace_frames),
            )
        conf = gunicorn_conf({**diary.env, **extra})
        if conf["max_requests"] != 0:
            raise SystemExit("memory: gunicorn.conf.py still recycles workers (max_requests)")
        print(
            "gunicorn worker recycling off for the run (GUNICORN_MAX_REQUESTS=0);"
            f" malloc arenas per worker: {conf['malloc_arena_max'] or 'glibc default'}",
            flush=True,
        )
        with site(diary, workers=WORKERS, **extra) as base:
            master = site_master()
            print(f"site {base}, master pid {master}, workers {children(master)}", flush=True)
            mix = Mix(discover(base), languages=("", "/cy"), seed=args.seed)
            load = Load(mix, deadline=time.monotonic() + args.max_seconds)
            first = load_and_read(load, master, args.requests, args.clients)
            if "BENCH_TRACEMALLOC" in extra:
                snapshot_workers(base, master, "first", Path(trace))
            second = load_and_read(load, master, 2 * args.requests, args.clients)
            if "BENCH_TRACEMALLOC" in extra:
                snapshot_workers(base, master, "second", Path(trace))
                print_growth(Path(trace), master, "first", "second")
            report(first, second, load, 2 * args.requests)
    print(f"\nmemory: {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
