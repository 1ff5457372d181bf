"""The visitors of bench/day.py: who comes when, what each does, on which server, timed.

Each visitor is a thread doing what a patient does, with a think time
before each step they take (uniform in THINK_SECONDS; none before a
redirect, which a browser follows at once). Every request goes to site A or
B at random, as behind a load balancer, from the visitor's own client
address (X-Forwarded-For), on a new connection, and is timed from sending to
the last byte read (`Request`). The random draws of visitor N come from a
generator of their own, seeded from the day's seed and N, so both modes of
a run see the same visitors doing the same things as far as the pages allow.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from load_urls import MAX_WINDOWS, Inputs, real  # noqa: E402

from tests.deploy.support import DetailsForm, read_details_form  # noqa: E402

#: A patient reading a page and choosing, in seconds (a real one takes longer: scaled down).
THINK_SECONDS = (2.0, 10.0)
#: Of all visitors, those who answer step 1's questions and leave without seeing times.
LEAVE_AFTER_STEP_1 = 0.2
#: Of those who see a times page, those who press Later once.
LATER_SHARE = 0.25
#: A booker takes one of the first few free times shown (patients want the soonest).
EARLY_CHOICES = 6
TIMEOUT = 30
SLOT = re.compile(r'name="slot" value="([0-9]{8}-[0-9]{4}-[0-9]+-[0-9]+)"')


@dataclass(frozen=True)
class Request:
    """One request a visitor made, timed by the client."""

    visitor: int
    step: str
    server: str  # "A" or "B"
    started: float  # time.time(): comparable with the diary's log
    ended: float
    ms: float  # from sending to the last byte read
    status: int
    pair: tuple[int, int] | None = None  # a times page's or a booking's practitioner and room


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str

    @property
    def inputs(self) -> Inputs:
        found = Inputs()
        found.feed(self.body)
        return found


@dataclass(frozen=True)
class Plan:
    """What visitor `number` sets out to do, drawn before the day."""

    number: int
    arrives: float  # seconds after the day begins
    staff: int
    room: int  # the room wanted, if step 1 offers it
    kind: str  # "step 1", "times" (leave after them) or "book"
    later: bool
    seed: int


def plans(
    visitors: int,
    seconds: float,
    book_share: float,
    staff_weights: dict[int, float],
    rooms: list[int],
    seed: int,
) -> list[Plan]:
    """The day's visitors. Given how many come, a Poisson process's arrival times
    are that many uniform draws over the day: sorted, they are its arrivals."""
    draw = random.Random(seed)
    arrivals = sorted(draw.uniform(0, seconds) for _ in range(visitors))
    booking = round(visitors * book_share)
    leaving = round(visitors * LEAVE_AFTER_STEP_1)
    kinds = ["book"] * booking + ["step 1"] * leaving + ["times"] * (visitors - booking - leaving)
    draw.shuffle(kinds)
    staff = draw.choices(list(staff_weights), weights=list(staff_weights.values()), k=visitors)
    return [
        Plan(
            number=n + 1,
            arrives=at,
            staff=who,
            room=draw.choice(rooms),
            kind=kind,
            later=draw.random() < LATER_SHARE,
            seed=draw.getrandbits(32),
        )
        for n, (at, who, kind) in enumerate(zip(arrivals, staff, kinds, strict=True))
    ]


def address(number: int) -> str:
    """Visitor `number`'s client address: a phone behind a mobile network's NAT (RFC 6598)."""
    return f"100.64.{number // 250}.{number % 250 + 1}"


def http_request(
    base: str, path: str, client: str, data: dict[str, str] | None = None
) -> tuple[Answer, float, float, float]:
    """GET (or POST `data`) on a new connection: the answer, its start and end (time.time()),
    and milliseconds from sending to the last byte."""
    where = urlsplit(base)
    headers = {"X-Forwarded-For": client, "Accept-Encoding": "gzip", "Accept-Language": "en-GB"}
    body = None
    if data is not None:
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=TIMEOUT)
    try:
        started, clock = time.time(), time.perf_counter()
        connection.request("POST" if data is not None else "GET", path, body, headers)
        response = connection.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - clock) * 1000
        ended = time.time()
    finally:
        connection.close()
    if response.getheader("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    location = response.getheader("Location") or ""
    return Answer(response.status, location, raw.decode("utf-8", "replace")), started, ended, ms


class Stopped(Exception):
    """The day was stopped (Ctrl-C, or its time ran out) while this visitor was on it."""


class Unexpected(Exception):
    """A page answered with a status a patient should not see here."""


Warm = Callable[[int, list[int], str], None]


class Visitor:
    def __init__(
        self,
        plan: Plan,
        sites: dict[str, str],
        record: Callable[[Request], None],
        stop: threading.Event,
        warm: Warm | None = None,
    ) -> None:
        self.plan, self.sites, self.record, self.stop, self.warm = plan, sites, record, stop, warm
        self.draw = random.Random(plan.seed)
        self.address = address(plan.number)

    def fetch(
        self,
        step: str,
        path: str,
        *expected: int,
        pair: tuple[int, int] | None = None,
        data: dict[str, str] | None = None,
    ) -> Answer:
        """GET `path` (POST `data` to it) on A or B, at random; recorded, and checked against
        the statuses `expected` (200 if none)."""
        if self.stop.is_set():
            raise Stopped
        server = self.draw.choice(sorted(self.sites))
        answer, started, ended, ms = http_request(self.sites[server], path, self.address, data)
        self.record(
            Request(self.plan.number, step, server, started, ended, ms, answer.status, pair)
        )
        if answer.status not in (expected or (200,)):
            raise Unexpected(f"{step}: {answer.status} {_path(answer.location)} (from {path})")
        return answer

    def think(self) -> None:
        if self.stop.wait(self.draw.uniform(*THINK_SECONDS)):
            raise Stopped

    def run(self) -> str:
        """What became of the visit, in a few words."""
        try:
            return self.visit()
        except Stopped:
            return "stopped before the end"
        except Unexpected as exc:
            return f"answered {exc}"
        except Exception as exc:  # counted among the outcomes, not lost with its thread
            return f"failed: {type(exc).__name__}"

    def visit(self) -> str:
        plan = self.plan
        who = self.fetch("who", "/")
        assert str(plan.staff) in real(who.inputs.values.get("staffId", [])), "not offered"
        self.think()
        rooms = self.fetch("which room", "/?" + urlencode({"staffId": plan.staff}))
        offered = [int(room) for room in real(rooms.inputs.values.get("sectionId", []))]
        if self.warm is not None:
            self.warm(plan.staff, offered, self.address)
        if plan.kind == "step 1":
            return "left after step 1"
        if not offered:
            return "offered no room"
        room = plan.room if plan.room in offered else self.draw.choice(offered)
        self.think()
        path = "/times/?" + urlencode({"staffId": plan.staff, "sectionId": room})
        page = self.fetch("times", path, pair=(plan.staff, room))
        if plan.later and page.inputs.next_href:
            self.think()
            path, page = self.later(path, page, room)
        if plan.kind == "times":
            return "left after the times page"
        return self.book(path, page, room)

    def later(self, path: str, page: Answer, room: int) -> tuple[str, Answer]:
        later = urlsplit(urljoin(path, page.inputs.next_href))
        path = f"{later.path}?{later.query}"
        return path, self.fetch("times, Later", path, pair=(self.plan.staff, room))

    def book(self, path: str, page: Answer, room: int) -> str:
        chosen = self.choose(path, page, room)
        if isinstance(chosen, str):
            return chosen  # nothing to book
        slot, details_path, form, gone = chosen
        self.think()  # typing their details
        data = form.filled(self.plan.number)  # support.details: distinct for each visitor
        posted = self.fetch(
            "book (POST)", form.action or details_path, 303, 409, data=data, pair=_pair(slot)
        )
        outcome = "booked another time (one gone before the details)" if gone else "booked"
        if posted.status == 409:
            alternatives = SLOT.findall(posted.body)
            if not alternatives:
                return "just taken, no alternative offered"
            self.think()
            again = read_details_form(posted.body)
            other = self.draw.choice(alternatives)
            data = {**again.filled(self.plan.number), "slot": other}
            path = again.action or details_path
            posted = self.fetch("book again (POST)", path, 303, 409, data=data, pair=_pair(other))
            if posted.status == 409:
                return "just taken twice"
            outcome = "booked an alternative (after just taken)"
        self.fetch("confirmation", _path(posted.location))
        return outcome

    def choose(
        self, path: str, page: Answer, room: int
    ) -> str | tuple[str, str, DetailsForm, bool]:
        """A free time chosen, and its details page's form; or why there is none.

        A time taken between the times page and the details page sends the
        patient back to the times page (`passed=1`), where they choose once more.
        """
        for _ in range(MAX_WINDOWS):
            if SLOT.findall(page.body) or not page.inputs.next_href:
                break
            self.think()  # this week has nothing: Later
            path, page = self.later(path, page, room)
        for attempt in range(2):
            slots = SLOT.findall(page.body)
            if not slots:
                return "found no free time"
            self.think()
            slot = self.draw.choice(slots[:EARLY_CHOICES])
            chosen = self.fetch("chosen time (302)", f"{path}&slot={slot}", 302)
            details_path = _path(chosen.location)
            shown = self.fetch("details", details_path, 200, 302)
            if shown.status == 200:
                return slot, details_path, read_details_form(shown.body), attempt > 0
            path = _path(shown.location)  # gone since: back to the times, as a browser goes
            page = self.fetch("times, a time gone", path, pair=(self.plan.staff, room))
        return "two times gone before the details page"


def _pair(slot: str) -> tuple[int, int]:
    """A slot key's practitioner and room (YYYYMMDD-HHMM-staffId-sectionId)."""
    _, _, staff, room = slot.split("-")
    return int(staff), int(room)


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Day:
    """One mode's day: every request timed, what became of each visitor, the warming requests."""

    started: float = 0.0  # time.time() when the first visitor could arrive
    ended: float = 0.0
    # Appended to from many threads: list.append and a dict's item assignment are atomic.
    requests: list[Request] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)  # by visitor, once they leave
    arrived: int = 0
    warmed: int = 0  # warming requests sent (--warm-step-1)


def run_day(
    day: Day,
    plans_: list[Plan],
    sites: dict[str, str],
    stop: threading.Event,
    *,
    warm: bool,
    offset: float = 0.0,
) -> None:
    """Start each visitor at their arrival time (plus `offset`); wait for the last to leave."""
    pool = ThreadPoolExecutor(16, thread_name_prefix="warm") if warm else None
    warmer = _warmer(sites, pool, day) if pool else None
    threads = []
    day.started = time.time() + offset
    try:
        for plan in plans_:
            if stop.wait(max(0.0, day.started + plan.arrives - time.time())):
                break
            visitor = Visitor(plan, sites, day.requests.append, stop, warmer)
            thread = threading.Thread(
                target=lambda v=visitor: day.outcomes.__setitem__(v.plan.number, v.run()),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
            day.arrived += 1
        for thread in threads:
            thread.join(timeout=max(0.1, day.started + _last(plans_) + 300 - time.time()))
    finally:
        stop.set()  # any visitor still on the site leaves now
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    day.ended = time.time()


def _last(plans_: list[Plan]) -> float:
    return plans_[-1].arrives if plans_ else 0.0


def _warmer(sites: dict[str, str], pool: ThreadPoolExecutor, day: Day) -> Warm:
    """--warm-step-1: the times page of each room offered, asked for at once, untimed."""
    draw = random.Random(0)  # not the visitor's own: their draws stay those of the plain day
    lock = threading.Lock()

    def warm(staff: int, rooms: list[int], client: str) -> None:
        for room in rooms:
            with lock:
                base = sites[draw.choice(sorted(sites))]
                day.warmed += 1
            path = "/times/?" + urlencode({"staffId": staff, "sectionId": room})
            pool.submit(_quietly, base, path, client)

    return warm


def _quietly(base: str, path: str, client: str) -> None:
    # Fire and forget: the patients' own pages say whether anything went wrong.
    with contextlib.suppress(OSError, http.client.HTTPException):
        http_request(base, path, client)
