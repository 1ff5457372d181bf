"""A patient booking over plain HTTP, each request to whichever web server the test names.

The sites run as behind a load balancer (CLIENT_IP_HEADER=X-Forwarded-For),
so each patient's client address is what that balancer would report, and
one test's rate counts cannot spill into another's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

ANNA, ROOM_2 = 42230, 7323
#: A page answering before this many seconds is a page; after, a hang.
TIMEOUT = 30


def wait_for(look: Callable[[], Any], seconds: float = TIMEOUT) -> Any:
    """What `look` finds, once it finds something: another process's doing.

    Polled, since what another process writes to a file or a database
    signals nothing here; failing after `seconds`.
    """
    deadline = time.monotonic() + seconds
    while (found := look()) is None or found == []:
        assert time.monotonic() < deadline, f"nothing found in {seconds} s"
        time.sleep(0.05)
    return found


BOOKED_PATH = re.compile(r"/booked/[A-Za-z0-9_-]{32}/")
PRACTICE_PHONE = "01632 960 123"  # the demo practice's, shown when the diary cannot help


def details(number: int) -> dict[str, str]:
    """What patient number `number` types into the details form."""
    return {
        "name": f"Deploy Patient {number}",
        "phone": f"01632 960 {number:03d}",
        "email": f"deploy.patient{number}@example.com",
        "desc": "Sore shoulder",
    }


@dataclass
class DetailsForm:
    """The details page's booking form: where it posts, and its hidden fields."""

    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)

    def filled(self, number: int) -> dict[str, str]:
        return {**self.hidden, **details(number), "website": ""}  # the honeypot, left empty


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = DetailsForm()
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("method") == "post":
            self._inside, self.form.action = True, found.get("action", "")
        elif tag == "input" and self._inside and found.get("type") == "hidden":
            self.form.hidden[found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def read_details_form(html: str) -> DetailsForm:
    reader = _FormReader()
    reader.feed(html)
    assert reader.form.action and "token" in reader.form.hidden, "no booking form on the page"
    return reader.form


def free_slots(html: str) -> list[str]:
    """The free times a times page offers, as YYYYMMDD-HHMM-staffId-sectionId."""
    return re.findall(r'name="slot" value="([0-9]{8}-[0-9]{4}-[0-9]+-[0-9]+)"', html)


class Patient:
    """A browser without cookies or JavaScript, from client address `address`."""

    def __init__(self, address: str) -> None:
        self.session = requests.Session()
        self.session.trust_env = False  # nothing between us and our own servers
        self.session.headers["X-Forwarded-For"] = address

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=TIMEOUT)

    def post(self, url: str, data: dict[str, str]) -> requests.Response:
        return self.session.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)

    def close(self) -> None:
        self.session.close()

    # The four steps, each on the server `base` names.

    def choose(self, base: str) -> requests.Response:
        """Step 1's two questions: who, then which room."""
        page = self.get(base + "/")
        assert page.status_code == 200, page.status_code
        assert "Anna" in page.text
        page = self.get(f"{base}/?{urlencode({'staffId': ANNA})}")
        assert page.status_code == 200, page.status_code
        assert "Treatment Room 2" in page.text
        return page

    def times(self, base: str, staff: int = ANNA, room: int = ROOM_2) -> list[str]:
        page = self.get(f"{base}/times/?{urlencode({'staffId': staff, 'sectionId': room})}")
        assert page.status_code == 200, page.status_code
        slots = free_slots(page.text)
        assert slots, "the seeded diary offers no free time this week"
        return slots

    def pick(self, base: str, slot: str, staff: int = ANNA, room: int = ROOM_2) -> str:
        """Choose a free time on the times page; the details page's path and query."""
        query = urlencode({"staffId": staff, "sectionId": room, "slot": slot})
        answer = self.get(f"{base}/times/?{query}")
        assert answer.status_code == 302, answer.status_code
        target = urlsplit(answer.headers["Location"])
        assert target.path == "/details/"
        return f"{target.path}?{target.query}"

    def open_details(self, base: str, path: str) -> DetailsForm:
        page = self.get(base + path)
        assert page.status_code == 200, page.status_code
        return read_details_form(page.text)

    def book(self, base: str, form: DetailsForm, number: int) -> requests.Response:
        return self.post(base + form.action, form.filled(number))
