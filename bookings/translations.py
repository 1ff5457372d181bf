"""The translation catalogues: compiled from `.po` to `.mo` in Python, and checked.

Django's `compilemessages` needs GNU gettext's `msgfmt`, which a practice's
server (or a fresh development machine) may not have; Babel, a Python
package the site depends on, compiles the same files. Run by `make run`,
`make test` and `manage.py compiletranslations` at deployment, for our
catalogues (`locale/`) and the practice's (`THEME_DIR/locale`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po
from django.conf import settings

#: The site's own catalogues; the Welsh one holds every string there is.
OURS = settings.BASE_DIR / "locale"
SOURCE = OURS / "cy" / "LC_MESSAGES" / "django.po"


class CatalogueError(Exception):
    """A `.po` file that cannot be read: its path and what is wrong, for the practice."""


def catalogues() -> Iterator[Path]:
    """Every `django.po` under the folders Django reads translations from."""
    for folder in map(Path, settings.LOCALE_PATHS):
        yield from sorted(folder.glob("*/LC_MESSAGES/django.po"))


def stale() -> list[Path]:
    """Catalogues whose compiled `.mo` is missing or older than the `.po`."""
    return [
        po
        for po in catalogues()
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]


def compile_catalogue(po: Path) -> int:
    """Write `po`'s `.mo` beside it; the number of messages translated.

    Fuzzy entries (a translation a tool guessed, not yet checked) are left
    out, as `msgfmt` does: the patient reads the English instead.
    """
    locale = po.parent.parent.name
    try:
        _check_lines(po.read_text(encoding="utf-8"))
        with po.open("rb") as source:
            catalogue = read_po(source, locale=locale, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{po}: {error}") from error
    # A translation that drops or misspells a placeholder (`%(time)s`) would
    # fail on the patient's page: refused here, as `msgfmt --check` does.
    for message, errors in catalogue.check():
        line = message.lineno
        raise CatalogueError(f"{po}, line {line}: {errors[0]} (msgid {message.id!r})")
    mo = po.with_suffix(".mo")
    partial = mo.with_suffix(".mo.tmp")
    with partial.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    partial.replace(mo)  # a worker reading it meanwhile sees the old file or the new
    return sum(1 for message in catalogue if message.id and message.string and not message.fuzzy)


#: A line of a `.po` file that holds a string: a keyword and a quoted string, or a quoted string.
_STRING_LINE = re.compile(
    r"(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"  # a keyword, or none
    r'"(?:[^"\\]|\\.)*"\s*'  # then a string, closed
)


def _check_lines(text: str) -> None:
    """Refuse what Babel would read quietly: a string that is not closed, say."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#") and not _STRING_LINE.fullmatch(line):
            raise ValueError(f"line {number} is not a keyword and a quoted string: {line!r}")


def start_language(code: str, folder: Path) -> Path:
    """A new, empty catalogue for language `code` in `folder` (THEME_DIR/locale), to translate.

    Every string the site shows, with our translators' comments and where it
    is used, and the language's plural rules in its header: what `makemessages`
    would write, without GNU gettext or our source code. Never overwrites.
    """
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as error:
        raise CatalogueError(f"{code!r} is not a language code Babel knows: {error}") from error
    target = folder / str(locale) / "LC_MESSAGES" / "django.po"
    if target.exists():
        raise CatalogueError(f"{target} exists already: edit it, or move it away first.")
    with SOURCE.open("rb") as source:
        ours = read_po(source)
    catalogue = Catalog(locale=locale, project=ours.project, version=ours.version)
    for message in ours:
        if not message.id:
            continue  # the header
        catalogue.add(
            message.id,
            string=("", "") if isinstance(message.id, tuple) else "",
            locations=message.locations,
            auto_comments=message.auto_comments,
            flags=set(message.flags) - {"fuzzy"},
            context=message.context,
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_po(out, catalogue, width=79)
    return target
