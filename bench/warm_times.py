"""A warm times page's server time against a trivial view, in one run on production settings.

    .venv/bin/python bench/warm_times.py
    .venv/bin/python bench/warm_times.py --requests 500 --cache redis

`make bench` runs it (bench/run_all.py).

One site under gunicorn as production runs it (bench/serving.py: production
settings and their defaults, static files collected, the in-process
reference diary), on a fresh copy of the demo practice with 4 practitioners
in 3 rooms as server_time.py has it ("any" asks about 12 pairs), on one
worker of one thread, so that "warm" means warm: one process's memory,
every request.
Twice, once on each cache production allows: Redis (`CACHE_URL=redis://`,
Debian's redis-server on a free port of its own) and the database
(`dbcache://`, serving.py's default).

The search rate limit is on, at production's default
(BOOKING_SEARCH_RATE_LIMIT: one cache increment per times page, which the
other benchmarks turn off): each request comes from an address of its own
(127.x.y.z, all loopback), so it is counted and never limited. For
comparison with figures before it, a second server on the same database and
cache has the limit off (`BOOKING_SEARCH_RATE_LIMIT=0`, as bench/serving.py
sets it); its times pages are asked in the same rounds.

Each round asks, one request at a time and in turn: `/healthz` (the trivial
view: answered by the first middleware, so its time is the HTTP and
gunicorn round trip alone), the times page of one practitioner and room
(the pair with the most free times, in its first window that has any) and
"any" practitioner in any room for the same window; and, for scale, the
privacy notice (`/privacy/`: a page of the site that needs no diary, the
page around the times alone: base.html, the middleware, the context
processors). After WARM_UP rounds
(lists and free times cached, templates loaded) come REQUESTS rounds; each
figure is the median of the client's time, request sent to last byte read,
on loopback, with `Accept-Encoding: gzip` as browsers send it (the pages
are compressed as patients get them).

Targets (issue 19): the times page's median <= 4 x /healthz's; "any" <= 2 x
the one pair's. Ends with a BENCH-RESULT line.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness import KEEP_FOUR, bench_result, busiest_pair, manage, median, percentile
from serving import ROOT, collect_static, create_cache_table, gunicorn, production_env

REQUESTS = 200
WARM_UP = 20
#: The targets: times / healthz, and any / one.
TIMES_PER_HEALTHZ, ANY_PER_ONE = 4, 2
CACHES = ("redis", "db")


@dataclass
class Timings:
    """One URL's client times, in ms, and the size of its last (compressed) body."""

    base: str
    path: str
    ms: list[float] = field(default_factory=list)
    bytes: int = 0

    @property
    def median(self) -> float:
        return median(self.ms)

    def summary(self) -> str:
        return f"median {self.median:.2f} ms, p95 {percentile(self.ms, 95):.2f} ms"


#: Numbers each request's client address (`client_address`).
_CLIENTS = itertools.count()


def client_address() -> str:
    """A loopback address no request has come from yet: 127.1.1.1, 127.1.1.2, …

    The site counts times pages per address (its search rate limit), and
    Linux answers every 127.x.y.z on loopback.
    """
    n = next(_CLIENTS)
    return f"127.{1 + n // 254**2 % 254}.{1 + n // 254 % 254}.{1 + n % 254}"


def timed_get(timings: Timings) -> None:
    """GET one path as a browser would (gzip accepted), timed to its last byte."""
    base = timings.base
    host = urlsplit(base)
    connection = http.client.HTTPConnection(
        host.hostname, host.port, timeout=30, source_address=(client_address(), 0)
    )
    started = time.perf_counter()
    connection.request("GET", timings.path, headers={"Accept-Encoding": "gzip"})
    answer = connection.getresponse()
    body = answer.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if answer.status != 200:
        raise SystemExit(f"warm_times: {base}{timings.path} answered {answer.status}")
    timings.ms.append(elapsed * 1000)
    timings.bytes = len(body)


@contextlib.contextmanager
def redis_url(folder: Path) -> Iterator[str]:
    """A Redis of our own on a free port (the deployment tests' own way to start one)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.deploy.services import redis_server

    with redis_server(folder) as url:
        yield url


def measure(pages: dict[str, tuple[str, str]], requests: int) -> dict[str, Timings]:
    """Every (base, path) in turn, round after round: warm-up rounds, then `requests` timed ones."""
    warm = {name: Timings(*page) for name, page in pages.items()}
    for _ in range(WARM_UP):
        for timings in warm.values():
            timed_get(timings)
    timed = {name: Timings(*page) for name, page in pages.items()}
    for _ in range(requests):
        for timings in timed.values():
            timed_get(timings)
    return timed


def production_defaults(**extra: str) -> dict[str, str]:
    """bench/serving.py's production environment, less its search rate limit of 0:
    production's default limit, as a site that sets nothing has it."""
    env = production_env(**extra)
    del env["BOOKING_SEARCH_RATE_LIMIT"]
    return env


def one_cache(cache: str, database: str, folder: Path, requests: int) -> dict[str, Timings]:
    with contextlib.ExitStack() as stack:
        extra = {"DATABASE_URL": database}
        if cache == "redis":
            extra["CACHE_URL"] = stack.enter_context(redis_url(folder))
        static_root = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-static-"))
        env = production_defaults(DJANGO_STATIC_ROOT=static_root, **extra)
        collect_static(env)
        create_cache_table(env)
        base = stack.enter_context(gunicorn(env, workers=1, threads=1))
        off = {**env, "BOOKING_SEARCH_RATE_LIMIT": "0"}
        limit_off = stack.enter_context(gunicorn(off, workers=1, threads=1))
        one, anyone, _ = busiest_pair(base)
        pages = {
            "healthz": (base, "/healthz"),
            "privacy": (base, "/privacy/"),
            "one": (base, one),
            "any": (base, anyone),
            "one, limit off": (limit_off, one),
            "any, limit off": (limit_off, anyone),
        }
        timed = measure(pages, requests)
    print(f"\n-- CACHE_URL={cache}: one pair {one}, any {anyone}; {requests} rounds")
    print(f"{'page':<15} {'med ms':>8} {'p95 ms':>8} {'gzip B':>7}")
    for name, timings in timed.items():
        p95 = percentile(timings.ms, 95)
        print(f"{name:<15} {timings.median:8.2f} {p95:8.2f} {timings.bytes:7}", flush=True)
    return timed


#: Each page's label in the figures.
LABELS = {
    "healthz": "/healthz",
    "privacy": "/privacy/ (no diary)",
    "one": "times, one pair",
    "any": "times, any (12 pairs)",
    "one, limit off": "times, one pair, search rate limit off",
    "any, limit off": "times, any, search rate limit off",
}


def run(requests: int = REQUESTS, caches: tuple[str, ...] = CACHES) -> None:
    """Measure on each cache; print the figures and the BENCH-RESULT line."""
    figures: dict[str, str] = {}
    targets: dict[str, str] = {}
    met = True
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as work:
        database = f"sqlite:///{Path(work) / 'db.sqlite3'}"
        env = production_env(DATABASE_URL=database)
        manage(env, "migrate", "--noinput", "-v", "0")
        print(manage(env, "seed_demo_diary"), flush=True)
        print(manage(env, "shell", "-v", "0", "-c", KEEP_FOUR), flush=True)
        for cache in caches:
            timed = one_cache(cache, database, Path(work), requests)
            healthz, one, anyone = (timed[name].median for name in ("healthz", "one", "any"))
            per_healthz, per_one = one / healthz, anyone / one
            plain = timed["privacy"].median / healthz
            off = timed["one, limit off"].median / healthz
            print(
                f"times/healthz {per_healthz:.2f} (target <= {TIMES_PER_HEALTHZ}),"
                f" any/one {per_one:.2f} (target <= {ANY_PER_ONE}); privacy/healthz {plain:.2f};"
                f" with the search rate limit off, times/healthz {off:.2f}",
                flush=True,
            )
            for name, label in LABELS.items():
                figures[f"{cache}: {label}, warm"] = timed[name].summary()
            figures[f"{cache}: times/healthz"] = f"{per_healthz:.2f}"
            figures[f"{cache}: any/one"] = f"{per_one:.2f}"
            figures[f"{cache}: privacy/healthz (for scale)"] = f"{plain:.2f}"
            figures[f"{cache}: times/healthz, search rate limit off"] = f"{off:.2f}"
            targets[f"{cache}: times/healthz"] = f"<= {TIMES_PER_HEALTHZ}"
            targets[f"{cache}: any/one"] = f"<= {ANY_PER_ONE}"
            met = met and per_healthz <= TIMES_PER_HEALTHZ and per_one <= ANY_PER_ONE
    bench_result("server_time_warm", figures, targets, met)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed rounds")
    parser.add_argument("--cache", choices=CACHES, action="append", help="default: both")
    args = parser.parse_args()
    run(args.requests, tuple(args.cache or CACHES))


if __name__ == "__main__":
    main()
