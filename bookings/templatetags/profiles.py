"""What the practice's console says of a practitioner or room, in the page's language.

Filters rather than context, so that every template that names a
practitioner or room (step 1's radios, the times and details pages, their
/preview/ states) can show it without each view passing it on:

    {% load profiles %}
    {% with about=radio.data.value|about:question %}…{{ about.title }}…{% endwith %}
    {{ room.id|room_access }}

What comes back is plain text: templates autoescape it, like everything the
practice writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from .. import configuration

register = template.Library()


@dataclass(frozen=True)
class About:
    """What the console saved on one practitioner (title, short bio, languages spoken)
    or room (access notes), in the page's language."""

    title: str = ""
    bio: str = ""
    languages: str = ""
    access_notes: str = ""

    def __bool__(self) -> bool:
        return any((self.title, self.bio, self.languages, self.access_notes))


@register.filter
def about(diary_id: object, field: str) -> About | None:
    """The console's words on the practitioner (`field` "staffId") or room ("sectionId")
    with this diary id: step 1's hint under its radio. None: nothing saved, or "any"."""
    now = configuration.current()
    if field == "staffId":
        practitioner = now.practitioners.get(_id(diary_id))
        if practitioner is None:
            return None
        found = About(
            configuration.in_language(practitioner.title),
            configuration.in_language(practitioner.bio),
            practitioner.languages_spoken,
        )
    else:
        found = About(access_notes=room_access(diary_id))
    return found or None


@register.filter
def room_access(diary_id: object) -> str:
    """The console's access notes on the room with this diary id, or ""."""
    saved = configuration.current().rooms.get(_id(diary_id))
    return configuration.in_language(saved.access_notes) if saved else ""


def _id(value: object) -> int | None:
    """A diary id from a radio's value or an id ("any" and the like are none)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else None
