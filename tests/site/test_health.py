"""/healthz and /readyz: what a load balancer or a monitor asks each server."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
import requests
from django.test import Client

from booking_site import health

from ..support import LIVE_KEY, LIVE_URL
from .wizard_support import UNAVAILABLE

#: A load balancer asks by the server's own address, over plain HTTP.
BY_IP = {"HTTP_HOST": "10.0.0.7:8000"}


@pytest.fixture(autouse=True)
def _fresh_readiness(settings):
    settings.READINESS_CACHE_SECONDS = 5
    settings.READINESS_DIARY_SECONDS = 0  # each check asks the diary (but see below)
    health.forget()
    yield
    health.forget()


@pytest.fixture
def production(settings):
    """Host checks and the HTTPS redirect as in production."""
    settings.ALLOWED_HOSTS = ["booking.practice.example"]
    settings.SECURE_SSL_REDIRECT = True


def body(page) -> dict:
    return json.loads(page.content)


# --- /healthz ------------------------------------------------------------------


def test_healthz_answers_while_the_process_lives(client):
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.content == b"ok\n"
    assert page["Cache-Control"] == "no-store"


def test_healthz_asks_nothing_of_the_database_the_cache_or_the_diary(client, diary, monkeypatch):
    # No django_db mark: a query would fail the test.
    monkeypatch.setattr(health, "cache", None)  # any use of it would raise
    page = client.get("/healthz")
    assert page.status_code == 200
    assert diary.sent == []


def test_both_answer_a_load_balancer_by_ip_over_plain_http(client, diary, production):
    assert client.get("/healthz", **BY_IP).status_code == 200
    assert client.get("/readyz", **BY_IP).status_code == 200


def test_only_the_probes_skip_the_host_check_and_the_https_redirect(client, diary, production):
    assert client.get("/", **BY_IP).status_code == 400  # not among ALLOWED_HOSTS
    assert client.get("/healthz/", **BY_IP).status_code == 400  # the exact paths only
    page = client.get("/", HTTP_HOST="booking.practice.example")
    assert page.status_code == 301
    assert page["Location"].startswith("https://")


def test_they_answer_head_and_refuse_posts(client, diary):
    assert client.head("/healthz").status_code == 200
    assert client.head("/readyz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_they_are_not_rate_limited(client, diary, settings):
    settings.BOOKING_SEARCH_RATE_LIMIT = settings.BOOKING_RATE_LIMIT = 1
    settings.READINESS_CACHE_SECONDS = 0
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


# --- /readyz -------------------------------------------------------------------


def test_readyz_is_200_when_the_cache_and_the_diary_answer(client, diary):
    page = client.get("/readyz")
    assert page.status_code == 200
    assert page["Content-Type"] == "application/json"
    assert page["Cache-Control"] == "no-store"
    assert body(page) == {
        "ready": True,
        "cache": "ok",
        "physiodiary": "ok",
        "checked_seconds_ago": 0.0,
        "physiodiary_asked_seconds_ago": 0.0,
    }
    # The cheapest call there is, through the site's one client.
    assert [call["action"] for call in diary.sent] == ["staffList"]


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("timeout", "timeout: no answer within PHYSIODIARY_READ_TIMEOUT"),
        ("connection refused", "refused: the connection could not be made"),
        ("server error", "status: HTTP 500"),
        ("not json", "not-json: the answer is not JSON"),
        ("bare 404", "not-authorised: HTTP 404: the API key is wrong, or this server's IP"),
    ],
)
def test_readyz_is_503_and_says_why_when_the_diary_fails(client, diary, fault, said):
    diary.answer("staffList", UNAVAILABLE[fault])
    page = client.get("/readyz")
    assert page.status_code == 503
    found = body(page)
    assert found["ready"] is False
    assert found["cache"] == "ok"
    assert found["physiodiary"].startswith(said)


def test_readyz_is_503_when_the_diary_refuses_the_request(client, diary):
    diary.answer("staffList", {"errors": [{"error": 2, "fieldName": "apiKey", "message": "x"}]})
    page = client.get("/readyz")
    assert page.status_code == 503
    assert body(page)["physiodiary"] == "rejected: error 2"


def test_readyz_never_shows_the_key_or_the_diarys_address(client, diary):
    for fault in UNAVAILABLE.values():
        health.forget()
        diary.answer("staffList", fault)
        text = client.get("/readyz").content.decode()
        assert LIVE_KEY not in text
        assert "physiodiary.example" not in text
        assert LIVE_URL not in text


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379")


def test_readyz_is_503_and_names_only_the_kind_of_fault_when_the_cache_fails(
    client, diary, monkeypatch
):
    monkeypatch.setattr(health, "cache", BrokenCache())
    page = client.get("/readyz")
    assert page.status_code == 503
    assert body(page)["cache"] == "failed: ConnectionError"
    assert "redis.internal" not in page.content.decode()
    assert body(page)["physiodiary"] == "ok"


def test_readyz_checks_the_cache_with_a_key_of_its_own_each_time(client, diary, monkeypatch):
    keys = []
    real = health.cache

    class Watched:
        def set(self, key, *args, **kwargs):
            keys.append(key)
            return real.set(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(health, "cache", Watched())
    health.readiness()
    health.forget()
    health.readiness()
    assert len(set(keys)) == 2
    assert all(real.get(key) is None for key in keys)  # and leaves nothing behind


def test_readyz_keeps_its_answer_for_a_few_seconds(client, diary, monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(
        health, "time", SimpleNamespace(monotonic=lambda: clock.now, time=lambda: clock.now)
    )
    for _ in range(10):
        assert client.get("/readyz").status_code == 200
    assert len(diary.calls("staffList")) == 1

    clock.now += 4.9
    assert body(client.get("/readyz"))["checked_seconds_ago"] == 4.9
    assert len(diary.calls("staffList")) == 1

    clock.now += 0.1
    client.get("/readyz")
    assert len(diary.calls("staffList")) == 2


def test_the_workers_of_one_server_share_the_diarys_answer(client, diary, settings):
    settings.READINESS_DIARY_SECONDS = 30
    settings.READINESS_CACHE_SECONDS = 0  # as if each probe reached another worker
    for _ in range(10):
        assert client.get("/readyz").status_code == 200
    assert len(diary.calls("staffList")) == 1
    health.forget()  # and the next check asks again
    client.get("/readyz")
    assert len(diary.calls("staffList")) == 2


def test_readyz_gives_the_age_of_a_shared_diary_answer_not_only_its_own(
    client, diary, settings, monkeypatch
):
    settings.READINESS_DIARY_SECONDS = 30
    settings.READINESS_CACHE_SECONDS = 0
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(
        health, "time", SimpleNamespace(monotonic=lambda: clock.now, time=lambda: clock.now)
    )
    client.get("/readyz")
    clock.now += 20  # another worker's probe, 20 s on, finds the diary's answer kept
    found = body(client.get("/readyz"))
    assert (found["checked_seconds_ago"], found["physiodiary_asked_seconds_ago"]) == (0.0, 20.0)
    assert len(diary.calls("staffList")) == 1


def test_a_shared_failure_is_shared_too(client, diary, settings):
    settings.READINESS_DIARY_SECONDS = 30
    settings.READINESS_CACHE_SECONDS = 0
    diary.answer("staffList", UNAVAILABLE["connection refused"], {"staff": []})
    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 503
    assert len(diary.calls("staffList")) == 1


def test_a_kept_failure_keeps_the_diary_from_being_asked_again(client, diary):
    diary.answer("staffList", UNAVAILABLE["connection refused"])
    assert client.get("/readyz").status_code == 503
    diary.answer("staffList", {"staff": []})
    assert client.get("/readyz").status_code == 503  # still the kept answer
    assert len(diary.calls("staffList")) == 1


def test_readyz_respects_the_circuit_breaker(client, diary, settings):
    settings.PHYSIODIARY_BREAKER_FAILURES = 1
    settings.PHYSIODIARY_BREAKER_SECONDS = 60
    settings.READINESS_CACHE_SECONDS = 0
    diary.answer("staffList", UNAVAILABLE["connection refused"])
    client.get("/readyz")  # opens the circuit
    page = client.get("/readyz")
    assert page.status_code == 503
    assert body(page)["physiodiary"].startswith("circuit-open: not asked")
    assert len(diary.calls("staffList")) == 1  # the diary was left alone


def test_readyz_is_ready_again_once_the_diary_answers(client, diary, settings):
    settings.READINESS_CACHE_SECONDS = 0
    diary.answer("staffList", UNAVAILABLE["server error"], {"staff": []})
    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 200


def test_readyz_logs_a_change_of_answer_once(client, diary, settings, caplog):
    settings.READINESS_CACHE_SECONDS = 0
    diary.answer("staffList", UNAVAILABLE["server error"])
    with caplog.at_level(logging.INFO, logger="booking_site.health"):
        client.get("/readyz")
        client.get("/readyz")
        diary.answer("staffList", {"staff": []})
        client.get("/readyz")
    lines = [r.getMessage() for r in caplog.records if r.name == "booking_site.health"]
    assert lines == [
        "readiness: not ready: cache=ok physiodiary=status: HTTP 500",
        "readiness: ready again",
    ]


@pytest.mark.django_db
def test_readyz_works_on_the_reference_diary(settings):
    settings.PHYSIODIARY_API_URL = ""  # the in-process reference diary
    page = Client().get("/readyz")
    assert page.status_code == 200, page.content
    assert body(page)["physiodiary"] == "ok"


def test_readyz_survives_an_unexpected_fault(client, monkeypatch):
    def broken():
        raise requests.exceptions.InvalidHeader("a bug somewhere below")

    monkeypatch.setattr(health, "get_client", broken)
    page = client.get("/readyz")
    assert page.status_code == 503
    assert body(page)["physiodiary"] == "failed: InvalidHeader"


def test_a_503_is_not_logged_as_a_server_error_at_every_probe(client, diary, caplog):
    diary.answer("staffList", UNAVAILABLE["server error"])
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert client.get("/readyz").status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]
