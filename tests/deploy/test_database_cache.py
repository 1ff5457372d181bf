"""CACHE_URL=dbcache:// holds up on SQLite files and on PostgreSQL, as one server runs it.

Each test starts the site's settings afresh in processes of their own
(cache_probe.py), with production settings, a database of its kind and a
cache table made by `manage.py createcachetable`, the command `make serve`
runs. Django's own database cache fails each of these: its cull deleted a
confirmation after 330 rate-limit keys, and of 40 increments at once it
counted 4 to 10 on SQLite.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from .services import ROOT, clean_environment

BACKEND = "booking_site.db_cache.DatabaseCache"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3Y-" + "x9Q!z" * 12,
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "a-key",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    "BOOKING_RECORD_KEY": Fernet.generate_key().decode(),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgresql_server") + "/postgres"


@pytest.fixture
def cache_table(request: pytest.FixtureRequest) -> str:
    # A table of each test's own, since the PostgreSQL server is shared by the module's tests.
    return "cache_" + request.node.name.split("[")[0].removeprefix("test_")[:40]


def site(database_url: str, table: str, *args: str) -> subprocess.CompletedProcess:
    """`python *args` as a production site on `database_url` with CACHE_URL=dbcache://`table`."""
    env = clean_environment(
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="booking_site.settings",
        DATABASE_URL=database_url,
        CACHE_URL=f"dbcache://{table}",
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def probe(database_url: str, table: str, command: str, number: int) -> dict:
    """createcachetable, as `make serve` runs it, then cache_probe.py's `command`."""
    made = site(database_url, table, "manage.py", "createcachetable")
    assert made.returncode == 0, made.stderr
    done = site(database_url, table, "-m", "tests.deploy.cache_probe", command, str(number))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["backend"] == BACKEND
    scheme = database_url.split(":")[0]
    assert found["database"] == {"sqlite": "sqlite", "postgres": "postgresql"}[scheme]
    return found


def test_ten_thousand_rate_limit_keys_leave_a_confirmation_and_the_ledger_readable(
    database_url: str, cache_table: str
):
    found = probe(database_url, cache_table, "flood", 10_000)
    assert found["confirmation_found"]
    assert found["ledger"] == "booked"
    assert found["ledger_reference_matches"]
    assert found["rate_keys_found"] == found["rate_keys_asked"]  # nothing was culled
    assert found["rows"] == 10_002


def test_forty_increments_at_once_from_forty_processes_count_forty(
    database_url: str, cache_table: str
):
    found = probe(database_url, cache_table, "count", 40)
    errors = [answer for answer in found["answers"] if not isinstance(answer, int)]
    assert errors == []
    assert found["count"] == 40
    assert sorted(found["answers"]) == list(range(1, 41))  # each process saw a count of its own
    # The window's expiry stands, as in Redis: not reset to Django's default of 300 s.
    assert 600 < found["expires_in"] <= 660


def test_of_forty_claims_of_one_form_at_once_one_wins_even_over_an_expired_claim(
    database_url: str, cache_table: str
):
    found = probe(database_url, cache_table, "claim", 40)
    assert found["errors"] == []
    assert (found["won"], found["lost"]) == (1, 39)


@contextlib.contextmanager
def sqlite_file(url: str) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
        yield db


def table_columns(database_url: str, table: str) -> list[str]:
    if database_url.startswith("sqlite"):
        with sqlite_file(database_url) as db:
            return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    import psycopg

    with psycopg.connect(database_url) as db:
        found = db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " ORDER BY ordinal_position",
            [table],
        )
        return [name for (name,) in found]


def test_make_serves_createcachetable_makes_the_table_once_and_the_site_uses_it(
    database_url: str, cache_table: str
):
    first = site(database_url, cache_table, "manage.py", "createcachetable")
    assert first.returncode == 0, first.stderr
    assert table_columns(database_url, cache_table) == ["cache_key", "value", "expires"]
    again = site(database_url, cache_table, "manage.py", "createcachetable")  # every release
    assert again.returncode == 0, again.stderr
    assert f"Cache table '{cache_table}' already exists." in again.stdout
    # The readiness check writes and reads a key of its own through the site's cache.
    code = (
        "import django; django.setup(); from django.core.cache import caches;"
        " cache = caches['default']; cache.set('ready', 'yes');"
        " print(f'{type(cache).__module__}.{type(cache).__name__}', cache.get('ready'))"
    )
    used = site(database_url, cache_table, "-c", code)
    assert used.returncode == 0, used.stderr
    assert used.stdout.split() == [BACKEND, "yes"]
