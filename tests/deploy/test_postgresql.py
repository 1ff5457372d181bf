"""The reference diary books a time once on PostgreSQL too.

On SQLite, concurrent bookings queue on the database's one write lock
(IMMEDIATE transactions, booking_site/settings.py). PostgreSQL has no such
lock: there `sandbox.free_times.book` relies on its row locks (select_for_update
on the practitioner and the room, re-checking the time once it holds them)
and on the unique constraints behind them. So the concurrency tests run
again here, in a pytest of their own with DATABASE_URL on a PostgreSQL
server started for them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .services import ROOT, clean_environment

CONCURRENCY_TESTS = [
    "tests/sandbox/test_concurrency.py",
    "tests/sandbox/test_concurrent_overlaps.py",
    "tests/e2e/test_concurrent_bookings.py",
]
DATABASE = "booking"


def test_the_concurrency_tests_pass_on_postgresql(postgresql_server: str, tmp_path: Path):
    env = clean_environment(DATABASE_URL=f"{postgresql_server}/{DATABASE}")
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", *CONCURRENCY_TESTS, "-q", "-p", "no:cacheprovider"),
            f"--basetemp={tmp_path / 'pytest'}",
            # The test database is left behind, to be looked at below.
            "--reuse-db",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9]+ passed in .*", summary), output  # nothing skipped or failed

    # It really was PostgreSQL, with the diary's last line of defence in it.
    import psycopg

    with psycopg.connect(f"{postgresql_server}/test_{DATABASE}") as database:
        constraints = {
            name
            for (name,) in database.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'sandbox_booking'::regclass"
            )
        }
    assert {"booking_room_slot_unique", "booking_practitioner_slot_unique"} <= constraints
