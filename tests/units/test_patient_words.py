"""What the site's Python says to patients is read in the language of the page.

Words kept at import time (form fields, the table from the diary's error codes,
the steps, the questions) are lazy: the language of each page decides, not the
one active when the module was first imported. With English active they read
exactly as they always have. (The site's own Welsh: tests/site/test_welsh.py.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from bookings import clock, error_pages, wizard
from bookings.forms import ChooseForm, DetailsForm, where
from bookings.slots import Slot
from bookings.views import choice, free_times, statements
from bookings.views.confirmation import _duration
from physiodiary import ApiError, ErrorCode, Practitioner, Room

from ..some_welsh import use_some_welsh

ANNA = Practitioner(42230, "Anna")
JOHN = Practitioner(42228, "John")
ROOM_2 = Room(7323, "Treatment Room 2")


@pytest.fixture
def welsh(settings, tmp_path):
    use_some_welsh(
        settings,
        tmp_path,
        ("Enter your full name", "Rhowch eich enw llawn"),
        ("Full name", "Enw llawn"),
        (
            "The practice's diary did not accept this phone number. Enter a UK number,"
            " like 01632 960 001 or 07700 900 982",
            "Ni dderbyniodd dyddiadur y practis y rhif ffôn hwn. Rhowch rif yn y DU,"
            " fel 01632 960 001 neu 07700 900 982",
        ),
        (
            "This form has expired. Check your details and book again.",
            "Mae'r ffurflen wedi dod i ben.",
        ),
        ("Any practitioner", "Unrhyw ymarferydd"),
        ("Date and time", "Dyddiad ac amser"),
        ("Booked", "Wedi'i drefnu", "the step"),
        ("Which room?", "Pa ystafell?"),
        ("Morning", "Bore", "part of the day"),
        ("Look for any practitioner in %(room)s", "Chwilio am unrhyw ymarferydd yn %(room)s"),
        ("UK time", "amser y DU"),
        (("%(count)d hour", "%(count)d hours"), "%(count)d awr"),
        ("the practitioner you chose", "yr ymarferydd a ddewisoch"),
        ("Please call the practice to book.", "Ffoniwch y practis i drefnu."),
    )


def details_form(**data: str) -> DetailsForm:
    form = DetailsForm(data={"name": "", "phone": "01632 960 001", "email": "", **data})
    form.is_valid()
    return form


def test_the_details_forms_words_are_in_the_language_of_the_page(welsh):
    with translation.override("cy"):
        form = details_form()
        assert form.errors["name"] == ["Rhowch eich enw llawn"]
        assert str(form["name"].label) == "Enw llawn"
    # The same form class, in English again: nothing was fixed at import.
    with translation.override("en-gb"):
        assert details_form().errors["name"] == ["Enter your full name"]


def test_the_diarys_error_codes_are_explained_in_the_language_of_the_page(welsh):
    error = ApiError(ErrorCode.INVALID_PHONE, "phone", "Invalid phone number.")
    with translation.override("cy"):
        field, message = where(error)
        assert (field, str(message)) == (
            "phone",
            "Ni dderbyniodd dyddiadur y practis y rhif ffôn hwn. Rhowch rif yn y DU,"
            " fel 01632 960 001 neu 07700 900 982",
        )
    assert str(where(error)[1]).startswith("The practice's diary did not accept this phone")


def test_any_practitioner_and_the_steps_and_questions_are_in_the_language_of_the_page(welsh):
    form = ChooseForm([ANNA, JOHN], [ROOM_2])
    with translation.override("cy"):
        assert str(form.fields["staffId"].choices[0][1]) == "Unrhyw ymarferydd"
        assert [str(step.title) for step in wizard.STEPS][1:] == [
            "Dyddiad ac amser",
            "Eich manylion",  # not in this test's Welsh: from the site's own catalogue
            "Wedi'i drefnu",
        ]
        assert str(choice.QUESTIONS["sectionId"]) == "Pa ystafell?"
    assert [str(step.title) for step in wizard.STEPS] == [
        "Practitioner and room",
        "Date and time",
        "Your details",
        "Booked",
    ]


def test_the_times_pages_own_words_are_in_the_language_of_the_page(welsh):
    morning = Slot(ANNA, ROOM_2, clock.at(dt.date(2030, 10, 7), dt.time(9, 15)))
    with translation.override("cy"):
        (_day, (part,)) = free_times._by_day((morning,))[0]
        assert part.name == "Bore"
        wider = free_times._wider(
            {"staffId": "42230", "sectionId": "7323"}, [ANNA], [ROOM_2], (ANNA, JOHN), (ROOM_2,)
        )
        assert wider[0][0] == "Chwilio am unrhyw ymarferydd yn Treatment Room 2"
        # Day names from Django's own Welsh, not the English cut short ("Dyd").
        weekdays = [(str(name), str(short)) for name, short in free_times._WEEKDAYS]
        assert weekdays[0] == ("Dydd Llun", "Llu")
    assert [(str(name), str(short)) for name, short in free_times._WEEKDAYS] == [
        ("Monday", "Mon"),
        ("Tuesday", "Tue"),
        ("Wednesday", "Wed"),
        ("Thursday", "Thu"),
        ("Friday", "Fri"),
        ("Saturday", "Sat"),
        ("Sunday", "Sun"),
    ]


def test_how_long_things_are_kept_and_the_time_zone_are_in_the_language_of_the_page(welsh):
    with translation.override("cy"):
        assert statements.kept_for(86400) == "24 awr"
        assert _duration(3600) == "1 awr"
        assert clock.time_zone_label() == "amser y DU"
    assert [statements.kept_for(s) for s in (86400, 3600, 660, 60)] == [
        "24 hours",
        "1 hour",
        "11 minutes",
        "1 minute",
    ]
    assert [_duration(s) for s in (86400, 3600, 120)] == ["24 hours", "1 hour", "2 minutes"]
    assert clock.time_zone_label() == "UK time"


def test_a_free_time_read_from_a_link_names_its_practitioner_in_the_language_of_the_page(welsh):
    with translation.override("cy"):
        slot = Slot.from_parts("42230", "7323", "20301007", "0915")
    assert slot is not None
    assert slot.practitioner.name == "yr ymarferydd a ddewisoch"
    assert isinstance(slot.practitioner.name, str)  # a plain string: it is no lazy promise


def test_the_plain_500_is_in_the_language_of_the_page(welsh):
    with translation.override("cy"):
        page = error_pages._plain_500()
    assert page.startswith("<!doctype html><html lang='cy'>")
    assert "<p>Ffoniwch y practis i drefnu.</p>" in page
    assert error_pages._plain_500() == (
        "<!doctype html><html lang='en-GB'><title>Something went wrong</title>"
        "<h1>Sorry, something went wrong on our side</h1>"
        "<p>Please call the practice to book.</p></html>"
    )
