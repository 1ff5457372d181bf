"""A booking's "Change or cancel" link: the confirmation carries it; its page, the cancel
request (once), and the pages for a link that does not work or has had its day.

The move, through the wizard's own pages: test_change_moves.py.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest.mock import patch

import pytest
from django.core import mail
from django.core.cache import cache
from django.template import TemplateSyntaxError
from django.utils import timezone, translation

from bookings import changes, emails, maintenance

from ..some_welsh import use_some_welsh
from .change_support import (
    CHANGE_PATH,
    altered,
    book,
    booked_with_link,
    kept_appointment,
    link_on,
    to_patient,
    to_practice,
    token_on,
)
from .test_request_log import captured, requests_logged
from .wizard_support import PATIENT, WHEN, details_url, html, sets_no_cookie, token_of, valid_post


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def cancel(client, link: str, path: str = ""):
    """Open the cancel page of the link, then confirm: the POST's response."""
    url = f"{path}/change/{link}/cancel/"
    return client.post(url, {"token": token_on(client.get(url))})


# --- The confirmation carries the link ----------------------------------------------------


def test_the_confirmation_page_and_email_carry_the_change_link(client, diary):
    page = client.get(book(client))

    link = link_on(page)
    assert "Change or cancel" in html(page)
    assert "Online booking cannot change or cancel" not in html(page)
    (email,) = to_patient()
    assert f"/change/{link}/" in email.body
    assert f"http://testserver/change/{link}/" in email.body  # a whole address, to click


def test_with_change_links_off_the_confirmation_says_to_call_as_before(client, diary, settings):
    settings.BOOKING_CHANGE_LINKS = False

    page = client.get(book(client))

    assert CHANGE_PATH.search(html(page)) is None
    assert "Online booking cannot change or cancel" in html(page)
    assert CHANGE_PATH.search(mail.outbox[0].body) is None


# --- The link's page ----------------------------------------------------------------------


def test_the_link_shows_the_appointment_and_the_two_choices(client, diary):
    link = booked_with_link(client)

    page = client.get(f"/change/{link}/")

    assert page.status_code == 200
    text = html(page)
    assert "Change or cancel your appointment" in text
    assert f"{WHEN:%A} {WHEN.day} {WHEN:%B %Y}" in text
    assert "14:15 to 15:00 (45 minutes, UK time)" in text
    assert "Anna" in text and "Treatment Room 2" in text
    assert f'href="/change/{link}/cancel/"' in text
    assert f"/times/?staffId=42230&amp;sectionId=7323&amp;change={link}" in text
    assert f"/times/?staffId=any&amp;sectionId=any&amp;change={link}" in text
    # Whoever holds the link sees the appointment, not who booked it.
    for detail in PATIENT.values():
        assert detail not in text


def test_the_link_pages_are_never_cached_indexed_or_given_a_cookie(client, diary):
    link = booked_with_link(client)

    for page in (client.get(f"/change/{link}/"), client.get(f"/change/{link}/cancel/")):
        assert page["Cache-Control"] == "no-store"
        assert page["X-Robots-Tag"] == "noindex"
        assert sets_no_cookie(page)


# --- Cancel -------------------------------------------------------------------------------


def test_cancel_asks_to_confirm_first_and_sends_nothing_yet(client, diary):
    link = booked_with_link(client)
    mail.outbox.clear()

    page = client.get(f"/change/{link}/cancel/")

    assert page.status_code == 200
    assert "Are you sure you want to cancel this appointment?" in html(page)
    assert f'action="/change/{link}/cancel/"' in html(page)
    assert f'href="/change/{link}/"' in html(page)  # Keep the appointment
    assert mail.outbox == []
    assert changes.find(link).state == "open"


def test_inside_the_late_cancellation_notice_the_page_says_so_before_confirming(
    client, diary, settings
):
    link = booked_with_link(client)
    settings.BOOKING_LATE_CANCEL_HOURS = 72  # tomorrow is always within 72 hours

    page = client.get(f"/change/{link}/cancel/")

    assert "This is a late cancellation." in html(page)
    assert "at least 72 hours' notice" in html(page)


@pytest.mark.parametrize("hours", [1, 0])
def test_outside_the_notice_or_with_none_the_page_says_nothing_of_it(
    client, diary, settings, hours
):
    link = booked_with_link(client)  # at least BOOKING_MIN_NOTICE_MINUTES (2 hours) away
    settings.BOOKING_LATE_CANCEL_HOURS = hours

    page = client.get(f"/change/{link}/cancel/")

    assert "late cancellation" not in html(page)


def test_confirming_sends_the_practice_one_email_and_acknowledges_on_the_page_and_by_email(
    client, diary
):
    link = booked_with_link(client)
    mail.outbox.clear()

    page = cancel(client, link)

    assert page.status_code == 200
    assert "Cancellation requested" in html(page)
    assert "They will remove the appointment from their diary" in html(page)
    assert "We have emailed you a copy of this." in html(page)
    assert "01632 960 123" in html(page)  # how to reach the practice
    (request,) = to_practice()
    assert request.subject.startswith("Cancel request: ")
    assert "14:15" in request.subject and "Anna" in request.subject
    for detail in ("name", "phone", "email"):
        assert PATIENT[detail] in request.body
    assert PATIENT["desc"] not in request.body  # the reason is never kept
    (acknowledgement,) = to_patient()
    assert f"/change/{link}/" in acknowledgement.body
    assert changes.find(link).state == "cancel"


def test_a_refresh_or_a_double_click_sends_one_request(client, diary):
    link = booked_with_link(client)
    url = f"/change/{link}/cancel/"
    form = {"token": token_on(client.get(url))}
    mail.outbox.clear()

    first, second = client.post(url, form), client.post(url, form)

    assert first.status_code == 200
    assert second.status_code == 303  # to the link's page, which says what was asked
    assert second["Location"] == f"/change/{link}/"
    assert len(to_practice()) == 1
    assert len(to_patient()) == 1


def test_a_request_the_practice_could_not_be_told_of_is_not_taken(client, diary, monkeypatch):
    """The email is the practice's only record of a cancel: no claim without it."""
    link = booked_with_link(client)
    url = f"/change/{link}/cancel/"
    form = {"token": token_on(client.get(url))}

    def broken_template(change):
        raise TemplateSyntaxError("a theme's broken practice_cancel_request.txt")

    monkeypatch.setattr(emails, "practice_cancel_request", broken_template)
    with pytest.raises(TemplateSyntaxError):
        client.post(url, form)

    assert changes.find(link).state == "open"  # the patient may try again, or call


def test_two_posts_that_both_read_the_link_open_send_one_request(client, diary, monkeypatch):
    """A double click split across two servers: each read "open" before either claimed it."""
    link = booked_with_link(client)
    url = f"/change/{link}/cancel/"
    form = {"token": token_on(client.get(url))}
    read_before_the_first_claimed = changes.find(link)
    mail.outbox.clear()
    first = client.post(url, form)
    monkeypatch.setattr(changes, "find", lambda link: read_before_the_first_claimed)

    second = client.post(url, form)

    assert first.status_code == 200
    assert second.status_code == 303
    assert len(to_practice()) == 1
    assert len(to_patient()) == 1


def test_a_second_visit_shows_what_was_requested_and_when(client, diary):
    link = booked_with_link(client)
    cancel(client, link)
    asked = timezone.localtime(changes.find(link).requested_at)

    page = client.get(f"/change/{link}/")

    assert page.status_code == 200
    text = html(page)
    assert "You asked to cancel this appointment on" in text
    assert f"{asked:%A} {asked.day} {asked:%B %Y} at {asked:%H:%M}" in text
    assert "Move to another time" not in text
    # The cancel page, opened again, goes to it too.
    assert client.get(f"/change/{link}/cancel/")["Location"] == f"/change/{link}/"


def test_a_cancel_form_that_is_not_ours_sends_nothing_and_asks_again(client, diary):
    link = booked_with_link(client)
    mail.outbox.clear()

    page = client.post(f"/change/{link}/cancel/", {"token": "made-up"})

    assert page.status_code == 400
    assert "<title>Error: Cancel your appointment" in html(page)
    assert "has not been cancelled yet" in html(page)
    assert token_on(page)  # a fresh form, to press again
    assert mail.outbox == []
    assert changes.find(link).state == "open"


def test_if_the_acknowledgement_cannot_be_emailed_the_page_says_so_and_the_request_stands(
    client, diary
):
    link = booked_with_link(client)
    url = f"/change/{link}/cancel/"
    form = {"token": token_on(client.get(url))}
    refused = smtplib.SMTPRecipientsRefused({PATIENT["email"]: (550, b"no such user")})

    with patch("django.core.mail.EmailMessage.send", side_effect=refused):
        page = client.post(url, form)

    assert page.status_code == 200
    assert "Cancellation requested" in html(page)
    assert "We could not email you a copy of this." in html(page)
    assert changes.find(link).state == "cancel"


# --- Links that do not work, or have had their day -------------------------------------------


def test_a_link_altered_by_one_character_gets_the_link_does_not_work_page(client, diary):
    link = booked_with_link(client)

    for path in (f"/change/{altered(link)}/", f"/change/{altered(link)}/cancel/"):
        page = client.get(path)
        assert page.status_code == 404
        assert "This link does not work" in html(page)
        assert "01632 960 123" in html(page)
    assert client.post(f"/change/{altered(link)}/cancel/", {}).status_code == 404


def test_a_link_cut_short_gets_the_same_page(client, diary):
    link = booked_with_link(client)

    page = client.get(f"/change/{link[:20]}/")

    assert page.status_code == 404
    assert "This link does not work" in html(page)


def test_once_the_appointment_is_over_and_purged_the_link_gets_the_404_page(client, db):
    start = timezone.now() - dt.timedelta(hours=2)
    link = kept_appointment(start)
    assert changes.purge() == 1

    page = client.get(f"/change/{link}/")

    assert page.status_code == 404
    assert "This link does not work" in html(page)


def test_after_the_appointment_started_the_link_gets_the_410_page(client, db):
    link = kept_appointment(timezone.now() - dt.timedelta(minutes=10))

    for page in (client.get(f"/change/{link}/"), client.get(f"/change/{link}/cancel/")):
        assert page.status_code == 410
        assert "This appointment has started" in html(page)
        assert "can no longer be changed or cancelled online" in html(page)
    assert client.post(f"/change/{link}/cancel/", {}).status_code == 410
    assert changes.find(link).state == "open"


def test_a_booking_purges_the_records_of_appointments_that_are_over(client, diary):
    over = kept_appointment(timezone.now() - dt.timedelta(hours=3))

    link = booked_with_link(client)

    assert changes.find(over) is None
    assert changes.find(link) is not None


def test_a_visit_to_a_link_purges_them_too(client, diary):
    link = booked_with_link(client)
    over = kept_appointment(timezone.now() - dt.timedelta(hours=3))
    cache.delete(maintenance.LOCK)  # a minute after the booking's own run

    client.get(f"/change/{link}/")

    assert changes.find(over) is None
    assert changes.find(link) is not None


def test_with_change_links_off_no_link_works(client, diary, settings):
    link = booked_with_link(client)
    settings.BOOKING_CHANGE_LINKS = False

    assert client.get(f"/change/{link}/").status_code == 404


# --- Rate limits, logs, languages -------------------------------------------------------------


def test_visits_to_links_are_limited_like_searches(client, diary, settings):
    link = booked_with_link(client)
    settings.BOOKING_SEARCH_RATE_LIMIT = 2

    statuses = [client.get(f"/change/{altered(link)}/").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]
    assert client.get(f"/change/{link}/").status_code == 429
    page = client.get(f"/change/{link}/")
    assert int(page["Retry-After"]) > 0


def test_cancel_requests_are_limited_like_booking_attempts(client, diary, settings):
    link = booked_with_link(client)
    settings.BOOKING_RATE_LIMIT = 1
    form = {"token": token_on(client.get(f"/change/{link}/cancel/"))}

    first = client.post(f"/change/{link}/cancel/", form)
    second = client.post(f"/change/{link}/cancel/", form)

    assert first.status_code == 200
    assert second.status_code == 429
    assert len(to_practice()) == 1


def test_the_link_is_never_logged(client, diary):
    link = booked_with_link(client)

    with captured("plain") as log:
        client.get(f"/change/{link}/")
        client.get(f"/change/{link}/cancel/")
        client.get(f"/change/{altered(link)}/")  # Django logs "Not Found: <path>" too
        cancel(client, link)

    paths = [line["path"] for line in requests_logged(log)]
    shown = ["/change/…/", "/change/…/cancel/", "/change/…/", "/change/…/cancel/"]
    assert paths == [*shown, "/change/…/cancel/"]
    assert link not in log.stream.getvalue()
    assert altered(link) not in log.stream.getvalue()
    assert "Not Found: /change/…/" in log.stream.getvalue()


def test_a_link_from_a_welsh_booking_opens_in_welsh(client, diary, bilingual, tmp_path):
    settings = bilingual
    use_some_welsh(
        settings,
        tmp_path,
        ("Change or cancel your appointment", "Newid neu ganslo eich apwyntiad"),
    )
    with translation.override("cy"):
        url = details_url(WHEN)
    booked = client.post(url, valid_post(token_of(client.get(url)), WHEN))
    assert booked["Location"].startswith("/cy/booked/")

    (email,) = to_patient()
    found = CHANGE_PATH.search(email.body)
    assert found[0].startswith("/cy/change/")
    page = client.get(found[0])

    assert page.status_code == 200
    assert '<html lang="cy"' in html(page)
    assert "Newid neu ganslo eich apwyntiad" in html(page)
    assert link_on(client.get(booked["Location"])) == found[1]
