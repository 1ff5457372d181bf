"""What bench/api_calls.py, server_time.py and rps.py share.

- `reference_diary()`: a fresh database in a temporary folder (migrated and
  seeded with the demo practice, optionally changed by a line of Python run
  in `manage.py shell`), static files collected, and the reference diary
  served by a gunicorn of its own through `bench.diary_counter`, which logs
  every API call it answers. The developer's db.sqlite3 is never touched.
- `site()`: the booking site under gunicorn with production settings,
  reaching that diary over real HTTP.
- `CallLog`: the diary's calls, to count what a step cost.
- `fetch()`, `Page`: a small HTTP client that does not follow redirects.
- `bench_result()`: the last line every benchmark prints.

Run the scripts as `.venv/bin/python bench/<name>.py` (they import their
neighbours by file name, as bench/load.sh runs bench/load_urls.py).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from load_urls import Inputs, free_slots, real
from serving import PYTHON, ROOT, collect_static, gunicorn, production_env

ACTIONS = ("staffList", "sectionList", "freeList", "book")
#: Where the reference diary's API answers: reverse("sandbox:api-request")
#: (sandbox/urls.py). Written out because this harness loads no Django
#: settings, so cannot reverse: it talks to a diary in another process.
DIARY_API_PATH = "/sandbox/api/request"

#: "Any practitioner" in the benchmarks: 4 practitioners in the seeded 3 rooms, 12 pairs.
PRACTITIONERS = 4
#: Run in `manage.py shell` on a benchmark's own database: keep 4 practitioners.
KEEP_FOUR = f"""
from sandbox.models import Practitioner as P
extra = list(P.objects.order_by("-id")[: max(0, P.objects.count() - {PRACTITIONERS})])
print("deleted:", ", ".join(f"{{p.name}} ({{p.id}})" for p in extra) or "none")
for p in extra:
    p.delete()
print("practitioners:", ", ".join(f"{{p.name}} ({{p.id}})" for p in P.objects.all()))
"""


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py args` in `env`; its output. On failure its output is printed before the
    error: captured, a command's own message would otherwise be lost to the traceback."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.stderr.flush()
        done.check_returncode()
    return done.stdout.strip()


# --- The diary's calls -----------------------------------------------------------


@dataclass(frozen=True)
class Call:
    at: float
    pid: int
    action: str
    status: str
    ms: float


@dataclass
class CallLog:
    """The calls the reference diary answered, as bench.diary_counter logs them."""

    path: Path

    def all(self) -> list[Call]:
        calls = []
        for line in self.path.read_text().splitlines():
            # The first five fields; bench/day.py reads the rest (diary_counter.py).
            at, pid, action, status, ms = line.split()[:5]
            calls.append(Call(float(at), int(pid), action, status, float(ms)))
        return calls

    def mark(self) -> int:
        return len(self.all())

    def since(self, mark: int) -> list[Call]:
        return self.all()[mark:]

    def count(self, mark: int) -> Counter[str]:
        return Counter(call.action for call in self.since(mark))


def by_action(counts: Counter[str]) -> str:
    """ "freeList=1 book=1", in the API's order, other actions after."""
    names = [a for a in ACTIONS if counts[a]] + sorted(set(counts) - set(ACTIONS))
    return " ".join(f"{name}={counts[name]}" for name in names) or "none"


# --- Servers ------------------------------------------------------------------------


@dataclass
class Diary:
    base: str
    calls: CallLog
    env: dict[str, str]  # the production environment, database and static files included
    work: Path

    @property
    def api_url(self) -> str:
        return self.base + DIARY_API_PATH


@contextlib.contextmanager
def reference_diary(
    *, latency_ms: int = 0, prepare: str = "", workers: int = 2, threads: int = 16
) -> Iterator[Diary]:
    """The reference diary on a fresh database, served over HTTP with its calls logged."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        work = Path(folder)
        calls = work / "diary-calls.log"
        calls.touch()
        env = production_env(
            DJANGO_STATIC_ROOT=str(work / "static"),
            DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        print(manage(env, "seed_demo_diary"), flush=True)
        if prepare:
            out = manage(env, "shell", "-v", "0", "-c", prepare)
            if out:
                print(out, flush=True)
        collect_static(env)
        diary_env = {
            **env,
            # The sites call its HTTP route, with the key production_env made.
            "SANDBOX_HTTP": "true",
            "SANDBOX_LATENCY_MS": str(latency_ms),
            "BENCH_DIARY_CALLS": str(calls),
        }
        with gunicorn(
            diary_env, workers=workers, threads=threads, app="bench.diary_counter"
        ) as base:
            yield Diary(base, CallLog(calls), env, work)


@contextlib.contextmanager
def site(diary: Diary, *, workers: int = 1, threads: int = 1, **extra: str) -> Iterator[str]:
    """The booking site under gunicorn, reaching `diary` over HTTP; its base URL.

    With a cache of its own, empty: the diary's gunicorn serves a site too
    (on its in-process diary, which benchmarks ask for a pair with free
    times), and with one cache table between them the site under test would
    find lists and free times it never asked the diary for.
    """
    env = {
        **diary.env,
        "PHYSIODIARY_API_URL": diary.api_url,
        "CACHE_URL": "dbcache://bench_site_cache",
        **extra,
    }
    manage(env, "createcachetable")
    manage(env, "shell", "-v", "0", "-c", "from django.core.cache import cache; cache.clear()")
    with gunicorn(env, workers=workers, threads=threads) as base:
        yield base


# --- HTTP ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: str
    seconds: float
    inputs: dict[str, list[str]] = field(default_factory=dict)
    next_href: str | None = None

    @property
    def location(self) -> str:
        return urljoin(self.url, self.headers.get("location", ""))


def fetch(url: str, data: dict[str, str] | None = None, timeout: float = 30) -> Page:
    """GET (or POST `data` to) `url`, timed from the request to the last byte; no redirects."""
    body = urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    started = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status, headers, text = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, text = error.code, error.headers, error.read()
    seconds = time.perf_counter() - started
    page = Page(
        url,
        status,
        {k.lower(): v for k, v in headers.items()},
        text.decode("utf-8", "replace"),
        seconds,
    )
    if "html" in page.headers.get("content-type", ""):
        parsed = Inputs()
        parsed.feed(page.body)
        page.inputs, page.next_href = parsed.values, parsed.next_href
    return page


def expect(page: Page, *statuses: int) -> Page:
    if page.status not in statuses:
        raise SystemExit(f"{page.url} answered {page.status}, not {statuses}:\n{page.body[:2000]}")
    return page


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def slot_query(slot: str, **extra: str) -> dict[str, str]:
    """A slot key (YYYYMMDD-HHMM-staff-room) as the details page's query."""
    date, hhmm, staff, section = slot.split("-")[:4]
    return {"staffId": staff, "sectionId": section, "date": date, "time": hhmm, **extra}


def busiest_pair(base: str) -> tuple[str, str, list[str]]:
    """The times page (path) of the practitioner and room with the most free times in
    their first window that has any, "any"'s page for that same window, and its times.

    Step 1 is two questions (who on `/`, which room on `/?staffId=…`), and on a
    Sunday or late in the day "this week" may hold nothing: each pair's own
    Later link is followed, as a patient would (load_urls.free_slots).
    """
    best: tuple[str, list[str]] | None = None
    for staff in real(expect(fetch(base + "/"), 200).inputs.get("staffId", [])):
        rooms = expect(fetch(f"{base}/?{urlencode({'staffId': staff})}"), 200)
        for section in real(rooms.inputs.get("sectionId", [])):
            path, slots = free_slots(base, staff, section)
            if slots and (best is None or len(slots) > len(best[1])):
                best = path, slots
    if best is None:
        raise SystemExit(f"{base}: no practitioner and room has a free time")
    path, slots = best
    # The same window (its `date`, or none: today's) for "any".
    query = {**dict(parse_qsl(urlsplit(path).query)), "staffId": "any", "sectionId": "any"}
    return path, "/times/?" + urlencode(query), slots


def patient(number: int) -> dict[str, str]:
    """Distinct, valid patient details."""
    return {
        "name": f"Bench Patient {number}",
        "phone": f"07700 900 {number % 1000:03d}",
        "email": f"bench.patient{number}@example.com",
        "desc": f"Benchmark booking {number}",
    }


# --- Figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, nearest rank (p95 of 50 values: the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_result(name: str, figures: dict[str, str], targets: dict[str, str], met: bool) -> None:
    result = {"name": name, "figures": figures, "targets": targets, "met": met}
    print("BENCH-RESULT " + json.dumps(result), flush=True)
