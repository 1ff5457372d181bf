"""The site as the benchmarks measure it: gunicorn, production settings, the reference diary.

    with serve() as base:  # e.g. "http://127.0.0.1:8765"
        urllib.request.urlopen(base + "/")

Static files are collected (hashed and compressed) into a temporary folder
first, as a deployment would, and WhiteNoise serves them. A developer's .env
is ignored and PHYSIODIARY_API_URL pinned empty, so no benchmark can reach a
live Physiodiary server. The reference diary is used in-process (for a
diary reached over real HTTP, see bench/harness.py).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

CHROMIUM = "/usr/bin/chromium"
# As tests/e2e/conftest.py: without the background-networking flags Chromium
# keeps trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production site on the reference diary, with `extra` on top."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PHYSIODIARY_", "SANDBOX_", "BOOKING_", "EMAIL_"))
    }
    key = "bench-" + secrets.token_hex(16)
    env.update(
        DJANGO_ENV_FILE="/dev/null",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        PHYSIODIARY_API_URL="",
        PHYSIODIARY_API_KEY=key,
        SANDBOX_API_KEY=key,
        SANDBOX_ENABLED="true",
        BOOKING_CONFIRMATION_EMAIL="false",
        # Change links on, as by default: their records are encrypted with this key, and the
        # practice's emails go to the discard port, where nothing listens (refused at once,
        # kept in the outbox), since production wants a mail server with them.
        BOOKING_RECORD_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        EMAIL_URL="smtp://127.0.0.1:9",
        # Shared by every worker, as production requires (it refuses one each
        # keeps to itself); the table is made in the database by `serve()`,
        # or by whoever migrates a database of their own.
        CACHE_URL="dbcache://booking_cache",
        # Every benchmark request comes from one address.
        BOOKING_RATE_LIMIT="0",
        BOOKING_SEARCH_RATE_LIMIT="0",
        BOOKING_FORM_MIN_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def create_cache_table(env: dict[str, str]) -> None:
    """The database cache's table (CACHE_URL=dbcache://), in env's database; kept if there."""
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)


def wait_until_up(
    base: str, process: subprocess.Popen, log: Path, seconds: float = 20, ready: str = "/"
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.stderr.write(log.read_text())
            raise RuntimeError(f"gunicorn exited at start-up (its log is above): {base}")
        try:
            with urllib.request.urlopen(base + ready, timeout=5) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
        except OSError:
            pass
        # The pause before asking again is a wait on the other thing that can
        # happen: gunicorn exiting, which is then seen at once.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)
    sys.stderr.write(log.read_text())
    raise RuntimeError(f"{base}{ready} did not answer 200 within {seconds} s")


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int = 4,
    threads: int = 1,
    app: str = "booking_site.wsgi",
    ready: str = "/",
) -> Iterator[str]:
    """gunicorn serving `app` with `env`, on a free port; its base URL.

    Up once `ready` answers 200: a page needing no diary (`/privacy/`) for a
    site whose diary is down on purpose, where `/` answers 503.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "gunicorn.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    GUNICORN,
                    f"{app}:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(base, process, log, ready=ready)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def serve(*, workers: int = 4, threads: int = 1, **extra: str) -> Iterator[str]:
    """The site under gunicorn with production settings, and `extra` environment; its base URL."""
    with tempfile.TemporaryDirectory() as static_root:
        env = production_env(DJANGO_STATIC_ROOT=static_root, **extra)
        collect_static(env)
        create_cache_table(env)
        with gunicorn(env, workers=workers, threads=threads) as base:
            yield base
