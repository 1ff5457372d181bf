"""Deployment tests: the site as production runs it, in separate processes.

Every server here is a real program on loopback: the site under gunicorn with
production settings (DJANGO_DEBUG=false, collected static files), the
reference diary under a gunicorn of its own on its own SQLite database and
reached over real HTTP, Redis for the shared cache, tinyproxy as the one way
out, and PostgreSQL. The servers start once per module. See services.py for
how each is started, and what happens when a program is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .services import (
    RATE_LIMIT,
    Diary,
    Prepared,
    Proxy,
    Server,
    TwoSites,
    flush,
    postgresql,
    prepare,
    redis_server,
    running,
    start_diary,
    start_site,
    tinyproxy,
    two_sites_on_one_redis,
)

#: What the tests import from here (some of it made in services.py, which bench/ shares).
__all__ = ["RATE_LIMIT", "REGISTERED_IP", "OneWayOut", "TwoSites", "flush"]

#: The address tinyproxy leaves from: the one "registered" with the diary.
REGISTERED_IP = "127.0.0.3"


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(tmp_path_factory.mktemp("deploy"))


# --- Two web servers on one Redis ---------------------------------------------------


@pytest.fixture(scope="module")
def two_sites(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoSites]:
    """Sites A and B, sharing one Redis and one reference diary, as two web servers would."""
    with two_sites_on_one_redis(prepared, tmp_path_factory.mktemp("two-sites")) as sites:
        yield sites


# --- One way out: a proxy on the registered address ---------------------------------


@dataclass(frozen=True)
class OneWayOut:
    diary: Diary  # accepts calls from REGISTERED_IP only
    proxy: Proxy  # leaves from REGISTERED_IP
    via_proxy: Server  # PHYSIODIARY_PROXY set
    direct: Server  # the same site without it


@pytest.fixture(scope="module")
def one_way_out(
    prepared: Prepared, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OneWayOut]:
    folder = tmp_path_factory.mktemp("one-way-out")
    with redis_server(folder) as cache_url, tinyproxy(folder, leave_from=REGISTERED_IP) as proxy:
        diary = start_diary(prepared, folder, allowed_ips=REGISTERED_IP)
        via_proxy = start_site(
            "via-proxy",
            prepared,
            folder,
            diary,
            CACHE_URL=cache_url,
            PHYSIODIARY_PROXY=proxy.url,
        )
        # Its own Redis database: nothing the other site fetched can be served from it.
        direct = start_site("direct", prepared, folder, diary, CACHE_URL=cache_url[:-1] + "1")
        with running(via_proxy.process, direct.process, diary.server.process):
            for server in (diary.server, via_proxy, direct):
                server.wait_until_up()
            yield OneWayOut(diary, proxy, via_proxy, direct)


# --- PostgreSQL -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgresql_server() -> Iterator[str]:
    """A PostgreSQL server of our own: its URL without a database name."""
    with postgresql() as url:
        yield url.rsplit("/", 1)[0]
