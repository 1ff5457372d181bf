"""Compile the translation catalogues, ours and the practice's (THEME_DIR/locale)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bookings.translations import CatalogueError, catalogues, compile_catalogue


class Command(BaseCommand):
    # Not the checks first: one of them (bookings.W004) is what this command puts right.
    requires_system_checks: list[str] = []
    help = (
        "Compile every locale/<language>/LC_MESSAGES/django.po (the site's and THEME_DIR's)"
        " into the .mo file Django reads. Needs no GNU gettext. Run after installing or"
        " upgrading, and after editing a translation; then restart the site."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = list(catalogues())
        if not found:
            raise CommandError("No translation catalogues found (locale/*/LC_MESSAGES/django.po).")
        for po in found:
            try:
                count = compile_catalogue(po)
            except CatalogueError as error:
                raise CommandError(f"Could not compile {error}") from error
            self.stdout.write(f"Compiled {po} ({count} messages translated).")
