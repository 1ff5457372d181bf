"""The console's forms: each text a patient reads as one field per offered language.

The rows keep such a text as `{"en-gb": "…", "cy": "…"}` (bookings/models.py).
Here it becomes one labelled field per language in settings.LANGUAGES ("Title
(English)", "Title (Cymraeg)"), each with its own length limit and error, so
that a screen reader names each field and an error lands where it was made.
The fields are made per request (`with_languages`), from the languages the
site offers then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import format_html
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import Notice, PracticeProfile, PractitionerProfile, RoomProfile


@dataclass(frozen=True)
class Texts:
    """A row's {language: text} field, edited as one form field per language."""

    field: str
    limit: int
    long: bool = False  # several lines: a text area
    required: bool = False  # the default language's text must be given
    web_address: bool = False


def name_of(field: str, code: str) -> str:
    """The form field of `field` in the language `code`: `bio_en_gb`, `bio_cy`."""
    return f"{field}_{code.replace('-', '_')}"


def names_of(field: str) -> list[str]:
    """`field`'s form fields, the default language's first."""
    return [name_of(field, code) for code, _name in settings.LANGUAGES]


class Text(forms.CharField):
    """A text box whose line breaks count once, as the browser's `maxlength` counts them."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n")


def _language_field(texts: Texts, label: str, code: str, language: str) -> forms.Field:
    required = texts.required and code == settings.LANGUAGE_CODE
    widget = forms.Textarea(attrs={"rows": 4}) if texts.long else forms.TextInput()
    # What is typed is in that language: spell checkers and screen readers follow.
    widget.attrs["lang"] = code
    field = Text(
        label=format_lazy("{} ({})", capfirst(label), language),
        max_length=texts.limit,
        required=required,
        widget=widget,
        error_messages={
            "max_length": _("At most %(limit_value)d characters, please: this has %(show_value)d."),
            "required": format_lazy(_("Enter the {} text."), language),
        },
    )
    if texts.web_address:
        # It becomes a link: nothing but a web page's address (never javascript:).
        field.validators.append(
            URLValidator(
                schemes=["http", "https"],
                message=_(
                    "Enter a web address such as https://www.riverside-physio.example/privacy."
                ),
            )
        )
    return field


class TextsForm(forms.ModelForm):
    """A form for a row whose `texts` are edited one field per language."""

    texts: ClassVar[tuple[Texts, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for texts in self.texts:
            saved = getattr(self.instance, texts.field)
            saved = saved if isinstance(saved, dict) else {}
            for code, _language in settings.LANGUAGES:
                self.initial.setdefault(name_of(texts.field, code), saved.get(code, ""))
            self._explain_empty(texts.field)

    def _explain_empty(self, field: str) -> None:
        """Say beside each language's field what patients read when it is left empty."""

    def _post_clean(self) -> None:
        # The languages offered now only: the row's own check refuses any other
        # (bookings/models.py), so a text in a language no longer offered goes.
        for texts in self.texts:
            typed = {
                code: self.cleaned_data.get(name_of(texts.field, code)) or ""
                for code, _language in settings.LANGUAGES
            }
            setattr(
                self.instance, texts.field, {code: text for code, text in typed.items() if text}
            )
        super()._post_clean()

    def _update_errors(self, errors: ValidationError) -> None:
        # The row's own checks (bookings/models.py) name its JSON field, which has no
        # box here: their message goes on the default language's, unless the form's
        # own check of a language's box has already said what is wrong.
        found = getattr(errors, "error_dict", None)
        if found is not None:
            for texts in self.texts:
                messages = found.pop(texts.field, None)
                if messages and not any(self.has_error(name) for name in names_of(texts.field)):
                    found.setdefault(name_of(texts.field, settings.LANGUAGE_CODE), []).extend(
                        messages
                    )
            if not found:
                return
        super()._update_errors(errors)


def with_languages(base: type[TextsForm]) -> type[TextsForm]:
    """`base` with a field for each of its texts in each language the site offers now."""
    model = base._meta.model
    fields: dict[str, forms.Field] = {}
    for texts in base.texts:
        label = str(model._meta.get_field(texts.field).verbose_name)
        for code, language in settings.LANGUAGES:
            fields[name_of(texts.field, code)] = _language_field(texts, label, code, language)
    return type(base.__name__, (base,), fields)


# --- Each row's form ---------------------------------------------------------------


def _environment_text(setting: str, code: str) -> str | None:
    """The environment's text for `setting` in `code`: its own language's, else the default's."""
    own = settings.PRACTICE_TEXTS.get(code, {}).get(setting)
    return own if own is not None else getattr(settings, setting)


def shortened(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class PracticeForm(TextsForm):
    texts = (
        Texts("name", PracticeProfile.LIMITS["name"]),
        Texts("address", PracticeProfile.LIMITS["address"]),
        Texts("opening_hours", PracticeProfile.LIMITS["opening_hours"], long=True),
        Texts("what_next", PracticeProfile.LIMITS["what_next"], long=True),
        Texts("privacy_url", PracticeProfile.LIMITS["privacy_url"], web_address=True),
    )

    #: Each text's setting in the environment, whose value an empty box leaves in place.
    SETTINGS: ClassVar[dict[str, str]] = {
        "name": "PRACTICE_NAME",
        "address": "PRACTICE_ADDRESS",
        "opening_hours": "PRACTICE_OPENING_HOURS",
        "what_next": "PRACTICE_WHAT_NEXT",
        "privacy_url": "PRACTICE_PRIVACY_URL",
    }
    #: Each rule's setting, likewise.
    RULES: ClassVar[dict[str, str]] = {
        "late_cancel_hours": "BOOKING_LATE_CANCEL_HOURS",
        "min_notice_minutes": "BOOKING_MIN_NOTICE_MINUTES",
        "horizon_days": "BOOKING_HORIZON_DAYS",
        "window_days": "BOOKING_WINDOW_DAYS",
        "phone": "PRACTICE_PHONE",
        "email": "PRACTICE_EMAIL",
    }

    class Meta:
        model = PracticeProfile
        fields = (
            "phone",
            "email",
            "late_cancel_hours",
            "min_notice_minutes",
            "horizon_days",
            "window_days",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, setting in self.RULES.items():
            if field in self.fields:
                self.fields[field].help_text = _empty_means(str(getattr(settings, setting)))

    def _explain_empty(self, field: str) -> None:
        for code, _language in settings.LANGUAGES:
            name = name_of(field, code)
            if name in self.fields:
                value = _environment_text(self.SETTINGS[field], code)
                if value:
                    self.fields[name].help_text = _empty_means(shortened(value))
                elif field == "privacy_url":
                    self.fields[name].help_text = _("Empty: the site's own privacy page.")
                else:
                    self.fields[name].help_text = _("Empty: the site's own words, or none.")


def _empty_means(value: str) -> str:
    # The admin shows help texts as they are (|safe): the value is escaped here.
    return format_html(gettext("Empty: the site's setting, “{}”."), value)


class NoticeForm(TextsForm):
    texts = (Texts("text", Notice.LIMITS["text"], long=True, required=True),)

    class Meta:
        model = Notice
        fields = ("starts_on", "ends_on")


class PractitionerForm(TextsForm):
    texts = (
        Texts("title", PractitionerProfile.LIMITS["title"]),
        Texts("bio", PractitionerProfile.LIMITS["bio"], long=True),
    )

    class Meta:
        model = PractitionerProfile
        fields = ("offered", "order", "languages_spoken")


class RoomForm(TextsForm):
    texts = (Texts("access_notes", RoomProfile.LIMITS["access_notes"], long=True),)

    class Meta:
        model = RoomProfile
        fields = ("offered", "order")
