"""One way out: with PHYSIODIARY_PROXY set, every call to the diary leaves through the proxy.

Physiodiary's key works from one registered IP address only. Here the
reference diary accepts calls from 127.0.0.3 alone (the "registered"
address) and tinyproxy, listening on 127.0.0.1, makes its own connections
from 127.0.0.3 (`Bind`). The site with the proxy set books; the same site
without it is refused by the diary (the bare 404) and tells patients to
call. The reference diary is plain http://, so the client sends the proxy
absolute-URI requests, which tinyproxy logs line by line; for the vendor's
https:// URL it would send CONNECT instead (tests/client covers both).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from .conftest import REGISTERED_IP, OneWayOut
from .support import BOOKED_PATH, PRACTICE_PHONE, TIMEOUT, Patient, details


def test_through_the_proxy_every_call_leaves_from_the_registered_address(
    one_way_out: OneWayOut,
):
    diary, proxy = one_way_out.diary, one_way_out.proxy
    calls_before = len(diary.calls())
    forwarded_before = len(proxy.requests_for(diary.api_url))
    patient = Patient("203.0.113.40")
    base = one_way_out.via_proxy.base

    patient.choose(base)
    slot = patient.times(base)[0]
    form = patient.open_details(base, patient.pick(base, slot))
    answer = patient.book(base, form, 4)
    assert answer.status_code == 303, answer.status_code
    booked = urlsplit(answer.headers["Location"]).path
    assert BOOKED_PATH.fullmatch(booked)
    assert patient.get(base + booked).status_code == 200
    patient.close()

    calls = diary.calls()[calls_before:]
    forwarded = proxy.requests_for(diary.api_url)[forwarded_before:]
    assert sorted(call.action for call in calls) == ["book", "freeList", "sectionList", "staffList"]
    assert {(call.address, call.status) for call in calls} == {(REGISTERED_IP, "200")}
    # One request line at the proxy for each call the diary answered: none went round it.
    assert forwarded == [f"POST {diary.api_url} HTTP/1.1"] * len(calls)
    assert diary.bookings(slot) == ["Deploy Patient 4"]


def test_without_the_proxy_the_diary_refuses_and_patients_are_told_to_call(
    one_way_out: OneWayOut,
):
    diary, proxy = one_way_out.diary, one_way_out.proxy
    calls_before = len(diary.calls())
    forwarded_before = len(proxy.requests_for(diary.api_url))
    patient = Patient("203.0.113.41")

    page = patient.get(one_way_out.direct.base + "/")
    patient.close()

    assert page.status_code == 503
    assert PRACTICE_PHONE in page.text
    calls = diary.calls()[calls_before:]
    assert calls, "the site did not ask the diary"
    # Straight from the web server's own address, and refused as a stranger.
    assert {(call.address, call.status) for call in calls} == {("127.0.0.1", "404")}
    assert proxy.requests_for(diary.api_url)[forwarded_before:] == []


def test_the_diary_answers_a_stranger_with_a_bare_404(one_way_out: OneWayOut, prepared):
    body = {"action": "staffList", "apiKey": prepared.api_key}
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(one_way_out.diary.api_url, json=body, timeout=TIMEOUT)
    assert answer.status_code == 404  # the right key, from the wrong address


def test_no_log_holds_the_api_key_or_a_patients_details(one_way_out: OneWayOut, prepared):
    processes = [
        one_way_out.via_proxy.process,
        one_way_out.direct.process,
        one_way_out.diary.server.process,
    ]
    logs = {process.name: process.text() for process in processes}
    logs["tinyproxy"] = one_way_out.proxy.log.read_text()
    assert "physiodiary action=book" in logs["via-proxy"]  # the logs are real
    for name, text in logs.items():
        assert prepared.api_key not in text, name
        for detail in details(4).values():
            assert detail not in text, (name, detail)
