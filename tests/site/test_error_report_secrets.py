"""Error reports (the technical 500 page, the mail to ADMINS) show no password from a URL.

Django hides settings and request variables by their names; a password inside
a URL-valued one (PHYSIODIARY_PROXY, CACHE_URL, DATABASE_URL, EMAIL_URL, and
the CACHES location CACHE_URL becomes) is hidden by booking_site/error_reports.py.
"""

from __future__ import annotations

import logging
import sys

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, get_exception_reporter_filter

from bookings import wizard

SECRET = "s3cr3t-Pa55"  # the value every report is searched for
PROXY = f"http://egress:{SECRET}@proxy.internal:3128"
REDIS = f"redis://:{SECRET}@cache.internal:6379/1"

#: As `runserver` passes the whole environment in each request's META.
ENVIRONMENT = {
    "PHYSIODIARY_PROXY": PROXY,
    "CACHE_URL": REDIS,
    "DATABASE_URL": f"postgres://booking:{SECRET}@db.internal:5432/booking",
    "EMAIL_URL": f"smtp+tls://bookings%40practice.example:{SECRET}@smtp.example.com:587",
}


@pytest.fixture
def url_settings(settings):
    """Settings holding passwords in URLs, as a production .env would give them."""
    settings.PHYSIODIARY_PROXY = PROXY
    # What CACHE_URL=redis://… becomes; never used here, so never connected to.
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
    }
    settings.BOOKING_EXAMPLES = {"nested": [("a tuple", [PROXY])]}  # any depth
    return settings


def failure():
    proxies = {"https": PROXY}  # noqa: F841 - the failing frame's variable, in the report
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        return sys.exc_info()


def test_the_technical_500_report_hides_the_password_of_every_url(url_settings):
    request = RequestFactory().get("/times/", **ENVIRONMENT)
    reporter = ExceptionReporter(request, *failure())
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    assert "proxies" in html  # the failing frame's variables are shown
    for report in (html, text):
        assert "proxy.internal:3128" in report  # the settings are shown...
        assert "cache.internal:6379/1" in report
        assert SECRET not in report  # ...but no password in them


def test_the_filter_keeps_what_tells_the_reader_which_server_was_meant():
    hidden = get_exception_reporter_filter(None).cleanse_setting("CACHE_URL", REDIS)
    assert hidden == "redis://:********************@cache.internal:6379/1"
    without = "http://proxy.internal:3128"
    assert get_exception_reporter_filter(None).cleanse_setting("PROXY", without) == without


def test_the_error_mail_to_the_admins_hides_the_password_of_every_url(
    url_settings, diary, monkeypatch
):
    url_settings.ADMINS = [("Ops", "ops@practice.example")]
    url_settings.DEBUG = False
    url_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The report attached as HTML as well as the text body: both are searched.
    (handler,) = [
        h for h in logging.getLogger("django").handlers if isinstance(h, AdminEmailHandler)
    ]
    monkeypatch.setattr(handler, "include_html", True)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(wizard, "malformed", broken)
    page = Client(raise_request_exception=False).get("/times/", **ENVIRONMENT)
    assert page.status_code == 500

    (report,) = mail.outbox
    assert "PHYSIODIARY_PROXY" in report.body
    everything = report.body + "".join(str(part[0]) for part in report.alternatives)
    assert "cache.internal" in everything
    assert SECRET not in everything
