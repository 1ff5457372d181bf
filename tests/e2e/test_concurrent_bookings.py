"""Bookings at the same moment, through the site, over real HTTP.

The site runs in pytest-django's live server (a threaded WSGI server) and
books on the reference diary, which the same server serves, over HTTP: each
request has a thread and a database connection of its own, as under a real
web server. Patients are `requests` sessions in threads, released together by
a barrier just before they post, so their posts really overlap. No browser.

- Ten patients booking the one free time: one is booked, nine are told it has
  just been taken, and the diary holds one booking.
- One form posted five times at once (a double-click, a nervous patient): one
  `book` reaches the diary, and all five posts see its confirmation; a
  Refresh afterwards too.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

import sandbox.free_times
from bookings import wizard
from bookings.slots import Slot
from sandbox.models import Booking

# The live server's connections need a database that is really committed to.
pytestmark = pytest.mark.django_db(transaction=True)

ANNA, ROOM_2 = 42230, 7323
#: A page answering before this many seconds is a page; after, a hang.
TIMEOUT = 60
BOOKED_PATH = re.compile(r"/booked/[A-Za-z0-9_-]{32}/")


def session() -> requests.Session:
    browser = requests.Session()
    browser.trust_env = False  # no proxy between us and the live server
    return browser


def first_free_time(site) -> Slot:
    """The first free time the times page offers for Anna in Treatment Room 2."""
    with session() as browser:
        page = browser.get(
            f"{site.url}/times/", params={"staffId": ANNA, "sectionId": ROOM_2}, timeout=TIMEOUT
        )
    assert page.status_code == 200
    found = re.search(r'name="slot" value="([0-9]{8}-[0-9]{4}-[0-9]+-[0-9]+)"', page.text)
    assert found, "the seeded diary offers no free time this week"
    free = Slot.from_key(found[1])
    assert (free.practitioner.id, free.room.id) == (ANNA, ROOM_2)
    return free


def details_url(site, free: Slot) -> str:
    return site.url + wizard.url("details", **free.query)


def open_form(browser: requests.Session, url: str) -> str:
    """GET the details page; its form's token."""
    page = browser.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    found = re.search(r'<input[^>]*name="token"[^>]*value="([^"]*)"', page.text)
    assert found, "the details page has no token"
    return found[1]


def form(free: Slot, token: str, patient: int) -> dict[str, str]:
    """The details form as a browser posts it, filled in by patient number `patient`."""
    return {
        **free.query,
        "token": token,
        "name": f"Patient {patient}",
        "phone": f"0161 496 {patient:04d}",
        "email": f"patient{patient}@example.com",
        "desc": "Sore knee",
        "website": "",
    }


def post_together(url: str, posts: list[tuple[requests.Session, dict[str, str]]]):
    """Send every post at once, each from its own thread; their responses, in order."""
    together = threading.Barrier(len(posts))

    def send(browser_and_data):
        browser, data = browser_and_data
        together.wait(timeout=TIMEOUT)
        return browser.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        return list(pool.map(send, posts))


def bookings_at(free: Slot):
    return Booking.objects.filter(
        practitioner_id=free.practitioner.id,
        room_id=free.room.id,
        date=free.start.date(),
        time=free.start.time(),
    )


@pytest.fixture
def book_calls(monkeypatch):
    """Each `book` that reaches the reference diary, as (staffId, date, time, name)."""
    calls, lock = [], threading.Lock()
    book = sandbox.free_times.book

    def counted(practitioner, room, day, at, patient, now):
        with lock:
            calls.append((practitioner.pk, room.pk, day, at, patient.name))
        return book(practitioner, room, day, at, patient, now)

    monkeypatch.setattr(sandbox.free_times, "book", counted)
    return calls


PATIENTS = 10


def test_ten_patients_booking_one_free_time_at_once_book_it_once(site, book_calls):
    free = first_free_time(site)
    url = details_url(site, free)
    browsers = [session() for _ in range(PATIENTS)]
    posts = [
        (browser, form(free, open_form(browser, url), n)) for n, browser in enumerate(browsers)
    ]

    responses = post_together(url, posts)
    for browser in browsers:
        browser.close()

    statuses = [response.status_code for response in responses]
    assert all(status < 500 for status in statuses), statuses
    booked = [n for n, response in enumerate(responses) if response.status_code == 303]
    assert len(booked) == 1, statuses
    winner = responses[booked[0]]
    assert BOOKED_PATH.fullmatch(urlsplit(winner.headers["Location"]).path)
    for n, response in enumerate(responses):
        if n not in booked:
            assert response.status_code == 409, (n, response.status_code)
            assert "has just been taken" in response.text
            # Nothing typed is lost: the loser's own details are back in the form.
            assert f'value="Patient {n}"' in response.text
    # The diary decides who gets the time: each post may ask it, once; it keeps one.
    assert 1 <= len(book_calls) <= PATIENTS
    assert bookings_at(free).count() == 1
    assert bookings_at(free).get().name == f"Patient {booked[0]}"
    with session() as browser:
        confirmation = browser.get(site.url + winner.headers["Location"], timeout=TIMEOUT)
    assert confirmation.status_code == 200


POSTS = 5


def test_one_form_posted_five_times_at_once_books_once_and_all_see_it(site, book_calls):
    free = first_free_time(site)
    url = details_url(site, free)
    with session() as browser:
        data = form(free, open_form(browser, url), 1)
    browsers = [session() for _ in range(POSTS)]  # one connection each, as from tabs

    responses = post_together(url, [(browser, data) for browser in browsers])
    for browser in browsers:
        browser.close()

    statuses = [response.status_code for response in responses]
    assert statuses == [303] * POSTS, statuses
    confirmations = {response.headers["Location"] for response in responses}
    assert len(confirmations) == 1, confirmations
    (confirmation,) = confirmations
    assert BOOKED_PATH.fullmatch(urlsplit(confirmation).path)
    assert len(book_calls) == 1
    assert bookings_at(free).filter(name="Patient 1").count() == 1
    assert Booking.objects.count() == 1

    # Refresh on the page the post went to: the same confirmation, no second booking.
    with session() as browser:
        again = browser.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)
        assert again.status_code == 303
        assert again.headers["Location"] == confirmation
        assert browser.get(site.url + confirmation, timeout=TIMEOUT).status_code == 200
    assert len(book_calls) == 1
    assert Booking.objects.count() == 1
