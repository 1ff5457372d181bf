"""The code a practice pastes into its website to show the booking there (bookings/assets/embed.js).

The snippet is the one README.md and docs/designers.md describe: the script,
and a `<div>` naming the practitioner, room and language to start with, whose
`<noscript>` link opens the same booking where scripts do not run.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def booking_path(staff: int | None = None, room: int | None = None, lang: str = "") -> str:
    """The booking's first page on this site, in `lang`, starting with `staff` and `room`."""
    prefix = "" if not lang or lang == settings.LANGUAGE_CODE else f"/{lang}"
    query = {name: value for name, value in (("staffId", staff), ("sectionId", room)) if value}
    return f"{prefix}/" + (f"?{urlencode(query)}" if query else "")


def snippet(site: str, staff: int | None = None, room: int | None = None, lang: str = "") -> str:
    """The HTML to paste, for the booking site at `site` (scheme and host, no slash after)."""
    attributes = [
        (name, value) for name, value in (("data-staff-id", staff), ("data-room-id", room)) if value
    ]
    if lang and lang != settings.LANGUAGE_CODE:
        attributes.append(("data-lang", lang))
    with translation.override(lang or settings.LANGUAGE_CODE):
        # The link's words in the booking's language, as embed.js's own.
        words = gettext("Book an appointment")
    data = "".join(f' {name}="{escape(value)}"' for name, value in attributes)
    link = escape(site + booking_path(staff, room, lang))
    return (
        f'<script src="{escape(site)}/embed.js" async></script>\n'
        f"<div data-physio-booking{data}>\n"
        f'  <noscript><a href="{link}">{escape(words)}</a></noscript>\n'
        "</div>"
    )


class EmbedForm(forms.Form):
    """Which practitioner, room and language the embedded booking starts with."""

    #: What the snippet is for before anything is chosen: the patient chooses everything.
    DEFAULT: ClassVar[dict[str, Any]] = {"staff": None, "room": None, "lang": ""}

    staff = forms.TypedChoiceField(
        label=_("Practitioner"), coerce=int, empty_value=None, required=False
    )
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, empty_value=None, required=False)
    lang = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(
        self,
        *args: Any,
        practitioners: dict[int, str],
        rooms: dict[int, str],
        hidden: dict[str, set[int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only those offered online: a snippet naming a hidden one would start nowhere.
        self.fields["staff"].choices = [("", _("Let the patient choose"))] + [
            (diary_id, f"{name} ({diary_id})")
            for diary_id, name in practitioners.items()
            if diary_id not in hidden["practitioners"]
        ]
        self.fields["room"].choices = [("", _("Let the patient choose"))] + [
            (diary_id, f"{name} ({diary_id})")
            for diary_id, name in rooms.items()
            if diary_id not in hidden["rooms"]
        ]
        self.fields["lang"].choices = list(settings.LANGUAGES)
        self.fields["lang"].initial = settings.LANGUAGE_CODE
