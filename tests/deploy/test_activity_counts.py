"""Activity counts from several server processes at once: each written once, none lost.

Pages count in the shared cache (bookings/counters.py: one script on Redis,
Django's incr elsewhere) and any process may write the counts to the
database (bookings/activity.py). Four processes count 300 pages each while
writing the counts as servers do, after responses and as the console's page
does; afterwards the database holds every page once and the cache nothing
more. On Redis and on the database cache, on SQLite and on PostgreSQL.
(The counting itself, in one process: tests/site/test_activity_counts.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .services import ROOT, clean_environment, redis_server

PROCESSES = 4
PAGES = 300
PROBE = [sys.executable, "-m", "tests.deploy.activity_probe"]


@pytest.fixture(
    params=[("redis", "sqlite"), ("database", "sqlite"), ("redis", "postgresql")],
    ids=["redis-sqlite", "dbcache-sqlite", "redis-postgresql"],
)
def site_environment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    cache, database = request.param
    if database == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        database_url = request.getfixturevalue("postgresql_server") + "/postgres"
    env = clean_environment(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="booking_site.settings",
        DATABASE_URL=database_url,
    )
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    if cache == "database":
        env["CACHE_URL"] = "dbcache://booking_cache"
        run(env, "manage.py", "createcachetable")
        yield env
    else:
        with redis_server(tmp_path) as url:
            yield {**env, "CACHE_URL": url}


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_processes_counting_and_writing_at_once_write_each_count_once(site_environment, tmp_path):
    ready = tmp_path / "ready"
    ready.mkdir()
    probes = [
        subprocess.Popen(
            [*PROBE, "count", str(ready), str(me), str(PROCESSES), str(PAGES)],
            cwd=ROOT,
            env=site_environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(PROCESSES)
    ]
    for probe in probes:
        _, err = probe.communicate(timeout=240)
        assert probe.returncode == 0, err
        assert "not counted" not in err and "lost" not in err, err

    found = json.loads(run(site_environment, *PROBE[1:], "written"))

    each = PROCESSES * PAGES // 3
    assert found["database"] == {"step-choose": each, "step-times": each, "booked": each}
    assert found["cache"] == {"step-choose": 0, "step-times": 0, "booked": 0}


COUNT_TWICE = """
import django, json
django.setup()
from django.core.cache import cache, caches
from bookings import counters
counts = [counters.add_one("probe:count", 30), counters.add_one("probe:count", 30)]
client = caches["default"]._cache.get_client("probe:count")
ttl = client.ttl(caches["default"].make_and_validate_key("probe:count"))
found = {"counts": counts, "read": cache.get("probe:count"), "ttl": ttl}
print(json.dumps({**found, "script refused": counters._refused}))
"""


def test_a_count_on_redis_starts_at_one_and_expires_from_its_first(tmp_path):
    with redis_server(tmp_path) as url:
        env = clean_environment(
            DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="booking_site.settings", CACHE_URL=url
        )
        found = json.loads(run(env, "-c", COUNT_TWICE))

    assert found["counts"] == [1, 2]
    assert found["read"] == 2  # what Django's own `get` reads: the rate limits' and the flush's
    assert 0 < found["ttl"] <= 30
    assert not found["script refused"]


def test_a_redis_that_refuses_scripts_still_counts(tmp_path):
    import redis

    with redis_server(tmp_path) as url:
        with redis.Redis.from_url(url) as admin:
            admin.acl_setuser(
                "site",
                enabled=True,
                passwords=["+a-password"],
                keys=["*"],
                commands=["+@all", "-@scripting"],
            )
        refusing = url.replace("redis://", "redis://site:a-password@")
        env = clean_environment(
            DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="booking_site.settings", CACHE_URL=refusing
        )
        found = json.loads(run(env, "-c", COUNT_TWICE))

    assert found["script refused"]  # counted with Django's incr and add instead
    assert found["counts"] == [1, 2]
    assert found["read"] == 2
    assert 0 < found["ttl"] <= 30
