"""The wizard's forms, and the one table from the diary's error codes to fields.

Field names are the API's own (`staffId`, `sectionId`, `date`, `time`, `name`,
`phone`, `email`, `desc`), so an error's `fieldName` lands on the field of the
same name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from physiodiary import ApiError, ErrorCode, Practitioner, Room

from . import clock, guard, wizard
from .slots import Slot
from .tokens import FormToken

logger = logging.getLogger(__name__)

#: What a patient reads: a lazy translation (`gettext_lazy`) until a page renders it,
#: in the language that page is in.
Words = str | Promise

# Refused everywhere: a diary entry is no place for terminal escapes or NULs.
# The reason for the visit may have line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Translators: 01632 960 001 and 07700 900 982 are numbers set aside for examples in the UK:
# keep them as they are.
ENTER_A_PHONE_NUMBER = gettext_lazy("Enter a phone number, like 01632 960 001 or 07700 900 982")


class ChooseForm(forms.Form):
    """Step 1: who and where. Sent by GET, so the choice is the next step's URL."""

    staffId = forms.ChoiceField(
        label=gettext_lazy("Practitioner"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a practitioner, or any practitioner"),
            "invalid_choice": gettext_lazy(
                "Choose a practitioner from the list: the one asked for is"
                " not taking online bookings"
            ),
        },
    )
    sectionId = forms.ChoiceField(
        label=gettext_lazy("Room"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a room, or any room"),
            "invalid_choice": gettext_lazy(
                "Choose a room from the list: the one asked for is not open for online bookings"
            ),
        },
    )

    def __init__(
        self, practitioners: Sequence[Practitioner], rooms: Sequence[Room], *args, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.practitioners = {str(p.id): p for p in practitioners}
        self.rooms = {str(r.id): r for r in rooms}
        self.fields["staffId"].choices = _choices(practitioners, ANY_PRACTITIONER)
        self.fields["sectionId"].choices = _choices(rooms, ANY_ROOM)
        for name, items in (("staffId", practitioners), ("sectionId", rooms)):
            self.fields[name].initial = _initial(items)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        #: Whether the room question leaves out rooms with no free time (its hint says so).
        self.rooms_left_out = False

    @classmethod
    def from_query(
        cls, practitioners: Sequence[Practitioner], rooms: Sequence[Room], query: Mapping[str, str]
    ) -> ChooseForm:
        """The choice in a link, with the form's defaults for what it leaves out.

        "any" where there is only one practitioner (or room) means that one: a
        link made when the practice had more must still work.
        """
        data = {}
        # One form made, not two: each copies its fields and their choices.
        for name, items in (("staffId", practitioners), ("sectionId", rooms)):
            value = query.get(name) or _initial(items)
            if value == wizard.ANY and len(items) == 1:
                value = _initial(items)
            data[name] = str(value)
        return cls(practitioners, rooms, data=data)

    def offer_rooms_only_where_free(self, empty: set[int]) -> None:
        """Leave out the rooms known to have no free time for the practitioner chosen.

        The room a link chose stays (it is shown chosen, and the times page says
        what is free), and if every room is known empty every room stays: the
        times page then offers the wider searches and the practice's phone.
        """
        chosen = self["sectionId"].value()
        choices = self.fields["sectionId"].choices
        empty_ids = {str(room_id) for room_id in empty}
        kept = [choice for choice in choices if choice[0] not in empty_ids or choice[0] == chosen]
        if any(value != wizard.ANY for value, _ in kept) and len(kept) < len(choices):
            self.fields["sectionId"].choices = kept
            self.rooms_left_out = True

    @property
    def choice(self) -> dict[str, str]:
        """What was chosen, "any" included, as the times step's query string has it."""
        return {
            "staffId": self.cleaned_data["staffId"],
            "sectionId": self.cleaned_data["sectionId"],
        }

    @property
    def via(self) -> str | None:
        """The choice, when it was "any", for the details step's Change links."""
        staff, section = self.choice.values()
        return f"{staff}.{section}" if wizard.ANY in (staff, section) else None

    def chosen(self) -> tuple[list[Practitioner], list[Room]]:
        """The practitioners and rooms to search: all of them for "any"."""
        staff, section = self.cleaned_data["staffId"], self.cleaned_data["sectionId"]
        practitioners = list(self.practitioners.values()) if staff == wizard.ANY else []
        rooms = list(self.rooms.values()) if section == wizard.ANY else []
        return (
            practitioners or [self.practitioners[staff]],
            rooms or [self.rooms[section]],
        )

    def add_diary_errors(self, errors: Sequence[ApiError]) -> bool:
        """Put the diary's "no such practitioner / room" on its field; False if none was."""
        placed = False
        for error in errors:
            field, message = where(error)
            if field in self.fields:
                self.add_error(field, message)
                placed = True
        return placed


# Translators: the first choice among the practitioners: whoever has the time free.
ANY_PRACTITIONER = gettext_lazy("Any practitioner")
# Translators: the first choice among the rooms: wherever the time is free.
ANY_ROOM = gettext_lazy("Any room")


def _initial(items: Sequence[Practitioner | Room]) -> str:
    # One practitioner or one room: chosen already. Otherwise "any",
    # the quickest way to a free time, unless a link chose someone.
    return str(items[0].id) if len(items) == 1 else wizard.ANY


def _choices(items: Sequence[Practitioner | Room], anyone: str) -> list[tuple[str, str]]:
    choices = [(str(item.id), item.name) for item in items]
    # With one practitioner (or room) there is nothing to choose and no "any".
    return choices if len(choices) == 1 else [(wizard.ANY, anyone), *choices]


def _no_control_characters(value: str) -> None:
    if _CONTROL.search(value):
        raise forms.ValidationError(gettext("Remove the special characters"), code="control")


def _phone_number(value: str) -> None:
    # ASCII only: \d would count other scripts' digits, \s tabs and line breaks.
    digits = re.sub(r"[^0-9]", "", value)
    if re.search(r"[^0-9 ()+.\-]", value) or not 6 <= len(digits) <= 20:
        raise forms.ValidationError(ENTER_A_PHONE_NUMBER, code="phone")


@dataclass(frozen=True)
class Offer:
    """What a posted details form is checked against, besides its own fields."""

    slot: Slot  # the free time it books, named from the diary's lists where they list it
    token: FormToken | None  # None: missing, forged, expired, or for another time
    lists: tuple[Sequence[Practitioner], Sequence[Room]] | None  # None: could not be had


EXPIRED = gettext_lazy("This form has expired. Check your details and book again.")
# Translators: “Leave this field empty” and “Book appointment” must read exactly as the
# hidden field's label and the button do on the details page.
HONEYPOT_FILLED = gettext_lazy(
    "We could not take this booking. Leave the field marked “Leave this field empty”"
    " empty, then press “Book appointment” again."
)
# Translators: “Book appointment” must read exactly as the button on the details page does.
TOO_QUICK = gettext_lazy("Check your details, then press “Book appointment” again.")


class DetailsForm(forms.Form):
    """Step 3: the patient's details, with the chosen free time in hidden fields.

    Local checks mirror what the diary is known to check (its rules are not
    published), so most mistakes are caught without a call; the diary's own
    errors still land on these fields through `API_ERRORS`.
    """

    staffId = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    sectionId = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    date = forms.RegexField(r"^\d{8}$", widget=forms.HiddenInput)
    time = forms.RegexField(r"^\d{4}$", widget=forms.HiddenInput)
    # Signed: the free time, when the form was issued and a nonce (see tokens.py).
    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)

    name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=100,
        validators=[_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy("Enter your full name"),
            "max_length": gettext_lazy("Full name must be 100 characters or fewer"),
        },
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=40,
        validators=[_phone_number],
        help_text=gettext_lazy("In case the practice needs to move your appointment."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={
            "required": gettext_lazy("Enter a phone number"),
            "max_length": ENTER_A_PHONE_NUMBER,
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("We send your confirmation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy("Enter your email address"),
            # Translators: name@example.com is an example address: keep it as it is.
            "invalid": gettext_lazy("Enter an email address like name@example.com"),
            "max_length": gettext_lazy("Email address must be 254 characters or fewer"),
        },
    )
    desc = forms.CharField(
        label=gettext_lazy("Reason for your visit (optional)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "A few words, such as “sore knee after running”. Please leave out"
            " detailed medical information: your physiotherapist will ask at the appointment."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": gettext_lazy("Reason for your visit must be 500 characters or fewer")
        },
    )

    def __init__(
        self, *args, offer: Offer | None = None, lists_known: bool | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        # False when the diary's lists could not be had for this post: the page
        # then does not ask for them again (and wait for another timeout).
        if lists_known is None:
            lists_known = offer is None or offer.lists is not None
        self.lists_known = lists_known
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the signed token stands in for a CSRF cookie

    @property
    def reviewing(self) -> bool:
        """Enter pressed in a field while "just taken" offers times: book none unasked."""
        return "review" in self.data

    def clean(self) -> dict[str, object]:
        """A posted form's checks beyond its fields, none with a side effect.

        The fields come first: what is said of the form as a whole (expired,
        too quick) waits until they are right, as does the free time.
        """
        cleaned = super().clean()
        if self.offer is None or self._errors:
            return cleaned
        if problem := self._refusal(self.offer.token):
            raise forms.ValidationError(problem)
        if not self.reviewing:
            self._check_free_time(self.offer)
        return cleaned

    def _refusal(self, token: FormToken | None) -> str | None:
        if token is None:
            return EXPIRED
        if any(self.data.getlist(guard.HONEYPOT)):  # every value, not only the last
            logger.info("booking refused: the honeypot field was filled in")
            return HONEYPOT_FILLED
        if guard.too_quick(token.issued.timestamp()):
            logger.info("booking refused: the form came back too quickly")
            return TOO_QUICK
        return None

    def _check_free_time(self, offer: Offer) -> None:
        slot = offer.slot
        if offer.lists is not None:
            practitioners, rooms = offer.lists
            if slot.practitioner not in practitioners:
                self.add_error("staffId", where(ApiError(ErrorCode.INVALID_STAFF_ID, "", ""))[1])
            if slot.room not in rooms:
                self.add_error(
                    "sectionId", where(ApiError(ErrorCode.INVALID_SECTION_ID, "", ""))[1]
                )
        if slot.start < clock.earliest_bookable():
            self.add_error(
                "time", gettext("This time is now too soon to book online. Choose another time")
            )
        elif slot.start.date() > clock.last_bookable_day():
            self.add_error(
                "date", gettext("This date is too far ahead to book online. Choose another time")
            )

    def clean_desc(self) -> str:
        desc = self.cleaned_data["desc"]
        if _CONTROL_BUT_LINES.search(desc):
            raise forms.ValidationError(gettext("Remove the special characters"), code="control")
        return desc

    def add_api_errors(self, errors: Sequence[ApiError]) -> list[Words]:
        """Put each of the diary's errors on its field; return those that have none."""
        left = []
        for error in errors:
            field, message = where(error)
            if field in self.fields:
                self.add_error(field, message)
            else:
                left.append(message)
        return left


# --- The one table from the diary's error codes to fields and words ----------------

#: What the patient reads for an error the patient cannot fix.
DIARY_REFUSED = gettext_lazy("The practice's diary could not take the booking.")

#: Code → (field, what the patient reads). Codes with no field are the
#: practice's problem, not the patient's: the page gives its phone and email.
#: The words are lazy: each page reads them in its own language.
API_ERRORS: dict[int, tuple[str | None, Words]] = {
    ErrorCode.INVALID_ACTION: (None, DIARY_REFUSED),
    ErrorCode.INVALID_API_KEY: (None, DIARY_REFUSED),
    ErrorCode.INVALID_SECTION_ID: (
        "sectionId",
        gettext_lazy("This room cannot be booked online at the moment. Choose another room"),
    ),
    ErrorCode.INVALID_STAFF_ID: (
        "staffId",
        gettext_lazy(
            "This practitioner cannot be booked online at the moment. Choose another practitioner"
        ),
    ),
    ErrorCode.INVALID_NUM_DAYS: (None, DIARY_REFUSED),
    ErrorCode.INVALID_DATE: (
        "date",
        gettext_lazy("This date cannot be booked online. Choose another time"),
    ),
    ErrorCode.INVALID_TIME: (
        "time",
        gettext_lazy("This time cannot be booked online. Choose another time"),
    ),
    ErrorCode.INVALID_NAME: (
        "name",
        gettext_lazy("Enter your full name, as the practice should know you"),
    ),
    ErrorCode.INVALID_PHONE: (
        "phone",
        # Translators: 01632 960 001 and 07700 900 982 are numbers set aside for examples
        # in the UK: keep them as they are.
        gettext_lazy(
            "The practice's diary did not accept this phone number. Enter a UK number,"
            " like 01632 960 001 or 07700 900 982"
        ),
    ),
    ErrorCode.INVALID_EMAIL: (
        "email",
        # Translators: name@example.com is an example address: keep it as it is.
        gettext_lazy(
            "The practice's diary did not accept this email address. Check it, like"
            " name@example.com"
        ),
    ),
    ErrorCode.INVALID_DESCRIPTION: (
        "desc",
        # Translators: the reason for the visit, which the patient typed.
        gettext_lazy(
            "The practice's diary did not accept this reason. Shorten it, or leave it out"
        ),
    ),
    ErrorCode.ALREADY_BOOKED: ("booking", gettext_lazy("This time has just been taken")),
    ErrorCode.UNKNOWN_ERROR: (None, DIARY_REFUSED),
}

_DEFAULT_FIELD_MESSAGE = {field: message for field, message in API_ERRORS.values() if field}


def where(error: ApiError) -> tuple[str | None, Words]:
    """The field an API error belongs on, and the words for the patient.

    The diary's `fieldName` wins when it names one of our fields (the names are
    the API's own); otherwise the code decides. The vendor's own message is not
    shown: it is written for programmers ("Is zero or negative.").
    """
    by_code = API_ERRORS.get(error.code, (None, DIARY_REFUSED))
    if error.field in _DEFAULT_FIELD_MESSAGE:
        if by_code[0] == error.field:
            return by_code
        return error.field, _DEFAULT_FIELD_MESSAGE[error.field]
    return by_code
