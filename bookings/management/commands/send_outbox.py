"""Resend the practice emails the mail server did not take, when due (the systemd timer runs it)."""

from django.core.management.base import BaseCommand

from bookings import outbox
from bookings.models import OutboxEmail


class Command(BaseCommand):
    help = "Resend the practice emails waiting in the outbox whose next try is due."

    def handle(self, *args, **options) -> None:
        sent = outbox.retry_due()
        waiting = OutboxEmail.objects.filter(next_try__isnull=False).count()
        given_up = OutboxEmail.objects.filter(next_try__isnull=True).count()
        self.stdout.write(f"{sent} sent; {waiting} waiting; {given_up} given up (see the admin).")
