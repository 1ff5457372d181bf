"""Delete the change records of appointments that have ended (the systemd timer runs it)."""

from django.core.management.base import BaseCommand

from bookings import changes, outbox


class Command(BaseCommand):
    help = (
        "Delete the change or cancel links' records of appointments that have ended."
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
        if reseal:
            self.stdout.write(f"{changes.reseal_all()} change record(s) resealed.")
            self.stdout.write(f"{outbox.reseal_all()} outbox email(s) resealed.")
