"""Delete what is kept no longer than it is needed (the systemd timer runs it).

The change records of appointments that have ended; and the console's activity
counts and record of who changed what, after CONSOLE_RETENTION_DAYS.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from bookings import activity, changes, outbox


class Command(BaseCommand):
    help = (
        "Delete the change or cancel links' records of appointments that have ended, and"
        " the console's activity counts and record of changes older than CONSOLE_RETENTION_DAYS."
        " With --reseal, also seal every record and outbox email again with the first key"
        " of BOOKING_RECORD_KEY (after a key rotation)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="after a key rotation: re-encrypt every record with the first key",
        )

    def handle(self, *args, reseal: bool = False, **options) -> None:
        purged = changes.purge()
        self.stdout.write(f"{purged} change record(s) of past appointments deleted.")
        given_up = outbox.purge_given_up()
        self.stdout.write(f"{given_up} given-up practice email(s) older than 30 days deleted.")
        counts, changes_logged = activity.purge()
        self.stdout.write(
            f"{counts} activity count(s) and {changes_logged} console change record(s)"
            f" older than {settings.CONSOLE_RETENTION_DAYS} days deleted."
        )
        if reseal:
            self.stdout.write(f"{changes.reseal_all()} change record(s) resealed.")
            self.stdout.write(f"{outbox.reseal_all()} outbox email(s) resealed.")
