"""HTTP security headers, a Content Security Policy our pages keep, and privacy of error reports."""

import re
import sys

import pytest
from django.core import mail
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter

from booking_site import static_files
from bookings import confirmations

from .wizard_support import (
    PATIENT,
    WHEN,
    html,
    submit,
)


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def pages(patient_pages):
    return patient_pages


def csp(page) -> dict[str, str]:
    policy = page["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def test_every_page_has_a_strict_content_security_policy(pages):
    for name, page in pages.items():
        policy = csp(page)
        # Nothing unless named: each kind of thing a page loads, from this site only.
        assert policy["default-src"] == "'none'", name
        assert policy["script-src"] == "'self'", name
        assert policy["style-src"] == "'self'", name
        assert policy["img-src"] == "'self' data:", name
        assert policy["font-src"] == "'self'", name
        for unused in ("connect-src", "frame-src", "media-src", "worker-src", "manifest-src"):
            assert unused not in policy, (name, unused)
        assert policy["object-src"] == "'none'", name
        assert policy["base-uri"] == "'none'", name
        assert policy["form-action"] == "'self'", name
        assert policy["frame-ancestors"] == "'none'", name
        assert "unsafe-inline" not in page["Content-Security-Policy"], name
        assert "unsafe-eval" not in page["Content-Security-Policy"], name


def test_no_page_needs_inline_script_or_style(pages):
    for name, page in pages.items():
        body = html(page)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", body), name
        # ...and no script holds up the page: each is deferred.
        for script in re.findall(r"<script[^>]*>", body):
            assert " defer" in script or " async" in script, (name, script)
        assert "<style" not in body, name
        assert not re.search(r"\sstyle=", body), name
        assert not re.search(r"\son[a-z]+=", body), name  # onclick= and the like
        # Nothing loaded from elsewhere (links to calendars are only links).
        assert not re.search(r"\ssrc=\"(https?:)?//", body), name
        assert not re.search(r"<link[^>]*href=\"(https?:)?//", body), name


def test_every_page_has_the_other_security_headers(pages):
    for name, page in pages.items():
        assert page["Referrer-Policy"] == "same-origin", name
        assert page["X-Content-Type-Options"] == "nosniff", name
        assert page["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert page["X-Frame-Options"] == "DENY", name
        permissions = page["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions, name


def test_no_other_site_may_load_any_page_as_a_resource(pages):
    for name, page in pages.items():
        assert page["Cross-Origin-Resource-Policy"] == "same-origin", name


@pytest.mark.parametrize(
    "path",
    ["/theme.css", "/healthz", "/admin/login/", "/nothing-here/", "/times/?date=nonsense"],
)
def test_nor_anything_else_the_site_answers(client, diary, path):
    assert client.get(path)["Cross-Origin-Resource-Policy"] == "same-origin"


def test_static_files_served_before_the_middleware_say_the_same():
    headers = {}
    static_files.add_headers(headers, "/srv/static/css/site.abc.css", "/static/css/site.abc.css")
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_embed_js_alone_may_be_loaded_by_other_sites(client):
    # Practices' pages load it from their own origin (docs/designers.md).
    assert client.get("/embed.js")["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_over_https_it_sends_hsts(client, diary, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    page = client.get("/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_redirects_plain_http_to_https(client, diary, settings):
    settings.SECURE_SSL_REDIRECT = True
    page = client.get("/times/?staffId=any")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/times/?staffId=any"


def test_behind_a_tls_proxy_its_header_counts_as_https(client, diary, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


# --- Privacy ----------------------------------------------------------------------------


@pytest.fixture
def broken_after_booking(monkeypatch):
    """A bug in our code after the diary has booked: the worst moment for a 500."""

    def keep(*args, **kwargs):
        raise RuntimeError("a bug after booking")

    monkeypatch.setattr(confirmations, "keep", keep)


def test_the_error_report_sent_to_admins_has_no_patient_detail(
    diary, settings, broken_after_booking
):
    settings.ADMINS = [("Operations", "ops@practice.example")]
    client = Client(raise_request_exception=False)

    page = submit(client, WHEN)

    assert page.status_code == 500
    (report,) = [message for message in mail.outbox if "ops@practice.example" in message.to]
    full = report.body + "".join(str(alt[0]) for alt in getattr(report, "alternatives", []))
    assert "a bug after booking" in full  # it is the report of this fault
    for detail in PATIENT.values():
        assert detail not in full, detail
    assert settings.PHYSIODIARY_API_KEY not in full


def test_the_technical_report_of_any_fault_has_no_patient_detail(
    diary, settings, broken_after_booking
):
    """What Sentry or a debug page would see: every frame's variables, the POST."""
    reports = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(report)
    try:
        submit(Client(raise_request_exception=False), WHEN)
    finally:
        got_request_exception.disconnect(report)

    (text,) = reports
    assert "a bug after booking" in text
    for detail in PATIENT.values():
        assert detail not in text, detail
    assert settings.PHYSIODIARY_API_KEY not in text


def test_the_site_keeps_nothing_of_the_patient_but_the_confirmation(cached, client, diary):
    submit(client, WHEN)

    assert cached()  # the confirmation, at least
    for key, value in cached().items():
        for detail in PATIENT.values():
            assert detail.encode() not in value, key
