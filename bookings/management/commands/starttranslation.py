"""Start a translation into a new language, in the practice's THEME_DIR/locale."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookings.translations import CatalogueError, start_language


class Command(BaseCommand):
    help = (
        "Write THEME_DIR/locale/<language>/LC_MESSAGES/django.po with every string the site"
        " shows and no translation yet, to fill in (docs/translations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("language", help="the language's code, e.g. ga, gd, pl")
        parser.add_argument(
            "--folder",
            type=Path,
            help="where to write it (default: THEME_DIR/locale)",
        )

    def handle(self, *args: Any, language: str, folder: Path | None, **options: Any) -> None:
        if folder is None:
            if not settings.THEME_DIR:
                raise CommandError(
                    "Set THEME_DIR to the practice's own folder first (docs/designers.md),"
                    " or name a folder with --folder."
                )
            folder = Path(settings.THEME_DIR) / "locale"
        try:
            written = start_language(language, folder)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {written}. Translate each msgstr, then run `manage.py compiletranslations`"
            f" and add {language} to SITE_LANGUAGES."
        )
