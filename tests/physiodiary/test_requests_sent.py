"""What the client puts on the wire: one POST of a JSON object per call, as documented."""

import datetime as dt
import json

import pytest
import requests
import responses

from ..client.support import API_KEY, VENDOR_BOOKING, VENDOR_URL, answer, make_client, sent


def test_it_asks_for_the_staff_list_with_the_action_and_key_only(mocked, client):
    answer(mocked, "staffList.json")

    client.practitioners()

    assert sent(mocked.calls[0]) == {"action": "staffList", "apiKey": API_KEY}


def test_it_asks_for_the_section_list_with_the_action_and_key_only(mocked, client):
    answer(mocked, "sectionList.json")

    client.rooms()

    assert sent(mocked.calls[0]) == {"action": "sectionList", "apiKey": API_KEY}


def test_it_asks_for_free_times_as_the_document_shows(mocked, client):
    answer(mocked, "freeList.json")

    client.free_times(43987, 1245, dt.date(2017, 10, 7), 2)

    body = sent(mocked.calls[0])
    assert body == {
        "action": "freeList",
        "apiKey": API_KEY,
        "date": "20171007",
        "numDays": 2,
        "sectionId": 1245,
        "staffId": 43987,
    }
    assert all(type(body[k]) is int for k in ("numDays", "sectionId", "staffId"))


def test_it_asks_to_book_as_the_document_shows(mocked, client):
    answer(mocked, "book-confirmed.json")

    client.book(**VENDOR_BOOKING)

    body = sent(mocked.calls[0])
    assert body == {
        "action": "book",
        "apiKey": API_KEY,
        "date": "20171007",
        "time": "0915",
        "sectionId": 1245,
        "staffId": 43987,
        "name": "Fred Smith",
        "phone": "123456",
        "email": "fred@smith.co.uk",
        "desc": "Pain in back",
    }
    assert type(body["sectionId"]) is int
    assert type(body["staffId"]) is int


def test_it_pads_early_dates_and_times_to_yyyymmdd_and_hhmm(mocked, client):
    answer(mocked, "book-confirmed.json")

    client.book(**{**VENDOR_BOOKING, "date": dt.date(2018, 1, 2), "time": dt.time(7, 5)})

    body = sent(mocked.calls[0])
    assert (body["date"], body["time"]) == ("20180102", "0705")


def test_it_sends_a_patients_accented_name_intact(mocked, client):
    answer(mocked, "book-confirmed.json")

    client.book(**{**VENDOR_BOOKING, "name": "Zoë Ødegård"})

    assert sent(mocked.calls[0])["name"] == "Zoë Ødegård"


def test_it_posts_json_to_the_one_url(mocked, client):
    answer(mocked, "staffList.json")

    client.practitioners()

    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.url == VENDOR_URL
    assert request.headers["Content-Type"] == "application/json"
    json.loads(request.body)  # a JSON object, not a form


def test_it_passes_the_configured_connect_and_read_timeouts(mocked):
    answer(mocked, "staffList.json")
    answer(mocked, "book-confirmed.json")
    client = make_client(connect_timeout=1.5, read_timeout=7.0)

    client.practitioners()
    client.book(**VENDOR_BOOKING)

    assert [call.request.req_kwargs["timeout"] for call in mocked.calls] == [(1.5, 7.0)] * 2


def test_it_ignores_proxy_settings_in_the_environment(mocked, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://env-proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    answer(mocked, "staffList.json")
    mocked.post(VENDOR_URL, body="{}")

    make_client().practitioners()
    # A session that trusts the environment would have taken that proxy.
    requests.post(VENDOR_URL, data="{}", timeout=1)

    ours, trusting = (call.request.req_kwargs["proxies"] for call in mocked.calls)
    assert not ours.get("https")
    assert trusting.get("https") == "http://env-proxy.invalid:3128"


def test_it_sends_through_the_configured_proxy_whatever_the_environment_says(mocked, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.invalid:3128")
    answer(mocked, "staffList.json")

    make_client(proxy="http://egress.internal:8080").practitioners()

    proxies = mocked.calls[0].request.req_kwargs["proxies"]
    assert proxies["https"] == "http://egress.internal:8080"
    assert proxies["http"] == "http://egress.internal:8080"


def test_it_leaves_the_key_out_of_its_repr():
    client = make_client(proxy="http://egress.internal:8080")

    assert API_KEY not in repr(client)
    assert repr(client) == f"<PhysiodiaryClient {VENDOR_URL} via proxy>"
    assert repr(make_client()) == f"<PhysiodiaryClient {VENDOR_URL}>"


@pytest.mark.parametrize("days", [0, -1])
def test_it_refuses_a_span_of_less_than_one_day_without_calling(days, client):
    with responses.RequestsMock() as mock:
        with pytest.raises(ValueError, match="at least 1"):
            client.free_times(43987, 1245, dt.date(2017, 10, 7), days)
        assert len(mock.calls) == 0
