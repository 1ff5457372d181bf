"""One free time, `Slot`, and the one way to write it to and read it from anywhere.

A slot is a practitioner, a room and a start. It travels as:

- the details step's query string and hidden fields: `staffId`, `sectionId`,
  `date` (YYYYMMDD) and `time` (HHMM), the API's own names and formats;
- one string, its `key` (`20260521-1415-42230-7322`): a time's radio button,
  and the alternatives a form's token offers after "just taken";
- the form's token (tokens.py), which holds the same four values.

Read from a link or a form a slot knows only ids; `named` gives it the
practitioner's and room's names from the diary's lists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from physiodiary import Practitioner, Room, format_date, format_time, read_date, read_time

from .clock import at

#: An id of ours in a URL or form: 1 to 12 ASCII digits ([0-9], not \d, which
#: takes other scripts' digits too).
ID_PATTERN = r"[0-9]{1,12}"

_KEY = re.compile(rf"([0-9]{{8}})-([0-9]{{4}})-({ID_PATTERN})-({ID_PATTERN})")

#: The names a slot has until the diary's lists give the real ones: a POST
#: keeps working (and keeps what was typed) when they cannot be had. Translated
#: when a slot is read, in the request's language.
# Translators: stands in for the practitioner's name on the details page when the
# practice's diary could not be asked for it, as in "with the practitioner you chose".
UNLISTED_PRACTITIONER = gettext_noop("the practitioner you chose")
# Translators: stands in for the room's name on the details page when the practice's
# diary could not be asked for it, as in "in the room you chose".
UNLISTED_ROOM = gettext_noop("the room you chose")


@dataclass(frozen=True)
class Slot:
    """One free time: with whom, where, when, and for how long if the diary said."""

    practitioner: Practitioner
    room: Room
    start: dt.datetime  # aware, in the practice's time zone
    minutes: int | None = None

    @property
    def api_date(self) -> str:
        return format_date(self.start.date())

    @property
    def api_time(self) -> str:
        return format_time(self.start.time())

    @property
    def key(self) -> str:
        """The slot as one string: date, time, practitioner, room."""
        return f"{self.api_date}-{self.api_time}-{self.practitioner.id}-{self.room.id}"

    @property
    def query(self) -> dict[str, str]:
        """The details step's query string (and hidden fields) for this slot."""
        return {
            "staffId": str(self.practitioner.id),
            "sectionId": str(self.room.id),
            "date": self.api_date,
            "time": self.api_time,
        }

    @classmethod
    def from_parts(
        cls, staff_id: str | None, section_id: str | None, date: str | None, time: str | None
    ) -> Slot | None:
        """The slot of the four values in the API's formats, or None if any is not."""
        day, moment = read_date(date or ""), read_time(time or "")
        if day is None or moment is None or not _is_id(staff_id) or not _is_id(section_id):
            return None
        return cls(
            Practitioner(int(staff_id), gettext(UNLISTED_PRACTITIONER)),  # type: ignore[arg-type]
            Room(int(section_id), gettext(UNLISTED_ROOM)),  # type: ignore[arg-type]
            at(day, moment),
        )

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Slot | None:
        """The slot named by a query string or a posted form, or None."""
        return cls.from_parts(
            *(query.get(name) for name in ("staffId", "sectionId", "date", "time"))
        )

    @classmethod
    def from_key(cls, value: str | None) -> Slot | None:
        """The slot of a `key`, or None."""
        match = _KEY.fullmatch(value or "")
        return cls.from_parts(match[3], match[4], match[1], match[2]) if match else None

    def named(self, practitioners: Iterable[Practitioner], rooms: Iterable[Room]) -> Slot:
        """This slot with its practitioner and room as the diary lists them, where it does."""
        practitioner = next((p for p in practitioners if p.id == self.practitioner.id), None)
        room = next((r for r in rooms if r.id == self.room.id), None)
        return dataclasses.replace(
            self, practitioner=practitioner or self.practitioner, room=room or self.room
        )

    def moved_to(self, other: Slot) -> Slot:
        """This practitioner and room at another slot's start (an alternative after "taken")."""
        return dataclasses.replace(self, start=other.start)


def _is_id(value: str | None) -> bool:
    return value is not None and re.fullmatch(ID_PATTERN, value) is not None
