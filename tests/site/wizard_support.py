"""What the wizard's page tests share: a fake diary behind the live URL, and the details form.

Free times are given as days from `bookings.clock.today()`, so no test depends
on the date it runs on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import requests
import responses

from bookings import clock, kept_free_times, wizard
from bookings.slots import Slot

from ..client.support import connection_refused, recorded_json
from ..support import LIVE_URL

JOHN, ANNA = 42228, 42230
ROOM_1, ROOM_2 = 7322, 7323
STAFF = {JOHN: "John", ANNA: "Anna"}
ROOMS = {ROOM_1: "Treatment Room 1", ROOM_2: "Treatment Room 2"}

#: What a patient types into the details form.
PATIENT = {
    "name": "Fred Smith",
    "phone": "01632 960 001",
    "email": "fred@smith.example",
    "desc": "Pain in back",
}


class Raw(NamedTuple):
    """An answer that is not JSON, or not a 200."""

    status: int
    body: str = ""


#: The ways the diary can be unavailable, as `requests` and the server show them.
UNAVAILABLE = {
    "timeout": requests.exceptions.ReadTimeout(),
    "connection refused": connection_refused(LIVE_URL),
    "server error": Raw(500, "Internal Server Error"),
    "not json": Raw(200, "<html>Service Unavailable</html>"),
    "bare 404": Raw(404),
}


def day(offset: int) -> dt.date:
    """The day `offset` days from today, in the practice's time zone."""
    return clock.today() + dt.timedelta(days=offset)


def at(offset: int, hhmm: str) -> dt.datetime:
    """A time of the diary, `offset` days from today."""
    return clock.at(day(offset), dt.time(int(hhmm[:2]), int(hhmm[2:])))


#: The free time most tests book: Anna in room 2, tomorrow at 14:15. A test's
#: module offers it with `diary.add_free(WHEN)` (tests/site/conftest.py).
WHEN = at(1, "1415")


def ymd(moment: dt.date | dt.datetime) -> str:
    return f"{moment:%Y%m%d}"


def hhmm(moment: dt.datetime) -> str:
    return f"{moment:%H%M}"


def slot(moment: dt.datetime, staff: int = ANNA, room: int = ROOM_2) -> str:
    """The value of a free time's radio button (or "just taken" button)."""
    return f"{ymd(moment)}-{hhmm(moment)}-{staff}-{room}"


def free_time(moment: dt.datetime, staff: int = ANNA, room: int = ROOM_2) -> Slot:
    """The free time as the site holds it (what a form's token is issued for)."""
    found = Slot.from_parts(str(staff), str(room), ymd(moment), hhmm(moment))
    assert found is not None
    return found


# --- Answers -------------------------------------------------------------------------


def error(code: int, field: str | None = None, action: str = "book") -> dict[str, Any]:
    """The diary's answer with one error: the recorded one, or with another `fieldName`."""
    answer = recorded_json(f"error-{code:02d}.json")
    answer["action"] = action
    if field is not None:
        answer["errors"][0]["fieldName"] = field
    return answer


def errors(*codes: int) -> dict[str, Any]:
    """The diary's answer with several errors at once."""
    items = [recorded_json(f"error-{code:02d}.json")["errors"][0] for code in codes]
    return {"errors": items, "timestamp": "Oct 7, 2017 3:28:32 PM", "numErrors": len(items)}


def confirmed(when: dt.datetime, staff: str = "Anna", room: str = "Treatment Room 2") -> dict:
    return {
        "result": "Confirmed",
        "date": ymd(when),
        "time": hhmm(when),
        "duration": 45,
        "section": room,
        "staff": staff,
    }


Answer = dict[str, Any] | Raw | Exception | Callable[[dict[str, Any]], Any]


class FakeDiary:
    """The practice's diary at the live URL: answers by `action`, and keeps what was sent.

    By default it lists STAFF and ROOMS, answers freeList with the free times
    added for the pair asked about (within the days asked for), and confirms
    whatever `book` asks for.
    """

    def __init__(self, mock: responses.RequestsMock, staff=None, rooms=None, slot_minutes=45):
        staff, rooms = staff or STAFF, rooms or ROOMS
        self.names = {"staff": dict(staff), "rooms": dict(rooms)}
        self.slot_minutes = slot_minutes
        self.free: dict[tuple[int, int], set[dt.datetime]] = {}
        self.pair_answers: dict[tuple[int, int], Answer] = {}
        self.answers: dict[str, list[Answer]] = {
            "staffList": [{"staff": [{"id": i, "name": n} for i, n in staff.items()]}],
            "sectionList": [{"sections": [{"id": i, "name": n} for i, n in rooms.items()]}],
            "freeList": [self._free_list],
            "book": [self._confirm],
        }
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        mock.add_callback(responses.POST, LIVE_URL, callback=self._answer)
        # A page that never asks the diary is no failure in itself: the tests
        # say which calls they expect, through `calls`.
        mock.assert_all_requests_are_fired = False

    # Setting up

    def answer(self, action: str, *answers: Answer) -> None:
        """Answer `action` with these, in turn; the last one from then on."""
        self.answers[action] = list(answers)

    def add_free(self, *moments: dt.datetime, staff: int = ANNA, room: int = ROOM_2) -> None:
        self.free.setdefault((staff, room), set()).update(moments)

    def answer_pair(self, staff: int, room: int, answer: Answer) -> None:
        """Answer freeList for one practitioner and room with this instead."""
        self.pair_answers[(staff, room)] = answer

    # Looking at what was sent

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [payload for payload in self.sent if payload["action"] == action]

    # The fake itself

    def _answer(self, request):
        payload = json.loads(request.body)
        with self._lock:
            self.sent.append(payload)
            queue = self.answers[payload["action"]]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if payload["action"] == "freeList":
            answer = self.pair_answers.get((payload["staffId"], payload["sectionId"]), answer)
        if callable(answer) and not isinstance(answer, Exception):
            answer = answer(payload)
        if isinstance(answer, Exception):
            return answer
        if isinstance(answer, Raw):
            return (answer.status, {}, answer.body)
        return (200, {"Content-Type": "application/json"}, json.dumps(answer))

    def _free_list(self, payload: dict[str, Any]) -> dict[str, Any]:
        staff, room = payload["staffId"], payload["sectionId"]
        first = dt.datetime.strptime(payload["date"], "%Y%m%d").date()
        last = first + dt.timedelta(days=payload["numDays"] - 1)
        by_day: dict[str, list[str]] = {}
        for moment in sorted(self.free.get((staff, room), ())):
            if first <= moment.date() <= last:
                by_day.setdefault(ymd(moment), []).append(hhmm(moment))
        return {
            "slotLength": self.slot_minutes,
            "free": [{"date": d, "times": t} for d, t in by_day.items()],
            "staffId": staff,
            "staffName": self.names["staff"].get(staff, "?"),
            "sectionId": room,
            "sectionName": self.names["rooms"].get(room, "?"),
        }

    def _confirm(self, payload: dict[str, Any]) -> dict[str, Any]:
        when = clock.at(
            dt.datetime.strptime(payload["date"], "%Y%m%d").date(),
            dt.datetime.strptime(payload["time"], "%H%M").time(),
        )
        staff = self.names["staff"][payload["staffId"]]
        return confirmed(when, staff, self.names["rooms"][payload["sectionId"]])


# --- The details form ------------------------------------------------------------------


def details_url(when: dt.datetime, staff: int = ANNA, room: int = ROOM_2) -> str:
    return wizard.url("details", staffId=staff, sectionId=room, date=ymd(when), time=hhmm(when))


def token_of(page) -> str:
    """The signed token of the details form on this page."""
    tag = re.search(r'<input[^>]*name="token"[^>]*>', page.content.decode())
    assert tag, "the page has no token"
    return re.search(r'value="([^"]*)"', tag[0])[1]


def details_page(client, when: dt.datetime, staff: int = ANNA, room: int = ROOM_2):
    """GET the details page for this free time, booked already or not (see `open_details`)."""
    kept_free_times.forget_free_times(staff, room)
    return client.get(details_url(when, staff, room))


def open_details(client, when: dt.datetime, staff: int = ANNA, room: int = ROOM_2) -> str:
    """GET the details page for this free time; its form's token.

    The fake diaries here confirm every booking and go on listing its time;
    the site, which takes a booked time out of what it shows at once
    (`kept_free_times.took_free_time`), is made to ask them again, so that a test can
    book the same time over and over.
    """
    kept_free_times.forget_free_times(staff, room)
    page = client.get(details_url(when, staff, room))
    assert page.status_code == 200, page.status_code
    return token_of(page)


def valid_post(
    token: str, when: dt.datetime, staff: int = ANNA, room: int = ROOM_2, **changes: str
) -> dict[str, str]:
    """A details form as the browser posts it, with PATIENT's details."""
    data = {
        "staffId": str(staff),
        "sectionId": str(room),
        "date": ymd(when),
        "time": hhmm(when),
        "token": token,
        **PATIENT,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, when: dt.datetime, staff: int = ANNA, room: int = ROOM_2, **changes):
    """Open the details page, then post it filled in: the POST's response."""
    token = open_details(client, when, staff, room)
    data = valid_post(token, when, staff, room, **changes)
    return client.post(details_url(when, staff, room), data)


def html(page) -> str:
    return page.content.decode()


def sets_no_cookie(page) -> bool:
    return not page.cookies and "Set-Cookie" not in page.headers
