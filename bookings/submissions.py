"""Each details form books at most once.

The API has no idempotency key and no way to look a booking up, so the site
must never send the same booking twice. Each form's token carries a nonce.
Before `book` is called the nonce is claimed in the shared cache with an
atomic `add`, and the outcome is written against it afterwards. A second post
of the same form (a double click, Refresh, Back and post again, another tab,
two requests at once) finds the claim, waits for the first post's outcome,
and shows that instead of booking again.

Only the outcome is kept (a confirmation's reference, or error codes), never
the patient's details.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PENDING = "pending"


class Kind(enum.StrEnum):
    """What became of a post of the details form."""

    BOOKED = "booked"  # the diary confirmed it
    TAKEN = "taken"  # 12: someone else booked the time first
    REJECTED = "rejected"  # the diary's other errors, on their fields
    UNKNOWN = "unknown"  # it may or may not have been booked
    UNAVAILABLE = "unavailable"  # the diary could not be asked: certainly not booked


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    reference: str = ""  # for BOOKED: the confirmation's reference
    errors: tuple[tuple[int, str], ...] = ()  # for REJECTED: (code, fieldName)


def _key(nonce: str) -> str:
    return f"bookings:submission:{nonce}"


def _lifetime() -> int:
    # As long as the form itself is accepted, and a minute more.
    return settings.BOOKING_FORM_MAX_AGE_SECONDS + 60


def claim(nonce: str) -> bool:
    """True for the first post of this form, which may book; False for any after it."""
    return cache.add(_key(nonce), _PENDING, timeout=_lifetime())


def known(nonce: str) -> bool:
    """Whether this form has been posted (and so may have booked) before."""
    return cache.get(_key(nonce)) is not None


def record(nonce: str, outcome: Outcome) -> None:
    """What became of the first post, for any that follow it."""
    cache.set(_key(nonce), outcome, timeout=_lifetime())


def outcome(
    nonce: str,
    *,
    wait: float,
    poll: float = 0.1,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome | None:
    """The first post's outcome, waiting up to `wait` seconds while it is being booked.

    None if it is still being booked after that. An outcome lost from the cache
    (evicted, or the cache restarted) counts as unknown: the booking may exist.
    """
    deadline = time.monotonic() + wait
    while True:
        found = cache.get(_key(nonce))
        if isinstance(found, Outcome):
            return found
        if found is None:
            return Outcome(Kind.UNKNOWN)
        if time.monotonic() >= deadline:
            return None
        sleep(poll)
