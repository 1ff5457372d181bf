"""The signed token each details form carries, instead of a CSRF cookie.

The site runs in other sites' iframes, where browsers drop third-party
cookies, so Django's CSRF cookie cannot be relied on. The token names the
free time the form is for (and, after "just taken", the alternatives offered
with it), when the form was issued, and a random nonce. A POST whose token is
not ours, has expired, or does not match the free time posted is refused
before any call to the diary.

What a token proves is only that this server issued it, recently, for that
time. The details page issues one only for a time the diary's free times list
(`diary.offers`). A form shown again after a post (its errors, "just taken",
an expired form renewed) gets a fresh token for the time it was posted for
without asking the diary again, so that nothing typed is lost: the diary's
`book` has the last word on whether a time is free.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from .slots import Slot

_SALT = "bookings.details-form"


class BadToken(Exception):
    """The token is missing, forged, tampered with or too old."""


@dataclass(frozen=True)
class FormToken:
    slot: str  # the key of the free time the form was issued for (Slot.key)
    alternatives: tuple[str, ...]  # keys of the free times offered after "just taken"
    issued: dt.datetime
    nonce: str

    def allows(self, slot: Slot) -> bool:
        """Whether the form was issued for this free time."""
        return slot.key == self.slot

    def offers(self, slot: Slot) -> bool:
        """Whether this free time was offered as an alternative after "just taken"."""
        return slot.key in self.alternatives


def issue(slot: Slot, alternatives: Iterable[Slot] = ()) -> str:
    """A new token for a details form offering this free time (and these alternatives)."""
    payload = {
        # The slot's four values, as the API writes them (and as earlier
        # versions of the site did: forms open across an upgrade still work).
        "s": slot.practitioner.id,
        "r": slot.room.id,
        "d": slot.api_date,
        "t": slot.api_time,
        "a": [other.key for other in alternatives],
        "i": int(time.time()),
        "n": secrets.token_urlsafe(12),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def read(token: str) -> FormToken:
    """The token's contents, if it is ours and recent enough; else `BadToken`."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.BOOKING_FORM_MAX_AGE_SECONDS)
        slot = Slot.from_parts(str(data["s"]), str(data["r"]), str(data["d"]), str(data["t"]))
        if slot is None:
            raise ValueError("the token names no free time")
        return FormToken(
            slot=slot.key,
            alternatives=tuple(str(a) for a in data["a"]),
            issued=dt.datetime.fromtimestamp(int(data["i"]), tz=dt.UTC),
            nonce=str(data["n"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from None


def read_for(token: str, slot: Slot) -> FormToken | None:
    """The token, if it is ours, recent enough and issued for `slot`; else None."""
    try:
        found = read(token)
    except BadToken:
        return None
    return found if found.allows(slot) else None
