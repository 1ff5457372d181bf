"""The practice's mail that must arrive: tried at once, else kept sealed and retried.

A cancel or move request exists only as the email that tells the practice:
the API cannot cancel, and the link's record says "requested" whatever
became of the mail. So a practice email the mail server does not take is
kept in the database (OutboxEmail), sealed with BOOKING_RECORD_KEY like the
change records, and tried again with backoff by `retry_due` (the timer's
`manage.py send_outbox`, and `maintenance.run_if_due` as requests come in).
One that has failed for an hour is logged at WARNING, once; after two days
it is given up, logged at ERROR, and stays listed in the admin until someone
tries it again there or deletes it. Logs never say who it was about, to whom
it went, or the exception's text (SMTPRecipientsRefused carries addresses):
the record's number and the exception's class only.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.message
import json
import logging
from email.mime.base import MIMEBase
from email.policy import compat32

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from . import crypto
from .models import OutboxEmail

logger = logging.getLogger(__name__)

#: Waits after the first, second, third and fourth failed try; hourly after that.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
)
#: Failing this long, an email is stuck: logged at WARNING, once.
STUCK_AFTER = dt.timedelta(hours=1)
#: Tried no more this long after it was first kept.
GIVE_UP_AFTER = dt.timedelta(days=2)
#: A given-up email is deleted this long after it was first kept: it holds a
#: patient's details, and an appointment it was about is long past by then.
DELETE_GIVEN_UP_AFTER = dt.timedelta(days=30)
#: How long one server holds an email it is sending, so that another does not send it too.
_LEASE = dt.timedelta(minutes=5)


def send_to_practice(message: EmailMessage) -> bool:
    """Send now; on any failure keep it, sealed, to retry, and return False. Never raises.

    The mail backend's own timeout (EMAIL_TIMEOUT, per step of the SMTP
    conversation) bounds the wait.
    """
    try:
        _send(message)
    except Exception as exc:  # whatever the mail server did, the request is not lost
        return _keep(message, exc)
    return True


def retry_due(now: dt.datetime | None = None, *, limit: int | None = None) -> int:
    """Send the kept emails whose next try is due, at most `limit`; how many were sent."""
    now = now or timezone.now()
    due = OutboxEmail.objects.filter(next_try__lte=now).order_by("next_try")
    sent = 0
    for pk, next_try in due.values_list("pk", "next_try")[:limit]:
        # Taken only if no other server took it meanwhile: one UPDATE, on the value read.
        if not OutboxEmail.objects.filter(pk=pk, next_try=next_try).update(next_try=now + _LEASE):
            continue
        kept = OutboxEmail.objects.filter(pk=pk).first()  # None: deleted in the admin meanwhile
        sent += bool(kept and _retry(kept, now))
    return sent


def _retry(kept: OutboxEmail, now: dt.datetime) -> bool:
    data = crypto.unseal(kept.sealed)
    if data is None:
        # Sealed with a key no longer in BOOKING_RECORD_KEY: no later try can open it.
        OutboxEmail.objects.filter(pk=kept.pk).update(next_try=None, last_error="KeyNotListed")
        logger.error("practice email %s given up: BOOKING_RECORD_KEY cannot open it", kept.pk)
        return False
    try:
        _send(_message(json.loads(data)))
    except Exception as exc:  # kept for the next try
        _failed(kept, type(exc).__name__, now)
        return False
    OutboxEmail.objects.filter(pk=kept.pk).delete()
    logger.info("practice email %s sent after %d tries", kept.pk, kept.attempts + 1)
    return True


def _send(message: EmailMessage) -> None:
    if message.send() != 1:
        raise NotSent


class NotSent(Exception):
    """The backend took the message without an error but sent nothing (fail_silently)."""


def _keep(message: EmailMessage, exc: Exception) -> bool:
    error = type(exc).__name__
    try:
        sealed = crypto.seal(json.dumps(_plain(message)).encode())
        now = timezone.now()
        with transaction.atomic():  # a savepoint: a failure here leaves a caller's transaction
            kept = OutboxEmail.objects.create(
                created=now, next_try=now + BACKOFF[0], last_error=error[:100], sealed=sealed
            )
    except Exception as keeping:  # no key (links off), no database: say so, never raise
        logger.error(
            "practice email not sent (%s) and not kept (%s): it is lost",
            error,
            type(keeping).__name__,
        )
        return False
    logger.info("practice email %s not sent (%s): kept, next try in 1 minute", kept.pk, error)
    return False


def _failed(kept: OutboxEmail, error: str, now: dt.datetime) -> None:
    attempts = kept.attempts + 1
    next_try: dt.datetime | None = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
    stuck = now - kept.created >= STUCK_AFTER
    if next_try - kept.created > GIVE_UP_AFTER:
        next_try = None
        logger.error(
            "practice email %s given up after %d tries (%s): listed in the admin",
            kept.pk,
            attempts,
            error,
        )
    elif stuck and not kept.warned:
        logger.warning(
            "practice email %s stuck: %d tries since %s, last %s; trying hourly for 2 days",
            kept.pk,
            attempts,
            f"{kept.created:%Y-%m-%d %H:%M} UTC",
            error,
        )
    OutboxEmail.objects.filter(pk=kept.pk).update(
        attempts=attempts, next_try=next_try, last_error=error[:100], warned=kept.warned or stuck
    )


# --- A message as JSON, and back ---------------------------------------------------------


def _plain(message: EmailMessage) -> dict[str, object]:
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "mixed_subtype": message.mixed_subtype,
        "alternatives": [list(a) for a in getattr(message, "alternatives", [])],
        "attachments": [_attachment(a) for a in message.attachments],
    }


def _attachment(attachment: object) -> dict[str, object]:
    if isinstance(attachment, MIMEBase):
        return {"mime": base64.b64encode(attachment.as_bytes()).decode()}
    filename, content, mimetype = attachment  # type: ignore[misc]
    raw = content.encode() if isinstance(content, str) else content
    return {
        "filename": filename,
        "content": base64.b64encode(raw).decode(),
        "text": isinstance(content, str),
        "mimetype": mimetype,
    }


def _message(plain: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=plain["subject"],
        body=plain["body"],
        from_email=plain["from_email"],
        to=plain["to"],
        cc=plain["cc"],
        bcc=plain["bcc"],
        reply_to=plain["reply_to"],
        headers=plain["headers"],
        alternatives=[tuple(a) for a in plain["alternatives"]],
    )
    message.content_subtype = plain["content_subtype"]
    message.mixed_subtype = plain["mixed_subtype"]
    for attachment in plain["attachments"]:
        raw = base64.b64decode(attachment.get("mime") or attachment["content"])
        if "mime" in attachment:
            message.attach(email.message_from_bytes(raw, _class=_Part))
        else:
            content = raw.decode() if attachment["text"] else raw
            message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


class _Part(MIMEBase):
    """A MIME part read back from its bytes (an inline image), as Django's `attach` wants one."""

    def __init__(self, policy: object = compat32) -> None:
        email.message.Message.__init__(self, policy)  # type: ignore[arg-type]


def purge_given_up(now: dt.datetime | None = None) -> int:
    """Delete given-up emails kept longer than DELETE_GIVEN_UP_AFTER; how many."""
    cutoff = (now or timezone.now()) - DELETE_GIVEN_UP_AFTER
    deleted, _ = OutboxEmail.objects.filter(next_try__isnull=True, created__lt=cutoff).delete()
    if deleted:
        logger.warning("%d given-up practice email(s) deleted after 30 days, unsent", deleted)
    return deleted


def reseal_all() -> int:
    """Seal every kept email with the first key (after a key rotation); how many were resealed."""
    count = 0
    for kept in OutboxEmail.objects.only("pk", "sealed").iterator():
        sealed = crypto.reseal(kept.sealed)
        if sealed is not None:
            count += OutboxEmail.objects.filter(pk=kept.pk).update(sealed=sealed)
    return count
