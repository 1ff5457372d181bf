"""Step 1, `/`: practitioner and room."""

import re

import pytest

from .wizard_support import ANNA, JOHN, ROOM_1, UNAVAILABLE, FakeDiary, html, sets_no_cookie


def radio(name: str, value: object, page) -> str:
    """The radio button's tag, to see whether it is checked."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', html(page))
    assert tag, f"no radio {name}={value}"
    return tag[0]


def test_it_offers_every_practitioner_and_room_and_any(client, diary):
    page = client.get("/")
    assert page.status_code == 200
    for name in ("John", "Anna", "Treatment Room 1", "Treatment Room 2"):
        assert name in html(page)
    assert "checked" in radio("staffId", "any", page)
    assert "checked" in radio("sectionId", "any", page)


def test_it_sends_the_choice_by_get_to_the_times_page(client, diary):
    assert '<form method="get" action="/times/"' in html(client.get("/"))


def test_it_shows_a_deep_linked_practitioner_chosen(client, diary):
    page = client.get(f"/?staffId={ANNA}")
    assert page.status_code == 200
    assert "checked" in radio("staffId", ANNA, page)
    assert "checked" not in radio("staffId", JOHN, page)
    assert "checked" in radio("sectionId", "any", page)


def test_it_says_so_when_a_linked_practitioner_is_no_longer_listed(client, diary):
    page = client.get("/?staffId=99999")
    assert "not taking online bookings" in html(page)


def test_its_error_summary_links_to_the_practitioners_first_radio_button(client, diary):
    page = client.get("/?staffId=99999")
    assert 'id="id_staffId_0"' in html(page)
    assert 'href="#id_staffId_0"' in html(page)


def test_it_redirects_to_the_times_when_there_is_nothing_to_choose(client, live_api):
    FakeDiary(live_api, staff={ANNA: "Anna"}, rooms={ROOM_1: "Treatment Room 1"})
    page = client.get("/")
    assert page.status_code == 302
    assert page["Location"] == "/times/"


def test_it_chooses_the_only_practitioner_already(client, live_api):
    FakeDiary(live_api, staff={ANNA: "Anna"})
    page = client.get("/")
    assert page.status_code == 200
    assert "checked" in radio("staffId", ANNA, page)
    assert "Any practitioner" not in html(page)
    assert "Any room" in html(page)


def test_it_says_no_one_is_taking_bookings_when_the_diary_lists_nobody(client, live_api, settings):
    diary = FakeDiary(live_api)
    diary.answer("staffList", {"staff": []})
    page = client.get("/")
    assert "No practitioner is taking online bookings" in html(page)
    assert settings.PRACTICE_PHONE in html(page)


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_it_gives_the_practices_phone_and_email_when_the_diary_is_unavailable(
    client, diary, settings, fault
):
    diary.answer("staffList", fault)
    page = client.get("/")
    assert page.status_code == 503
    assert "Online booking is unavailable just now" in html(page)
    assert settings.PRACTICE_PHONE in html(page)
    assert settings.PRACTICE_EMAIL in html(page)


def test_it_sets_no_cookie(client, diary):
    assert sets_no_cookie(client.get(f"/?staffId={ANNA}"))


def test_it_sets_no_cookie_on_the_unavailable_page(client, diary):
    diary.answer("staffList", UNAVAILABLE["server error"])
    assert sets_no_cookie(client.get("/"))


def test_it_refuses_a_post(client, live_api):
    assert client.post("/", {"staffId": ANNA}).status_code == 405
