"""The change or cancel link's record: in the database, sealed, until the appointment ends.

The API has no cancel or move action, so the site keeps what a request to the
practice needs (who, when, with whom, where: never the reason for the visit)
under a random id that only the patient's link carries. The database keys a
record by the SHA-256 of that id and holds the appointment sealed with
BOOKING_RECORD_KEY (bookings/crypto.py): a copy of the database alone gives
neither a working link nor a patient's detail. `ends_at` stays in clear for
the purge, and `state` for the one conditional UPDATE that lets exactly one
request through, whichever server it reaches.

States: open → cancel (claimed for cancelling); open → moving (claimed for a
move, before `book`) → moved (booked), open again (release: nothing booked)
or unknown (the answer to `book` was lost).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import re
import secrets
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import crypto
from .models import ChangeRecord

logger = logging.getLogger(__name__)

#: Matches the ids `keep` makes (43 URL-safe characters, 256 bits), for the URL pattern.
LINK_PATTERN = r"[A-Za-z0-9_-]{43}"
_LINK = re.compile(LINK_PATTERN)


@dataclass(frozen=True)
class Appointment:
    """What the practice needs to find an appointment and the patient; never the reason."""

    practitioner_id: int
    practitioner_name: str
    room_id: int
    room_name: str
    start: dt.datetime  # aware, practice time zone
    duration_minutes: int
    # The patient's, as booked. Not in the repr, which error reports show for
    # each frame's variables (a 500 on a change page, the debug page).
    name: str = field(repr=False)
    phone: str = field(repr=False)
    email: str = field(repr=False)
    language: str  # the booking's language code ("en-gb", "cy")

    @property
    def end(self) -> dt.datetime:
        # Added in UTC: wall-clock arithmetic is wrong across a change of summer time.
        end = self.start.astimezone(dt.UTC) + dt.timedelta(minutes=self.duration_minutes)
        return timezone.localtime(end)


class Request(enum.StrEnum):
    CANCEL = "cancel"
    MOVE = "move"


@dataclass(frozen=True)
class Change:
    """What a visit to the link finds."""

    link: str  # the random id in the URL
    appointment: Appointment
    request: Request | None  # what was requested, once
    requested_at: dt.datetime | None
    moved_to: Appointment | None  # the new appointment, for a completed move
    state: str  # "open" | "moving" | "cancel" | "moved" | "unknown" (move outcome lost)


_REQUESTS = {
    "cancel": Request.CANCEL,
    "moving": Request.MOVE,
    "moved": Request.MOVE,
    "unknown": Request.MOVE,
}
_CLAIMED_AS = {Request.CANCEL: "cancel", Request.MOVE: "moving"}

#: Longer than any request may take (gunicorn's timeout): a move still "moving" after
#: this was cut short (a worker killed, the database failing as its outcome was written),
#: and is shown as "unknown", which tells the patient to call, never "being booked".
MOVING_AT_MOST = dt.timedelta(minutes=10)


def keep(appointment: Appointment, *, confirmation: str) -> str:
    """Keep the appointment sealed; the new link's random id (256 bits), for its URL only."""
    if appointment.start.tzinfo is None:
        raise ValueError("an appointment's start must be aware")
    while True:
        link = secrets.token_urlsafe(32)
        try:
            # A savepoint: a caller's transaction survives the (never expected) clash.
            with transaction.atomic():
                ChangeRecord.objects.create(
                    link_digest=crypto.digest(link),
                    confirmation_digest=crypto.digest(confirmation),
                    sealed=_seal({"link": link, "appointment": _plain(appointment)}),
                    ends_at=appointment.end,
                )
        except IntegrityError:
            # The same confirmation twice is our bug; the same 256-bit link, never in practice.
            kept = ChangeRecord.objects.filter(confirmation_digest=crypto.digest(confirmation))
            if kept.exists():
                raise
            continue
        return link


def link_for(confirmation: str) -> str | None:
    """The link id kept for this confirmation's reference (its page's); None if none or purged."""
    record = ChangeRecord.objects.filter(confirmation_digest=crypto.digest(confirmation)).first()
    opened = _open(record.sealed) if record else None
    return opened["link"] if opened else None


def find(link: str) -> Change | None:
    """What the link finds: None if unknown, altered, or purged.

    An appointment that has started, or ended, is still found until the purge
    removes it: the page says so rather than "this link does not work".
    """
    record = _record(link)
    if record is None:
        return None
    opened = _open(record.sealed)
    # The sealed link must be this one: a row whose payload was swapped for another's is refused.
    if opened is None or not secrets.compare_digest(opened.get("link", ""), link):
        logger.warning("change record %s could not be opened", record.pk)
        return None
    moved_to = _open(record.moved_to) if record.moved_to else None
    return Change(
        link=link,
        appointment=_appointment(opened["appointment"]),
        request=_REQUESTS.get(record.state),
        requested_at=timezone.localtime(record.requested_at) if record.requested_at else None,
        moved_to=_appointment(moved_to["appointment"]) if moved_to else None,
        state=_state(record),
    )


def claim(link: str, request: Request) -> bool:
    """Take the link for one request: True for exactly one caller, on any server.

    One conditional UPDATE, so two requests at once (a double click split
    across two servers) cannot both see "open". An appointment that has ended
    cannot be claimed.
    """
    now = timezone.now()
    return _move(link, "open", _CLAIMED_AS[Request(request)], requested_at=now, ends_at__gt=now)


def release(link: str) -> None:
    """A move that booked nothing (taken, refused, unavailable): the link is open again."""
    _move(link, "moving", "open", requested_at=None)


def moved(link: str, new: Appointment) -> None:
    """A move that booked: the new appointment is kept with the old, for a second visit."""
    sealed = _seal({"link": link, "appointment": _plain(new)})
    _move(link, "moving", "moved", moved_to=sealed)


def unknown(link: str) -> None:
    """A move whose answer from `book` was lost: the link is not offered again."""
    _move(link, "moving", "unknown")


def purge(now: dt.datetime | None = None) -> int:
    """Delete the records of appointments that have ended; how many."""
    deleted, _ = ChangeRecord.objects.filter(ends_at__lte=now or timezone.now()).delete()
    if deleted:
        logger.info("purged %d change records of past appointments", deleted)
    return deleted


def reseal_all() -> int:
    """Seal every record with the first key (after a key rotation); how many were resealed."""
    count = 0
    for record in ChangeRecord.objects.only("pk", "sealed", "moved_to").iterator():
        sealed = crypto.reseal(record.sealed)
        moved_to = crypto.reseal(record.moved_to) if record.moved_to else ""
        if sealed is None or moved_to is None:
            logger.warning("change record %s could not be opened to reseal", record.pk)
            continue
        ChangeRecord.objects.filter(pk=record.pk).update(sealed=sealed, moved_to=moved_to)
        count += 1
    return count


# --- Inside ----------------------------------------------------------------------------


def _record(link: str) -> ChangeRecord | None:
    if not isinstance(link, str) or not _LINK.fullmatch(link):
        return None
    return ChangeRecord.objects.filter(link_digest=crypto.digest(link)).first()


def _state(record: ChangeRecord) -> str:
    asked = record.requested_at
    if record.state == "moving" and asked and timezone.now() - asked > MOVING_AT_MOST:
        return "unknown"
    return record.state


def _move(link: str, source: str, target: str, **changes: object) -> bool:
    if not isinstance(link, str) or not _LINK.fullmatch(link):
        return False
    filters = {key: value for key, value in changes.items() if "__" in key}
    values = {key: value for key, value in changes.items() if "__" not in key}
    rows = ChangeRecord.objects.filter(link_digest=crypto.digest(link), state=source, **filters)
    return rows.update(state=target, **values) == 1


def _plain(appointment: Appointment) -> dict[str, object]:
    plain = asdict(appointment)
    plain["start"] = appointment.start.isoformat()
    return plain


def _appointment(plain: dict[str, object]) -> Appointment:
    start = dt.datetime.fromisoformat(str(plain["start"]))
    return Appointment(**{**plain, "start": timezone.localtime(start)})  # type: ignore[arg-type]


def _seal(payload: dict[str, object]) -> str:
    return crypto.seal(json.dumps(payload, separators=(",", ":")).encode())


def _open(sealed: str) -> dict | None:
    data = crypto.unseal(sealed)
    return json.loads(data) if data is not None else None
