"""The reference diary's data: who works where and when, and what is booked."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so a date maps straight onto its hours.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Practitioner(models.Model):
    # The id is the API's staffId, chosen by the practice, not generated.
    id = models.PositiveIntegerField(
        _("staff ID"), primary_key=True, help_text=_("The staffId the diary's API uses.")
    )
    name = models.CharField(_("name"), max_length=100)
    slot_minutes = models.PositiveSmallIntegerField(
        _("appointment length (minutes)"),
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["name", "id"]
        constraints = [
            # A zero-length slot would make the free-time grid loop for ever.
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gt=0), name="practitioner_slot_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    # The id is the API's sectionId: the vendor calls rooms "sections".
    id = models.PositiveIntegerField(
        _("section ID"), primary_key=True, help_text=_("The sectionId the diary's API uses.")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("practitioner"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("room")
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["practitioner__name", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.practitioner}, {self.get_weekday_display()} "
            f"{self.start:%H:%M}-{self.end:%H:%M}, {self.room}"
        )

    def overlaps(self, other: "WorkingHours") -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end

    def clean(self) -> None:
        if self.start is None or self.end is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": _("The end must be later than the start.")})
        if self.practitioner_id is None or self.weekday is None:
            return
        # A practitioner cannot be in two places at once; overlapping hours
        # would also offer the same time twice.
        same_day = WorkingHours.objects.filter(
            practitioner_id=self.practitioner_id, weekday=self.weekday
        ).exclude(pk=self.pk)
        clash = next((other for other in same_day if self.overlaps(other)), None)
        if clash is not None:
            raise ValidationError(
                _("These hours overlap %(other)s.")
                % {"other": f"{clash.start:%H:%M}-{clash.end:%H:%M}"}
            )


class Booking(models.Model):
    # PROTECT: a booking is a patient's appointment; deleting a practitioner
    # or room must not silently cancel it.
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("practitioner"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room")
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"))
    duration = models.PositiveSmallIntegerField(_("duration (minutes)"))
    name = models.CharField(_("patient's name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40)
    email = models.EmailField(_("email"))
    desc = models.CharField(_("reason for the appointment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["date", "time", "room__name"]
        constraints = [
            # The last line of defence against double booking, should two
            # requests ever get past the row locks in sandbox.free_times.book.
            models.UniqueConstraint(
                fields=["room", "date", "time"], name="booking_room_slot_unique"
            ),
            models.UniqueConstraint(
                fields=["practitioner", "date", "time"], name="booking_practitioner_slot_unique"
            ),
        ]

    def __str__(self) -> str:
        # No patient details: a booking's str() can end up in logs.
        return f"{self.date:%d %b %Y} {self.time:%H:%M}, {self.practitioner}, {self.room}"
