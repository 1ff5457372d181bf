import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from tests.client.support import connection_refused, connection_reset

from ..support import LIVE_KEY, LIVE_URL


def check() -> str:
    out = io.StringIO()
    call_command("physiodiary_check", stdout=out)
    return out.getvalue()


def test_it_says_the_connection_works_with_the_counts(live_api):
    live_api.add(responses.POST, LIVE_URL, json={"staff": [{"id": 1, "name": "Anna"}]})
    live_api.add(
        responses.POST,
        LIVE_URL,
        json={"sections": [{"id": 7, "name": "Room 1"}, {"id": 8, "name": "Room 2"}]},
    )
    assert "The connection works: 1 practitioner and 2 rooms." in check()


@pytest.mark.parametrize(
    ("fault", "advice"),
    [
        ({"status": 404, "body": ""}, "API key in PHYSIODIARY_API_KEY is wrong"),
        ({"status": 404, "body": ""}, "not the one registered with Physiodiary"),
        ({"body": requests.ReadTimeout()}, "did not answer in time"),
        ({"body": connection_refused(LIVE_URL)}, "could not be made"),
        ({"body": connection_reset()}, "was cut before its answer was complete"),
        ({"body": requests.exceptions.SSLError()}, "secure (TLS) connection"),
        ({"body": requests.exceptions.ProxyError()}, "PHYSIODIARY_PROXY"),
        ({"status": 200, "body": "<html>Welcome</html>"}, "not with Physiodiary's JSON"),
        ({"status": 200, "json": {"staff": [{"id": "x"}]}}, "format this site does not"),
        ({"status": 502, "body": "Bad gateway"}, "unexpected HTTP status"),
    ],
)
def test_it_explains_what_is_wrong_and_fails(live_api, fault, advice):
    live_api.add(responses.POST, LIVE_URL, **fault)
    with pytest.raises(CommandError) as failure:
        check()
    assert advice in str(failure.value)
    assert LIVE_KEY not in str(failure.value)
    assert len(live_api.calls) == 1  # a diagnosis does not retry


def test_it_reports_the_diarys_own_errors(live_api):
    live_api.add(
        responses.POST,
        LIVE_URL,
        json={
            "errors": [{"error": 1, "fieldName": "action", "message": "Unknown action."}],
            "timestamp": "Oct 7, 2017 3:25:07 PM",
            "numErrors": 1,
            "action": "staffList",
        },
    )
    with pytest.raises(CommandError, match=r"error 1 \(action\): Unknown action\."):
        check()


@pytest.mark.django_db
def test_it_works_against_the_reference_diary_by_default(settings):
    settings.PHYSIODIARY_API_URL = ""
    call_command("seed_demo_diary", stdout=io.StringIO())
    assert "The connection works: 5 practitioners and 3 rooms." in check()


@pytest.mark.django_db
def test_it_fails_against_the_reference_diary_with_a_wrong_key(settings):
    settings.PHYSIODIARY_API_URL = ""
    settings.PHYSIODIARY_API_KEY = "not-the-sandbox-key"
    with pytest.raises(CommandError, match="PHYSIODIARY_API_KEY is wrong"):
        check()


@pytest.mark.deploy  # runs manage.py in a process of its own
def test_it_exits_non_zero_from_the_command_line_when_the_server_refuses():
    # Port 9 (discard) on loopback is closed on any test machine.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHYSIODIARY_")}
    env["PHYSIODIARY_API_URL"] = "http://127.0.0.1:9/api/request"
    env["PHYSIODIARY_API_KEY"] = LIVE_KEY
    result = subprocess.run(
        [sys.executable, "manage.py", "physiodiary_check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "could not be made" in result.stderr
