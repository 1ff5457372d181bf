"""The client address the rate limits count (bookings/guard.py), in every form a proxy writes it.

Behind proxies of our own, CLIENT_IP_HEADER names the header they write and
CLIENT_IP_PROXIES how many of them there are; the address is taken that many
entries from the right. An IPv6 client counts as its /64, and its /48 against
a larger allowance.
"""

import logging

import pytest
from django.test import RequestFactory

from bookings import guard

from .wizard_support import WHEN, details_url, open_details, valid_post


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def warnings_logged(monkeypatch, caplog):
    """The guard's WARNING lines, from a process that has logged none yet."""
    monkeypatch.setattr(guard, "_warned", set())  # "once a process": this test is the process
    caplog.set_level(logging.WARNING, logger="bookings.guard")
    return lambda: [r for r in caplog.records if r.name == "bookings.guard"]


def request_from(remote: str, **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def forwarded_for(value: str, header: str = "X-Forwarded-For"):
    """A request through our one proxy (10.0.0.2), which wrote `value` into `header`."""
    return request_from("10.0.0.2", **{"HTTP_" + header.upper().replace("-", "_"): value})


# --- Where the address is taken from --------------------------------------------------


def test_the_address_is_remote_addr_whatever_a_client_claims():
    request = request_from("203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert guard.client_address(request) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    # The client forged the first entry; our proxy appended the second.
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert guard.client_address(request) == "203.0.113.7"


def test_behind_two_trusted_proxies_it_counts_two_from_the_right(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXIES = 2
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7, 10.0.0.9")
    assert guard.client_address(request) == "203.0.113.7"


def test_without_the_header_it_falls_back_to_remote_addr(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert guard.client_address(request_from("203.0.113.7")) == "203.0.113.7"


def test_an_ipv6_client_counts_as_its_whole_64():
    one = guard.client_address(request_from("2001:db8:1:2::1"))
    other = guard.client_address(request_from("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert guard.client_address(request_from("::ffff:203.0.113.7")) == "203.0.113.7"


# --- Every form a proxy writes -------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "counted"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),  # a load balancer that adds the port
        ("198.51.100.1, 203.0.113.7:51234", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::1]:443", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("[::ffff:203.0.113.7]:443", "203.0.113.7"),
    ],
)
def test_each_form_of_x_forwarded_for_counts_in_its_clients_bucket(settings, written, counted):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    assert guard.client_address(forwarded_for(written)) == counted


@pytest.mark.parametrize(
    ("written", "counted"),
    [
        ("for=203.0.113.7", "203.0.113.7"),
        ('for="203.0.113.7:4711"', "203.0.113.7"),
        ('for="[2001:db8:1:2::1]"', "2001:db8:1:2::/64"),
        ('for="[2001:db8:1:2::1]:4711"', "2001:db8:1:2::/64"),
        ('For="[2001:db8:1:2::1]:4711";proto=https;by=203.0.113.43', "2001:db8:1:2::/64"),
        ("proto=https;for=203.0.113.7", "203.0.113.7"),
        # The client wrote the first element; our proxy the last.
        ("for=198.51.100.1, for=203.0.113.7;proto=https", "203.0.113.7"),
        ('for="198.51.100.1, for=\\"x\\"", for=203.0.113.7', "203.0.113.7"),
        # An unclosed quote of the client's cannot swallow our proxy's element.
        ('for="198.51.100.1, for="[2001:db8:1:2::1]:4711"', "2001:db8:1:2::/64"),
    ],
)
def test_each_form_of_forwarded_counts_in_its_clients_bucket(settings, written, counted):
    settings.CLIENT_IP_HEADER = "Forwarded"
    assert guard.client_address(forwarded_for(written, "Forwarded")) == counted


def test_behind_two_proxies_forwarded_counts_two_elements_from_the_right(settings):
    settings.CLIENT_IP_HEADER = "Forwarded"
    settings.CLIENT_IP_PROXIES = 2
    written = 'for=1.1.1.1, for="[2001:db8:1:2::1]:4711";proto=https, for=10.0.0.9'
    assert guard.client_address(forwarded_for(written, "Forwarded")) == "2001:db8:1:2::/64"


# --- What does not parse -------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "written"),
    [
        ("X-Forwarded-For", "<script>"),
        ("X-Forwarded-For", "unknown"),
        ("X-Forwarded-For", "203.0.113.7:port"),
        ("X-Forwarded-For", "[2001:db8::1"),
        ("X-Forwarded-For", "[203.0.113.7]"),
        ("Forwarded", "for=_hidden"),  # RFC 7239's obfuscated identifier
        ("Forwarded", "for=unknown"),
        ("Forwarded", "proto=https"),  # an element with no for=
        ("Forwarded", 'for="[2001:db8::1]:4711" junk'),
    ],
)
def test_an_address_that_does_not_parse_counts_as_the_connecting_one_and_is_logged_once(
    settings, warnings_logged, header, written
):
    settings.CLIENT_IP_HEADER = header
    requests = [
        request_from(remote, **{"HTTP_" + header.upper().replace("-", "_"): written})
        for remote in ("10.0.0.2", "10.0.0.3", "10.0.0.2")
    ]

    counted = [guard.client_address(request) for request in requests]

    assert counted == ["10.0.0.2", "10.0.0.3", "10.0.0.2"]  # never one shared bucket
    (warning,) = warnings_logged()
    assert warning.levelno == logging.WARNING
    assert header in warning.getMessage()
    assert written not in warning.getMessage()  # the name of the header, never what it held


def test_ip_port_behind_a_load_balancer_gives_each_patient_their_own_count(client, diary, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.BOOKING_RATE_LIMIT = 1

    def book(written: str):
        token = open_details(client, WHEN)
        data = valid_post(token, WHEN)
        return client.post(
            details_url(WHEN), data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=written
        )

    assert book("203.0.113.1:50001").status_code == 303
    assert book("203.0.113.2:50002").status_code == 303  # another patient
    assert book("203.0.113.1:50003").status_code == 429  # the first again, on another port


# --- IPv6: the /64 and the /48 -------------------------------------------------------


def from_64s_of(network: str, count: int) -> list:
    """Requests from `count` different /64s of `network` (a /48 such as 2001:db8:abcd)."""
    return [request_from(f"{network}:{n:x}::1") for n in range(count)]


def test_one_48_is_allowed_four_times_the_limit_however_many_64s_it_uses(settings):
    settings.BOOKING_RATE_LIMIT_SECONDS = 600
    # The reproduction: 330 posts from one /48, each from a /64 of its own.
    waits = [guard.wait_needed(r, "book", 10) for r in from_64s_of("2001:db8:abcd", 330)]

    assert waits[: 4 * 10] == [0] * 40
    assert all(0 < wait <= 600 for wait in waits[40:])
    # Another /48 has its own count, and each /64 its own limit within it.
    neighbours = [guard.wait_needed(r, "book", 10) for r in from_64s_of("2001:db8:abce", 1) * 11]
    assert neighbours == [0] * 10 + [neighbours[10]] and neighbours[10] > 0


def test_a_48_that_used_its_allowance_gets_the_429_page_on_a_fresh_64(client, diary, settings):
    settings.BOOKING_RATE_LIMIT = 1

    def book(remote: str):
        token = open_details(client, WHEN)
        return client.post(details_url(WHEN), valid_post(token, WHEN), REMOTE_ADDR=remote)

    statuses = [book(f"2001:db8:abcd:{n:x}::1").status_code for n in range(5)]

    assert statuses == [303] * 4 + [429]
    assert book("2001:db8:abce::1").status_code == 303  # another /48
