"""The programs a deployment runs, started for the tests: gunicorn, Redis, tinyproxy, PostgreSQL.

Each comes from Debian's packages (`make services` installs them), listens on
a free port on loopback, keeps its files in a temporary folder and is stopped
after. None of them is the machine's own service: a Redis or PostgreSQL that
a package's post-install started on its usual port is neither used nor
disturbed.

Missing programs skip the tests that need them, with the reason, except
under CI=true, where they fail them: a green CI must mean they ran.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from ..environment import clean_environment as site_environment
from ..environment import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
#: Where the reference diary's API answers: reverse("sandbox:api-request")
#: (sandbox/urls.py). Written out because bench/two_servers.py uses this
#: module without Django settings, where nothing can be reversed.
API_PATH = "/sandbox/api/request"
#: How long a program may take to start listening, on a busy 2-core machine.
START_SECONDS = 30
#: Booking attempts per client address the sites allow, small enough to reach.
RATE_LIMIT = 3


def missing(what: str) -> None:
    """Skip the test for want of `what`; fail it under CI, where everything must run."""
    message = f"{what}; `make services` installs it (as root, with apt-get)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)  # in CI a missing server is a failure, never a skip
    pytest.skip(message)


def program(name: str, package: str) -> str:
    """The path of the program `name`, from Debian's package `package`."""
    # /usr/sbin is not on every user's PATH.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        missing(f"{name} (Debian's {package}) is not installed")
    return str(found)


def clean_environment(**extra: str) -> dict[str, str]:
    """tests/environment.py's clean environment, less a coverage run's too, plus `extra`."""
    env = {
        key: value
        for key, value in site_environment(DJANGO_ENV_FILE="/dev/null").items()
        if not key.startswith("COV_CORE_")
    }
    env.update(extra)
    return env


# --- Processes ----------------------------------------------------------------------


@dataclass
class Process:
    """A program started in the background, its output going to `log`."""

    name: str
    popen: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.popen.returncode}; its log:\n{self.text()[-4000:]}"
            )

    def pause(self, seconds: float = 0.1) -> None:
        """Wait a little, or less if the program exits meanwhile (seen by the next check)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=seconds)

    def wait_for_port(self, port: int, seconds: float = START_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self.check_running()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} did not listen on {port} within {seconds} s; its log:\n"
                        f"{self.text()[-4000:]}"
                    ) from None
            self.pause()

    def ask_to_stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(self.stop_signal)

    def wait_stopped(self) -> None:
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def start(name: str, args: list[str], log: Path, **popen: object) -> Process:
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **popen
        )
    return Process(name, process, log)


@contextlib.contextmanager
def running(*processes: Process) -> Iterator[None]:
    """Stops every process on the way out, whatever happened: all at once, then waits."""
    try:
        yield
    finally:
        for process in processes:
            process.ask_to_stop()
        for process in processes:
            process.wait_stopped()


# --- The site and the reference diary under gunicorn --------------------------------


@dataclass
class Server:
    """gunicorn serving the site (or the reference diary) on `base`."""

    base: str
    process: Process

    def wait_until_up(self, seconds: float = START_SECONDS) -> None:
        """Until a worker answers: a page no step links to, so no diary call (a 404)."""
        port = int(self.base.rsplit(":", 1)[1])
        self.process.wait_for_port(port, seconds)
        deadline = time.monotonic() + seconds
        with requests.Session() as session:
            session.trust_env = False  # no proxy between us and our own servers
            while True:
                self.process.check_running()
                try:
                    session.get(self.base + "/deploy-tests-up/", timeout=seconds)
                    return
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                self.process.pause()


def gunicorn(
    name: str,
    env: dict[str, str],
    folder: Path,
    *,
    app: str = "booking_site.wsgi",
    workers: int = 2,
    threads: int = 1,
) -> Server:
    """gunicorn started on a free port (not yet known to be up: `wait_until_up`)."""
    port = free_port()
    args = [
        GUNICORN,
        f"{app}:application",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--graceful-timeout", "5", "--log-level", "warning"),
    ]
    process = start(name, args, folder / f"{name}.log", cwd=ROOT, env=env)
    return Server(f"http://127.0.0.1:{port}", process)


@dataclass(frozen=True)
class Call:
    """One API call the reference diary answered (see counted_diary.py)."""

    action: str
    status: str
    address: str


@dataclass
class Diary:
    """The reference diary served over HTTP by a gunicorn of its own, on its own database."""

    server: Server
    database: Path
    calls_file: Path

    @property
    def api_url(self) -> str:
        return self.server.base + API_PATH

    def calls(self) -> list[Call]:
        lines = self.calls_file.read_text().splitlines() if self.calls_file.exists() else []
        return [Call(*line.split()) for line in lines]

    def bookings(self, slot: str) -> list[str]:
        """The patients' names booked at `slot` (YYYYMMDD-HHMM-staffId-sectionId)."""
        day, hhmm, staff, room = slot.split("-")
        when = (f"{day[:4]}-{day[4:6]}-{day[6:]}", f"{hhmm[:2]}:{hhmm[2:]}%")
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT name FROM sandbox_booking WHERE practitioner_id = ? AND room_id = ?"
                " AND date = ? AND time LIKE ?",
                (int(staff), int(room), *when),
            ).fetchall()
        return [name for (name,) in rows]


# --- Redis ------------------------------------------------------------------------------


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A Redis of our own, keeping nothing on disk; its URL for CACHE_URL."""
    binary = program("redis-server", "redis-server")
    import redis

    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = start("redis-server", [*args, "--dir", str(folder)], folder / "redis.log")
    with running(process):
        process.wait_for_port(port)
        client = redis.Redis(port=port, socket_timeout=5)
        deadline = time.monotonic() + START_SECONDS
        while True:  # it listens a moment before it answers
            try:
                client.ping()
                break
            except redis.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
            process.pause()
        client.close()
        yield f"redis://127.0.0.1:{port}/0"


# --- What every server starts from, and the servers -------------------------------


@dataclass(frozen=True)
class Prepared:
    """What every server starts from: shared secrets, static files, a seeded diary database."""

    api_key: str
    secret_key: str
    record_key: str  # BOOKING_RECORD_KEY: every server opens every other's change records
    static_root: Path
    database: Path  # a template: each server gets a copy

    def copy_database(self, folder: Path) -> Path:
        copy = folder / "db.sqlite3"
        shutil.copyfile(self.database, copy)
        return copy

    def production(self, database: Path, **extra: str) -> dict[str, str]:
        """A production environment (the secret key is the same for every server).

        Its cache is the database's (`prepare` makes the table), unless `extra`
        names another: production refuses one each process keeps to itself.
        """
        return clean_environment(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            PHYSIODIARY_API_KEY=self.api_key,
            BOOKING_CONFIRMATION_EMAIL="false",
            BOOKING_RECORD_KEY=self.record_key,
            DJANGO_STATIC_ROOT=str(self.static_root),
            DATABASE_URL=f"sqlite:///{database}",
            **{
                "CACHE_URL": "dbcache://booking_cache",
                # Change links are on, as by default, so production wants a mail server:
                # the discard port, where nothing listens, refuses a practice email at
                # once, and the site keeps it in its outbox.
                "EMAIL_URL": "smtp://127.0.0.1:9",
                **extra,
            },
        )


def prepare(folder: Path) -> Prepared:
    """New secrets, the static files collected and a seeded diary database, in `folder`."""
    made = Prepared(
        api_key="deploy-" + secrets.token_hex(16),
        secret_key=secrets.token_urlsafe(48),
        record_key=Fernet.generate_key().decode(),
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
    try:
        steps = (["migrate", "--noinput", "-v", "0"], ["createcachetable"], ["seed_demo_diary"])
        for step in steps:
            subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, capture_output=True)
        assert collecting.wait(timeout=300) == 0, "collectstatic failed"
    finally:
        if collecting.poll() is None:  # stopped by an exception meanwhile
            collecting.kill()
            collecting.wait()
    return made


def start_diary(prepared: Prepared, folder: Path, *, allowed_ips: str, **extra: str) -> Diary:
    """The reference diary under gunicorn, accepting calls from `allowed_ips` only."""
    database = prepared.copy_database(folder)
    calls = folder / "diary-calls.log"
    env = prepared.production(
        database,
        SANDBOX_ENABLED="true",
        SANDBOX_HTTP="true",  # the sites call it over HTTP, with a key of their own
        PHYSIODIARY_API_URL="",
        SANDBOX_API_KEY=prepared.api_key,
        SANDBOX_ALLOWED_IPS=allowed_ips,
        DEPLOY_DIARY_CALLS=str(calls),
        LOG_LEVEL="WARNING",
        **extra,
    )
    # One process, so that SQLite's writes queue on one lock; threads for the sites' calls at once.
    server = gunicorn("diary", env, folder, app="tests.deploy.counted_diary", workers=1, threads=8)
    return Diary(server, database, calls)


def start_site(name: str, prepared: Prepared, folder: Path, diary: Diary, **extra: str) -> Server:
    """The booking site under gunicorn with production settings, using `diary` over HTTP."""
    own = folder / name
    own.mkdir()
    env = prepared.production(
        # Its own database: a change link's record made on one site is not found on
        # the other (production shares one: tests/deploy/test_change_claims.py).
        prepared.copy_database(own),
        PHYSIODIARY_API_URL=diary.api_url,
        # Behind a load balancer: the client address is the one it reports.
        CLIENT_IP_HEADER="X-Forwarded-For",
        BOOKING_RATE_LIMIT=str(RATE_LIMIT),
        # Forms the site refuses (the rate limit tests post those: nothing is booked).
        BOOKING_FORM_ERROR_RATE_LIMIT=str(RATE_LIMIT),
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


@dataclass(frozen=True)
class TwoSites:
    a: Server
    b: Server
    diary: Diary
    cache_url: str


@contextlib.contextmanager
def two_sites_on_one_redis(prepared: Prepared, folder: Path) -> Iterator[TwoSites]:
    """Sites A and B, sharing one Redis and one reference diary, as two web servers would."""
    with redis_server(folder) as cache_url:
        diary = start_diary(prepared, folder, allowed_ips="127.0.0.1")
        a = start_site("site-a", prepared, folder, diary, CACHE_URL=cache_url)
        b = start_site("site-b", prepared, folder, diary, CACHE_URL=cache_url)
        with running(a.process, b.process, diary.server.process):
            for server in (diary.server, a, b):
                server.wait_until_up()
            yield TwoSites(a, b, diary, cache_url)


# --- tinyproxy ------------------------------------------------------------------------


@dataclass
class Proxy:
    url: str
    log: Path

    def requests_for(self, url: str) -> list[str]:
        """The request lines tinyproxy forwarded for `url`."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        lines = re.findall(r"Request \(file descriptor [0-9]+\): (.*)", text)
        return [line for line in lines if line.split(" ")[1:2] == [url]]


@contextlib.contextmanager
def tinyproxy(folder: Path, *, leave_from: str) -> Iterator[Proxy]:
    """tinyproxy taking requests on 127.0.0.1 and making its own connections from `leave_from`."""
    binary = program("tinyproxy", "tinyproxy")
    port = free_port()
    log = folder / "tinyproxy.log"
    config = folder / "tinyproxy.conf"
    config.write_text(
        f"Port {port}\n"
        "Listen 127.0.0.1\n"
        # Outgoing connections leave from this address: the one the diary accepts.
        f"Bind {leave_from}\n"
        "Allow 127.0.0.1\n"
        "Timeout 30\n"
        "MaxClients 50\n"
        f'LogFile "{log}"\n'
        # One line for each connection and each request line: never a body.
        "LogLevel Connect\n"
    )
    process = start("tinyproxy", [binary, "-d", "-c", str(config)], folder / "tinyproxy.out")
    with running(process):
        process.wait_for_port(port)
        yield Proxy(f"http://127.0.0.1:{port}", log)


# --- PostgreSQL -------------------------------------------------------------------------


def postgresql_programs() -> tuple[str, str]:
    """initdb and postgres: Debian's, in /usr/lib/postgresql/<version>/bin, newest first."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: [int(part) for part in re.findall(r"[0-9]+", path.parts[-3])],
    )
    postgres = str(versions[-1]) if versions else shutil.which("postgres")
    if not postgres:
        missing("PostgreSQL's server (Debian's postgresql) is not installed")
    initdb = str(Path(postgres).with_name("initdb"))
    return initdb, postgres


@contextlib.contextmanager
def postgresql() -> Iterator[str]:
    """A PostgreSQL cluster of our own in a temporary folder; its DATABASE_URL."""
    initdb, postgres = postgresql_programs()
    if importlib.util.find_spec("psycopg") is None:
        missing("psycopg, the PostgreSQL driver in the dev extra, is not installed")
    # PostgreSQL refuses to run as root; as root (here and in CI) it runs as
    # the postgres user the Debian package created, in a folder it owns.
    as_user: dict[str, object] = {}
    if os.geteuid() == 0:
        try:
            import pwd

            owner = pwd.getpwnam("postgres")
        except KeyError:
            missing("PostgreSQL must not run as root, and there is no postgres user to run it")
        as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    # Not under pytest's own temporary folder, which only root may enter.
    folder = Path(tempfile.mkdtemp(prefix="deploy-postgresql-"))
    try:
        if as_user:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        data = folder / "data"
        subprocess.run(
            [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            cwd=folder,
            check=True,
            capture_output=True,
            **as_user,
        )
        port = free_port()
        args = [
            postgres,
            *("-D", str(data), "-p", str(port), "-k", str(folder)),
            *("-c", "listen_addresses=127.0.0.1"),
            # A throwaway cluster: durability would only cost time.
            *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
        ]
        process = start("postgres", args, folder / "postgres.log", cwd=folder, **as_user)
        # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to leave.
        process.stop_signal = signal.SIGINT
        with running(process):
            process.wait_for_port(port)
            url = f"postgres://postgres@127.0.0.1:{port}/postgres"
            _wait_until_accepting(url, process)
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_accepting(url: str, process: Process) -> None:
    """PostgreSQL listens a moment before it lets anyone in ("starting up")."""
    import psycopg

    deadline = time.monotonic() + START_SECONDS
    while True:
        process.check_running()
        try:
            psycopg.connect(url, connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
        process.pause()
