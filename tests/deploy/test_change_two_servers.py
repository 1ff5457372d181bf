"""Change or cancel on two web servers that share one Redis and one database.

Sites A and B are two gunicorns (two worker processes each) with production
settings, CACHE_URL on one Redis and DATABASE_URL on one PostgreSQL, where the
change links' records are, in front of one reference diary over HTTP. Their
mail goes over SMTP to a sink this test reads (production refuses a backend
that prints or drops it). A double click that sends the cancel form to both
servers at once must reach the practice as one request; any server must then
say what was asked for.

Two requests a few milliseconds apart would mostly be told apart by the first
read ("asked already"): to make both servers read the link open and reach the
claim together, the test holds the record's row lock until both are waiting
on it. Then only the claim (one conditional UPDATE) can let just one through.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .services import (
    PYTHON,
    ROOT,
    Diary,
    Prepared,
    Server,
    gunicorn,
    postgresql,
    redis_server,
    running,
    start_diary,
)
from .smtp_sink import Sink, smtp_sink
from .support import TIMEOUT, Patient, details

#: The practice's inbox (PRACTICE_NOTIFY_EMAIL, by default PRACTICE_EMAIL's demo address).
PRACTICE = "bookings@riverside-physio.example"
CHANGE_PATH = re.compile(r"/change/[A-Za-z0-9_-]{43}/")


@dataclass(frozen=True)
class SharedSites:
    a: Server
    b: Server
    diary: Diary
    mail: Sink
    database_url: str


def _site(name: str, prepared: Prepared, folder: Path, env: dict[str, str]) -> Server:
    (folder / name).mkdir()
    return gunicorn(name, env, folder / name, workers=2, threads=2)


def _environment(prepared: Prepared, diary: Diary, database_url: str, **shared: str) -> dict:
    """Both servers': production settings on one Redis, one database and one mail server."""
    env = prepared.production(
        Path("unused.sqlite3"),  # replaced below: both servers share one PostgreSQL
        PHYSIODIARY_API_URL=diary.api_url,
        CLIENT_IP_HEADER="X-Forwarded-For",
        BOOKING_FORM_MIN_SECONDS="0",  # these patients fill a form in milliseconds
        LOG_LEVEL="INFO",  # one line per request, to look for the link in
        **shared,
    )
    env["DATABASE_URL"] = database_url
    return env


@pytest.fixture(scope="module")
def sites(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedSites]:
    folder = tmp_path_factory.mktemp("change-two-sites")
    with smtp_sink() as mail, postgresql() as database_url, redis_server(folder) as cache_url:
        diary = start_diary(prepared, folder, allowed_ips="127.0.0.1")
        env = _environment(prepared, diary, database_url, CACHE_URL=cache_url, EMAIL_URL=mail.url)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        a, b = _site("change-a", prepared, folder, env), _site("change-b", prepared, folder, env)
        with running(a.process, b.process, diary.server.process):
            for server in (diary.server, a, b):
                server.wait_until_up()
            yield SharedSites(a, b, diary, mail, database_url)


def booked_change_path(sites: SharedSites, patient: Patient, number: int) -> str:
    """Book a free time (on A), and find its change link on the confirmation (on B)."""
    slot = patient.times(sites.a.base)[0]
    form = patient.open_details(sites.a.base, patient.pick(sites.a.base, slot))
    answer = patient.book(sites.a.base, form, number)
    assert answer.status_code == 303, answer.status_code
    confirmation = patient.get(sites.b.base + urlsplit(answer.headers["Location"]).path)
    assert confirmation.status_code == 200
    return CHANGE_PATH.search(confirmation.text)[0]


@contextlib.contextmanager
def row_locked(database_url: str, path: str) -> Iterator[None]:
    """The change link's record locked, as a transaction that is updating it would hold it."""
    import psycopg

    digest = hashlib.sha256(path.split("/")[2].encode()).hexdigest()
    with psycopg.connect(database_url) as database, database.transaction():
        locked = database.execute(
            "SELECT id FROM bookings_changerecord WHERE link_digest = %s FOR UPDATE", (digest,)
        ).fetchall()
        assert len(locked) == 1
        yield


def claims_waiting(database_url: str, count: int) -> None:
    """Until `count` UPDATEs of the change records wait on a lock (each server's claim)."""
    import psycopg

    deadline = time.monotonic() + TIMEOUT
    with psycopg.connect(database_url, autocommit=True) as database:
        while True:
            (waiting,) = database.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query ILIKE 'UPDATE %%bookings_changerecord%%'"
            ).fetchone()
            if waiting >= count:
                return
            assert time.monotonic() < deadline, f"{waiting} of {count} claims reached the lock"
            time.sleep(0.05)  # PostgreSQL tells no one when a query starts waiting: poll


def test_a_double_click_sent_to_both_servers_cancels_once(sites):
    patient = Patient("203.0.113.40")
    path = booked_change_path(sites, patient, 4)
    page = patient.get(sites.a.base + path + "cancel/")
    form = {"token": re.search(r'name="token" value="([^"]+)"', page.text)[1]}
    sites.mail.clear()

    def press(base: str):
        click = Patient("203.0.113.40")  # each click a connection of its own
        try:
            return click.post(base + path + "cancel/", form)
        finally:
            click.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        with row_locked(sites.database_url, path):
            pressed = [pool.submit(press, base) for base in (sites.a.base, sites.b.base)]
            claims_waiting(sites.database_url, 2)  # both read it open; both are claiming
        answers = [click.result(timeout=TIMEOUT) for click in pressed]

    # One found the link open and sent the request; the other was sent to what was asked.
    assert sorted(answer.status_code for answer in answers) == [200, 303]
    (request,) = sites.mail.to(PRACTICE)
    assert request["Subject"].startswith("Cancel request: ")
    assert details(4)["name"] in request.get_content()
    assert len(sites.mail.to(details(4)["email"])) == 1  # one acknowledgement
    for base in (sites.a.base, sites.b.base):
        again = patient.get(base + path)
        assert again.status_code == 200
        assert "You asked to cancel this appointment on" in again.text
    patient.close()


def test_no_server_log_holds_a_change_link(sites):
    patient = Patient("203.0.113.41")
    path = booked_change_path(sites, patient, 5)
    patient.get(sites.b.base + path)
    patient.close()

    link = path.split("/")[2]
    for server in (sites.a, sites.b):
        text = server.process.text()
        assert "path=/change/…/" in text
        assert link not in text
        for detail in details(5).values():
            assert detail not in text
