"""gunicorn.conf.py keeps each worker to MALLOC_ARENA_MAX malloc arenas (2 unless set).

Without it glibc gives each thread that allocates an arena of its own, up to
8 per core, and what the threads that refresh free times and ask about "any
practitioner" freed stayed resident in each: a worker grew by up to 1.9 MiB
every 10,000 requests, against at most 0.9 MiB with 2 (bench/memory.py).
The worker here is gunicorn's, started with the project's gunicorn.conf.py,
serving tests/deploy/arena_probe.py: 12 threads allocating at once, then
the count of arenas glibc reports.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..environment import clean_environment, free_port
from .arena_probe import THREADS

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


pytestmark = pytest.mark.skipif(not _glibc(), reason="malloc arenas are glibc's")


def arenas_in_a_worker(log: Path, **env: str) -> int:
    """The arenas of a gunicorn worker (gunicorn.conf.py, `env`) after its threads allocated."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "tests.deploy.arena_probe:application"],
            cwd=ROOT,
            env=clean_environment(PORT=str(port), WEB_CONCURRENCY="1", **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer,
            ):
                return int(answer.read())
            assert time.monotonic() < deadline, log.read_text()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)  # an early exit is seen at once
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_worker_keeps_to_two_malloc_arenas_however_many_threads_allocate(tmp_path):
    assert arenas_in_a_worker(tmp_path / "gunicorn.log") <= 2


def test_malloc_arena_max_from_the_env_file_sets_another_limit(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("MALLOC_ARENA_MAX=4\n")
    arenas = arenas_in_a_worker(tmp_path / "gunicorn.log", DJANGO_ENV_FILE=str(env_file))
    assert 2 < arenas <= 4


def test_malloc_arena_max_0_leaves_glibc_its_own_limit_of_an_arena_a_thread(tmp_path):
    # glibc's own: 8 per core, so on any machine with 2 cores or more, one a thread here.
    arenas = arenas_in_a_worker(tmp_path / "gunicorn.log", MALLOC_ARENA_MAX="0")
    assert arenas > min(THREADS, 8 * (os.cpu_count() or 1)) // 2
