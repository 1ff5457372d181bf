"""The mix of requests bench/memory.py sends: a day of patients, bots and probes, in small.

`discover(base)` reads the practitioners, rooms and static files from the
running site; `Mix.one()` sends one step of a visit (one to four requests)
and returns each request's label and status. Weights per 100 steps are in
`STEPS`. Each step comes from one of thousands of client addresses (IPv4,
and IPv6 /48s), with an Accept-Language of its own (one in ten made up,
never seen before), in English or Welsh, and 404s, bad links and `?lang=`
values are new each time, so that anything a process keeps per address,
per header or per URL grows as it would on a busy day. Real bookings (about
1 step in 100) use distinct patient details and free times not booked before.

Standard library only, and thread-safe: several client threads share one Mix.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import random
import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from harness import patient
from load_urls import Inputs, real

#: How often each kind of step comes, per 100.
STEPS = {
    "choose": 8,
    "times": 14,
    "times any": 8,
    "time chosen": 4,
    "details": 8,
    "details refused": 6,
    "booking": 1,
    "booked": 3,
    "change": 2,
    "not found": 6,
    "bad link": 3,
    "healthz": 5,
    "embed.js": 3,
    "theme.css": 3,
    "static": 6,
    "statement": 3,
}
ADDRESSES = 5000
LANGUAGE_HEADERS = ("en-GB,en;q=0.9", "cy-GB,cy;q=0.9,en;q=0.5", "cy", "fr-FR,fr;q=0.8", "")
_CHANGE = re.compile(r'href="(/(?:cy/)?change/[^"/]+/)"')
_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@dataclass(frozen=True)
class Site:
    host: str
    port: int
    staff: list[str]
    rooms: dict[str, list[str]]  # practitioner: their rooms
    static: list[str]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    text: str


def send(
    site: Site, path: str, headers: dict[str, str], form: dict[str, str] | None = None
) -> Answer:
    """One request on a connection of its own (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(site.host, site.port, timeout=60)
    try:
        body = urlencode(form).encode() if form is not None else None
        heads = {"Accept-Encoding": "gzip", **headers}
        if body is not None:
            heads["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST" if body is not None else "GET", path, body, heads)
        response = connection.getresponse()
        raw = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        location = urlsplit(response.getheader("Location", ""))
        where = location.path + ("?" + location.query if location.query else "")
        return Answer(response.status, where, raw.decode("utf-8", "replace"))
    finally:
        connection.close()


def inputs(text: str) -> dict[str, list[str]]:
    parsed = Inputs()
    parsed.feed(text)
    return parsed.values


def discover(base: str) -> Site:
    """The practitioners, their rooms and the static files of the site at `base`."""
    parts = urlsplit(base)
    bare = Site(parts.hostname or "127.0.0.1", parts.port or 80, [], {}, [])
    choose = send(bare, "/", {})
    staff = real(inputs(choose.text).get("staffId", []))
    rooms = {
        s: real(inputs(send(bare, f"/?staffId={s}", {}).text).get("sectionId", [])) for s in staff
    }
    static = sorted(set(_ASSET.findall(choose.text)))
    # The unhashed names too, and a file that is not there (WhiteNoise lets it through to Django).
    static += [re.sub(r"\.[0-9a-f]{12}\.", ".", p) for p in static] + ["/static/css/nothing.css"]
    if not staff or not static:
        raise SystemExit("memory: the choose page lists no practitioner or no static file")
    return Site(bare.host, bare.port, staff, rooms, static)


class Mix:
    """The steps of patients' visits, chosen at random by weight; shared by client threads."""

    def __init__(self, site: Site, *, languages: tuple[str, ...], seed: int) -> None:
        self.site = site
        self.languages = languages
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.serial = 0
        self.slots: deque[str] = deque(maxlen=2000)  # free times seen on times pages
        self.booked: deque[str] = deque(maxlen=500)  # confirmation pages' paths
        self.changes: deque[str] = deque(maxlen=500)  # change links' paths
        self.steps: dict[str, Callable[[], list[tuple[str, int]]]] = {
            name: getattr(self, "_" + name.replace(" ", "_").replace(".", "_")) for name in STEPS
        }

    # --- What each request shares ---

    def _pick(self, values: Sequence[str]) -> str:
        with self.lock:
            return self.random.choice(values)

    def _number(self) -> int:
        with self.lock:
            self.serial += 1
            return self.serial

    def _headers(self) -> dict[str, str]:
        with self.lock:
            visitor = self.random.randrange(ADDRESSES)
            language = self.random.choice(LANGUAGE_HEADERS)
            six = self.random.random() < 0.2
            if self.random.random() < 0.1:
                # A language header never seen before, as programs send: whatever the
                # site keeps by it must stay bounded (Django's own caches keep 1,000).
                made_up = "".join(self.random.choices("abcdefghijklmnopqrstuvwxyz", k=8))
                language = f"{made_up[:2]}-{made_up[2:]},cy;q=0.5"
        address = (
            f"2001:db8:{visitor:x}::{visitor % 7 + 1}"
            if six
            else f"10.{visitor >> 16}.{visitor >> 8 & 255}.{visitor & 255}"
        )
        headers = {"X-Forwarded-For": address}
        if language:
            headers["Accept-Language"] = language
        return headers

    def _get(self, path: str) -> Answer:
        return send(self.site, path, self._headers())

    def _prefix(self) -> str:
        return self._pick(self.languages)

    def _pair(self) -> tuple[str, str]:
        staff = self._pick(self.site.staff)
        return staff, self._pick(self.site.rooms[staff] or ["any"])

    def _week(self) -> str:
        with self.lock:
            days = self.random.randrange(0, 84, 7)
        return (dt.date.today() + dt.timedelta(days=days)).strftime("%Y%m%d")

    def _slot(self, *, keep: bool = True) -> str | None:
        with self.lock:
            if not self.slots:
                return None
            if keep:
                return self.random.choice(self.slots)
            return self.slots.popleft()  # a booking's: never offered again by this mix

    # --- One step each ---

    def one(self) -> list[tuple[str, int]]:
        with self.lock:
            name = self.random.choices(list(STEPS), weights=list(STEPS.values()))[0]
        return self.steps[name]()

    def _choose(self) -> list[tuple[str, int]]:
        staff, room = self._pair()
        path = self._pick(
            ["/", f"/?staffId={staff}", f"/?sectionId={room}", f"/?lang=xx-{self._number()}"]
        )
        return [("choose", self._get(self._prefix() + path).status)]

    def _times_page(self, label: str, staff: str, room: str) -> list[tuple[str, int]]:
        query = urlencode({"staffId": staff, "sectionId": room, "date": self._week()})
        page = self._get(f"{self._prefix()}/times/?{query}")
        if page.status == 200:
            slots = inputs(page.text).get("slot", [])
            with self.lock:
                self.slots.extend(self.random.sample(slots, min(3, len(slots))))
        return [(label, page.status)]

    def _times(self) -> list[tuple[str, int]]:
        return self._times_page("times", *self._pair())

    def _times_any(self) -> list[tuple[str, int]]:
        staff = self._pick([*self.site.staff, "any", "any"])
        return self._times_page("times any", staff, "any")

    def _time_chosen(self) -> list[tuple[str, int]]:
        slot = self._slot()
        if slot is None:
            return self._times()
        date, _, staff, room = slot.split("-")[:4]
        query = urlencode({"staffId": staff, "sectionId": room, "date": date, "slot": slot})
        return [("time chosen", self._get(f"{self._prefix()}/times/?{query}").status)]

    def _details_path(self, slot: str, prefix: str) -> str:
        date, hhmm, staff, room = slot.split("-")[:4]
        query = {"staffId": staff, "sectionId": room, "date": date, "time": hhmm}
        return f"{prefix}/details/?{urlencode(query)}"

    def _details(self) -> list[tuple[str, int]]:
        slot = self._slot()
        if slot is None:
            return self._times()
        return [("details", self._get(self._details_path(slot, self._prefix())).status)]

    def _post_details(
        self, slot: str, label: str, details: dict[str, str]
    ) -> tuple[list[tuple[str, int]], Answer | None]:
        """The details page, then its form posted with `details`: both requests' statuses."""
        path = self._details_path(slot, self._prefix())
        headers = self._headers()  # one patient, one address, for both requests
        page = send(self.site, path, headers)
        fields = inputs(page.text)
        if page.status != 200 or "token" not in fields:
            return [("details", page.status)], None
        form = {k: fields[k][0] for k in ("staffId", "sectionId", "date", "time", "token")}
        posted = send(self.site, path, headers, {**form, **details})
        return [("details", page.status), (label, posted.status)], posted

    def _details_refused(self) -> list[tuple[str, int]]:
        slot = self._slot()
        if slot is None:
            return self._times()
        missing_name = {**patient(self._number()), "name": ""}
        return self._post_details(slot, "details refused", missing_name)[0]

    def _booking(self) -> list[tuple[str, int]]:
        slot = self._slot(keep=False)
        if slot is None:
            return self._times()
        sent, posted = self._post_details(slot, "book", patient(self._number()))
        if posted is None or posted.status != 303:
            return sent
        confirmation = self._get(posted.location)
        sent.append(("booked", confirmation.status))
        with self.lock:
            self.booked.append(posted.location)
            self.changes.extend(_CHANGE.findall(confirmation.text)[:1])
        return sent

    def _booked(self) -> list[tuple[str, int]]:
        with self.lock:
            path = self.random.choice(self.booked) if self.booked else None
        if path is None:
            return self._not_found()
        suffix = self._pick(["", "", "appointment.ics"])
        return [("booked", self._get(path + suffix).status)]

    def _change(self) -> list[tuple[str, int]]:
        with self.lock:
            path = self.random.choice(self.changes) if self.changes else None
        # A link that does not work, too: its 404 page.
        path = path or f"/change/not-a-link-{self._number()}/"
        return [("change", self._get(path).status)]

    def _not_found(self) -> list[tuple[str, int]]:
        number = self._number()
        path = self._pick([f"/nothing-{number}/", f"/cy/nothing-{number}", f"/booked/{number}/"])
        return [("not found", self._get(path).status)]

    def _bad_link(self) -> list[tuple[str, int]]:
        number = self._number()
        query = self._pick([f"staffId=x{number}", f"sectionId=any&staffId={number}0000000000"])
        return [("bad link", self._get(f"{self._prefix()}/times/?{query}").status)]

    def _healthz(self) -> list[tuple[str, int]]:
        path = self._pick(["/healthz", "/healthz", "/readyz"])
        return [(path.strip("/"), self._get(path).status)]

    def _embed_js(self) -> list[tuple[str, int]]:
        return [("embed.js", self._get("/embed.js").status)]

    def _theme_css(self) -> list[tuple[str, int]]:
        return [("theme.css", self._get("/theme.css").status)]

    def _static(self) -> list[tuple[str, int]]:
        return [("static", self._get(self._pick(self.site.static)).status)]

    def _statement(self) -> list[tuple[str, int]]:
        path = self._prefix() + self._pick(["/privacy/", "/accessibility/"])
        return [("statement", self._get(path).status)]
