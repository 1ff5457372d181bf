"""The practitioners and rooms the diary lists, as the console shows them.

The console keeps a row (bookings/models.py) for every practitioner and room
the diary lists, made when staff open the list, so that each can be hidden,
ordered and described; the names are the diary's, never copied. A row whose
id the diary no longer lists stays, unused: patients only ever see what the
diary lists (bookings/configuration.py).
"""

from __future__ import annotations

from bookings import diary
from bookings.models import PractitionerProfile, RoomProfile
from physiodiary import PhysiodiaryError


def names() -> tuple[dict[int, str], dict[int, str]] | None:
    """({staffId: name}, {sectionId: name}) in the diary's order, hidden ones too; None if
    the diary cannot say."""
    try:
        # `listed`, not `lists`: that leaves out the ones the console hides.
        practitioners, rooms = diary.listed()
    except PhysiodiaryError:
        return None
    return {p.id: p.name for p in practitioners}, {r.id: r.name for r in rooms}


def practitioners() -> dict[int, str] | None:
    """{staffId: name}, hidden ones too; None if the diary cannot say."""
    both = names()
    return None if both is None else both[0]


def rooms() -> dict[int, str] | None:
    """{sectionId: name}, hidden ones too; None if the diary cannot say."""
    both = names()
    return None if both is None else both[1]


def add_rows(model: type[PractitionerProfile | RoomProfile], listed: dict[int, str]) -> int:
    """A row, offered and unordered (as with none), for each listed id that has none yet."""
    known = set(model.objects.filter(diary_id__in=listed).values_list("diary_id", flat=True))
    new = [model(diary_id=diary_id) for diary_id in listed if diary_id not in known]
    # Two staff opening the list at once: the second's duplicates are skipped.
    model.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
