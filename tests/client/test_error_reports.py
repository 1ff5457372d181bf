"""What an error report (a mail to the admins, Sentry) could learn from a failed call."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter
from requests.adapters import BaseAdapter

from bookings.physiodiary import Unavailable, UnknownOutcome

from .support import API_KEY, VENDOR_BOOKING, VENDOR_URL, connection_reset, make_client

PATIENT_DETAILS = [VENDOR_BOOKING[field] for field in ("name", "phone", "email", "desc")]


class BrokenAdapter(BaseAdapter):
    """A transport with a bug of its own: the error escapes the client unhandled."""

    def send(self, request, **kwargs):
        raise RuntimeError("a bug below the client")

    def close(self):
        pass


def error_report(exc_info) -> str:
    """The HTML report Django mails to the admins, with every frame's variables."""
    request = RequestFactory().post("/")
    return ExceptionReporter(request, *exc_info).get_traceback_html()


def test_a_bug_below_the_client_becomes_an_unknown_outcome_not_a_500(caplog):
    client = make_client(sleep=lambda seconds: None)
    client.session.mount(VENDOR_URL, BrokenAdapter())

    with pytest.raises(UnknownOutcome) as raised:
        client.book(**VENDOR_BOOKING)

    assert raised.value.reason == "transport"
    assert raised.value.__context__ is None
    assert "unexpected RuntimeError" in caplog.text
    assert "a bug below the client" not in caplog.text


def test_an_error_report_of_a_failed_booking_shows_neither_key_nor_patient(settings):
    # Django hides sensitive variables only with DEBUG off, as in production.
    settings.DEBUG = False
    client = make_client(sleep=lambda seconds: None)
    client.session.mount(VENDOR_URL, BrokenAdapter())

    with pytest.raises(UnknownOutcome):
        try:
            client.book(**VENDOR_BOOKING)
        except UnknownOutcome:
            report = error_report(sys.exc_info())
            raise

    assert "_post" in report  # the report is real, down to the frame that sent
    assert "********************" in report  # Django's mask for hidden variables
    assert API_KEY not in report
    for detail in PATIENT_DETAILS:
        assert detail not in report


def test_a_failed_booking_carries_no_trace_of_the_request_it_wraps(mocked, client):
    mocked.post(VENDOR_URL, body=connection_reset())

    with pytest.raises(UnknownOutcome) as raised:
        client.book(**VENDOR_BOOKING)

    # requests' exception holds the prepared request, key and patient included.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


def test_a_failed_read_reports_no_key(settings, mocked, client):
    settings.DEBUG = False
    mocked.post(VENDOR_URL, body=connection_reset())
    mocked.post(VENDOR_URL, body=connection_reset())
    mocked.post(VENDOR_URL, body=connection_reset())

    with pytest.raises(Unavailable):
        try:
            client.practitioners()
        except Unavailable:
            report = error_report(sys.exc_info())
            raise

    assert "Unavailable" in report
    assert API_KEY not in report
