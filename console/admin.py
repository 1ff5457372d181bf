"""The console's pages on the admin: the practice's details, notices, practitioners, rooms.

Every change is saved through the admin, so Django's admin log records who
made it and when (each row's History, and console/views.py's "Recent
changes"); bookings/configuration.py makes it live on every server within
seconds. The "Practice staff" group (console/migrations) may do exactly
what these pages offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bookings.clock import today
from bookings.models import Notice, PracticeProfile, PractitionerProfile, RoomProfile

from . import listed
from .forms import (
    NoticeForm,
    PracticeForm,
    PractitionerForm,
    RoomForm,
    TextsForm,
    names_of,
    shortened,
    with_languages,
)


class ConsoleAdmin(admin.ModelAdmin):
    """A row's page whose texts have one field per offered language (console/forms.py)."""

    form: type[TextsForm]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        # Made per request: the fields follow the languages the site offers now.
        kwargs["form"] = with_languages(self.form)
        return super().get_form(request, obj, change, **kwargs)


@admin.register(PracticeProfile)
class PracticeAdmin(ConsoleAdmin):
    """One row: its list is its page, and it is neither added nor deleted."""

    form = PracticeForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict]]:
        return [
            (None, {"fields": [*names_of("name"), "phone", "email", *names_of("address")]}),
            (_("Opening hours"), {"fields": names_of("opening_hours")}),
            (
                _("What happens next"),
                {
                    "fields": names_of("what_next"),
                    "description": _(
                        "Shown on the confirmation page and in its email. Plain text:"
                        " leave a blank line between paragraphs."
                    ),
                },
            ),
            (_("Privacy notice"), {"fields": names_of("privacy_url")}),
            (
                _("Booking rules"),
                {
                    "fields": [
                        "late_cancel_hours",
                        "min_notice_minutes",
                        "horizon_days",
                        "window_days",
                    ]
                },
            ),
        ]

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> PracticeProfile | None:
        # Unsaved until staff first save it: the environment's values meanwhile.
        return PracticeProfile.load() if str(object_id) == "1" else None

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:bookings_practiceprofile_change", args=[1]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ConsoleAdmin):
    form = NoticeForm
    list_display = ("text_shown", "starts_on", "ends_on", "state")
    list_display_links = ("text_shown",)
    ordering = ("-starts_on", "-pk")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict]]:
        return [
            (
                None,
                {
                    "fields": [*names_of("text"), "starts_on", "ends_on"],
                    "description": _(
                        "Shown above every step of the booking from the first day to the"
                        " last, both included, in the page's language."
                    ),
                },
            )
        ]

    @admin.display(description=_("text"))
    def text_shown(self, notice: Notice) -> str:
        return shortened(str(notice))

    @admin.display(description=_("shown"))
    def state(self, notice: Notice) -> str:
        # Words, not a coloured icon: the state reads the same to everyone.
        now = today()
        if notice.ends_on < now:
            return _("over")
        return _("now") if notice.starts_on <= now else _("not yet")


class ListedAdmin(ConsoleAdmin):
    """Practitioners or rooms: a row for each the diary lists, named as the diary names it."""

    #: `listed.practitioners` or `listed.rooms`.
    diary_list: Callable[[], dict[int, str] | None]
    list_editable = ("offered", "order")

    def _names(self, request: HttpRequest) -> dict[int, str] | None:
        if not hasattr(request, "console_names"):
            request.console_names = type(self).diary_list()
        return request.console_names

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        names = self._names(request)
        if names is None:
            self.message_user(
                request,
                _(
                    "The diary did not answer: names are not shown, and any it has added"
                    " since are not listed yet. Try again in a minute."
                ),
                messages.WARNING,
            )
        else:
            listed.add_rows(self.model, names)
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        row = self.get_object(request, object_id)
        names = self._names(request) or {}
        if row is not None and row.diary_id in names:
            extra_context = {**(extra_context or {}), "subtitle": names[row.diary_id]}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("name in the diary"))
    def diary_name(self, row: PractitionerProfile | RoomProfile) -> str:
        return str(row)  # replaced, per request, by the diary's own name (below)

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        names = self._names(request)

        @admin.display(description=_("name in the diary"))
        def diary_name(row: PractitionerProfile | RoomProfile) -> str:
            if names is None:
                return str(_("(the diary did not answer)"))
            return names.get(row.diary_id) or str(_("(no longer in the diary)"))

        return (diary_name, "diary_id", *self.list_display[1:])

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> list[Any]:
        return [list_display[0]]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[ModelForm]:
        base = super().get_changelist_form(request, **kwargs)
        names = self._names(request) or {}

        class Labelled(base):  # type: ignore[misc, valid-type]
            """The list's boxes named for a screen reader: "Offered online: Anna"."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                row = names.get(self.instance.diary_id) or str(self.instance)
                for field in self.fields.values():
                    field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {row}"

        return Labelled

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the diary's list makes them


@admin.register(PractitionerProfile)
class PractitionerAdmin(ListedAdmin):
    form = PractitionerForm
    diary_list = staticmethod(listed.practitioners)
    list_display = ("diary_name", "offered", "order", "title_shown")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict]]:
        return [
            (
                None,
                {
                    "fields": ["offered", "order"],
                    "description": _(
                        "A practitioner not offered online is never offered to patients,"
                        " nor chosen for “any practitioner”. Lower orders come first."
                    ),
                },
            ),
            (
                _("What patients read beside the name"),
                {"fields": [*names_of("title"), *names_of("bio"), "languages_spoken"]},
            ),
        ]

    @admin.display(description=_("title"))
    def title_shown(self, row: PractitionerProfile) -> str:
        return shortened(_in_default_language(row.title))


@admin.register(RoomProfile)
class RoomAdmin(ListedAdmin):
    form = RoomForm
    diary_list = staticmethod(listed.rooms)
    list_display = ("diary_name", "offered", "order", "notes_shown")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict]]:
        return [
            (
                None,
                {
                    "fields": ["offered", "order"],
                    "description": _(
                        "A room not offered online is never offered to patients, nor chosen"
                        " for “any room”. Lower orders come first."
                    ),
                },
            ),
            (
                _("Access notes"),
                {
                    "fields": names_of("access_notes"),
                    "description": _("For example: step-free, parking behind the building."),
                },
            ),
        ]

    @admin.display(description=_("access notes"))
    def notes_shown(self, row: RoomProfile) -> str:
        return shortened(_in_default_language(row.access_notes))


def _in_default_language(texts: object) -> str:
    return texts.get(settings.LANGUAGE_CODE, "") if isinstance(texts, dict) else ""
