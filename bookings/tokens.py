"""The signed token each details form carries, instead of a CSRF cookie.

The site runs in other sites' iframes, where browsers drop third-party
cookies, so Django's CSRF cookie cannot be relied on. The token says what the
server offered: the free time (and, after "just taken", the alternatives),
when the form was issued, and a random nonce. A POST whose token is not ours,
has expired, or does not match the free time posted is refused before any
call to the diary.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

_SALT = "bookings.details-form"


class BadToken(Exception):
    """The token is missing, forged, tampered with or too old."""


@dataclass(frozen=True)
class FormToken:
    practitioner_id: int
    room_id: int
    date: str  # YYYYMMDD, as posted
    time: str  # HHMM
    alternatives: tuple[str, ...]  # free-time keys offered after "just taken"
    issued: dt.datetime
    nonce: str

    def allows(self, practitioner_id: int, room_id: int, date: str, time: str) -> bool:
        """Whether the form was issued for this free time."""
        return (practitioner_id, room_id, date, time) == (
            self.practitioner_id,
            self.room_id,
            self.date,
            self.time,
        )


def issue(
    practitioner_id: int, room_id: int, date: str, time_: str, alternatives: tuple[str, ...] = ()
) -> str:
    """A new token for a details form offering this free time."""
    payload = {
        "s": practitioner_id,
        "r": room_id,
        "d": date,
        "t": time_,
        "a": list(alternatives),
        "i": int(time.time()),
        "n": secrets.token_urlsafe(12),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def read(token: str) -> FormToken:
    """The token's contents, if it is ours and recent enough; else `BadToken`."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.BOOKING_FORM_MAX_AGE_SECONDS)
        return FormToken(
            practitioner_id=int(data["s"]),
            room_id=int(data["r"]),
            date=str(data["d"]),
            time=str(data["t"]),
            alternatives=tuple(str(a) for a in data["a"]),
            issued=dt.datetime.fromtimestamp(int(data["i"]), tz=dt.UTC),
            nonce=str(data["n"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from None
