"""The patient's emails (bookings/emails.py): the confirmation and the acknowledgement of a
cancel request, each a text part and an HTML part with the same content, in the language the
patient booked in, the practice's look on the HTML; and how they are sent.
"""

from __future__ import annotations

import logging
import re
import smtplib

from django.core.mail import EmailMessage
from django.utils import translation

from bookings import emails

from ..images import a_png
from .email_support import (
    CHANGE_URL,
    PAGE_URL,
    PATIENT,
    appointment,
    booked,
    cancelled,
    confirmation,
    everything,
    html_of,
    text_of_html,
    welsh_date,
)

# --- The confirmation -------------------------------------------------------------------


def test_the_confirmation_has_the_same_appointment_in_its_text_and_its_html():
    message = confirmation()
    text, shown = message.body, text_of_html(html_of(message))

    for part in (text, shown):
        assert "Dear Fred Smith," in part
        assert "Tuesday 8 December 2026" in part
        assert "10:30 to 11:15 (45 minutes, UK time)" in part
        assert "Anna" in part
        assert "Treatment Room 2" in part
        assert "Riverside Physiotherapy, 12 River Street, Exampleton, EX1 2AB" in part
        assert "Please arrive 5 minutes early" in part  # what happens next
        assert "The attached calendar file adds the appointment to your calendar." in part
    assert f"To change or cancel this appointment, go to: {CHANGE_URL}" in text
    assert f"Your confirmation page, for a short time: {PAGE_URL}" in text
    assert f'<a href="{CHANGE_URL}"' in html_of(message)
    assert f'<a href="{PAGE_URL}"' in html_of(message)
    assert "Change or cancel" in shown


def test_without_a_change_link_the_confirmation_says_to_call_as_before():
    message = confirmation(change_url=None)
    call = "To change or cancel, call 01632 960 123 or email bookings@riverside-physio.example"

    assert call in message.body
    assert call in text_of_html(html_of(message))
    assert "/change/" not in everything(message)


def test_the_confirmation_says_when_the_diary_booked_another_time_in_both_parts():
    message = emails.confirmation(
        booked(moved=True), to="f@example.com", name="Fred", page_url=PAGE_URL, change_url=None
    )

    for part in (message.body, text_of_html(html_of(message))):
        assert "Please note the time: you asked for 09:15 on Tuesday 8 December 2026" in part


def test_the_confirmation_goes_to_the_patient_replies_to_the_practice_with_its_calendar_file(
    settings,
):
    message = confirmation()

    assert message.to == [PATIENT["email"]]
    assert message.reply_to == [settings.PRACTICE_EMAIL]
    assert message.subject == (
        "Your appointment at Riverside Physiotherapy on Tuesday 8 December at 10:30"
    )
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    assert "BEGIN:VEVENT" in content


def test_a_welsh_booking_is_confirmed_in_welsh_in_both_parts():
    message = confirmation("cy")
    day = welsh_date(booked("cy").start)

    assert day.startswith("Dydd ")  # Django's own Welsh day names
    assert '<html lang="cy">' in html_of(message)
    assert day in message.body
    assert day in text_of_html(html_of(message))
    assert "Tuesday" not in message.body + html_of(message)
    assert '<html lang="en-GB">' in html_of(confirmation())
    assert translation.get_language() == "en-gb"  # the request's language is left as it was


def test_the_text_part_is_text_and_the_html_part_escapes_what_the_practice_wrote(settings):
    settings.PRACTICE_NAME = "Smith & Jones <Physio>"

    message = confirmation()

    assert "Smith & Jones <Physio>, 12 River Street" in message.body
    assert "<p" not in message.body and "&amp;" not in message.body
    assert "Smith &amp; Jones &lt;Physio&gt;" in html_of(message)
    assert "<Physio>" not in html_of(message)


# --- The look of the HTML part ----------------------------------------------------------


def test_the_html_part_is_in_the_brand_colour_with_the_text_colour_that_reads_on_it(settings):
    settings.THEME_BRAND_COLOUR = "#1D6B3A"  # dark: white on it
    dark = html_of(confirmation())
    settings.THEME_BRAND_COLOUR = "#F2B33D"  # light: near-black on it
    light = html_of(confirmation())

    # The bar at the top, with the practice's name (or logo) on it.
    bar = r'background-color:{}; color:{};[^"]*">\s*<p[^>]*>Riverside Physiotherapy</p>'
    assert re.search(bar.format("#1d6b3a", "#ffffff"), dark)
    assert re.search(bar.format("#f2b33d", "#1b1b1b"), light)
    # The "Change or cancel" button too.
    assert re.search(r'<a href="[^"]+/change/[^"]+" style="[^"]*background-color:#f2b33d', light)


def test_the_html_part_loads_nothing_and_needs_no_table():
    markup = html_of(confirmation())

    assert not re.search(r"""\ssrc=["']?(https?:)?//""", markup)
    assert "<link" not in markup and "<style" not in markup and "<script" not in markup
    assert "<table" not in markup
    assert "url(" not in markup


def logo(settings, tmp_path, name: str = "theme/logo.png") -> None:
    """THEME_LOGO set to `name` among the static files (a folder of the test's own); for an
    SVG, the PNG of the same name beside it."""
    (tmp_path / "theme").mkdir()
    if name.endswith(".svg"):
        (tmp_path / name).write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / name.replace(".svg", ".png")).write_bytes(a_png())
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    settings.THEME_LOGO = name


def parts(message: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in message.message().walk()]  # depth first


def test_the_logo_is_attached_inline_and_shown_with_the_practices_name_as_its_alt_text(
    settings, tmp_path
):
    logo(settings, tmp_path)

    message = confirmation()

    assert '<img src="cid:logo@physio-booking" alt="Riverside Physiotherapy"' in html_of(message)
    # The HTML and its logo travel together (multipart/related), beside the text part;
    # the calendar file is the one attachment.
    assert parts(message) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "text/calendar",
    ]
    (image,) = [p for p in message.message().walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<logo@physio-booking>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True) == a_png()
    assert [name for name, _, _ in message.attachments] == ["appointment.ics"]


def test_an_svg_logo_is_sent_as_the_png_beside_it(settings, tmp_path):
    # Gmail and Outlook show no SVG.
    logo(settings, tmp_path, "theme/logo.svg")

    message = confirmation()

    assert "image/png" in parts(message)
    assert 'src="cid:logo@physio-booking"' in html_of(message)


def test_without_a_logo_for_email_the_html_part_names_the_practice(settings, tmp_path):
    settings.THEME_LOGO = "css/site.css"  # a static file, but no image a mail program shows

    message = confirmation()

    assert "<img" not in html_of(message)
    assert ">Riverside Physiotherapy</p>" in html_of(message)
    assert "multipart/related" not in parts(message)


# --- The cancel request's acknowledgement -----------------------------------------------


def test_the_acknowledgement_tells_the_patient_the_practice_will_remove_it_in_both_parts(
    settings,
):
    page = "https://booking.example/change/" + "L" * 43 + "/"
    message = emails.cancel_acknowledgement(cancelled(), page_url=page)

    assert message.to == [PATIENT["email"]]
    assert message.reply_to == [settings.PRACTICE_EMAIL]
    assert message.subject == (
        "Cancellation requested: your appointment at Riverside Physiotherapy"
        " on Tuesday 8 December at 10:30"
    )
    for part in (message.body, text_of_html(html_of(message))):
        assert "Dear Fred Smith," in part
        assert "the practice will remove it from its diary" in part
        assert "Tuesday 8 December 2026" in part
        assert "10:30 to 11:15" in part
        assert "Anna" in part and "Treatment Room 2" in part
        assert "call 01632 960 123 or email bookings@riverside-physio.example" in part
    assert page in message.body
    assert f'<a href="{page}"' in html_of(message)
    assert message.attachments == []


def test_the_acknowledgement_is_in_the_language_the_patient_booked_in():
    message = emails.cancel_acknowledgement(cancelled("cy"), page_url="https://x.example/")

    assert '<html lang="cy">' in html_of(message)
    day = welsh_date(appointment().start)
    assert day in message.body
    assert day in text_of_html(html_of(message))


# --- Sending the patient's --------------------------------------------------------------


def test_a_patients_email_sent_calls_back_and_says_so(settings, mailoutbox):
    called = []

    assert emails.send_to_patient(confirmation(), on_sent=lambda: called.append(1)) is True

    assert called == [1]
    (sent,) = mailoutbox
    assert sent.alternatives[0].mimetype == "text/html"


def test_a_failed_send_is_logged_by_kind_without_the_address_and_not_raised(monkeypatch, caplog):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({PATIENT["email"]: (550, b"no")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    called = []
    message = emails.cancel_acknowledgement(cancelled(), page_url="https://x.example/")

    with caplog.at_level(logging.INFO):
        assert emails.send_to_patient(message, on_sent=lambda: called.append(1)) is False

    assert called == []
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.name == "bookings.emails"
    assert error.getMessage() == "cancel acknowledgement email not sent: SMTPRecipientsRefused"
    assert PATIENT["email"] not in caplog.text
    assert PATIENT["name"] not in caplog.text
