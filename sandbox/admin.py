from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Booking, Practitioner, Room, WorkingHours


class WorkingHoursFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # WorkingHours.clean() compares against saved rows only; two new rows
        # typed in the same form can overlap each other.
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.instance.start
            and form.instance.end
            and form.instance.weekday is not None
        ]
        for i, hours in enumerate(kept):
            if any(hours.overlaps(other) for other in kept[i + 1 :]):
                raise ValidationError(
                    _("Working hours on %(day)s overlap.") % {"day": hours.get_weekday_display()}
                )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 1
    ordering = ["weekday", "start"]


class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "slot_minutes"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline]


class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "id"]
    search_fields = ["name"]


class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end", "room"]
    list_filter = ["practitioner", "room", "weekday"]


class BookingAdmin(admin.ModelAdmin):
    list_display = ["date", "time", "practitioner", "room", "name", "duration", "created_at"]
    list_filter = ["practitioner", "room", "date"]
    date_hierarchy = "date"
    search_fields = ["name", "email", "phone"]
    readonly_fields = ["created_at"]
    list_select_related = ["practitioner", "room"]


def register(site: admin.AdminSite) -> None:
    site.register(Practitioner, PractitionerAdmin)
    site.register(Room, RoomAdmin)
    site.register(WorkingHours, WorkingHoursAdmin)
    site.register(Booking, BookingAdmin)


# Like its URLs (booking_site/urls.py), the reference diary is in the admin
# only where the site runs on it: a site on the live Physiodiary server must
# not show fake practitioners and bookings that look like the practice's own.
if settings.SANDBOX_ENABLED:
    register(admin.site)
