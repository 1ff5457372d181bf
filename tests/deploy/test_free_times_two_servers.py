"""Free times on two servers and a slow diary: asked about once at a time, never waited for twice.

Sites A and B (two gunicorns of two workers each, production settings) share
one Redis, in front of a reference diary that takes LATENCY to answer. The
diary writes a call down when it has answered it, so a page that came back
before the line was written did not wait for that call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import TwoSites, flush
from .services import Prepared, redis_server, running, start_diary, start_site
from .support import Patient, wait_for

LATENCY = 1.5  # seconds: long beside a page served from Redis, short for a test
# BOOKING_FREE_TIMES_CACHE_SECONDS, so that free times grow old within the test; more
# than LATENCY, since their age counts from when the diary was asked.
FRESH = 2


@pytest.fixture(scope="module")
def slow(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoSites]:
    folder = tmp_path_factory.mktemp("slow-diary")
    with redis_server(folder) as cache_url:
        diary = start_diary(
            prepared, folder, allowed_ips="127.0.0.1", SANDBOX_LATENCY_MS=str(int(LATENCY * 1000))
        )
        sites = [
            start_site(
                name,
                prepared,
                folder,
                diary,
                CACHE_URL=cache_url,
                BOOKING_FREE_TIMES_CACHE_SECONDS=str(FRESH),
            )
            for name in ("site-a", "site-b")
        ]
        with running(*(site.process for site in sites), diary.server.process):
            for server in (diary.server, *sites):
                server.wait_until_up()
            yield TwoSites(*sites, diary, cache_url)


@pytest.fixture
def sites(slow: TwoSites) -> TwoSites:
    flush(slow.cache_url)
    patient = Patient("203.0.113.40")
    patient.choose(slow.a.base)  # the practitioner and room lists, kept in Redis
    patient.close()
    return slow


def free_times_asked(sites: TwoSites, since: int) -> int:
    return sum(call.action == "freeList" for call in sites.diary.calls()[since:])


def twelve_patients_at_once(sites: TwoSites) -> list[list[str]]:
    """Twelve patients open the same times page at the same moment, six on each server."""
    start = threading.Barrier(12)

    def look(number: int) -> list[str]:
        patient = Patient(f"203.0.113.{50 + number}")
        start.wait()
        try:
            return patient.times(sites.a.base if number % 2 else sites.b.base)
        finally:
            patient.close()

    with ThreadPoolExecutor(12) as pool:
        return list(pool.map(look, range(12)))


def test_patients_arriving_together_at_a_pair_nobody_has_looked_at_share_one_call(sites):
    mark = len(sites.diary.calls())

    pages = twelve_patients_at_once(sites)

    assert all(page == pages[0] for page in pages)
    assert free_times_asked(sites, mark) == 1


def test_older_free_times_are_shown_at_once_and_refreshed_once_behind_the_pages(sites):
    patient = Patient("203.0.113.41")
    shown = patient.times(sites.a.base)  # the first look: waits for the diary
    patient.close()
    time.sleep(FRESH)  # the free times grow older than BOOKING_FREE_TIMES_CACHE_SECONDS
    mark = len(sites.diary.calls())

    pages = twelve_patients_at_once(sites)
    answered_meanwhile = free_times_asked(sites, mark)

    assert all(page == shown for page in pages)
    assert answered_meanwhile == 0  # every page came back before the diary answered
    wait_for(lambda: free_times_asked(sites, mark) or None)
    time.sleep(LATENCY + 0.5)  # room for a second call, were one asked for
    assert free_times_asked(sites, mark) == 1
