"""Posts from the site's own pages only (booking_site/same_origin.py), and the check
that keeps a site behind a TLS proxy from refusing its own forms.

The browser says where a request comes from in `Sec-Fetch-Site` and `Origin`;
the test client sends neither unless told, as a program would.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bookings import checks

from .wizard_support import (
    PATIENT,
    WHEN,
    details_url,
    html,
    open_details,
    submit,
    valid_post,
)

EVIL = "https://evil.example"
OURS = "http://testserver"  # the test client's site, as a browser on its pages writes it


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def post_details(client, token: str, **headers: str):
    """Post the details form for WHEN, filled in, with these request headers."""
    return client.post(details_url(WHEN), valid_post(token, WHEN), **headers)


def assert_refused(page, settings) -> None:
    assert page.status_code == 403
    body = html(page)
    assert "Nothing has been booked" in body
    assert settings.PRACTICE_PHONE in body  # the styled page, with the practice's phone
    assert "/static/css/site.css" in body
    assert page["Cache-Control"] == "no-store"
    # The headers every page has, though answered before any view.
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["Referrer-Policy"] == "same-origin"
    for detail in PATIENT.values():
        assert detail not in body


# --- The details form ----------------------------------------------------------------


def test_a_token_fetched_elsewhere_and_posted_cross_site_books_nothing(diary, settings):
    """The issue's reproduction: the attacker's server fetches a token from one
    address, and a visitor's browser posts it from another, from the attacker's page."""
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    token = open_details(attacker, WHEN)

    page = post_details(visitor, token, HTTP_ORIGIN=EVIL, HTTP_SEC_FETCH_SITE="cross-site")

    assert_refused(page, settings)
    assert diary.calls("book") == []


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},  # a sibling subdomain's page
        {"HTTP_SEC_FETCH_SITE": "Cross-Site"},
        {"HTTP_ORIGIN": EVIL},
        {"HTTP_ORIGIN": "null"},  # an opaque origin: a sandboxed frame, a data: URL
        {"HTTP_ORIGIN": "https://testserver"},  # our host, but another scheme
        {"HTTP_ORIGIN": "http://testserver:8000"},  # our host, but another port
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_ORIGIN": f"{OURS}, {EVIL}"},  # two headers, joined
        {"HTTP_ORIGIN": EVIL, "HTTP_SEC_FETCH_SITE": "same-origin"},
    ],
    ids=lambda headers: " ".join(f"{k[5:]}={v}" for k, v in headers.items()),
)
def test_a_post_from_another_sites_page_is_refused_before_the_diary_is_asked(
    client, diary, settings, headers
):
    token = open_details(client, WHEN)
    calls_before = len(diary.sent)

    page = post_details(client, token, **headers)

    assert_refused(page, settings)
    assert diary.sent[calls_before:] == []  # no call at all, not even for the lists


def test_a_post_from_the_sites_own_page_books(client, diary):
    token = open_details(client, WHEN)
    page = post_details(client, token, HTTP_ORIGIN=OURS, HTTP_SEC_FETCH_SITE="same-origin")
    assert page.status_code == 303
    assert page["Location"].startswith("/booked/")
    assert len(diary.calls("book")) == 1


def test_a_post_from_the_booking_in_the_practices_frame_books(client, diary):
    """The frame's page is the site's own: the browser says same-origin, whoever frames it."""
    token = open_details(client, WHEN)
    page = post_details(
        client,
        token,
        HTTP_ORIGIN=OURS,
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_SEC_FETCH_DEST="iframe",
    )
    assert page.status_code == 303
    assert len(diary.calls("book")) == 1


def test_a_browser_that_sends_neither_header_still_books(client, diary):
    page = submit(client, WHEN)
    assert page.status_code == 303
    assert len(diary.calls("book")) == 1


def test_a_post_the_patient_started_themselves_books(client, diary):
    """`Sec-Fetch-Site: none`: from the address bar or a bookmark, no other site involved."""
    token = open_details(client, WHEN)
    page = post_details(client, token, HTTP_ORIGIN=OURS, HTTP_SEC_FETCH_SITE="none")
    assert page.status_code == 303


def test_a_host_header_with_its_schemes_own_port_is_the_same_origin(client, diary):
    token = open_details(client, WHEN)
    page = post_details(client, token, HTTP_HOST="testserver:80", HTTP_ORIGIN=OURS)
    assert page.status_code == 303


def test_other_sites_pages_may_still_link_and_frame_the_booking(client, diary):
    """Their GETs change nothing: a link on the practice's page, the iframe's first page."""
    page = client.get(details_url(WHEN), HTTP_ORIGIN=EVIL, HTTP_SEC_FETCH_SITE="cross-site")
    assert page.status_code == 200
    assert client.head("/", HTTP_SEC_FETCH_SITE="cross-site").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_from_another_site_are_refused_too(client, diary, settings, method):
    page = getattr(client, method)(details_url(WHEN), HTTP_SEC_FETCH_SITE="cross-site")
    assert_refused(page, settings)


def test_the_refusal_is_one_log_line_with_no_patient_detail(client, diary, caplog):
    token = open_details(client, WHEN)
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    post_details(client, token, HTTP_ORIGIN=EVIL + "\nforged line", HTTP_SEC_FETCH_SITE="none")

    others = [r for r in caplog.records if r.name != "booking_site.request_log"]
    assert [(r.name, r.levelname) for r in others] == [("booking_site.same_origin", "WARNING")]
    line = others[0].getMessage()
    assert line == (
        "refused a request from another site: method=POST path=/details/"
        " origin=https://evil.example%0Aforged%20line"
    )
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for detail in [*PATIENT.values(), token, "staffId"]:
        assert detail not in everything


# --- Behind a proxy that ends TLS ------------------------------------------------------

#: What a TLS proxy passes on from a browser on https://testserver/: its Host
#: header (a browser's, with no port) and the scheme it was reached by.
BEHIND_TLS = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https"}


def test_behind_a_tls_proxy_an_https_page_of_ours_books(client, diary, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    token = open_details(client, WHEN)
    page = post_details(client, token, **BEHIND_TLS, HTTP_ORIGIN="https://testserver")
    assert page.status_code == 303


def test_behind_a_tls_proxy_a_plain_http_page_is_not_ours(client, diary, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    token = open_details(client, WHEN)
    page = post_details(client, token, **BEHIND_TLS, HTTP_ORIGIN=OURS)
    assert page.status_code == 403


def test_without_the_proxy_header_setting_the_sites_own_https_pages_are_refused(
    client, diary, settings
):
    """What booking_site.E001 prevents: the site sees http://, the browser says https://."""
    token = open_details(client, WHEN)
    page = post_details(client, token, **BEHIND_TLS, HTTP_ORIGIN="https://testserver")
    assert page.status_code == 403
    assert diary.calls("book") == []


# --- Everything else that takes a POST ---------------------------------------------------


@pytest.fixture
def practice_manager(db):
    return User.objects.create_superuser("manager", "manager@practice.example", "a-long-passphrase")


def admin_login(client: Client, **headers: str):
    credentials = {"username": "manager", "password": "a-long-passphrase", "next": "/admin/"}
    return client.post(reverse("admin:login"), credentials, **headers)


def test_the_admin_sign_in_from_another_site_is_refused(practice_manager, settings):
    client = Client()
    page = admin_login(client, HTTP_ORIGIN=EVIL, HTTP_SEC_FETCH_SITE="cross-site")
    assert_refused(page, settings)
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_from_its_own_page_still_works(practice_manager):
    client = Client()
    page = admin_login(client, HTTP_ORIGIN=OURS, HTTP_SEC_FETCH_SITE="same-origin")
    assert page.status_code == 302
    assert client.session["_auth_user_id"] == str(practice_manager.pk)


def test_a_server_calling_the_reference_diarys_api_sends_neither_header_and_is_answered(
    client, settings, db
):
    settings.SANDBOX_API_KEY = "test-key"
    page = client.post(
        reverse("sandbox:api-request"),
        {"action": "staffList", "apiKey": "test-key"},
        content_type="application/json",
    )
    assert page.status_code == 200
    assert "staff" in page.json()


def test_a_browser_page_elsewhere_cannot_call_the_reference_diarys_api(client, settings):
    page = client.post(
        reverse("sandbox:api-request"),
        {"action": "staffList", "apiKey": settings.SANDBOX_API_KEY},
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert page.status_code == 403


def test_health_probes_answer_whatever_the_headers(client, settings):
    page = client.get("/healthz", HTTP_ORIGIN=EVIL, HTTP_SEC_FETCH_SITE="cross-site")
    assert page.status_code == 200


# --- check --deploy: booking_site.E001 ----------------------------------------------------


@pytest.fixture
def production(settings):
    """A production site with HTTPS on and no word on how it learns it was reached over it."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.ENDS_TLS = False
    return settings


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_check_deploy_errs_for_an_https_site_that_cannot_know_its_scheme(production):
    (error,) = checks.scheme_known()
    assert error.id == "booking_site.E001"
    assert error.is_serious()
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" in error.msg
    assert "DJANGO_ENDS_TLS" in error.hint


@pytest.mark.parametrize(
    ("redirect", "hsts"), [(True, 0), (False, 31536000)], ids=["redirect only", "HSTS only"]
)
def test_either_redirect_or_hsts_means_the_site_is_meant_for_https(production, redirect, hsts):
    production.SECURE_SSL_REDIRECT, production.SECURE_HSTS_SECONDS = redirect, hsts
    assert ids(checks.scheme_known()) == ["booking_site.E001"]


def test_the_proxy_header_setting_satisfies_it(production):
    production.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert checks.scheme_known() == []


def test_a_server_that_ends_tls_itself_satisfies_it(production):
    production.ENDS_TLS = True
    assert checks.scheme_known() == []


def test_a_plain_http_site_compares_http_with_http_and_is_not_its_concern(production):
    production.SECURE_SSL_REDIRECT, production.SECURE_HSTS_SECONDS = False, 0
    assert checks.scheme_known() == []


def test_development_is_not_its_concern(production):
    production.DEBUG = True
    assert checks.scheme_known() == []
