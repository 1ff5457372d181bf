"""Every email the site sends, as a message object, from templates a designer can override.

The patient's are text and HTML (`PatientEmail`), in the language of their
booking, with the practice as `Reply-To`: the confirmation and the
acknowledgement of a cancel request. The practice's are plain text to
PRACTICE_NOTIFY_EMAIL, in the site's default language, each with a subject a
receptionist can sort by and only what is needed to find and act on the
diary's entry: never the reason for the visit, which stays between the
patient and the diary.

Building a message sends nothing. The caller sends a patient's with
`send_to_patient` and a practice's through `outbox.send_to_practice`, which
keeps what the mail server refused and tries again.
"""

from __future__ import annotations

import contextvars
import logging
import mimetypes
import threading
from collections.abc import Callable, Mapping, Sequence
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.utils import translation

from . import confirmations, theme
from .context_processors import practice

if TYPE_CHECKING:
    from .changes import Appointment, Change
    from .slots import Slot

logger = logging.getLogger(__name__)

#: The logo's Content-ID: the HTML part shows it as <img src="cid:…">.
LOGO_ID = "logo@physio-booking"
#: The image types Gmail, Outlook and Apple Mail all show (none shows SVG).
EMAIL_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}
TEMPLATES = "bookings/email/"


class PatientEmail(EmailMultiAlternatives):
    """A patient's email: text, and HTML with the images it shows travelling beside it.

    The HTML part and its images go as one multipart/related part (RFC 2387),
    so that mail programs show the logo in place rather than as an attachment:
    mixed[alternative[text, related[html, logo]], appointment.ics].
    """

    def __init__(self, *args: Any, kind: str, images: Sequence[MIMEBase] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind  # for the log line if it cannot be sent: never who it was for
        self.images = list(images)

    def _create_alternatives(self, msg: Any) -> Any:
        encoding = self.encoding or settings.DEFAULT_CHARSET
        parts = SafeMIMEMultipart(_subtype=self.alternative_subtype, encoding=encoding)
        parts.attach(msg)
        for content, mimetype in self.alternatives:
            part = self._create_mime_attachment(content, mimetype)
            if mimetype == "text/html" and self.images:
                related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
                related.attach(part)
                for image in self.images:
                    related.attach(image)
                part = related
            parts.attach(part)
        return parts


# --- The patient's ------------------------------------------------------------------


def confirmation(
    booked: confirmations.Booked, *, to: str, name: str, page_url: str, change_url: str | None
) -> PatientEmail:
    """The confirmation of a booking, with its calendar file, in the language it was made in.

    `change_url` is the booking's "Change or cancel" link; None where there is
    none (BOOKING_CHANGE_LINKS off), and the email says to call instead.
    """
    context = {"booked": booked, "name": name, "page_url": page_url, "change_url": change_url}
    with translation.override(booked.language):
        message = _patient_email(
            "confirmation", context, to=to, subject_template=f"{TEMPLATES}subject.txt"
        )
        message.attach("appointment.ics", confirmations.calendar_file(booked), "text/calendar")
    return message


def cancel_acknowledgement(change: Change, *, page_url: str) -> PatientEmail:
    """To the patient: the practice has their request and will remove the appointment.

    `page_url` is the change link's page, which shows what was requested and when.
    """
    appointment = change.appointment
    context = {
        "appointment": appointment,
        "name": appointment.name,
        "requested_at": change.requested_at,
        "page_url": page_url,
    }
    with translation.override(appointment.language):
        return _patient_email("cancel_acknowledgement", context, to=appointment.email)


def _patient_email(
    kind: str, context: dict[str, Any], *, to: str, subject_template: str | None = None
) -> PatientEmail:
    """Both parts from `kind`'s templates, in the active language."""
    logo = _logo()
    brand = theme.current()
    context = {
        **context,
        # The same practice details the pages show (an email has no request).
        **practice(),
        "language": translation.get_language(),
        "logo_src": f"cid:{LOGO_ID}" if logo else "",
        "colours": {"brand": brand.brand, "on_brand": brand.properties["--on-brand"]},
        "font_stack": brand.font_stack,
    }
    subject = _subject(subject_template or f"{TEMPLATES}{kind}_subject.txt", context)
    message = PatientEmail(
        subject=subject,
        body=render_to_string(f"{TEMPLATES}{kind}.txt", context),
        to=[to],
        reply_to=[context["practice"]["email"]],  # the console's, if it set one
        kind=kind.replace("_", " "),
        images=[logo] if logo else [],
    )
    message.attach_alternative(
        render_to_string(f"{TEMPLATES}{kind}.html", {**context, "subject": subject}), "text/html"
    )
    return message


def _logo() -> MIMEImage | None:
    """THEME_LOGO as an inline image, or None: the HTML part then shows the practice's name.

    Mail programs show no SVG: for an SVG logo, a PNG of the same name beside it
    (theme/logo.svg → theme/logo.png) is used if there is one.
    """
    name = settings.THEME_LOGO
    if name.lower().endswith(".svg"):
        name = name[:-4] + ".png"
    mimetype = mimetypes.guess_type(name)[0] if name else None
    found = finders.find(name) if mimetype in EMAIL_IMAGE_TYPES else None
    if not found:
        return None
    assert mimetype is not None  # known to be one of EMAIL_IMAGE_TYPES
    image = MIMEImage(Path(found).read_bytes(), _subtype=mimetype.split("/")[1])
    image.add_header("Content-ID", f"<{LOGO_ID}>")
    image.add_header("Content-Disposition", "inline", filename=Path(name).name)
    return image


def send_to_patient(message: EmailMessage, *, on_sent: Callable[[], None] | None = None) -> bool:
    """Send a patient's email; True if it was sent within EMAIL_TIMEOUT.

    The mail server is given EMAIL_TIMEOUT seconds in all, not per step of
    the SMTP conversation: the send runs in a thread the page waits on that
    long. A send still going on finishes after the page has gone, and then
    calls `on_sent` (the confirmation marks itself emailed). A failure is
    logged, without the address, and never raised: the page tells the
    patient to phone.
    """
    kind = getattr(message, "kind", "patient")
    sent = threading.Event()

    def send() -> None:
        try:
            message.send()
        except Exception as exc:  # whatever the mail server did, the booking or request stands
            # The exception's text can carry the patient's address (SMTPRecipientsRefused).
            logger.error("%s email not sent: %s", kind, type(exc).__name__)
            return
        if on_sent is not None:
            on_sent()
        sent.set()

    # In the request's context, so a failure's log line carries the request's id.
    run = contextvars.copy_context().run
    name = f"{kind.replace(' ', '-')}-email"
    thread = threading.Thread(target=run, args=(send,), name=name, daemon=True)
    thread.start()
    thread.join(settings.EMAIL_TIMEOUT)
    if thread.is_alive():
        logger.warning("%s email still sending after %ss", kind, settings.EMAIL_TIMEOUT)
    return sent.is_set()


# --- The practice's -----------------------------------------------------------------


def practice_cancel_request(change: Change) -> EmailMessage:
    """Subject "Cancel request: Tue 8 Dec 10:30, Anna": remove this entry from the diary."""
    appointment = change.appointment
    context = {
        "appointment": appointment,
        "patient": appointment,
        "requested_at": change.requested_at,
    }
    return _practice_email("practice_cancel_request", context, reply_to=appointment.email)


def practice_move_request(old: Appointment, new: Appointment) -> EmailMessage:
    """Subject "Move request: …": booked online, NEW; please remove, OLD."""
    context = {"old": old, "new": new, "patient": new}
    return _practice_email("practice_move_request", context, reply_to=new.email)


def practice_booking_note(booked: confirmations.Booked, patient: Mapping[str, str]) -> EmailMessage:
    """Subject "Booked online: …", for PRACTICE_NOTIFY_BOOKINGS: the entry the diary has."""
    # Only what finds the entry and reaches the patient: never `desc`, the reason.
    who = {key: patient[key] for key in ("name", "phone", "email")}
    context = {"appointment": booked, "patient": who}
    return _practice_email("practice_booking_note", context, reply_to=who["email"])


def practice_lost_outcome(slot: Slot) -> EmailMessage:
    """Subject "Check the diary: a booking may have been made: …": the free time only.

    `book` was sent and its answer lost: the entry may or may not exist. The
    patient was told to call before booking again; the practice is told only
    where to look, and nothing of the patient.
    """
    return _practice_email("practice_lost_outcome", {"slot": slot})


def _practice_email(kind: str, context: dict[str, Any], *, reply_to: str = "") -> EmailMessage:
    """A plain text email to PRACTICE_NOTIFY_EMAIL, in the site's default language.

    Replies go to the patient where there is one: the receptionist may write to them.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, **practice()}
        return EmailMessage(
            subject=_subject(f"{TEMPLATES}{kind}_subject.txt", context),
            body=render_to_string(f"{TEMPLATES}{kind}.txt", context),
            to=[settings.PRACTICE_NOTIFY_EMAIL],
            reply_to=[reply_to] if reply_to else None,
        )


def _subject(template: str, context: dict[str, Any]) -> str:
    """A subject on one line, whatever a template or a name holds (a header cannot break)."""
    return " ".join(render_to_string(template, context).split())
