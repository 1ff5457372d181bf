"""The site's client, built from settings; in-process to the reference diary when no URL is set."""

import datetime as dt
import io
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.client import build_client, get_client, reset_client
from physiodiary import Confirmation, NotAuthorised, Unavailable
from sandbox.models import Booking
from sandbox.transport import IN_PROCESS_ORIGIN

from .support import API_KEY, VENDOR_URL, answer, closed_port, make_client


@pytest.fixture
def in_process(settings, db):
    settings.PHYSIODIARY_API_URL = ""
    settings.PHYSIODIARY_API_KEY = settings.SANDBOX_API_KEY
    call_command("seed_demo_diary", stdout=io.StringIO())


def test_it_builds_the_client_from_settings(settings):
    settings.PHYSIODIARY_API_URL = VENDOR_URL
    settings.PHYSIODIARY_API_KEY = API_KEY
    settings.PHYSIODIARY_CONNECT_TIMEOUT = 1.5
    settings.PHYSIODIARY_READ_TIMEOUT = 7.0
    settings.PHYSIODIARY_READ_RETRIES = 4
    settings.PHYSIODIARY_RETRY_BACKOFF = 0.1
    settings.PHYSIODIARY_PROXY = "http://egress.internal:8080"

    client = get_client()

    assert client.url == VENDOR_URL
    assert client.timeout == (1.5, 7.0)
    assert client.read_retries == 4
    assert client.retry_backoff == 0.1
    assert client.proxies == {
        "http": "http://egress.internal:8080",
        "https": "http://egress.internal:8080",
    }
    assert client.session.trust_env is False
    assert API_KEY not in repr(client)


def test_it_calls_the_configured_url_with_the_configured_key_and_timeouts(settings, mocked):
    settings.PHYSIODIARY_API_URL = VENDOR_URL
    settings.PHYSIODIARY_API_KEY = API_KEY
    settings.PHYSIODIARY_CONNECT_TIMEOUT = 2.0
    settings.PHYSIODIARY_READ_TIMEOUT = 5.0
    answer(mocked, "sectionList.json")

    get_client().rooms()

    request = mocked.calls[0].request
    assert request.url == VENDOR_URL
    assert request.req_kwargs["timeout"] == (2.0, 5.0)
    assert '"apiKey": "pd-key-7Hq2xZ-must-never-leak"' in request.body.decode()


def test_it_takes_its_breaker_from_the_settings(settings):
    settings.PHYSIODIARY_BREAKER_FAILURES = 7
    settings.PHYSIODIARY_BREAKER_SECONDS = 12.5

    breaker = build_client().breaker

    assert (breaker.failures, breaker.seconds) == (7, 12.5)


def test_it_logs_each_call_under_the_name_operators_search_for(settings, mocked, caplog):
    settings.PHYSIODIARY_API_URL = VENDOR_URL
    answer(mocked, "sectionList.json")
    caplog.set_level(logging.INFO, logger="bookings.physiodiary")

    get_client().rooms()

    (record,) = caplog.records
    assert record.name == "bookings.physiodiary"
    assert record.getMessage().startswith("physiodiary action=sectionList status=200 ")


def test_it_keeps_one_client_until_reset(settings):
    settings.PHYSIODIARY_API_URL = VENDOR_URL

    first = get_client()

    assert get_client() is first
    reset_client()
    assert get_client() is not first


def test_it_builds_a_new_client_when_the_settings_change(settings):
    settings.PHYSIODIARY_API_URL = VENDOR_URL
    first = get_client()

    settings.PHYSIODIARY_API_URL = "https://api789.physiodiary.co.uk:1234/api/request"

    assert get_client() is not first
    assert get_client().url == "https://api789.physiodiary.co.uk:1234/api/request"


def test_it_reaches_the_reference_diary_in_process_without_a_socket(in_process, no_sockets):
    client = get_client()

    practitioners = client.practitioners()
    rooms = client.rooms()

    assert client.url == IN_PROCESS_ORIGIN + reverse("sandbox:api-request")
    assert {p.name for p in practitioners} == {"John", "Anna", "Jayne", "Chris", "Demo User"}
    assert len(rooms) == 3
    assert no_sockets == []


def test_it_books_in_process_without_a_socket(in_process, no_sockets):
    client = get_client()
    start = timezone.localdate() + dt.timedelta(days=1)
    day = client.free_times(42230, 7323, start, 7).days[0]

    confirmation = client.book(
        practitioner_id=42230,
        room_id=7323,
        date=day.date,
        time=day.times[0],
        name="Fred Smith",
        phone="123456",
        email="fred@smith.co.uk",
        desc="Pain in back",
    )

    assert confirmation == Confirmation(day.date, day.times[0], 45, "Treatment Room 2", "Anna")
    assert Booking.objects.filter(date=day.date, time=day.times[0]).exists()
    assert no_sockets == []


def test_it_is_not_authorised_in_process_with_a_wrong_key(in_process, settings, no_sockets):
    settings.PHYSIODIARY_API_KEY = "not-the-key"

    with pytest.raises(NotAuthorised):
        get_client().practitioners()

    assert no_sockets == []


def test_it_ignores_the_proxy_setting_in_process(in_process, settings, no_sockets):
    # A proxy would send the call out of the process, to a host that cannot resolve.
    settings.PHYSIODIARY_PROXY = "http://127.0.0.1:9"

    client = get_client()

    assert client.proxies == {}
    assert len(client.rooms()) == 3
    assert no_sockets == []


def test_it_builds_a_new_client_when_a_reference_diary_setting_changes(in_process, settings):
    first = get_client()

    settings.SANDBOX_LATENCY_MS = 5

    assert get_client() is not first


def test_it_says_what_to_set_when_there_is_no_diary_at_all(settings):
    settings.PHYSIODIARY_API_URL = ""
    settings.SANDBOX_ENABLED = False  # the reference diary is off, and no live URL set

    with pytest.raises(ImproperlyConfigured, match="PHYSIODIARY_API_URL is not set"):
        get_client()


def test_the_socket_guard_notices_a_real_connection(no_sockets):
    # Shows the in-process tests above would notice a socket if one were opened.
    client = make_client(f"http://127.0.0.1:{closed_port()}/api/request", read_retries=0)

    with pytest.raises(Unavailable):
        client.rooms()

    assert no_sockets != []
