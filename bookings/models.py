"""The site's tables: change links' records, the practice's outbox, and what the console sets.

The first two hold patient details, always sealed (bookings/crypto.py); what
stays in clear is what the purge, the retries and the atomic claim need:
times, a state, counts, digests of random ids. docs/privacy.md says what is
kept and for how long. The rest hold no patient detail: the practice's own
words and rules (read by bookings/configuration.py) and counts per day.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


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


# --- What the practice sets in its console (console/, bookings/configuration.py) ---
# Texts a patient reads are stored per language, {"en-gb": "…", "cy": "…"}:
# one JSON column rather than a column per language, so that a practice adding
# a language (SITE_LANGUAGES) needs no migration. Empty or missing: the
# environment's value (settings), as before the console existed.

#: The longest text each field may hold, in characters, per language: enough
#: for what it is for, short enough that no page's layout breaks.
NAME_LENGTH = 200
ADDRESS_LENGTH = 300
LONG_TEXT_LENGTH = 2000  # opening hours, what happens next
BIO_LENGTH = 400
NOTICE_LENGTH = 500
NOTES_LENGTH = 300  # a room's access notes
URL_LENGTH = 500

# An absolute http(s) address only, as settings.py requires of PRACTICE_PRIVACY_URL:
# it becomes a link's href, so nothing else (javascript:) may reach it.
WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+[^\s]*")


def check_texts(value: object, limit: int, *, web_address: bool = False) -> dict[str, str]:
    """A {language: text} value checked: offered languages, strings, at most `limit` long.

    Raises ValidationError naming the language and the limit, so that the
    console can show it beside the field. Returns the value without empty texts.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Enter one text for each language."), code="invalid")
    texts: dict[str, str] = {}
    names = dict(settings.LANGUAGES)
    for code, text in value.items():
        if code not in names or not isinstance(text, str):
            raise ValidationError(_("Enter one text for each language."), code="invalid")
        text = text.strip()
        if len(text) > limit:
            raise ValidationError(
                _(
                    "The %(language)s text is %(length)d characters long:"
                    " at most %(limit)d, please."
                ),
                code="max_length",
                params={"language": names[code], "length": len(text), "limit": limit},
            )
        if text and web_address and not WEB_ADDRESS.fullmatch(text):
            raise ValidationError(
                _("Enter a web address such as https://www.riverside-physio.example/privacy."),
                code="invalid",
            )
        if text:
            texts[code] = text
    return texts


def _texts_field(verbose_name: str, help_text: str = "") -> models.JSONField:
    return models.JSONField(verbose_name, default=dict, blank=True, help_text=help_text)


class PracticeProfile(models.Model):
    """The practice's details as its staff set them: one row, pk 1 (`load`)."""

    name = _texts_field(_lazy("name"))
    address = _texts_field(_lazy("address"))
    opening_hours = _texts_field(_lazy("opening hours"))
    what_next = _texts_field(_lazy("what happens next"))
    privacy_url = _texts_field(_lazy("privacy notice link"))
    phone = models.CharField(_lazy("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_lazy("email"), max_length=254, blank=True, default="")
    # Booking rules; empty: the environment's BOOKING_* setting.
    late_cancel_hours = models.PositiveIntegerField(
        _lazy("late-cancellation notice (hours)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 14)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        _lazy("minimum notice (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60 * 24 * 14)],
    )
    # At most 90: the vendor's freeList looks no further ahead in one request.
    horizon_days = models.PositiveIntegerField(
        _lazy("how far ahead patients may book (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    window_days = models.PositiveIntegerField(
        _lazy("days of free times on one page"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )

    #: Each translated field and the longest text it may hold.
    LIMITS = {
        "name": NAME_LENGTH,
        "address": ADDRESS_LENGTH,
        "opening_hours": LONG_TEXT_LENGTH,
        "what_next": LONG_TEXT_LENGTH,
        "privacy_url": URL_LENGTH,
    }

    class Meta:
        verbose_name = _lazy("practice details")
        verbose_name_plural = _lazy("practice details")

    def __str__(self) -> str:
        return str(_("Practice details"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # one practice per site
        super().save(*args, **kwargs)

    def clean(self) -> None:
        _clean_texts(self, self.LIMITS, web_addresses={"privacy_url"})

    @classmethod
    def load(cls) -> PracticeProfile:
        """The one row, unsaved and empty (all the environment's values) until staff save it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Notice(models.Model):
    """A few words above every step for a while, e.g. "Closed 24 to 26 December"."""

    text = _texts_field(_lazy("text"))
    starts_on = models.DateField(_lazy("shown from"))
    ends_on = models.DateField(_lazy("shown until (inclusive)"))
    created = models.DateTimeField(default=timezone.now)

    LIMITS = {"text": NOTICE_LENGTH}

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _lazy("notice")
        verbose_name_plural = _lazy("notices")

    def __str__(self) -> str:
        return _first(self.text) or str(_("Notice"))

    def clean(self) -> None:
        errors = {}
        try:
            _clean_texts(self, self.LIMITS, required={"text"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.setdefault("ends_on", []).append(
                ValidationError(_("The last day shown cannot be before the first."), code="order")
            )
        if errors:
            raise ValidationError(errors)


class PractitionerProfile(models.Model):
    """What patients read about one practitioner the diary lists (its staffId)."""

    diary_id = models.PositiveIntegerField(_lazy("diary id"), unique=True)
    offered = models.BooleanField(_lazy("offered online"), default=True)
    order = models.IntegerField(_lazy("order"), default=0)
    title = _texts_field(_lazy("title"))
    bio = _texts_field(_lazy("short bio"))
    languages_spoken = models.CharField(
        _lazy("languages spoken"), max_length=NAME_LENGTH, blank=True, default=""
    )

    LIMITS = {"title": NAME_LENGTH, "bio": BIO_LENGTH}

    class Meta:
        ordering = ["order", "diary_id"]
        verbose_name = _lazy("practitioner")
        verbose_name_plural = _lazy("practitioners")

    def __str__(self) -> str:
        return str(_("Practitioner %(id)s") % {"id": self.diary_id})

    def clean(self) -> None:
        _clean_texts(self, self.LIMITS)


class RoomProfile(models.Model):
    """What patients read about one room the diary lists (its sectionId)."""

    diary_id = models.PositiveIntegerField(_lazy("diary id"), unique=True)
    offered = models.BooleanField(_lazy("offered online"), default=True)
    order = models.IntegerField(_lazy("order"), default=0)
    access_notes = _texts_field(_lazy("access notes"))

    LIMITS = {"access_notes": NOTES_LENGTH}

    class Meta:
        ordering = ["order", "diary_id"]
        verbose_name = _lazy("room")
        verbose_name_plural = _lazy("rooms")

    def __str__(self) -> str:
        return str(_("Room %(id)s") % {"id": self.diary_id})

    def clean(self) -> None:
        _clean_texts(self, self.LIMITS)


class DailyCount(models.Model):
    """How many times an event happened on a day: counts only, no patient, no address."""

    day = models.DateField()
    event = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "event"], name="one_count_a_day")]
        ordering = ["-day", "event"]
        verbose_name = _lazy("daily count")
        verbose_name_plural = _lazy("daily counts")

    def __str__(self) -> str:
        return f"{self.day} {self.event}: {self.count}"


def _first(texts: dict[str, str]) -> str:
    """The default language's text, else any: what the console's lists show."""
    if not isinstance(texts, dict):
        return ""
    default = texts.get(settings.LANGUAGE_CODE)
    return default or next((text for text in texts.values() if isinstance(text, str)), "")


def _clean_texts(
    row: models.Model,
    limits: dict[str, int],
    *,
    required: frozenset[str] | set[str] = frozenset(),
    web_addresses: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Check each translated field of `row` (and tidy it), raising every error at once."""
    errors: dict[str, list[ValidationError]] = {}
    for field, limit in limits.items():
        try:
            texts = check_texts(getattr(row, field), limit, web_address=field in web_addresses)
        except ValidationError as error:
            errors[field] = [error]
            continue
        setattr(row, field, texts)
        if field in required and not texts.get(settings.LANGUAGE_CODE):
            errors[field] = [
                ValidationError(
                    _("Enter the %(language)s text."),
                    code="required",
                    params={"language": dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]},
                )
            ]
    if errors:
        raise ValidationError(errors)
