"""A change link is claimed once, whichever server process asks, on SQLite and on PostgreSQL.

Server processes share nothing but the database: `changes.claim` is one
conditional UPDATE, so of several processes claiming the same links at the
same moment exactly one wins each link. (The double click over HTTP, through
two gunicorn servers, is the views' test.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from .services import ROOT, clean_environment

PROCESSES = 4
LINKS = 12
PROBE = [sys.executable, "-m", "tests.deploy.claim_probe"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgresql_server") + "/postgres"


def site_environment(database_url: str) -> dict[str, str]:
    return clean_environment(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="booking_site.settings",
        DATABASE_URL=database_url,
        BOOKING_RECORD_KEY=Fernet.generate_key().decode(),
    )


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_processes_claiming_the_same_links_at_once_win_each_link_once(database_url, tmp_path):
    env = site_environment(database_url)
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    links = json.loads(run(env, *PROBE[1:], "keep", str(LINKS)))
    ready = tmp_path / "ready"
    ready.mkdir()

    probes = [
        subprocess.Popen(
            [*PROBE, "claim", str(ready), str(me), str(PROCESSES), *links],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(PROCESSES)
    ]
    outcomes = []
    for probe in probes:
        out, err = probe.communicate(timeout=120)
        assert probe.returncode == 0, err
        outcomes.append(json.loads(out))

    winners = []
    for link in links:
        won_by = [me for me, won in enumerate(outcomes) if won[link]]
        assert len(won_by) == 1, link
        winners.extend(won_by)
    # Each link holds its winner's request: odd processes cancelled, even ones moved.
    states = json.loads(run(env, "-c", STATES, *links))
    assert states == ["cancel" if me % 2 else "moving" for me in winners]


STATES = """
import django, json, sys
django.setup()
from bookings import changes
print(json.dumps([changes.find(link).state for link in sys.argv[1:]]))
"""
