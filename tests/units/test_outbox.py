"""The practice's mail that must arrive: kept sealed when refused, retried, listed, never shown."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from email.mime.image import MIMEImage

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection, connections
from django.http import HttpResponse
from django.utils import timezone

from bookings import maintenance, outbox
from bookings.models import OutboxEmail

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
REFUSING = f"{__name__}.RefusingBackend"
PATIENT = ("Gwenllian Prydderch", "gwenllian.prydderch@example.org", "029 2018 0447")
PRACTICE = "reception@riverside-physio.example"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything, with the addresses in the exception, as SMTP does."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {PRACTICE: (550, b"mailbox full: " + PATIENT[1].encode())}
        )


class HeldBackend(locmem.EmailBackend):
    """A mail server that answers only once `RELEASE` is set: a send still going on."""

    RELEASE = threading.Event()

    def send_messages(self, messages):
        assert self.RELEASE.wait(timeout=10), "never released"
        return super().send_messages(messages)


class SilentBackend(BaseEmailBackend):
    """A backend told to fail silently: no error, nothing sent."""

    def send_messages(self, messages):
        return 0


def cancel_request() -> EmailMultiAlternatives:
    name, email, phone = PATIENT
    message = EmailMultiAlternatives(
        subject=f"Cancel request: Tue 8 Dec 10:30, Anna ({name})",
        body=f"Please remove: Tue 8 Dec 10:30, Anna, Treatment Room 2.\n{name}, {phone}, {email}\n",
        from_email="bookings@riverside-physio.example",
        to=[PRACTICE],
        reply_to=[email],
        headers={"X-Booking-Request": "cancel"},
    )
    message.attach_alternative(f"<p>Please remove: <b>{name}</b></p>", "text/html")
    message.attach("request.txt", f"{name}\n", "text/plain")
    message.attach("bytes.bin", b"\x00\x01\xff", "application/octet-stream")
    return message


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = REFUSING
    return settings


def everything_logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_info!r}" for r in caplog.records)


def refused_and_kept(caplog) -> tuple[OutboxEmail, dt.datetime]:
    """A cancel request the mail server refused, kept; and the moment it was kept."""
    before = timezone.now()
    with caplog.at_level(logging.DEBUG, logger="bookings"):
        assert outbox.send_to_practice(cancel_request()) is False
    return OutboxEmail.objects.get(), before


def retry_until_given_up() -> list[dt.datetime]:
    """Each try's moment, until the one email kept is given up (at most 100 tries)."""
    tries = []
    for _ in range(100):
        due = OutboxEmail.objects.get().next_try
        if due is None:
            return tries
        outbox.retry_due(due)
        tries.append(due)
    raise AssertionError("still retried after 100 tries")


def assert_no_patient_details(text: str) -> None:
    for detail in (*PATIENT, "Gwenllian", "Prydderch", PRACTICE, "Cancel request"):
        assert detail not in text


# --- At once -------------------------------------------------------------------------------


def test_an_email_the_mail_server_takes_is_sent_at_once_and_not_kept(settings):
    settings.EMAIL_BACKEND = LOCMEM

    assert outbox.send_to_practice(cancel_request()) is True

    assert [m.subject for m in mail.outbox] == [cancel_request().subject]
    assert not OutboxEmail.objects.exists()


def test_a_refused_email_is_kept_sealed_and_logged_without_details(refusing, caplog):
    kept, before = refused_and_kept(caplog)

    assert (kept.attempts, kept.last_error) == (1, "SMTPRecipientsRefused")
    assert (
        before + dt.timedelta(minutes=1)
        <= kept.next_try
        <= timezone.now() + dt.timedelta(minutes=1)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM bookings_outboxemail")
        row = repr(cursor.fetchall())
    assert_no_patient_details(row)
    assert "gAAAAA" in row  # a Fernet token
    assert_no_patient_details(everything_logged(caplog))
    assert f"practice email {kept.pk} not sent (SMTPRecipientsRefused)" in caplog.text


def test_a_backend_that_sends_nothing_without_an_error_counts_as_refused(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SilentBackend"

    assert outbox.send_to_practice(cancel_request()) is False

    assert OutboxEmail.objects.get().last_error == "NotSent"


def test_with_no_key_a_refused_email_is_lost_and_says_so_at_error(refusing, caplog):
    refusing.BOOKING_RECORD_KEY = []

    with caplog.at_level(logging.INFO, logger="bookings"):
        assert outbox.send_to_practice(cancel_request()) is False

    assert not OutboxEmail.objects.exists()
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "it is lost" in error.getMessage()
    assert_no_patient_details(everything_logged(caplog))


# --- Later ---------------------------------------------------------------------------------


def test_a_kept_email_is_sent_whole_once_the_mail_server_takes_it(refusing, caplog):
    kept, _ = refused_and_kept(caplog)
    refusing.EMAIL_BACKEND = LOCMEM

    assert outbox.retry_due(kept.next_try) == 1

    (sent,) = mail.outbox
    original = cancel_request()
    for part in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers"):
        assert getattr(sent, part) == getattr(original, part)
    assert sent.alternatives == original.alternatives
    assert sent.attachments == original.attachments
    assert not OutboxEmail.objects.exists()


def test_an_inline_image_survives_the_outbox(refusing, caplog):
    message = EmailMultiAlternatives("Move request", "text", to=[PRACTICE])
    image = MIMEImage(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif")
    image["Content-ID"] = "<logo>"
    message.attach(image)
    assert outbox.send_to_practice(message) is False
    refusing.EMAIL_BACKEND = LOCMEM

    assert outbox.retry_due(timezone.now() + dt.timedelta(minutes=2)) == 1

    (part,) = mail.outbox[0].attachments
    assert part["Content-ID"] == "<logo>"
    assert part.get_payload(decode=True) == b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    assert "Content-ID: <logo>" in mail.outbox[0].message().as_string()


def test_a_plain_email_message_comes_back_as_it_was(refusing):
    assert (
        outbox.send_to_practice(EmailMessage("Lost outcome", "Check the diary.", to=[PRACTICE]))
        is False
    )
    refusing.EMAIL_BACKEND = LOCMEM

    outbox.retry_due(timezone.now() + dt.timedelta(minutes=2))

    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to, sent.alternatives) == (
        "Lost outcome",
        "Check the diary.",
        [PRACTICE],
        [],
    )


def test_it_is_retried_after_1_5_15_and_60_minutes_then_hourly(refusing, caplog):
    kept, _ = refused_and_kept(caplog)
    created = kept.created

    assert outbox.retry_due(kept.next_try - dt.timedelta(seconds=1)) == 0
    assert OutboxEmail.objects.get().attempts == 1  # not due: not tried

    waits = []
    for _ in range(6):
        due = OutboxEmail.objects.get().next_try
        outbox.retry_due(due)
        waits.append(OutboxEmail.objects.get().next_try - due)

    assert [int(w.total_seconds() // 60) for w in waits] == [5, 15, 60, 60, 60, 60]
    assert OutboxEmail.objects.get().attempts == 7
    assert kept.next_try - created == dt.timedelta(minutes=1)


def test_a_stuck_email_is_logged_at_warning_once_without_details(refusing, caplog):
    kept, _ = refused_and_kept(caplog)

    with caplog.at_level(logging.INFO, logger="bookings"):
        for _ in range(10):  # 10 more tries: over 6 hours
            outbox.retry_due(OutboxEmail.objects.get().next_try)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"practice email {kept.pk} stuck" in warnings[0].getMessage()
    assert "SMTPRecipientsRefused" in warnings[0].getMessage()
    assert OutboxEmail.objects.get().warned
    assert_no_patient_details(everything_logged(caplog))


def test_after_two_days_it_is_given_up_at_error_and_tried_no_more(refusing, caplog):
    refused_and_kept(caplog)

    with caplog.at_level(logging.INFO, logger="bookings"):
        retry_until_given_up()

    assert [r.levelname for r in caplog.records].count("ERROR") == 1
    assert "given up" in caplog.text
    refusing.EMAIL_BACKEND = LOCMEM
    assert outbox.retry_due(timezone.now() + dt.timedelta(days=30)) == 0
    assert mail.outbox == []


def test_a_given_up_email_is_deleted_30_days_after_it_was_kept_and_not_before(refusing, caplog):
    kept, _ = refused_and_kept(caplog)
    retry_until_given_up()
    waiting = outbox.send_to_practice(EmailMessage("Still trying", "body", to=["x@example.com"]))

    assert waiting is False and OutboxEmail.objects.count() == 2
    assert outbox.purge_given_up(kept.created + dt.timedelta(days=29)) == 0
    with caplog.at_level(logging.WARNING, logger="bookings"):
        assert outbox.purge_given_up(kept.created + dt.timedelta(days=31)) == 1
    # The one still being tried stays, however old.
    assert OutboxEmail.objects.get().next_try is not None
    assert "deleted after 30 days" in caplog.text


def test_the_last_try_is_within_two_days_of_the_first(refusing, caplog):
    kept, _ = refused_and_kept(caplog)
    tries = [kept.created, *retry_until_given_up()]

    assert tries[-1] - tries[0] <= dt.timedelta(days=2)
    assert tries[-1] - tries[0] > dt.timedelta(days=2) - dt.timedelta(hours=1)


def test_an_email_sealed_with_a_key_no_longer_listed_is_given_up(refusing, caplog):
    from cryptography.fernet import Fernet

    kept, _ = refused_and_kept(caplog)
    refusing.BOOKING_RECORD_KEY = [Fernet.generate_key().decode()]
    refusing.EMAIL_BACKEND = LOCMEM

    assert outbox.retry_due(kept.next_try) == 0

    kept.refresh_from_db()
    assert (kept.next_try, kept.last_error) == (None, "KeyNotListed")


@pytest.mark.django_db(transaction=True)
def test_two_servers_retrying_at_once_send_it_once(refusing, caplog):
    kept, _ = refused_and_kept(caplog)
    refusing.EMAIL_BACKEND = f"{__name__}.HeldBackend"
    HeldBackend.RELEASE.clear()
    together = threading.Barrier(4, timeout=10)
    # The server that took the email sends it only once the other three have
    # tried and returned, so all four overlap whatever the machine's speed.
    others_done = threading.Semaphore(0)

    def retry(_: int) -> int:
        try:
            together.wait()
            sent = outbox.retry_due(kept.next_try)
            if not sent:
                others_done.release()
            return sent
        finally:
            connections.close_all()

    def release_after_the_others() -> None:
        for _ in range(3):
            assert others_done.acquire(timeout=10)
        HeldBackend.RELEASE.set()

    threading.Thread(target=release_after_the_others, daemon=True).start()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(retry, range(4))) == 1

    assert len(mail.outbox) == 1


def test_the_send_outbox_command_sends_what_is_due(refusing, caplog, capsys):
    refused_and_kept(caplog)
    OutboxEmail.objects.update(next_try=timezone.now())
    refusing.EMAIL_BACKEND = LOCMEM

    call_command("send_outbox")

    assert "1 sent; 0 waiting; 0 given up" in capsys.readouterr().out
    assert len(mail.outbox) == 1


# --- As requests come in --------------------------------------------------------------------


def test_maintenance_runs_at_most_once_a_minute(refusing, caplog):
    refused_and_kept(caplog)
    OutboxEmail.objects.update(next_try=timezone.now())
    refusing.EMAIL_BACKEND = LOCMEM

    assert maintenance.run_if_due() is True
    assert len(mail.outbox) == 1

    due = timezone.now()
    OutboxEmail.objects.create(sealed="sealed elsewhere", next_try=due)
    assert maintenance.run_if_due() is False
    assert (
        OutboxEmail.objects.get().next_try == due
    )  # not tried: the last run was under a minute ago


def test_maintenance_after_a_page_runs_once_the_server_has_sent_it(refusing, caplog):
    refused_and_kept(caplog)
    OutboxEmail.objects.update(next_try=timezone.now())
    refusing.EMAIL_BACKEND = LOCMEM

    page = maintenance.after(HttpResponse("the patient's page"))

    assert mail.outbox == []  # a hung mail server would hold the page here
    request_finished.disconnect(close_old_connections)  # as the test client does
    try:
        page.close()  # what the server does once the page has gone
    finally:
        request_finished.connect(close_old_connections)
    assert len(mail.outbox) == 1


def test_maintenance_never_raises(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(outbox, "retry_due", broken)

    with caplog.at_level(logging.ERROR):
        assert maintenance.run_if_due() is True

    assert "maintenance failed: RuntimeError" in caplog.text


# --- The admin -----------------------------------------------------------------------------


def test_the_admin_lists_kept_emails_without_their_content(refusing, caplog, admin_client):
    kept, _ = refused_and_kept(caplog)

    listing = admin_client.get("/admin/bookings/outboxemail/")
    page = admin_client.get(f"/admin/bookings/outboxemail/{kept.pk}/change/")

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        text = response.content.decode()
        assert "SMTPRecipientsRefused" in text
        assert_no_patient_details(text)
        assert "gAAAAA" not in text


def test_the_admin_can_try_a_given_up_email_again(refusing, caplog, admin_client):
    kept, _ = refused_and_kept(caplog)
    OutboxEmail.objects.update(next_try=None)

    admin_client.post(
        "/admin/bookings/outboxemail/",
        {"action": "try_again_now", "_selected_action": [kept.pk]},
    )

    assert OutboxEmail.objects.get().next_try is not None
