"""The practice's own words and contact details, in the language of the page.

What the practice saved in its console (bookings/configuration.py) wins: the
page's language's text, else the default language's. Then the environment,
as before the console: a text set for the page's language
(`PRACTICE_WHAT_NEXT_CY`), then the default language's
(`PRACTICE_WHAT_NEXT`); where the practice set neither, the site's own
words, translated like every other string.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import configuration

#: Each setting the console may override, and its field there.
CONSOLE_FIELDS = {
    "PRACTICE_NAME": "name",
    "PRACTICE_ADDRESS": "address",
    "PRACTICE_OPENING_HOURS": "opening_hours",
    "PRACTICE_WHAT_NEXT": "what_next",
    "PRACTICE_PRIVACY_URL": "privacy_url",
}


def text(name: str) -> str:
    """The practice setting `name` (e.g. "PRACTICE_WHAT_NEXT", "PRACTICE_PHONE") in the
    active language."""
    now = configuration.current()
    if name in ("PRACTICE_PHONE", "PRACTICE_EMAIL"):
        saved = now.phone if name == "PRACTICE_PHONE" else now.email
        return saved or getattr(settings, name)
    if saved := configuration.in_language(now.practice.get(CONSOLE_FIELDS.get(name, ""), {})):
        return saved
    own = settings.PRACTICE_TEXTS.get(get_language() or "", {}).get(name)
    if own is not None:
        return own
    value = getattr(settings, name)
    return _default(name) if value is None else value


def _default(name: str) -> str:
    if name == "PRACTICE_WHAT_NEXT":
        return _(
            "Please arrive 5 minutes early, so that your appointment can start on time.\n\n"
            "Wear or bring loose, comfortable clothing, so that the part of you being treated"
            " can be seen and moved. Bring a list of any medicines you take.\n\n"
            "If you cannot come, please tell us at least 24 hours before, on %(phone)s,"
            " so that someone else can have the time."
        ) % {"phone": text("PRACTICE_PHONE")}
    if name == "PRACTICE_OPENING_HOURS":
        # The reference diary's demo practice (a live diary's site has "",
        # none, until the practice says: settings.py).
        return _("Monday to Friday, 8am to 8pm\nSaturday, 9am to 1pm")
    return ""
