"""A few words of Welsh the tests write themselves, so that a test can tell which
language a text was made in without the site's whole catalogue (locale/cy, which
tests/site/test_welsh.py checks). Compiled with Babel, as the site's are.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

#: (English, Welsh), or (English, Welsh, context) for `pgettext`; a plural's English
#: and Welsh are tuples (Welsh: one text for each of its plural forms).
Entry = tuple[str | tuple[str, str], str | tuple[str, ...]] | tuple[str, str, str]


def use_some_welsh(settings, folder: Path, *entries: Entry) -> None:
    """Translate these strings into Welsh, before any other catalogue, for this test."""
    catalogue = Catalog(locale="cy")
    for english, welsh, *context in entries:
        if isinstance(english, tuple) and isinstance(welsh, str):
            welsh = (welsh,) * catalogue.num_plurals
        catalogue.add(english, welsh, context=context[0] if context else None)
    messages = folder / "cy" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    with (messages / "django.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    # Django forgets its loaded catalogues when LOCALE_PATHS changes (and again after).
    settings.LOCALE_PATHS = [str(folder), *settings.LOCALE_PATHS]
