"""One log line per request and per diary call, tied by the request's id, never a patient detail."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from booking_site import logs
from booking_site.request_log import loggable_path

from ..environment import start_django
from ..support import LIVE_KEY
from .wizard_support import ANNA, PATIENT, ROOM_2, WHEN, details_url, submit

REFERENCE = re.compile(r"/booked/([A-Za-z0-9_-]{32})/")


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def _console() -> logging.Handler:
    """The handler settings.LOGGING configured, with its filters and formatter."""
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


@contextlib.contextmanager
def captured(form: str) -> Iterator[SimpleNamespace]:
    """What the site's console handler writes, in one of the formats LOG_FORMAT offers."""
    handler, stream = _console(), io.StringIO()
    formatter = handler.formatter
    previous = handler.setStream(stream)
    if form == "json":
        handler.setFormatter(logs.JsonFormatter())
    try:
        yield SimpleNamespace(
            format=form, lines=lambda: stream.getvalue().splitlines(), stream=stream
        )
    finally:
        handler.setStream(previous)
        handler.setFormatter(formatter)


@pytest.fixture(params=["plain", "json"])
def log(request) -> Iterator[SimpleNamespace]:
    with captured(request.param) as log:
        yield log


@pytest.fixture
def plain_log() -> Iterator[SimpleNamespace]:
    with captured("plain") as log:
        yield log


@pytest.fixture
def json_log() -> Iterator[SimpleNamespace]:
    with captured("json") as log:
        yield log


def parsed(log: SimpleNamespace) -> list[dict]:
    """Each line as a dict: the JSON object, or the plain line's pairs and its id."""
    found = []
    for line in log.lines():
        if log.format == "json":
            found.append(json.loads(line))
            continue
        _time, _clock, level, name, message = line.split(" ", 4)
        message, request_id = message.rsplit(" id=", 1)
        found.append(
            {"level": level, "logger": name, "message": message, "request_id": request_id}
            | logs.fields(message)
        )
    return found


def requests_logged(log: SimpleNamespace) -> list[dict]:
    return [line for line in parsed(log) if line["message"].startswith("request ")]


def calls_logged(log: SimpleNamespace) -> list[dict]:
    return [line for line in parsed(log) if line["message"].startswith("physiodiary action=")]


# --- The request line --------------------------------------------------------------


def test_it_logs_one_line_per_request_with_method_path_status_time_and_id(client, diary, log):
    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}")
    (line,) = requests_logged(log)
    assert line["method"] == "GET"
    assert line["path"] == "/times/"
    assert line["status"] == 200
    assert isinstance(line["ms"], float)
    assert line["request_id"] == page["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])


def test_it_leaves_the_query_string_out(client, diary, log):
    client.get(details_url(WHEN))
    text = log.stream.getvalue()
    assert "path=/details/ " in text or '"path": "/details/"' in text
    for name in ("staffId", "sectionId", "date=", "time=", str(ANNA), f"{WHEN:%Y%m%d}"):
        assert name not in "\n".join(line for line in log.lines() if "request" in line), name


def test_it_takes_a_sane_request_id_from_the_proxy_and_sends_it_back(client, diary, log):
    page = client.get("/", headers={"X-Request-ID": "nginx-4f1c.9_A"})
    assert page["X-Request-ID"] == "nginx-4f1c.9_A"
    assert {line["request_id"] for line in parsed(log)} == {"nginx-4f1c.9_A"}


@pytest.mark.parametrize(
    "incoming",
    ["", "x" * 65, "two words", "line\nbreak", "id=forged", "é", "a;b"],
)
def test_it_makes_its_own_id_for_one_that_is_not_sane(client, diary, log, incoming):
    page = client.get("/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{16}", page["X-Request-ID"])
    (line,) = requests_logged(log)
    assert line["request_id"] == page["X-Request-ID"]


def test_each_request_gets_an_id_of_its_own(client, diary, log):
    first, second = client.get("/"), client.get("/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_crafted_path_cannot_write_a_line_of_its_own(client, diary, plain_log):
    client.get("/nothing%0A2025-01-01 00:00:00,000 INFO forged id=x/")
    (line,) = [text for text in plain_log.lines() if "booking_site.request_log" in text]
    assert "path=/nothing%0A2025-01-01%2000:00:00,000%20INFO%20forged%20id=x/ status=404" in line
    assert len(plain_log.lines()) == 2  # the request line and Django's "Not Found"


def test_health_probes_are_logged_only_at_debug(client, diary, log):
    client.get("/healthz")
    client.get("/readyz")
    assert requests_logged(log) == []


# --- The confirmation page's reference ---------------------------------------------------


def test_the_confirmation_reference_is_never_logged(client, diary, log):
    booked = submit(client, WHEN)["Location"]
    reference = REFERENCE.search(booked)[1]
    client.get(booked)
    client.get(booked + "appointment.ics")
    client.get("/booked/" + "B" * 32 + "/")  # gone: Django logs "Not Found: <path>"
    assert reference not in log.stream.getvalue()
    assert "B" * 32 not in log.stream.getvalue()
    paths = [line["path"] for line in requests_logged(log)]
    assert paths[-3:] == ["/booked/…/", "/booked/…/appointment.ics", "/booked/…/"]
    assert any(line["message"] == "Not Found: /booked/…/" for line in parsed(log))


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/booked/" + "a" * 32 + "/", "/booked/…/"),
        ("/booked/" + "a" * 32 + "/appointment.ics", "/booked/…/appointment.ics"),
        ("/booked/short/", "/booked/…/"),
        ("/times/", "/times/"),
        ("/" + "x" * 300, "/" + "x" * 199 + "…"),
    ],
)
def test_a_path_is_logged_shortened(path, shown):
    assert loggable_path(path) == shown


# --- The request id on the diary's lines ---------------------------------------------


def test_the_id_is_on_the_request_line_and_on_each_api_call_line(client, diary, log):
    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}")
    calls = calls_logged(log)
    assert [call["action"] for call in calls] == ["staffList", "sectionList", "freeList"]
    (line,) = requests_logged(log)
    assert {call["request_id"] for call in calls} == {line["request_id"]} == {page["X-Request-ID"]}


def test_calls_made_at_once_for_any_practitioner_carry_the_id_too(client, diary, log):
    page = client.get("/times/?staffId=any&sectionId=any")
    free_lists = [call for call in calls_logged(log) if call["action"] == "freeList"]
    assert len(free_lists) == 4  # two practitioners in two rooms, from other threads
    assert {call["request_id"] for call in free_lists} == {page["X-Request-ID"]}


def test_a_line_outside_any_request_has_no_id(client, diary, log):
    client.get("/")
    logging.getLogger("bookings").warning("between requests")
    (line,) = [line for line in parsed(log) if line["message"] == "between requests"]
    assert line["request_id"] == "-"


# --- A whole booking ------------------------------------------------------------------


def test_a_whole_booking_logs_no_patient_detail_and_ties_book_to_its_request(client, diary, log):
    client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}")
    client.get(details_url(WHEN))
    posted = submit(client, WHEN)
    assert posted.status_code == 303
    client.get(posted["Location"])
    client.get(posted["Location"] + "appointment.ics")

    text = log.stream.getvalue()
    for detail in PATIENT.values():
        assert detail not in text, detail
        assert json.dumps(detail)[1:-1] not in text, detail  # nor as JSON escapes it
    for part in ("Fred", "Smith", "01632 960 001", "smith.example", "Pain"):
        assert part not in text, part
    assert LIVE_KEY not in text

    (book,) = [call for call in calls_logged(log) if call["action"] == "book"]
    (post,) = [line for line in requests_logged(log) if line["method"] == "POST"]
    assert book["request_id"] == post["request_id"] == posted["X-Request-ID"]
    assert (post["path"], post["status"]) == ("/details/", 303)
    if log.format == "json":
        assert book["event"] == "physiodiary"
        assert book["outcome"] == "ok"
        assert post["event"] == "request"


# --- The formats ----------------------------------------------------------------------


def test_a_json_line_holds_only_its_own_keys_never_the_request(client, diary, json_log):
    log = json_log
    client.get("/nothing-here/?staffId=42230")  # Django logs it with the request attached
    for line in parsed(log):
        assert set(line) <= {
            "time",
            "level",
            "logger",
            "message",
            "request_id",
            "event",
            "method",
            "path",
            "status",
            "ms",
        }
    assert "staffId" not in log.stream.getvalue()


def test_a_json_line_keeps_an_exception(json_log):
    log = json_log
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bookings").exception("it failed")
    (line,) = parsed(log)
    assert line["message"] == "it failed"
    assert "ValueError: boom" in line["exception"]


@pytest.mark.deploy  # starts Django in a process of its own
def test_log_format_chooses_the_formatter_and_refuses_anything_else():
    code = (
        "import logging; h = [h for h in logging.getLogger().handlers if h.name == 'console'][0];"
        " print(type(h.formatter).__name__)"
    )
    assert start_django(code=code).stdout.strip() == "PlainFormatter"
    assert start_django(code=code, LOG_FORMAT="json").stdout.strip() == "JsonFormatter"
    result = start_django(LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json, not 'xml'." in result.stderr
