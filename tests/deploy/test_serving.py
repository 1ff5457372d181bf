"""`make serve`: its preflight, its gunicorn configuration, and gunicorn serving with it."""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import runpy
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ..environment import clean_environment, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def load_config(monkeypatch, **env: str) -> dict:
    """gunicorn.conf.py's settings, read with `env` as the whole environment."""
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in clean_environment(**env).items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(CONFIG))


# --- gunicorn.conf.py ------------------------------------------------------------------


def test_gunicorn_accepts_the_config_file():
    result = subprocess.run(
        [GUNICORN, "--check-config", "--config", str(CONFIG)],
        cwd=ROOT,
        # It loads the site, whose default is production, which would want a key and more.
        env=clean_environment(DJANGO_DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_its_defaults_are_the_measured_ones(monkeypatch):
    config = load_config(monkeypatch)
    assert config["workers"] == 4
    assert config["threads"] == 1
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["wsgi_app"] == "booking_site.wsgi:application"
    assert config["accesslog"] is None  # the site logs each request itself
    assert config["max_requests"] == 0
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["control_socket_disable"] is True  # one path per user, shared by all


def test_the_worker_timeout_outlasts_the_longest_legitimate_request(monkeypatch):
    config = load_config(monkeypatch)
    longest = config["longest_request"]({})
    # Three rounds of read calls, each up to 3 tries of connect + read, with pauses.
    assert longest == pytest.approx(3 * (3 * (3.05 + 10) + 0.3 + 0.6))
    assert config["timeout"] > longest
    assert config["timeout"] == 131
    # A second post of a form waits connect + read + 1 s for the first.
    assert config["timeout"] > 3.05 + 10 + 1
    # A stopping server lets a booking in flight finish.
    assert config["graceful_timeout"] == config["timeout"]


def test_the_timeout_follows_the_diarys_timeouts(monkeypatch):
    slow = load_config(monkeypatch, PHYSIODIARY_READ_TIMEOUT="30", PHYSIODIARY_READ_RETRIES="0")
    assert slow["timeout"] == math.ceil(3 * (3.05 + 30) + 10)  # 110


def test_everything_can_be_changed_from_the_environment(monkeypatch):
    config = load_config(
        monkeypatch,
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="3",
        GUNICORN_TIMEOUT="200",
        GUNICORN_GRACEFUL_TIMEOUT="30",
        GUNICORN_MAX_REQUESTS="1000",
        PORT="9000",
        HOST="0.0.0.0",  # noqa: S104
        FORWARDED_ALLOW_IPS="10.0.0.2",
    )
    assert (config["workers"], config["threads"]) == (2, 3)
    assert (config["timeout"], config["graceful_timeout"]) == (200, 30)
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    assert config["bind"] == ["0.0.0.0:9000"]
    assert config["forwarded_allow_ips"] == "10.0.0.2"
    assert load_config(monkeypatch, GUNICORN_BIND="unix:/run/booking.sock", PORT="9000")[
        "bind"
    ] == ["unix:/run/booking.sock"]


def test_it_reads_the_same_dotenv_file_as_the_settings_and_the_environment_wins(
    monkeypatch, tmp_path
):
    dotenv = tmp_path / ".env"
    dotenv.write_text("WEB_CONCURRENCY=3\nGUNICORN_THREADS=2\nPHYSIODIARY_READ_TIMEOUT=20\n")
    config = load_config(monkeypatch, DJANGO_ENV_FILE=str(dotenv), GUNICORN_THREADS="5")
    assert (config["workers"], config["threads"]) == (3, 5)
    assert config["timeout"] > 3 * 3 * (3.05 + 20)
    # Read, not copied into the environment the workers inherit.
    assert "WEB_CONCURRENCY" not in os.environ


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEB_CONCURRENCY", "0"), ("GUNICORN_THREADS", "many"), ("GUNICORN_TIMEOUT", "-1")],
)
def test_it_refuses_a_number_that_makes_no_sense_in_one_line(monkeypatch, name, value):
    with pytest.raises(SystemExit, match=f"^{name} must be a whole number"):
        load_config(monkeypatch, **{name: value})


# --- The preflight ------------------------------------------------------------------------


def preflight(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "booking_site.preflight"],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3Y-" + "x9Q!z" * 12,
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "a-key",
    "BOOKING_CONFIRMATION_EMAIL": "false",
    "BOOKING_RECORD_KEY": Fernet.generate_key().decode(),
    # Change links are on (the default): the practice's requests need a mail server.
    "EMAIL_URL": "smtp://127.0.0.1:9",
    "CACHE_URL": "dbcache://booking_cache",  # made by createcachetable, as `make serve` does
}


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        # Development settings (`make run`'s .env) are never served as production.
        ({**PRODUCTION, "DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({}, "DJANGO_SECRET_KEY"),  # production is the default
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        ({**PRODUCTION, "CACHE_URL": "locmemcache://"}, "CACHE_URL"),
        ({**PRODUCTION, "PHYSIODIARY_API_KEY": ""}, "PHYSIODIARY_API_KEY"),
    ],
)
def test_preflight_names_what_is_missing_in_one_line(env, missing):
    result = preflight(**env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"Cannot serve the site: Set the environment variable {missing}"
    )
    assert result.stderr.count("\n") == 1


def test_preflight_lets_a_configured_site_start():
    result = preflight(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_make_serve_checks_first_and_sets_nothing_itself():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "serve"],  # noqa: S607 - prints, runs nothing
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    steps = [
        line for line in lines if "manage.py" in line or "preflight" in line or "gunicorn" in line
    ]
    assert "booking_site.preflight" in steps[0]
    assert "compiletranslations" in steps[1]  # the Welsh pages in Welsh from the first request
    assert "migrate" in steps[2]
    assert steps[-1].endswith("gunicorn --config gunicorn.conf.py")
    assert any("collectstatic --noinput" in step for step in steps)
    assert "DJANGO_DEBUG" not in result.stdout


# --- gunicorn serving with it ------------------------------------------------------------


def get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    """One GET, redirects not followed; status, headers and body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
        )
        answer = connection.getresponse()
        return answer.status, dict(answer.headers), answer.read().decode()
    finally:
        connection.close()


@contextlib.contextmanager
def served(log: Path, **env: str) -> Iterator[str]:
    """gunicorn started as `make serve` starts it (one worker, to spare the CPU)."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [GUNICORN, "--config", str(CONFIG)],
            cwd=ROOT,
            env=clean_environment(PORT=str(port), WEB_CONCURRENCY="1", **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(OSError):
                if get(base + "/healthz")[0] == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()
            # Waiting on gunicorn itself: an early exit is seen at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_given_only_the_live_url_key_and_hosts_refuses_to_start(tmp_path):
    # The review started it so, and it served in debug with the development key.
    only = {
        "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
        "PHYSIODIARY_API_KEY": "a-key",
        "DJANGO_ALLOWED_HOSTS": "booking.example",
    }
    env = clean_environment(PORT=str(free_port()), WEB_CONCURRENCY="1", **only)
    started = subprocess.run(
        [GUNICORN, "--config", str(CONFIG)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0  # the worker cannot boot, so gunicorn stops
    assert "Set the environment variable DJANGO_SECRET_KEY" in started.stderr


def test_gunicorn_with_it_answers_probes_by_ip_and_logs_each_request_once(tmp_path):
    closed = free_port()  # nothing listens there: the diary is down
    env = {
        **PRODUCTION,
        "PHYSIODIARY_API_URL": f"http://127.0.0.1:{closed}/api/request",
        "PHYSIODIARY_READ_RETRIES": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    # As `make serve` does first: the error pages need the collected files.
    for step in (["createcachetable"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *step],
            cwd=ROOT,
            env=clean_environment(**env),
            check=True,
            timeout=120,
        )
    log = tmp_path / "gunicorn.log"
    with served(log, **env) as base:
        by_ip = {"Host": "10.0.0.7", "X-Request-ID": "lb-1"}
        status, headers, body = get(base + "/readyz", **by_ip)
        assert status == 503
        assert json.loads(body)["physiodiary"] == "refused: the connection could not be made"
        assert headers["X-Request-ID"] == "lb-1"
        # A real page over plain HTTP is sent to HTTPS; by IP it is refused.
        assert get(base + "/?staffId=42230", Host="localhost")[0] == 301
        assert get(base + "/", Host="10.0.0.7")[0] == 400

    # Every line JSON, gunicorn's own (start, stop, workers) as well as the site's.
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert {"gunicorn.error", "booking_site.request_log"} <= {line["logger"] for line in lines}
    (call,) = [line for line in lines if line.get("event") == "physiodiary"]
    assert (call["request_id"], call["outcome"]) == ("lb-1", "refused")
    (not_ready,) = [line for line in lines if line["logger"] == "booking_site.health"]
    assert not_ready["request_id"] == "lb-1"
    requests_logged = [line for line in lines if line.get("event") == "request"]
    assert [(line["path"], line["status"]) for line in requests_logged] == [("/", 301), ("/", 400)]
    text = log.read_text()
    assert "staffId" not in text  # no access log line with the query, from anyone
    assert "a-key" not in text
    assert "Service Unavailable" not in text  # a failing probe is not a server error
    assert "Control socket" not in text
    assert re.search(r"booking site: 1 workers x 1 threads, timeout 50 s", text)
