"""What the patient keeps of a booking: the confirmation page, its calendar file, its email.

A confirmation holds only what the diary confirmed about the appointment
(date, time, length, practitioner, room) and the time that was asked for; no
patient detail. It lives in the shared cache under an unguessable reference
for BOOKING_CONFIRMATION_SECONDS, then is gone: the API offers no look-up, so
there is nothing to fetch it back from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from physiodiary import Confirmation

from . import clock
from .practice import text

#: Matches the references `keep` makes, for the URL pattern.
REFERENCE_PATTERN = r"[A-Za-z0-9_-]{32}"


def _active_language() -> str:
    """The language of the request being answered (its URL's), or the site's default."""
    return translation.get_language() or settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Booked:
    """A booking the diary confirmed, as the patient is shown it."""

    reference: str
    date: dt.date
    time: dt.time
    duration_minutes: int
    practitioner_name: str
    room_name: str
    requested: dt.datetime  # what the patient chose; the diary may confirm another time
    emailed: bool = False
    #: The language the patient booked in: the email and the calendar file are in it,
    #: whichever address the file is fetched from.
    language: str = field(default_factory=_active_language)

    def __setstate__(self, state: dict[str, object]) -> None:
        # Kept before this field existed (across the upgrade): in the site's default
        # language, the only one there was.
        state.setdefault("language", settings.LANGUAGE_CODE)
        self.__dict__.update(state)

    @property
    def start(self) -> dt.datetime:
        return clock.at(self.date, self.time)

    @property
    def end(self) -> dt.datetime:
        # In UTC: aware arithmetic in one zone is wall-clock arithmetic, which
        # is wrong across a change to or from summer time.
        end = self.start.astimezone(dt.UTC) + dt.timedelta(minutes=self.duration_minutes)
        return end.astimezone(self.start.tzinfo)

    @property
    def moved(self) -> bool:
        """Whether the diary confirmed another time than the one asked for."""
        return self.start != self.requested

    @property
    def summary(self) -> str:
        """The calendar entry's title with the practice's name, in the active language."""
        # Translators: a calendar entry's title: the practitioner's name, the practice's name.
        return gettext("Physiotherapy with %(practitioner)s at %(practice)s") % {
            "practitioner": self.practitioner_name,
            "practice": text("PRACTICE_NAME"),
        }


def keep(confirmation: Confirmation, requested: dt.datetime) -> Booked:
    """Keep a confirmation under a new unguessable reference, in the active language."""
    booked = Booked(
        reference=secrets.token_urlsafe(24),  # 32 characters, 192 random bits
        date=confirmation.date,
        time=confirmation.time,
        duration_minutes=confirmation.duration_minutes,
        practitioner_name=confirmation.practitioner_name,
        room_name=confirmation.room_name,
        requested=requested,
        language=_active_language(),
    )
    _store(booked)
    return booked


def mark_emailed(booked: Booked) -> Booked:
    booked = Booked(**{**booked.__dict__, "emailed": True})
    _store(booked)
    return booked


def find(reference: str) -> Booked | None:
    """The confirmation kept under this reference, if it has not expired."""
    return cache.get(_key(reference))


def _store(booked: Booked) -> None:
    cache.set(_key(booked.reference), booked, settings.BOOKING_CONFIRMATION_SECONDS)


def _key(reference: str) -> str:
    return f"bookings:booked:{reference}"


# --- Calendars ----------------------------------------------------------------------


def _location() -> str:
    return f"{text('PRACTICE_NAME')}, {text('PRACTICE_ADDRESS')}"


def _description(booked: Booked) -> str:
    """The calendar entry's text, in the active language."""
    minutes = booked.duration_minutes
    # Translators: a calendar entry's text: how long, with whom (a name), in which room.
    length = ngettext(
        "%(minutes)d minute with %(practitioner)s in %(room)s.",
        "%(minutes)d minutes with %(practitioner)s in %(room)s.",
        minutes,
    ) % {"minutes": minutes, "practitioner": booked.practitioner_name, "room": booked.room_name}
    # Translators: the end of a calendar entry's text: the practice's phone and email.
    change = gettext("To change or cancel, call %(phone)s or email %(email)s.") % {
        "phone": text("PRACTICE_PHONE"),
        "email": text("PRACTICE_EMAIL"),
    }
    return f"{length}\n{change}"


def calendar_file(booked: Booked) -> bytes:
    """The appointment as an iCalendar file (RFC 5545), in the language it was booked in."""
    with translation.override(booked.language):
        return _calendar(booked)


def _calendar(booked: Booked) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//Online booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    # Not the reference itself: that is the key to the confirmation page.
    digest = hashlib.sha256(booked.reference.encode()).hexdigest()[:32]
    event.add("uid", f"{digest}@physio-booking")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booked.start)
    event.add("dtend", booked.end)
    event.add("summary", booked.summary)
    event.add("location", _location())
    event.add("description", _description(booked))
    calendar.add_component(event)
    # The time zone's rules around the appointment only, not 1970 to 2038.
    calendar.add_missing_timezones(
        first_date=booked.date - dt.timedelta(days=366),
        last_date=booked.date + dt.timedelta(days=366),
    )
    return calendar.to_ical()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def google_calendar_url(booked: Booked) -> str:
    """A link that opens Google Calendar's "new event" form, filled in."""
    dates = "/".join(f"{_utc(m):%Y%m%dT%H%M%SZ}" for m in (booked.start, booked.end))
    query = {
        "action": "TEMPLATE",
        "text": booked.summary,
        "dates": dates,
        "details": _description(booked),
        "location": _location(),
    }
    return f"https://calendar.google.com/calendar/render?{urlencode(query)}"


def outlook_calendar_url(booked: Booked) -> str:
    """A link that opens Outlook's "new event" form, filled in."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": booked.summary,
        "startdt": f"{_utc(booked.start):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(booked.end):%Y-%m-%dT%H:%M:%SZ}",
        "body": _description(booked),
        "location": _location(),
    }
    return f"https://outlook.live.com/calendar/0/deeplink/compose?{urlencode(query)}"


# --- Email --------------------------------------------------------------------------


def send_email(
    booked: Booked, *, to: str, name: str, page_url: str, change_url: str | None = None
) -> bool:
    """Email the patient the confirmation, with the calendar file; True if sent in time.

    `change_url` is the booking's "Change or cancel" link, where it has one.
    The message is `emails.confirmation`, sent by `emails.send_to_patient`
    (EMAIL_TIMEOUT in all; a failure logged without the address, never
    raised: the booking is made and the page says so). A send that finishes
    after the page has gone still marks the confirmation emailed.
    """
    if not settings.BOOKING_CONFIRMATION_EMAIL:
        return False
    # Imported here: emails builds on this module (the calendar file, Booked).
    from . import emails

    message = emails.confirmation(
        booked, to=to, name=name, page_url=page_url, change_url=change_url
    )
    return emails.send_to_patient(message, on_sent=lambda: mark_emailed(booked))
