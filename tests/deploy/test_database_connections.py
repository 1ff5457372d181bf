"""Each worker keeps its database connection between requests (DATABASE_CONN_MAX_AGE).

The site under gunicorn on PostgreSQL, one worker of one thread, its cache in
the database (every page then asks the database something): after many
pages PostgreSQL has seen one connection from it, still open, not one per
page; with DATABASE_CONN_MAX_AGE=0, as before, a connection per page. And
the setting as the settings read it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import requests

from ..environment import start_django
from .services import PYTHON, ROOT, Prepared, gunicorn, running

PAGES = 20
DATABASE = "connections"


@pytest.fixture(scope="module")
def postgresql_database(postgresql_server: str, prepared: Prepared) -> Iterator[str]:
    """A database of the site's own on PostgreSQL, migrated, with its cache table."""
    import psycopg

    with psycopg.connect(f"{postgresql_server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {DATABASE}")
    url = f"{postgresql_server}/{DATABASE}"
    env = {**on_the_reference_diary(prepared), "DATABASE_URL": url}
    for step in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([PYTHON, "manage.py", *step], cwd=ROOT, env=env, check=True)
    yield url


def on_the_reference_diary(prepared: Prepared) -> dict[str, str]:
    return prepared.production(prepared.database, SANDBOX_ENABLED="true", PHYSIODIARY_API_URL="")


def connections_from_the_site(url: str) -> list[tuple[int, object]]:
    """(pid, backend_start) of every connection to the site's database but this one."""
    import psycopg

    with psycopg.connect(url) as database:
        return database.execute(
            "SELECT pid, backend_start FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        ).fetchall()


def pages_served(
    prepared: Prepared, url: str, folder: Path, conn_max_age: str
) -> list[list[tuple[int, object]]]:
    """The site's connections as PostgreSQL saw them after each of PAGES pages."""
    env = {
        **on_the_reference_diary(prepared),
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": conn_max_age,
    }
    server = gunicorn("site", env, folder, workers=1, threads=1)
    seen = []
    with running(server.process), requests.Session() as http:
        server.wait_until_up()
        http.trust_env = False
        for _ in range(PAGES):
            assert http.get(server.base + "/privacy/", timeout=30).status_code == 200
            seen.append(connections_from_the_site(url))
    return seen


def test_a_worker_keeps_one_connection_for_every_page(prepared, postgresql_database, tmp_path):
    seen = pages_served(prepared, postgresql_database, tmp_path, "60")

    assert all(len(after) == 1 for after in seen)
    assert len({after[0] for after in seen}) == 1  # the same connection, page after page


def test_with_no_age_each_page_opens_and_closes_its_own(prepared, postgresql_database, tmp_path):
    seen = pages_served(prepared, postgresql_database, tmp_path, "0")

    # Asked just after a page, its connection may still be closing; never kept for the next.
    assert all(not set(after) & set(following) for after, following in pairwise(seen))


def test_connections_are_kept_a_minute_and_checked_before_reuse():
    result = start_django(
        code="from django.db import connection as c;"
        " print(c.settings_dict['CONN_MAX_AGE'], c.settings_dict['CONN_HEALTH_CHECKS'])"
    )
    assert result.stdout.split() == ["60", "True"], result.stderr


@pytest.mark.parametrize(
    ("variables", "age"),
    [
        ({"DATABASE_CONN_MAX_AGE": "0"}, "0"),
        ({"DATABASE_URL": "sqlite:////tmp/db.sqlite3?conn_max_age=5"}, "5"),
        (
            {
                "DATABASE_URL": "sqlite:////tmp/db.sqlite3?conn_max_age=5",
                "DATABASE_CONN_MAX_AGE": "5",
            },
            "5",
        ),
    ],
)
def test_the_age_comes_from_the_setting_or_the_database_url(variables, age):
    result = start_django(
        code="from django.db import connection as c; print(c.settings_dict['CONN_MAX_AGE'])",
        **variables,
    )
    assert result.stdout.strip() == age, result.stderr


def test_the_setting_and_the_database_url_disagreeing_stop_the_site():
    result = start_django(
        DATABASE_URL="sqlite:////tmp/db.sqlite3?conn_max_age=5", DATABASE_CONN_MAX_AGE="60"
    )
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DATABASE_CONN_MAX_AGE=60 and DATABASE_URL's conn_max_age=5 differ"
        in result.stderr
    )


def test_a_negative_age_stops_the_site():
    result = start_django(DATABASE_CONN_MAX_AGE="-1")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_CONN_MAX_AGE must be 0 or more" in result.stderr
