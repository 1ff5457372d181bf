"""Over real sockets: the outbound proxy is used when set and only then; refused connections."""

import datetime as dt
import io

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.client import get_client
from physiodiary import Unavailable, UnknownOutcome

from .support import closed_port, make_client
from .tls_front import TlsFront

PATIENT = {"name": "Fred Smith", "phone": "123456", "email": "fred@smith.co.uk", "desc": ""}


@pytest.fixture
def diary_url(live_server):
    call_command("seed_demo_diary", stdout=io.StringIO())
    return live_server.url + reverse("sandbox:api-request")


def every_action(client):
    """Call each action once against the seeded reference diary."""
    start = timezone.localdate() + dt.timedelta(days=1)
    assert {p.name for p in client.practitioners()} >= {"Anna", "John"}
    assert {r.name for r in client.rooms()} >= {"Treatment Room 2"}
    free = client.free_times(42230, 7323, start, 7)
    day = free.days[0]
    confirmation = client.book(
        practitioner_id=42230, room_id=7323, date=day.date, time=day.times[0], **PATIENT
    )
    assert confirmation.practitioner_name == "Anna"


def test_it_sends_every_call_through_the_configured_proxy(diary_url, recording_proxy):
    client = make_client(diary_url, django_settings.SANDBOX_API_KEY, proxy=recording_proxy.url)

    every_action(client)

    # Absolute-URI request lines: the client spoke to the proxy, not the diary.
    assert recording_proxy.request_lines == [f"POST {diary_url} HTTP/1.1"] * 4


@pytest.fixture
def https_diary(live_server, tmp_path):
    call_command("seed_demo_diary", stdout=io.StringIO())
    front = TlsFront(live_server.url, tmp_path / "test-ca.pem").start()
    yield front
    front.stop()


def test_it_tunnels_every_https_call_through_the_configured_proxy(https_diary, recording_proxy):
    # The vendor's URL is https://, so the proxy sees only a CONNECT and a
    # tunnel: the key and the patient's details stay encrypted end to end.
    client = make_client(
        https_diary.url, django_settings.SANDBOX_API_KEY, proxy=recording_proxy.url
    )
    client.session.verify = str(https_diary.ca_file)

    every_action(client)

    authority = https_diary.url.split("/")[2]
    assert recording_proxy.request_lines
    assert all(line.startswith(f"CONNECT {authority} ") for line in recording_proxy.request_lines)


def test_it_reaches_an_https_diary_directly_without_a_proxy(https_diary, recording_proxy):
    client = make_client(https_diary.url, django_settings.SANDBOX_API_KEY)
    client.session.verify = str(https_diary.ca_file)

    every_action(client)

    assert recording_proxy.request_lines == []


def test_it_goes_direct_without_a_proxy_even_if_the_environment_names_one(
    diary_url, recording_proxy, monkeypatch
):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, recording_proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    every_action(make_client(diary_url, django_settings.SANDBOX_API_KEY))

    assert recording_proxy.request_lines == []
    # A session that trusts the environment would have gone through it.
    requests.post(diary_url, json={}, timeout=5)
    assert len(recording_proxy.request_lines) == 1


def test_the_site_client_uses_the_proxy_setting(diary_url, recording_proxy, settings):
    settings.PHYSIODIARY_API_URL = diary_url
    settings.PHYSIODIARY_API_KEY = django_settings.SANDBOX_API_KEY
    settings.PHYSIODIARY_PROXY = recording_proxy.url

    every_action(get_client())

    assert recording_proxy.request_lines == [f"POST {diary_url} HTTP/1.1"] * 4


def test_the_site_client_goes_direct_when_the_proxy_setting_is_empty(
    diary_url, recording_proxy, settings
):
    settings.PHYSIODIARY_API_URL = diary_url
    settings.PHYSIODIARY_API_KEY = django_settings.SANDBOX_API_KEY
    settings.PHYSIODIARY_PROXY = ""

    every_action(get_client())

    assert recording_proxy.request_lines == []


def test_it_raises_unavailable_when_nothing_listens(sleeps):
    client = make_client(f"http://127.0.0.1:{closed_port()}/api/request", sleep=sleeps.append)

    with pytest.raises(Unavailable) as raised:
        client.practitioners()

    assert type(raised.value) is Unavailable
    assert raised.value.reason == "refused"
    assert sleeps == [0.3, 0.6]  # retried, as any read


@pytest.mark.parametrize(
    ("url", "proxy", "reason"),
    [
        (f"http://127.0.0.1:{closed_port()}/api/request", "", "refused"),
        ("http://diary.example/api/request", f"http://127.0.0.1:{closed_port()}", "proxy"),
        ("http://physiodiary-host.invalid/api/request", "", "refused"),
    ],
    ids=["connection refused", "proxy refused", "name does not resolve"],
)
def test_it_knows_a_booking_that_never_left_was_not_made(url, proxy, reason):
    client = make_client(url, proxy=proxy)

    with pytest.raises(Unavailable) as raised:
        client.book(
            practitioner_id=42230,
            room_id=7323,
            date=dt.date(2030, 1, 3),
            time=dt.time(9, 0),
            **PATIENT,
        )

    assert not isinstance(raised.value, UnknownOutcome)
    assert raised.value.reason == reason
