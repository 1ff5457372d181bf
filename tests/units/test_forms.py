"""The wizard's forms: local validation, and the table from diary errors to fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bookings import wizard
from bookings.forms import API_ERRORS, ChooseForm, DetailsForm, where
from physiodiary import ApiError, ErrorCode, Practitioner, Room

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "physiodiary"

GENERIC = "The practice's diary could not take the booking."

ANNA = Practitioner(42230, "Anna")
JOHN = Practitioner(42228, "John")
ROOM_1 = Room(7322, "Treatment Room 1")
ROOM_2 = Room(7323, "Treatment Room 2")


def recorded_errors(name: str) -> tuple[ApiError, ...]:
    data = json.loads((FIXTURES / name).read_text())
    return tuple(ApiError(e["error"], e["fieldName"], e["message"]) for e in data["errors"])


def details(**changes: str) -> DetailsForm:
    data = {
        "staffId": "42230",
        "sectionId": "7323",
        "date": "20301007",
        "time": "0915",
        "token": "signed-token",
        "name": "Fred Smith",
        "phone": "01632 960 001",
        "email": "fred@example.com",
        "desc": "Pain in back",
    }
    data.update(changes)
    return DetailsForm(data=data)


def errors_on(form: DetailsForm, field: str) -> list[str]:
    form.is_valid()
    return list(form.errors.get(field, []))


# --- DetailsForm: name --------------------------------------------------------


def test_a_complete_details_form_is_valid():
    form = details()
    assert form.is_valid(), form.errors


def test_the_name_is_required():
    assert errors_on(details(name=""), "name") == ["Enter your full name"]


def test_a_name_of_only_spaces_counts_as_missing():
    assert errors_on(details(name="   "), "name") == ["Enter your full name"]


def test_a_name_of_100_characters_is_accepted():
    assert errors_on(details(name="a" * 100), "name") == []


def test_a_name_longer_than_100_characters_is_refused():
    assert errors_on(details(name="a" * 101), "name") == [
        "Full name must be 100 characters or fewer"
    ]


@pytest.mark.parametrize("control", ["\x1b[31m", "\x07", "\t", "\n", "\r", "\x7f", "\x1f"])
def test_a_name_with_a_control_character_is_refused(control):
    assert errors_on(details(name=f"Fred{control}Smith"), "name") == [
        "Remove the special characters"
    ]


def test_a_name_with_accents_apostrophes_and_hyphens_is_accepted():
    assert errors_on(details(name="Zoë O'Brien-Ngữ"), "name") == []


# --- DetailsForm: phone -------------------------------------------------------

PHONE_MESSAGE = "Enter a phone number, like 01632 960 001 or 07700 900 982"


@pytest.mark.parametrize(
    "phone",
    [
        "123456",
        "01632960001",
        "01632 960 001",
        "+44 (0)1632 960-001",
        "07700.900.982",
        "1" * 20,
    ],
)
def test_a_phone_number_with_6_to_20_digits_and_usual_punctuation_is_accepted(phone):
    assert errors_on(details(phone=phone), "phone") == []


@pytest.mark.parametrize("phone", ["12345", "1 2 3 4 5", "+(44)", "1" * 21])
def test_a_phone_number_with_fewer_than_6_or_more_than_20_digits_is_refused(phone):
    assert errors_on(details(phone=phone), "phone") == [PHONE_MESSAGE]


@pytest.mark.parametrize(
    "phone", ["01632 960 OOI", "call 01632960001", "0163296000x1", "#01632960"]
)
def test_a_phone_number_with_letters_or_other_signs_is_refused(phone):
    assert errors_on(details(phone=phone), "phone") == [PHONE_MESSAGE]


@pytest.mark.parametrize(
    "phone", ["01632\t960 001", "01632\n960001", "01632\r\n960001", "01632\x0b960001"]
)
def test_a_phone_number_with_control_characters_is_refused(phone):
    assert errors_on(details(phone=phone), "phone") == [PHONE_MESSAGE]


def test_a_phone_number_in_digits_of_another_script_is_refused():
    # Arabic-Indic digits: a regex's \\d matches them; the diary and the practice would not.
    arabic_indic = "\u0660\u0661\u0666\u0663\u0662 \u0669\u0666\u0660"
    assert errors_on(details(phone=arabic_indic), "phone") == [PHONE_MESSAGE]


def test_a_phone_number_longer_than_40_characters_is_refused_even_with_few_digits():
    phone = "016" + " " * 35 + "329"  # 41 characters, 6 digits
    assert len(phone) == 41
    assert PHONE_MESSAGE in errors_on(details(phone=phone), "phone")


def test_a_phone_number_of_40_characters_is_accepted():
    phone = "016" + " " * 34 + "329"
    assert len(phone) == 40
    assert errors_on(details(phone=phone), "phone") == []


def test_the_phone_number_is_required():
    assert errors_on(details(phone=""), "phone") == ["Enter a phone number"]


# --- DetailsForm: email -------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["fred", "fred@", "@example.com", "fred@example", "fred smith@x.com"]
)
def test_an_email_address_that_is_not_one_is_refused(email):
    assert errors_on(details(email=email), "email") == [
        "Enter an email address like name@example.com"
    ]


def test_a_usual_email_address_is_accepted():
    assert errors_on(details(email="fred.smith+physio@example.co.uk"), "email") == []


def test_the_email_address_is_required():
    assert errors_on(details(email=""), "email") == ["Enter your email address"]


# --- DetailsForm: desc --------------------------------------------------------


def test_the_reason_for_the_visit_is_optional():
    form = details(desc="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["desc"] == ""


def test_a_reason_of_500_characters_is_accepted():
    assert errors_on(details(desc="a" * 500), "desc") == []


def test_a_reason_longer_than_500_characters_is_refused():
    assert errors_on(details(desc="a" * 501), "desc") == [
        "Reason for your visit must be 500 characters or fewer"
    ]


def test_a_reason_may_have_line_breaks_and_tabs():
    form = details(desc="Sore knee\r\nafter running\n\tand cycling")
    assert form.is_valid(), form.errors
    assert "\n" in form.cleaned_data["desc"]


@pytest.mark.parametrize("control", ["\x1b[2J", "\x07", "\x0b", "\x0c", "\x7f", "\x1f"])
def test_a_reason_with_other_control_characters_is_refused(control):
    assert errors_on(details(desc=f"Sore{control}knee"), "desc") == [
        "Remove the special characters"
    ]


@pytest.mark.parametrize("field", ["name", "desc"])
def test_a_nul_character_is_refused(field):
    assert errors_on(details(**{field: "Fred\x00Smith"}), field) != []


# --- The table from diary errors to fields ------------------------------------

# The natural field of each documented code (API-NOTES.md); None: no field.
EXPECTED_FIELD = {
    0: None,
    1: None,
    2: None,
    3: "sectionId",
    4: "staffId",
    5: None,
    6: "date",
    7: "time",
    8: "name",
    9: "phone",
    10: "email",
    11: "desc",
    12: "booking",
    13: None,
}


def test_the_table_covers_every_documented_error_but_no_error():
    assert set(API_ERRORS) == {code for code in ErrorCode if code != ErrorCode.NO_ERROR}


@pytest.mark.parametrize("code", sorted(EXPECTED_FIELD))
def test_each_code_without_a_field_name_maps_to_its_natural_field(code):
    field, message = where(ApiError(code, "", "Vendor words."))
    assert field == EXPECTED_FIELD[code]
    assert message
    if code in API_ERRORS:
        assert (field, message) == API_ERRORS[code]
    else:
        assert message == GENERIC


@pytest.mark.parametrize("code", range(1, 14))
def test_each_recorded_error_maps_as_the_table_says(code):
    (error,) = recorded_errors(f"error-{code:02d}.json")
    assert where(error) == API_ERRORS[code]
    assert where(error)[0] == EXPECTED_FIELD[code]


def test_codes_without_a_field_tell_the_patient_the_diary_could_not_take_it():
    for code, expected in EXPECTED_FIELD.items():
        if expected is None:
            assert where(ApiError(code, "", ""))[1] == GENERIC


def test_a_field_name_of_ours_wins_over_the_code():
    field, message = where(ApiError(ErrorCode.UNKNOWN_ERROR, "phone", "Too short."))
    assert field == "phone"
    assert message == API_ERRORS[ErrorCode.INVALID_PHONE][1]


def test_a_field_name_of_ours_wins_over_a_code_of_another_field():
    field, message = where(ApiError(ErrorCode.INVALID_PHONE, "email", "Bad."))
    assert (field, message) == API_ERRORS[ErrorCode.INVALID_EMAIL]


def test_a_field_name_of_ours_wins_over_an_unknown_code():
    assert where(ApiError(99, "name", "?")) == API_ERRORS[ErrorCode.INVALID_NAME]


def test_a_field_name_not_of_ours_leaves_the_code_to_decide():
    assert where(ApiError(ErrorCode.INVALID_TIME, "startTime", "?")) == API_ERRORS[7]


@pytest.mark.parametrize("field_name", ["", "colour", "apiKey"])
def test_an_unknown_code_gives_a_message_with_no_field(field_name):
    assert where(ApiError(99, field_name, "Something odd.")) == (None, GENERIC)


@pytest.mark.parametrize("code", [*range(0, 14), 99, -1])
@pytest.mark.parametrize("field_name", ["", "booking", "staffId", "desc", "unknown"])
def test_the_vendors_message_is_never_shown(code, field_name):
    vendor = "Is zero or negative. VENDOR-TEXT"
    _, message = where(ApiError(code, field_name, vendor))
    assert "VENDOR-TEXT" not in message
    assert "zero or negative" not in message


def test_add_api_errors_puts_each_error_on_its_field_and_returns_none_left():
    form = details()
    assert form.is_valid()
    left = form.add_api_errors(recorded_errors("book-errors-4-8-9.json"))
    assert left == []
    assert form.errors["staffId"] == [API_ERRORS[4][1]]
    assert form.errors["name"] == [API_ERRORS[8][1]]
    assert form.errors["phone"] == [API_ERRORS[9][1]]
    shown = json.dumps(form.errors)
    assert "Is zero or negative." not in shown
    assert "Must not be empty" not in shown


def test_add_api_errors_returns_the_messages_with_no_field_of_the_form():
    form = details()
    assert form.is_valid()
    errors = (
        *recorded_errors("book-error-12.json"),
        ApiError(ErrorCode.INVALID_API_KEY, "apiKey", "Must not be empty"),
        ApiError(ErrorCode.INVALID_EMAIL, "email", "Not a valid email address."),
    )
    left = form.add_api_errors(errors)
    assert left == ["This time has just been taken", GENERIC]
    assert form.errors["email"] == [API_ERRORS[10][1]]
    assert set(form.errors) == {"email"}


# --- ChooseForm -----------------------------------------------------------------


def test_any_practitioner_and_any_room_are_offered_when_there_are_several():
    form = ChooseForm([ANNA, JOHN], [ROOM_1, ROOM_2])
    assert form.fields["staffId"].choices == [
        (wizard.ANY, "Any practitioner"),
        ("42230", "Anna"),
        ("42228", "John"),
    ]
    assert form.fields["sectionId"].choices == [
        (wizard.ANY, "Any room"),
        ("7322", "Treatment Room 1"),
        ("7323", "Treatment Room 2"),
    ]


def test_any_is_preselected_when_there_are_several():
    form = ChooseForm([ANNA, JOHN], [ROOM_1, ROOM_2])
    assert form.fields["staffId"].initial == wizard.ANY
    assert form.fields["sectionId"].initial == wizard.ANY


def test_any_is_not_offered_with_one_practitioner_and_one_room():
    form = ChooseForm([ANNA], [ROOM_2])
    assert form.fields["staffId"].choices == [("42230", "Anna")]
    assert form.fields["sectionId"].choices == [("7323", "Treatment Room 2")]


def test_the_single_practitioner_and_room_are_preselected():
    form = ChooseForm([ANNA], [ROOM_2])
    assert form.fields["staffId"].initial == "42230"
    assert form.fields["sectionId"].initial == "7323"


def test_a_practitioner_not_listed_is_refused_with_a_clear_message():
    form = ChooseForm([ANNA, JOHN], [ROOM_1], data={"staffId": "99", "sectionId": "7322"})
    assert not form.is_valid()
    assert form.errors["staffId"] == [
        "Choose a practitioner from the list: the one asked for is not taking online bookings"
    ]


def test_a_room_not_listed_is_refused_with_a_clear_message():
    form = ChooseForm([ANNA], [ROOM_1, ROOM_2], data={"staffId": "42230", "sectionId": "1"})
    assert not form.is_valid()
    assert form.errors["sectionId"] == [
        "Choose a room from the list: the one asked for is not open for online bookings"
    ]


def test_a_missing_choice_is_refused():
    form = ChooseForm([ANNA, JOHN], [ROOM_1, ROOM_2], data={})
    assert not form.is_valid()
    assert form.errors["staffId"] == ["Choose a practitioner, or any practitioner"]
    assert form.errors["sectionId"] == ["Choose a room, or any room"]


def test_chosen_returns_every_practitioner_and_room_for_any():
    form = ChooseForm(
        [ANNA, JOHN], [ROOM_1, ROOM_2], data={"staffId": wizard.ANY, "sectionId": wizard.ANY}
    )
    assert form.is_valid(), form.errors
    assert form.chosen() == ([ANNA, JOHN], [ROOM_1, ROOM_2])


def test_chosen_returns_the_one_practitioner_and_room_chosen():
    form = ChooseForm(
        [ANNA, JOHN], [ROOM_1, ROOM_2], data={"staffId": "42228", "sectionId": "7323"}
    )
    assert form.is_valid(), form.errors
    assert form.chosen() == ([JOHN], [ROOM_2])


def test_chosen_mixes_any_practitioner_with_one_room():
    form = ChooseForm([ANNA, JOHN], [ROOM_1, ROOM_2], data={"staffId": "any", "sectionId": "7322"})
    assert form.is_valid(), form.errors
    assert form.chosen() == ([ANNA, JOHN], [ROOM_1])


def test_add_diary_errors_puts_unknown_practitioner_and_room_on_their_fields():
    form = ChooseForm([ANNA, JOHN], [ROOM_1, ROOM_2], data={"staffId": "any", "sectionId": "any"})
    assert form.is_valid()
    errors = (*recorded_errors("error-03.json"), *recorded_errors("error-04.json"))
    assert form.add_diary_errors(errors) is True
    assert form.errors["sectionId"] == [API_ERRORS[3][1]]
    assert form.errors["staffId"] == [API_ERRORS[4][1]]


def test_add_diary_errors_says_so_when_no_error_belongs_on_the_form():
    form = ChooseForm([ANNA, JOHN], [ROOM_1], data={"staffId": "any", "sectionId": "7322"})
    assert form.is_valid()
    assert form.add_diary_errors(recorded_errors("error-13.json")) is False
    assert form.errors == {}
