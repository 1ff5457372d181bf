import io
import json

import pytest
import requests
import responses
from django.core.management import call_command

from ..support import LIVE_KEY, LIVE_URL

EXAMPLE_STAFF = {"staff": [{"id": 42228, "name": "John"}, {"id": 42230, "name": "Anna"}]}
EXAMPLE_ROOMS = {"sections": [{"id": 7322, "name": "Treatment Room 1"}]}


def answer_by_action(answers):
    def callback(request):
        action = json.loads(request.body)["action"]
        return (200, {}, json.dumps(answers[action]))

    return callback


def test_it_lists_practitioners_and_rooms_from_the_diary(client, live_api):
    live_api.add_callback(
        responses.POST,
        LIVE_URL,
        callback=answer_by_action({"staffList": EXAMPLE_STAFF, "sectionList": EXAMPLE_ROOMS}),
    )
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("John", "Anna"):
        assert name in html
    # The vendor's example has one room: no question, the room goes with the answer.
    assert '<input type="hidden" name="sectionId" value="7322">' in html


def test_it_caches_the_lists_between_pages(client, live_api):
    live_api.add_callback(
        responses.POST,
        LIVE_URL,
        callback=answer_by_action({"staffList": EXAMPLE_STAFF, "sectionList": EXAMPLE_ROOMS}),
    )
    client.get("/")
    client.get("/")
    assert len(live_api.calls) == 2  # one staffList, one sectionList


@pytest.mark.parametrize(
    "fault",
    [
        {"body": requests.ConnectTimeout()},
        {"body": requests.ConnectionError()},
        {"status": 500, "body": "oops"},
        {"status": 404, "body": ""},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"staff": "nobody"}},
    ],
)
def test_it_shows_the_practices_phone_when_the_diary_fails(client, live_api, settings, fault):
    live_api.add(responses.POST, LIVE_URL, **fault)
    page = client.get("/")
    assert page.status_code == 503
    html = page.content.decode()
    assert settings.PRACTICE_PHONE in html
    assert settings.PRACTICE_EMAIL in html
    assert LIVE_KEY not in html


@pytest.mark.django_db
def test_it_reaches_the_reference_diary_in_process_by_default(client, settings):
    settings.PHYSIODIARY_API_URL = ""
    call_command("seed_demo_diary", stdout=io.StringIO())
    with responses.RequestsMock():  # any real HTTP request would fail this test
        page = client.get("/")
        rooms = client.get("/?staffId=any")  # the second question
    assert page.status_code == 200
    for name in ("John", "Anna", "Jayne", "Chris", "Demo User"):
        assert name in page.content.decode()
    assert "Treatment Room 3" in rooms.content.decode()
