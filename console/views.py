"""The console's own pages beside the admin's: the embed code, activity, recent changes.

Each is an admin page (`admin.site.admin_view`: signed-in staff only, never
cached), open to those with the permission it names: the "Practice staff"
group has them all (console/migrations).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from bookings import activity as counters
from bookings.activity import EVENTS
from bookings.clock import today
from bookings.models import DailyCount, PractitionerProfile, RoomProfile

from . import listed
from .embed import EmbedForm, booking_path, snippet

#: Days the activity page shows, today the last.
ACTIVITY_DAYS = 30
#: Entries the recent changes page shows, newest first.
RECENT_CHANGES = 200

#: Each counted event's column heading and what it counts (bookings/activity.py).
EVENT_WORDS = {
    "step-choose": (_("Step 1"), _("Pages of step 1 shown: who and which room.")),
    "step-times": (_("Step 2"), _("Pages of free times shown.")),
    "step-details": (_("Step 3"), _("Details forms shown.")),
    "booked": (_("Booked"), _("Bookings the diary confirmed, moves among them.")),
    "just-taken": (
        _("Just taken"),
        _("Times booked by someone else meanwhile: the patient was offered the nearest."),
    ),
    "cancel-requested": (_("Cancels"), _("Cancel requests sent to you by email.")),
    "move-requested": (
        _("Moves"),
        _("Moves booked, and sent to you by email to remove the old time."),
    ),
    "diary-failure": (
        _("Diary down"),
        _("Pages and bookings the diary could not serve: the patient was given your phone number."),
    ),
    "lost-outcome": (
        _("Outcome lost"),
        _("Bookings whose answer from the diary was lost: you were emailed to check the diary."),
    ),
}


def _page(
    request: HttpRequest, template: str, title: str, context: dict[str, Any]
) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"console/{template}.html",
        {**admin.site.each_context(request), "title": title, **context},
    )


def _needs(request: HttpRequest, *permissions: str) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


@require_safe
def embed_code(request: HttpRequest) -> HttpResponse:
    """The snippet for the practice's website, for a chosen practitioner, room and language."""
    _needs(request, "bookings.view_practitionerprofile", "bookings.view_roomprofile")
    practitioners, rooms = listed.names() or (None, None)
    hidden = {"practitioners": _hidden(PractitionerProfile), "rooms": _hidden(RoomProfile)}
    form = EmbedForm(
        request.GET or None, practitioners=practitioners or {}, rooms=rooms or {}, hidden=hidden
    )
    chosen = form.cleaned_data if form.is_valid() else EmbedForm.DEFAULT
    site = request.build_absolute_uri("/").rstrip("/")
    response = _page(
        request,
        "embed_code",
        _("Embed code"),
        {
            "form": form,
            "practitioners": _rows(practitioners, hidden["practitioners"]),
            "rooms": _rows(rooms, hidden["rooms"]),
            "diary_down": practitioners is None or rooms is None,
            "snippet": snippet(site, **chosen),
            "preview_url": booking_path(**chosen),
            "origins": settings.EMBED_ALLOWED_ORIGINS,
        },
    )
    # The preview: the booking from this very site, in a frame (bookings/embedding.py lets it).
    response._csp_update = {"frame-src": ["'self'"]}  # type: ignore[attr-defined]
    return response


def _hidden(model: type[PractitionerProfile | RoomProfile]) -> set[int]:
    return set(model.objects.filter(offered=False).values_list("diary_id", flat=True))


def _rows(names: dict[int, str] | None, hidden: set[int]) -> list[tuple[str, int, bool]]:
    """(name, id, offered online) for each the diary lists, in its order."""
    return [(name, diary_id, diary_id not in hidden) for diary_id, name in (names or {}).items()]


@require_safe
def activity(request: HttpRequest) -> HttpResponse:
    """Counts per day of each event, for the last ACTIVITY_DAYS days: numbers only."""
    _needs(request, "bookings.view_dailycount")
    # Pages count in the shared cache first (bookings/activity.py): up to the minute here.
    counters.flush_quietly(wait=2)
    last = today()
    days = [last - dt.timedelta(days=back) for back in range(ACTIVITY_DAYS)]
    counted = {
        (row.day, row.event): row.count
        for row in DailyCount.objects.filter(day__gte=days[-1], day__lte=last)
    }
    table = [(day, [counted.get((day, event), 0) for event in EVENTS]) for day in days]
    return _page(
        request,
        "activity",
        _("Activity"),
        {
            "events": [EVENT_WORDS[event] for event in EVENTS],
            "table": table,
            "totals": [sum(row[1][column] for row in table) for column in range(len(EVENTS))],
            "retention_days": settings.CONSOLE_RETENTION_DAYS,
        },
    )


@require_safe
def recent_changes(request: HttpRequest) -> HttpResponse:
    """Who changed what, and when: the admin's log, of what this user may see."""
    _needs(request, "admin.view_logentry")
    entries = LogEntry.objects.select_related("user", "content_type").order_by("-action_time")
    if not request.user.is_superuser:
        visible = [
            kind.pk
            for kind in ContentType.objects.all()
            if request.user.has_perm(f"{kind.app_label}.view_{kind.model}")
        ]
        entries = entries.filter(content_type__in=visible)
    return _page(
        request,
        "recent_changes",
        _("Recent changes"),
        {
            "entries": [_entry(entry, _diary_names()) for entry in entries[:RECENT_CHANGES]],
            "shown": RECENT_CHANGES,
            "retention_days": settings.CONSOLE_RETENTION_DAYS,
        },
    )


def _diary_names() -> dict[tuple[str, str], str]:
    """{(model, row's pk): the diary's name} for practitioners and rooms, as the log names
    them by number only ("Practitioner 42230"); empty if the diary does not answer."""
    listed_now = listed.names()
    if listed_now is None:
        return {}
    named = {}
    for model, names in zip((PractitionerProfile, RoomProfile), listed_now, strict=True):
        for pk, diary_id in model.objects.values_list("pk", "diary_id"):
            if diary_id in names:
                named[(model._meta.model_name, str(pk))] = names[diary_id]
    return named


def _entry(entry: LogEntry, names: dict[tuple[str, str], str]) -> dict[str, Any]:
    url = None if entry.is_deletion() else entry.get_admin_url() or None
    kind = entry.content_type
    name = names.get((kind.model, entry.object_id)) if kind else None
    return {
        "when": entry.action_time,
        "who": entry.user.get_full_name() or entry.user.get_username(),
        "kind": kind.name if kind else "",
        "what": f"{name} ({entry.object_repr})" if name else entry.object_repr,
        "url": url,
        "history_url": _history_url(entry) if url else None,
        "action": {
            ADDITION: _("added"),
            CHANGE: _("changed"),
            DELETION: _("deleted"),
        }.get(entry.action_flag, ""),
        "details": entry.get_change_message(),
    }


def _history_url(entry: LogEntry) -> str | None:
    """The row's History page, as the admin's own "History" link opens it."""
    kind = entry.content_type
    try:
        return reverse(
            f"admin:{kind.app_label}_{kind.model}_history", args=[quote(entry.object_id)]
        )
    except NoReverseMatch:
        return None
