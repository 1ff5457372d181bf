"""What the practice's staff see in the admin: counts and the outbox, never a patient's details.

Change records and outbox emails are sealed (bookings/crypto.py), and stay
so here: nothing in the admin opens them. The change links are shown as
counts by state; the outbox as one row per email with its times, tries and
last error's class, to try again or delete.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from .models import ChangeRecord, OutboxEmail


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """Counts by state only: no list of records, no record's page."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django's refusal
        records = ChangeRecord.objects.all()
        context = {
            **self.admin_site.each_context(request),
            "title": "Change or cancel links",
            "opts": self.model._meta,
            "by_state": records.values("state").annotate(count=Count("pk")).order_by("state"),
            "total": records.count(),
            "ended": records.filter(ends_at__lte=timezone.now()).count(),
        }
        return TemplateResponse(request, "admin/bookings/change_link_counts.html", context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self):
        # The list (counts) only: no page per record to open.
        return [url for url in super().get_urls() if url.name and url.name.endswith("changelist")]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The practice emails not sent yet: when, how often tried, why not; never their content."""

    list_display = ("__str__", "created", "attempts", "last_error", "next_try", "status")
    fields = ("created", "attempts", "last_error", "next_try", "status")
    readonly_fields = fields
    ordering = ("created",)
    actions = ("try_again_now",)

    @admin.display(description="status")
    def status(self, kept: OutboxEmail) -> str:
        if kept.next_try is None:
            return "given up: check the mail settings, then try again"
        return "stuck: failing for over an hour" if kept.warned else "waiting to retry"

    @admin.action(description="Try the selected emails again now")
    def try_again_now(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        # Picked up by the next `send_outbox` (the timer) or request that runs maintenance.
        count = queryset.update(next_try=timezone.now())
        self.message_user(request, f"{count} email(s) will be tried again.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
