"""The site's only tables: change links' records and the practice's outbox.

Both hold patient details, always sealed (bookings/crypto.py); what stays in
clear is what the purge, the retries and the atomic claim need: times, a
state, counts, digests of random ids. docs/privacy.md says what is kept and
for how long.
"""

from django.db import models
from django.utils import timezone


class ChangeRecord(models.Model):
    """What a change or cancel link needs, until the appointment has ended (bookings/changes.py)."""

    # SHA-256 of the link's random id: a copy of the database gives no working link.
    link_digest = models.CharField(max_length=64, unique=True)
    # SHA-256 of the confirmation's reference, so that its page can find its link.
    confirmation_digest = models.CharField(max_length=64, unique=True)
    # The appointment and the link, sealed.
    sealed = models.TextField()
    # The new appointment of a completed move, sealed; empty otherwise.
    moved_to = models.TextField(blank=True, default="")
    # In clear for the purge: when the appointment ends.
    ends_at = models.DateTimeField(db_index=True)
    # open | moving | cancel | moved | unknown: changed only by one conditional UPDATE each.
    state = models.CharField(max_length=10, default="open")
    requested_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "change link"

    def __str__(self) -> str:
        # Never the appointment: the admin lists these by number only.
        return f"change link {self.pk}"


class OutboxEmail(models.Model):
    """A practice email the mail server did not take, sealed, until sent (bookings/outbox.py)."""

    created = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    # When it is tried next; empty once it has been given up (after 2 days).
    next_try = models.DateTimeField(null=True, blank=True, db_index=True)
    # The exception's class only: its text can carry an address.
    last_error = models.CharField(max_length=100, blank=True, default="")
    # Whether its WARNING ("stuck") has been logged: once per email.
    warned = models.BooleanField(default=False)
    sealed = models.TextField()

    class Meta:
        verbose_name = "practice email not yet sent"
        verbose_name_plural = "practice emails not yet sent"

    def __str__(self) -> str:
        return f"practice email {self.pk}"
