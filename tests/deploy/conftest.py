"""Deployment tests: the site as production runs it, in separate processes.

Every server here is a real program on loopback: the site under gunicorn with
production settings (DJANGO_DEBUG=false, collected static files), the
reference diary under a gunicorn of its own on its own SQLite database and
reached over real HTTP, Redis for the shared cache, tinyproxy as the one way
out, and PostgreSQL. The servers start once per module. See services.py for
how each is started, and what happens when a program is missing.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .services import (
    PYTHON,
    ROOT,
    Diary,
    Proxy,
    Server,
    clean_environment,
    gunicorn,
    postgresql,
    redis_server,
    running,
    tinyproxy,
)

#: Booking attempts per client address the sites allow, small enough to reach.
RATE_LIMIT = 3
#: The address tinyproxy leaves from: the one "registered" with the diary.
REGISTERED_IP = "127.0.0.3"


@dataclass(frozen=True)
class Prepared:
    """What every server starts from: shared secrets, static files, a seeded diary database."""

    api_key: str
    secret_key: str
    static_root: Path
    database: Path  # a template: each server gets a copy

    def copy_database(self, folder: Path) -> Path:
        copy = folder / "db.sqlite3"
        shutil.copyfile(self.database, copy)
        return copy

    def production(self, database: Path, **extra: str) -> dict[str, str]:
        """A production environment (the secret key is the same for every server)."""
        return clean_environment(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            PHYSIODIARY_API_KEY=self.api_key,
            BOOKING_CONFIRMATION_EMAIL="false",
            DJANGO_STATIC_ROOT=str(self.static_root),
            DATABASE_URL=f"sqlite:///{database}",
            **extra,
        )


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("deploy")
    made = Prepared(
        api_key="deploy-" + secrets.token_hex(16),
        secret_key=secrets.token_urlsafe(48),
        static_root=folder / "static",
        database=folder / "diary-template.sqlite3",
    )
    env = made.production(made.database, SANDBOX_ENABLED="true", PHYSIODIARY_API_URL="")
    manage = [PYTHON, "manage.py"]
    # Collecting (and compressing) the static files takes the longest: the
    # database is made meanwhile.
    collecting = subprocess.Popen(
        [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env
    )
    for step in (["migrate", "--noinput", "-v", "0"], ["seed_demo_diary"]):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, capture_output=True)
    assert collecting.wait(timeout=300) == 0, "collectstatic failed"
    return made


def start_diary(prepared: Prepared, folder: Path, *, allowed_ips: str) -> Diary:
    """The reference diary under gunicorn, accepting calls from `allowed_ips` only."""
    database = prepared.copy_database(folder)
    calls = folder / "diary-calls.log"
    env = prepared.production(
        database,
        SANDBOX_ENABLED="true",
        PHYSIODIARY_API_URL="",
        SANDBOX_API_KEY=prepared.api_key,
        SANDBOX_ALLOWED_IPS=allowed_ips,
        DEPLOY_DIARY_CALLS=str(calls),
        LOG_LEVEL="WARNING",
    )
    # One process, so that SQLite's writes queue on one lock; threads for the sites' calls at once.
    server = gunicorn("diary", env, folder, app="tests.deploy.counted_diary", workers=1, threads=8)
    return Diary(server, database, calls)


def start_site(name: str, prepared: Prepared, folder: Path, diary: Diary, **extra: str) -> Server:
    """The booking site under gunicorn with production settings, using `diary` over HTTP."""
    own = folder / name
    own.mkdir()
    env = prepared.production(
        # Its own database: sites keep nothing in one, but Django must have one.
        prepared.copy_database(own),
        PHYSIODIARY_API_URL=diary.api_url,
        # Behind a load balancer: the client address is the one it reports.
        CLIENT_IP_HEADER="X-Forwarded-For",
        BOOKING_RATE_LIMIT=str(RATE_LIMIT),
        # A year, so that no new period begins in the middle of a test.
        BOOKING_RATE_LIMIT_SECONDS=str(365 * 24 * 3600),
        BOOKING_SEARCH_RATE_LIMIT="0",
        BOOKING_FORM_MIN_SECONDS="0",  # these patients fill a form in milliseconds
        LOG_LEVEL="INFO",  # one line per diary call, to check for what must never be there
        **extra,
    )
    return gunicorn(name, env, folder, workers=2, threads=2)


def flush(cache_url: str) -> None:
    """Empty the shared cache, so that a test's diary calls do not depend on the one before."""
    import redis

    with redis.Redis.from_url(cache_url) as client:
        client.flushdb()


# --- Two web servers on one Redis ---------------------------------------------------


@dataclass(frozen=True)
class TwoSites:
    a: Server
    b: Server
    diary: Diary
    cache_url: str


@pytest.fixture(scope="module")
def two_sites(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoSites]:
    """Sites A and B, sharing one Redis and one reference diary, as two web servers would."""
    folder = tmp_path_factory.mktemp("two-sites")
    with redis_server(folder) as cache_url:
        diary = start_diary(prepared, folder, allowed_ips="127.0.0.1")
        a = start_site("site-a", prepared, folder, diary, CACHE_URL=cache_url)
        b = start_site("site-b", prepared, folder, diary, CACHE_URL=cache_url)
        with running(a.process, b.process, diary.server.process):
            for server in (diary.server, a, b):
                server.wait_until_up()
            yield TwoSites(a, b, diary, cache_url)


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
