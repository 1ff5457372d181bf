"""Two web servers, one Redis: any step of a booking may land on either.

Sites A and B are two gunicorns (two worker processes each) with production
settings and CACHE_URL=redis://, in front of one reference diary reached
over HTTP. Nothing a patient's next request needs may live in one process:
the practitioner and room lists, the free times, the once-only booking
ledger, the rate counts and the confirmation all have to be in Redis. (The
circuit breaker is the one thing kept per process, on purpose: it says how
this process's calls to the diary have been going.)
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from .conftest import RATE_LIMIT, TwoSites, flush
from .support import BOOKED_PATH, TIMEOUT, Patient, details


@pytest.fixture
def sites(two_sites: TwoSites) -> TwoSites:
    flush(two_sites.cache_url)
    return two_sites


def test_a_booking_whose_steps_alternate_between_the_servers_completes(sites):
    patient = Patient("203.0.113.10")
    calls = {}

    def step(name, do):
        """Take a step; note the diary calls it cost."""
        mark = len(sites.diary.calls())
        result = do()
        calls[name] = sorted(call.action for call in sites.diary.calls()[mark:])
        return result

    step("1 choose on A", lambda: patient.choose(sites.a.base))
    slots = step("2 times on B", lambda: patient.times(sites.b.base))
    assert step("2 times again on A", lambda: patient.times(sites.a.base)) == slots
    path = step("2 pick on B", lambda: patient.pick(sites.b.base, slots[0]))
    form = step("3 details on A", lambda: patient.open_details(sites.a.base, path))
    answer = step("3 book on B", lambda: patient.book(sites.b.base, form, 1))
    assert answer.status_code == 303, answer.status_code
    booked = urlsplit(answer.headers["Location"]).path
    assert BOOKED_PATH.fullmatch(booked)
    page = step("4 booked on A", lambda: patient.get(sites.a.base + booked))
    # B's booking took its time out of the pair's free times for A too: A
    # no longer offers it, and needs no call to know.
    after = step("2 times on A, after", lambda: patient.times(sites.a.base))
    assert slots[0] not in after
    patient.close()

    assert page.status_code == 200
    assert "Anna" in page.text and "Treatment Room 2" in page.text
    assert sites.diary.bookings(slots[0]) == ["Deploy Patient 1"]
    # Each list, free time and confirmation was fetched once, by whichever
    # server came first, and found in Redis by the other.
    assert calls == {
        "1 choose on A": ["sectionList", "staffList"],  # both at once
        "2 times on B": ["freeList"],
        "2 times again on A": [],
        "2 pick on B": [],
        "3 details on A": [],
        "3 book on B": ["book"],
        "4 booked on A": [],
        "2 times on A, after": [],
    }


def test_one_form_posted_to_both_servers_at_once_books_once(sites):
    patient = Patient("203.0.113.20")
    slot = patient.times(sites.a.base)[0]
    form = patient.open_details(sites.a.base, patient.pick(sites.a.base, slot))
    data = form.filled(2)
    books_before = sum(call.action == "book" for call in sites.diary.calls())
    together = threading.Barrier(2)

    def post(base: str):
        tab = Patient("203.0.113.20")  # another tab: a connection of its own
        together.wait(timeout=TIMEOUT)
        try:
            return tab.post(base + form.action, data)
        finally:
            tab.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(post, (sites.a.base, sites.b.base)))

    assert [answer.status_code for answer in answers] == [303, 303]
    confirmations = {answer.headers["Location"] for answer in answers}
    assert len(confirmations) == 1, confirmations
    books = sum(call.action == "book" for call in sites.diary.calls()) - books_before
    assert books == 1
    assert sites.diary.bookings(slot) == ["Deploy Patient 2"]
    (confirmation,) = confirmations
    for base in (sites.a.base, sites.b.base):
        assert patient.get(base + urlsplit(confirmation).path).status_code == 200
    patient.close()


def test_the_booking_rate_limit_counts_posts_to_both_servers(sites):
    patient = Patient("203.0.113.30")
    slot = patient.times(sites.a.base)[0]
    form = patient.open_details(sites.b.base, patient.pick(sites.b.base, slot))
    # Refused by the form, so no booking is made: counted against BOOKING_FORM_ERROR_RATE_LIMIT.
    nameless = {**form.filled(3), "name": ""}
    bases = [sites.a.base, sites.b.base] * 3

    statuses = [patient.post(base + form.action, nameless).status_code for base in bases]

    assert statuses == [400] * RATE_LIMIT + [429] * (len(bases) - RATE_LIMIT)
    over = patient.post(sites.a.base + form.action, nameless)
    assert over.status_code == 429
    assert int(over.headers["Retry-After"]) > 0
    assert details(3)["phone"] in over.text  # what was typed is kept
    # Another patient's address has a count of its own, on either server.
    other = Patient("203.0.113.31")
    assert other.post(sites.b.base + form.action, nameless).status_code == 400
    patient.close()
    other.close()


def test_no_server_log_holds_the_api_key_or_a_patients_details(two_sites, prepared):
    logs = {
        server.process.name: server.process.text()
        for server in (two_sites.a, two_sites.b, two_sites.diary.server)
    }
    assert "physiodiary action=book" in logs["site-a"] + logs["site-b"]  # the logs are real
    for name, text in logs.items():
        assert prepared.api_key not in text, name
        for number in (1, 2, 3):
            for detail in details(number).values():
                assert detail not in text, (name, detail)
