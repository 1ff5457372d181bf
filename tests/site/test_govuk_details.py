"""The GOV.UK details on every step: the back link, hints between label and field,
fields in error without Bootstrap's icon, and the times' error on its group.

(How they look, by keyboard, is tested in Chromium: tests/e2e/test_focus_and_details.py.)
"""

import re
from html import unescape

import pytest

from bookings import wizard

from .wizard_support import (
    ANNA,
    JOHN,
    ROOM_1,
    ROOM_2,
    FakeDiary,
    at,
    details_url,
    html,
    submit,
    ymd,
)

WHEN = at(2, "1415")


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def back_link(page) -> str | None:
    found = re.search(r'<a class="back-link" href="([^"]*)">Back</a>', html(page))
    return unescape(found[1]) if found else None


def test_step_1_has_no_back_link(client, diary):
    assert back_link(client.get(wizard.url("choose"))) is None


def test_the_times_link_back_to_step_1_with_the_choice_made(client, diary):
    page = client.get(wizard.url("times", staffId=ANNA, sectionId=ROOM_2))
    assert back_link(page) == wizard.url("choose", staffId=ANNA, sectionId=ROOM_2)


def test_the_times_under_any_link_back_to_any(client, diary):
    page = client.get(wizard.url("times", staffId="any", sectionId="any"))
    assert back_link(page) == wizard.url("choose", staffId="any", sectionId="any")


def test_the_times_have_no_back_link_where_step_1_has_nothing_to_choose(client, live_api):
    diary = FakeDiary(live_api, staff={JOHN: "John"}, rooms={ROOM_1: "Treatment Room 1"})
    diary.add_free(WHEN, staff=JOHN, room=ROOM_1)
    page = client.get(wizard.url("times"))
    assert page.status_code == 200
    assert back_link(page) is None  # the times page is the first the patient meets


def test_the_details_link_back_to_the_times_around_the_chosen_one(client, diary):
    page = client.get(details_url(WHEN))
    assert back_link(page) == wizard.url("times", staffId=ANNA, sectionId=ROOM_2, date=ymd(WHEN))


def test_the_details_found_under_any_link_back_to_any(client, diary):
    page = client.get(details_url(WHEN) + "&via=any.any")
    assert back_link(page) == wizard.url("times", staffId="any", sectionId="any", date=ymd(WHEN))


def test_the_details_form_sent_with_errors_still_links_back(client, diary):
    page = submit(client, WHEN, name="")
    assert page.status_code == 400
    assert back_link(page) == wizard.url("times", staffId=ANNA, sectionId=ROOM_2, date=ymd(WHEN))


def test_the_confirmation_has_no_back_link(client, diary):
    booked = submit(client, WHEN)
    assert booked.status_code == 303
    assert back_link(client.get(booked["Location"])) is None


def test_each_hint_sits_between_its_label_and_its_field(client, diary):
    page = html(client.get(details_url(WHEN)))
    for name in ("phone", "email", "desc"):
        label = page.index(f'for="id_{name}"')
        hint = page.index(f'id="id_{name}_helptext"')
        field = page.index(f'id="id_{name}"', label + 1)
        assert label < hint < field, name
        tag = re.search(rf'<(input|textarea)[^>]*id="id_{name}"[^>]*>', page)[0]
        assert f"id_{name}_helptext" in tag  # in aria-describedby: read with the field


def test_a_field_in_error_says_so_above_it_and_its_group_is_marked(client, diary):
    page = html(submit(client, WHEN, phone="0161 ab"))
    assert re.search(r'id="div_id_phone" class="[^"]*\bform-group-error\b', page)
    error = page.index('id="id_phone_error"')
    field = page.index('id="id_phone"', page.index('for="id_phone"') + 1)
    assert page.index('id="id_phone_helptext"') < error < field
    assert re.search(
        r'id="id_phone_error"[^>]*>\s*<p[^>]*><span class="visually-hidden">Error:', page
    )


def test_a_field_without_error_is_not_marked(client, diary):
    page = html(submit(client, WHEN, phone="0161 ab"))
    assert not re.search(r'id="div_id_name" class="[^"]*\bform-group-error\b', page)


def test_the_times_error_marks_the_group_of_times(client, diary):
    page = html(client.get(wizard.url("times", staffId=ANNA, sectionId=ROOM_2, next=1)))
    form = re.search(r'<form[^>]*id="free-times"[^>]*>', page)[0]
    assert "form-group-error" in form
    assert 'aria-describedby="slot-error"' in page  # the message is read with the times


def test_the_times_without_an_error_are_not_marked(client, diary):
    page = html(client.get(wizard.url("times", staffId=ANNA, sectionId=ROOM_2)))
    form = re.search(r'<form[^>]*id="free-times"[^>]*>', page)[0]
    assert "form-group-error" not in form
