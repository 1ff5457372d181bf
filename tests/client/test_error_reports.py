"""What an error report (a mail to the admins, Sentry) could learn from a failed call.

The client keeps the key and the patient's details out of its exceptions and
log lines, but a report also shows each frame's local variables, and the
client's frames hold both. The `physiodiary` package knows nothing of Django:
it is the site that marks each of its functions calling the client with
`sensitive_variables()`, and Django then hides the variables of every frame
called from a marked one, the client's included.
"""

import io
import sys
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter
from django.views.decorators.debug import sensitive_variables
from requests.adapters import BaseAdapter

from bookings import diary
from physiodiary import PhysiodiaryClient, Unavailable, UnknownOutcome

from ..site.wizard_support import WHEN, FakeDiary, submit
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


def hidden_from_error_reports() -> bool:
    """Whether a frame on the stack is one Django's reports hide the frames below (Django 5.2)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "sensitive_variables_wrapper":
            return True
        frame = frame.f_back
    return False


@pytest.fixture
def unmarked_calls(monkeypatch) -> Iterator[list[str]]:
    """The actions the client sent from a stack with no marked frame in it."""
    found: list[str] = []
    send = PhysiodiaryClient._post

    def watched(client, action, fields):
        if not hidden_from_error_reports():
            found.append(action)
        return send(client, action, fields)

    monkeypatch.setattr(PhysiodiaryClient, "_post", watched)
    return found


@pytest.fixture
def site_diary(live_api):
    fake = FakeDiary(live_api)
    fake.add_free(WHEN)
    return fake


# --- What the site's marks hide -----------------------------------------------


def test_an_error_report_of_a_failed_booking_shows_neither_key_nor_patient(settings):
    # Django hides sensitive variables only with DEBUG off, as in production.
    settings.DEBUG = False
    client = make_client(sleep=lambda seconds: None)
    client.session.mount(VENDOR_URL, BrokenAdapter())

    @sensitive_variables()  # as the site marks each of its functions that call the client
    def book():
        return client.book(**VENDOR_BOOKING)

    with pytest.raises(UnknownOutcome):
        try:
            book()
        except UnknownOutcome:
            report = error_report(sys.exc_info())
            raise

    assert "_post" in report  # the report is real, down to the frame that sent
    assert "********************" in report  # Django's mask for hidden variables
    assert API_KEY not in report
    for detail in PATIENT_DETAILS:
        assert detail not in report


def test_an_error_report_of_a_failed_read_through_the_site_shows_no_key(settings, mocked):
    settings.DEBUG = False
    settings.PHYSIODIARY_API_URL = VENDOR_URL
    settings.PHYSIODIARY_API_KEY = API_KEY
    settings.PHYSIODIARY_READ_RETRIES = 0
    mocked.post(VENDOR_URL, body=connection_reset())

    with pytest.raises(Unavailable):
        try:
            diary.practitioners()
        except Unavailable:
            report = error_report(sys.exc_info())
            raise

    assert "_post" in report
    assert API_KEY not in report


# --- Every call of the site is made from a marked frame ------------------------


def test_every_page_calls_the_diary_from_a_marked_frame(site_diary, unmarked_calls):
    browser = Client()  # `client` is the Physiodiary client in these tests
    browser.get("/")  # both lists, asked for at once
    browser.get("/times/?staffId=any&sectionId=any")  # every pair, asked for at once
    browser.get("/times/?staffId=42230&sectionId=7323")  # one pair
    submit(browser, WHEN)  # a booking

    assert {call["action"] for call in site_diary.sent} == {
        "staffList",
        "sectionList",
        "freeList",
        "book",
    }
    assert unmarked_calls == []


def test_the_health_check_calls_the_diary_from_a_marked_frame(site_diary, unmarked_calls):
    Client().get("/readyz")

    assert site_diary.calls("staffList")
    assert unmarked_calls == []


def test_the_connection_check_calls_the_diary_from_a_marked_frame(site_diary, unmarked_calls):
    call_command("physiodiary_check", stdout=io.StringIO())

    assert site_diary.calls("staffList")
    assert site_diary.calls("sectionList")
    assert unmarked_calls == []
