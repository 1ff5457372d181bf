"""A change or cancel link when something fails: the page comes first, and no error
report holds a patient's details.

(The link's own pages: test_change_links.py; moves: test_change_moves.py.)
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.utils import timezone
from django.utils.log import AdminEmailHandler

from bookings import changes, confirmations, maintenance
from bookings.views import booking as booking_views
from bookings.views import change as change_views

from .change_support import booked_with_link, kept_appointment, token_on
from .test_change_moves import NEW, open_move, post_move
from .wizard_support import PATIENT, WHEN, details_url, open_details, valid_post


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN, NEW)
    return diary


@pytest.fixture
def reports(settings, monkeypatch):
    """The mail to ADMINS, with each frame's variables (its HTML part): `reports()`."""
    settings.ADMINS = [("Operations", "ops@practice.example")]
    (handler,) = [
        h for h in logging.getLogger("django").handlers if isinstance(h, AdminEmailHandler)
    ]
    monkeypatch.setattr(handler, "include_html", True)

    def sent() -> str:
        (report,) = [message for message in mail.outbox if "ops@practice.example" in message.to]
        return report.body + "".join(str(part[0]) for part in report.alternatives)

    return sent


def sent(page) -> None:
    """Close the page as the server does once it has sent it (and as the test client does,
    keeping the test's database connection)."""
    request_finished.disconnect(close_old_connections)
    try:
        page.close()
    finally:
        request_finished.connect(close_old_connections)


# --- Maintenance waits until the page has gone ----------------------------------------------


def test_the_purge_waits_until_the_link_s_page_has_gone(client, diary, rf):
    """Maintenance can wait on a hung mail server: never before the patient has the page."""
    link = booked_with_link(client)
    over = kept_appointment(timezone.now() - dt.timedelta(hours=3))
    cache.delete(maintenance.LOCK)

    page = change_views.overview(rf.get(f"/change/{link}/"), link)

    assert page.status_code == 200
    assert changes.find(over) is not None  # the page is ready, and nothing done yet
    sent(page)
    assert changes.find(over) is None


def test_a_booking_s_page_goes_before_the_purge_too(client, diary, rf):
    over = kept_appointment(timezone.now() - dt.timedelta(hours=3))
    token = open_details(client, WHEN)

    page = booking_views.details(rf.post(details_url(WHEN), valid_post(token, WHEN)))

    assert page.status_code == 303  # booked
    assert changes.find(over) is not None
    sent(page)
    assert changes.find(over) is None


# --- Error reports ---------------------------------------------------------------------------


def test_the_error_report_of_a_failed_cancel_has_no_patient_detail_nor_the_link(
    client, diary, monkeypatch, reports
):
    link = booked_with_link(client)
    cancel_page = client.get(f"/change/{link}/cancel/")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the claim")  # once `found` and `asked` are at hand

    monkeypatch.setattr(changes, "claim", broken)
    client.raise_request_exception = False
    page = client.post(f"/change/{link}/cancel/", {"token": token_on(cancel_page)})

    assert page.status_code == 500
    report = reports()
    assert "a bug in the claim" in report  # it is the report of this fault
    for detail in ("name", "phone", "email"):
        assert PATIENT[detail] not in report  # not in `found` or `asked`
    # Nor the link, which opens the patient's pages: not in the URL, nor any frame's `link`.
    assert link not in report
    assert "/change/…/cancel/" in report


def test_the_error_report_of_a_failed_move_has_no_patient_detail_nor_the_link(
    client, diary, monkeypatch, reports
):
    link = booked_with_link(client)
    form = open_move(client, link)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug after booking")

    monkeypatch.setattr(confirmations, "keep", broken)
    client.raise_request_exception = False
    assert post_move(client, form).status_code == 500

    report = reports()
    assert "a bug after booking" in report
    for detail in PATIENT.values():
        assert detail not in report
    assert link not in report  # the form's `change` field, and `move` in each frame
