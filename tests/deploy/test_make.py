"""The Makefile's settings: `make run` writes development's .env, `make test` needs none.

Each test runs the real Makefile in a folder of its own, where `.venv/bin/`
holds stand-ins for python and pytest that write down the DJANGO_DEBUG and
DJANGO_ENV_FILE they were started with, and whether .env existed then.
Nothing is installed or served.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: A stand-in for .venv/bin/python and pytest: one line per run, then success.
RECORDER = """#!/bin/sh
echo "$(basename "$0") $* | DJANGO_DEBUG=${DJANGO_DEBUG-unset}\
 DJANGO_ENV_FILE=${DJANGO_ENV_FILE-unset} .env=$([ -e .env ] && echo yes || echo no)" >> runs.log
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The Makefile with everything it would install already there."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "pyproject.toml").touch()
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name in ("python", "pytest", "ruff", "gunicorn"):
        (bin_ / name).write_text(RECORDER)
        (bin_ / name).chmod(0o755)
    installed = tmp_path / ".venv" / ".installed"
    installed.touch()
    os.utime(installed, (2**31, 2**31))  # newer than pyproject.toml: nothing to reinstall
    return tmp_path


def make(folder: Path, *targets: str) -> list[str]:
    """Run make; the stand-ins' lines, one per program started."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MAKE"))
    }
    subprocess.run(
        ["make", "--no-print-directory", *targets],  # noqa: S607 - Debian's make, on PATH
        cwd=folder,
        env={**env, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    log = folder / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def test_make_run_writes_a_development_env_before_anything_reads_settings(checkout):
    runs = make(checkout, "run")
    assert (checkout / ".env").read_text().splitlines()[-1] == "DJANGO_DEBUG=true"
    assert [line.split(" | ")[0] for line in runs] == [
        "python manage.py compiletranslations",
        "python manage.py migrate --noinput",
        "python manage.py seed_demo_diary",
        "python manage.py runserver 127.0.0.1:8000",
    ]
    assert all(line.endswith(".env=yes") for line in runs)


def test_make_run_leaves_an_existing_env_alone(checkout):
    (checkout / ".env").write_text("DJANGO_DEBUG=true\nPRACTICE_NAME=Hill Street Physio\n")
    make(checkout, "run")
    assert "Hill Street Physio" in (checkout / ".env").read_text()


@pytest.mark.parametrize("target", ["test", "test-quick"])
def test_the_tests_run_in_development_with_no_env_file(checkout, target):
    runs = make(checkout, "--old-file=packages", target)  # no apt-get from a test
    assert not (checkout / ".env").exists()
    assert any(line.startswith("pytest") for line in runs)
    for line in runs:  # setup's migrate and seed too, which read the settings
        assert "DJANGO_DEBUG=true DJANGO_ENV_FILE=/dev/null" in line, line


def test_make_serve_writes_no_env_and_sets_no_debug(checkout):
    runs = make(checkout, "serve")
    assert not (checkout / ".env").exists()
    assert runs[0].startswith("python -m booking_site.preflight")
    assert runs[-1].startswith("gunicorn --config gunicorn.conf.py")
    assert all("DJANGO_DEBUG=unset" in line for line in runs)
