"""What the practice set in its console (console/), read once per request by every page.

The console's rows (bookings/models.py) are read into one frozen
`Configuration`, kept in the shared cache under a version that every save
and delete changes: each server sees a change at its next read, with no
restart. Each process also keeps what it read for `MEMO_SECONDS`, so that a
page's many questions (the practice's name, a rule, a practitioner's bio)
cost no round trip each; a change is therefore live everywhere within
seconds.

What the console leaves empty is the environment's, as before the console
existed (settings.py). If the database cannot be read, every page carries on
with the environment's values: the console is a convenience, never a reason
for an error page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from physiodiary import Practitioner, Room

from . import models

logger = logging.getLogger(__name__)

#: How long one process trusts what it read before asking the cache again.
MEMO_SECONDS = 2.0
#: How long the cache keeps a reading. A new day needs no new reading (today's
#: notices are chosen as they are read), so this only bounds a stale entry.
CACHE_SECONDS = 3600

_VERSION_KEY = "console:configuration:version"
_KEY = "console:configuration:{version}"

Texts = dict[str, str]  # {language code: text}


@dataclass(frozen=True)
class NoticeText:
    """A notice shown above every step from `starts_on` to `ends_on`, both included."""

    text: Texts
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class PractitionerText:
    """What the console says of one practitioner the diary lists."""

    offered: bool = True
    order: int = 0
    title: Texts = field(default_factory=dict)
    bio: Texts = field(default_factory=dict)
    languages_spoken: str = ""


@dataclass(frozen=True)
class RoomText:
    """What the console says of one room the diary lists."""

    offered: bool = True
    order: int = 0
    access_notes: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class Configuration:
    """Everything the console sets. Empty values are the environment's."""

    practice: dict[str, Texts] = field(default_factory=dict)  # field -> texts, only those saved
    phone: str | None = None
    email: str | None = None
    late_cancel_hours: int | None = None
    min_notice_minutes: int | None = None
    horizon_days: int | None = None
    window_days: int | None = None
    notices: tuple[NoticeText, ...] = ()  # current ones, once `current()` has chosen them
    practitioners: dict[int, PractitionerText] = field(default_factory=dict)  # by diary id
    rooms: dict[int, RoomText] = field(default_factory=dict)  # by diary id


#: The environment's values only: before any save, and whenever the database is unreadable.
ENVIRONMENT = Configuration()

#: Each booking rule's setting and the console's field that overrides it.
RULES = {
    "BOOKING_LATE_CANCEL_HOURS": "late_cancel_hours",
    "BOOKING_MIN_NOTICE_MINUTES": "min_notice_minutes",
    "BOOKING_HORIZON_DAYS": "horizon_days",
    "BOOKING_WINDOW_DAYS": "window_days",
}

# (until when, what was read): one per process; threads replacing it race harmlessly.
_memo: tuple[float, Configuration] | None = None


def current() -> Configuration:
    """The console's configuration now: this process's reading if under MEMO_SECONDS old."""
    global _memo
    memo = _memo
    if memo is not None and time.monotonic() < memo[0]:
        return memo[1]
    read = _read()
    today = timezone.localdate()
    now = dataclasses.replace(
        read, notices=tuple(n for n in read.notices if n.starts_on <= today <= n.ends_on)
    )
    _memo = (time.monotonic() + MEMO_SECONDS, now)
    return now


def rule(name: str) -> int:
    """A booking rule ("BOOKING_MIN_NOTICE_MINUTES"…): the console's value, else the setting's."""
    value = getattr(current(), RULES[name])
    return getattr(settings, name) if value is None else value


def forget() -> None:
    """Drop this process's reading and the shared one: the next `current()` reads the rows."""
    global _memo
    _memo = None
    try:
        # A new version rather than a delete: a reading begun before the change
        # and written after it lands under the old version, never read again.
        cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    except Exception as exc:  # the cache is down: each process's memo expires on its own
        _failed("the cache could not be told of a change", exc)


def _read() -> Configuration:
    try:
        version = cache.get(_VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(_VERSION_KEY, version, None):
                version = cache.get(_VERSION_KEY, version)
        kept = cache.get(_KEY.format(version=version))
    except Exception as exc:  # the cache is down: the database alone, this once
        _failed("the cache could not be read", exc)
        return _from_database() or ENVIRONMENT
    if kept is not None:
        return kept
    read = _from_database()
    if read is None:
        return ENVIRONMENT  # not kept: the next reading tries the database again
    try:
        cache.set(_KEY.format(version=version), read, CACHE_SECONDS)
    except Exception as exc:
        _failed("the cache could not keep the configuration", exc)
    return read


def _from_database() -> Configuration | None:
    """The rows as a Configuration; None if the database could not be read."""
    try:
        profile = models.PracticeProfile.objects.filter(pk=1).first()
        notices = models.Notice.objects.filter(ends_on__gte=timezone.localdate() - _A_DAY)
        return Configuration(
            **_practice(profile),
            # Every notice not yet over: `current()` chooses today's as it reads.
            notices=tuple(NoticeText(n.text, n.starts_on, n.ends_on) for n in notices),
            practitioners={
                p.diary_id: PractitionerText(
                    p.offered, p.order, p.title, p.bio, p.languages_spoken.strip()
                )
                for p in models.PractitionerProfile.objects.all()
            },
            rooms={
                r.diary_id: RoomText(r.offered, r.order, r.access_notes)
                for r in models.RoomProfile.objects.all()
            },
        )
    except Exception as exc:  # never an error page for the console's sake
        _failed("the configuration could not be read, so the environment's is used", exc)
        return None


def _failed(what: str, exc: Exception) -> None:
    # The class only: a driver's message can name a server's address or a password.
    logger.warning("console: %s: %s", what, type(exc).__name__)


# A notice is read a day before it ends, in case a server's zone differs from the practice's.
_A_DAY = dt.timedelta(days=1)


def _practice(profile: models.PracticeProfile | None) -> dict[str, object]:
    if profile is None:
        return {}
    texts = {name: _texts(getattr(profile, name)) for name in models.PracticeProfile.LIMITS}
    # The link becomes an href: checked again here, whatever wrote the row.
    texts["privacy_url"] = {
        code: url for code, url in texts["privacy_url"].items() if models.WEB_ADDRESS.fullmatch(url)
    }
    return {
        "practice": {name: value for name, value in texts.items() if value},
        "phone": profile.phone.strip() or None,
        "email": profile.email.strip() or None,
        **{rule_field: getattr(profile, rule_field) for rule_field in RULES.values()},
    }


def _texts(value: object) -> Texts:
    """The non-empty texts of a JSON value saved by the console (anything else is none)."""
    if not isinstance(value, dict):
        return {}
    return {code: text for code, text in value.items() if isinstance(text, str) and text.strip()}


def in_language(texts: Texts) -> str:
    """The text for the page's language, else the default language's, else ""."""
    return texts.get(get_language() or "") or texts.get(settings.LANGUAGE_CODE) or ""


# --- The diary's practitioners and rooms, as the console offers them -------------------

Listed = TypeVar("Listed", Practitioner, Room)


def offered(
    practitioners: Sequence[Practitioner], rooms: Sequence[Room]
) -> tuple[tuple[Practitioner, ...], tuple[Room, ...]]:
    """The diary's lists without those the console hides, in the console's order.

    Only what the diary lists is ever offered: a row for an id it no longer
    lists changes nothing. One with no row is offered, in the diary's order
    after those the console placed before it (order 0, as a new row's).
    """
    now = current()
    return _offered(practitioners, now.practitioners), _offered(rooms, now.rooms)


def _offered(
    listed: Sequence[Listed], texts: dict[int, PractitionerText] | dict[int, RoomText]
) -> tuple[Listed, ...]:
    kept = [item for item in listed if item.id not in texts or texts[item.id].offered]
    # sorted() is stable: equal orders keep the diary's own.
    return tuple(sorted(kept, key=lambda item: texts[item.id].order if item.id in texts else 0))


def _changed(sender: type, **kwargs: object) -> None:
    # Now, for this process and for a test's rolled-back transaction; and again
    # once the change is committed, so that no server keeps what another read
    # between the two.
    forget()
    transaction.on_commit(forget)


for _model in (
    models.PracticeProfile,
    models.Notice,
    models.PractitionerProfile,
    models.RoomProfile,
):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"configuration-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"configuration-d-{_model.__name__}")
