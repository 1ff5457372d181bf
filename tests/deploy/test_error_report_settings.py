"""The settings as a started site reads them from URLs with passwords, in an error report.

tests/site/test_error_report_secrets.py checks the filter on settings a test
sets; here the site is started afresh from the environment, so CACHE_URL,
DATABASE_URL and EMAIL_URL become the settings Django really builds (the
CACHES location among them) before the report is written.
"""

from __future__ import annotations

import json

from ..environment import start_django

SECRET = "s3cr3t-Pa55"  # the value every report is searched for

ENVIRONMENT = {
    "PHYSIODIARY_PROXY": f"http://egress:{SECRET}@proxy.internal:3128",
    "CACHE_URL": f"redis://:{SECRET}@127.0.0.1:6379/1",
    "DATABASE_URL": f"postgres://booking:{SECRET}@db.internal:5432/booking",
    "EMAIL_URL": f"smtp+tls://bookings%40practice.example:{SECRET}@smtp.example.com:587",
}

REPORT = """
import json, sys
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import ExceptionReporter
try:
    raise RuntimeError("a bug")
except RuntimeError:
    reporter = ExceptionReporter(RequestFactory().get("/"), *sys.exc_info())
print(json.dumps({
    "location": settings.CACHES["default"]["LOCATION"],
    "text": reporter.get_traceback_text(),
    "html": reporter.get_traceback_html(),
}))
"""


def test_a_started_sites_error_report_shows_no_password_from_its_urls():
    result = start_django(code=REPORT, **ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)
    assert SECRET in written["location"]  # the site really holds it...
    for report in (written["text"], written["html"]):
        assert "CACHES" in report
        assert "127.0.0.1:6379/1" in report
        assert "proxy.internal:3128" in report
        assert SECRET not in report  # ...and its reports do not show it
