"""Step 1, `/`: practitioner and room."""

import re

import pytest

from .wizard_support import (
    ANNA,
    ROOM_1,
    ROOM_2,
    UNAVAILABLE,
    WHEN,
    FakeDiary,
    html,
    sets_no_cookie,
)


def radio(name: str, value: object, page) -> str:
    """The radio button's tag, to see whether it is checked."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', html(page))
    assert tag, f"no radio {name}={value}"
    return tag[0]


def form_of(page) -> str:
    """The question's form: its opening tag and hidden fields."""
    found = re.search(r"<form .*?</form>", html(page), re.S)
    assert found, "no form"
    return found[0]


def test_it_asks_who_first_with_any_practitioner_chosen(client, diary):
    page = client.get("/")
    assert page.status_code == 200
    for name in ("John", "Anna", "Any practitioner"):
        assert name in html(page)
    assert "checked" in radio("staffId", "any", page)
    assert 'name="sectionId"' not in html(page)  # one question a page


def test_its_question_is_the_fieldsets_legend_and_the_pages_heading(client, diary):
    page = client.get("/")
    assert re.search(r"<legend[^>]*>\s*<h1[^>]*>Who would you like to see\?</h1>", html(page))
    assert "<title>Who would you like to see? (step 1 of 4)" in html(page)
    assert html(page).count("<h1") == 1


def test_it_sends_the_answer_to_who_by_get_to_the_room_question(client, diary):
    assert '<form method="get" action="/"' in form_of(client.get("/"))


def test_it_asks_which_room_once_the_practitioner_is_chosen(client, diary):
    page = client.get(f"/?staffId={ANNA}")
    assert page.status_code == 200
    assert re.search(r"<legend[^>]*>\s*<h1[^>]*>Which room\?</h1>", html(page))
    for name in ("Treatment Room 1", "Treatment Room 2", "Any room"):
        assert name in html(page)
    assert "checked" in radio("sectionId", "any", page)
    assert "For an appointment with Anna." in html(page)


def test_the_room_question_sends_both_answers_by_get_to_the_times_page(client, diary):
    form = form_of(client.get(f"/?staffId={ANNA}"))
    assert '<form method="get" action="/times/"' in form
    assert f'<input type="hidden" name="staffId" value="{ANNA}">' in form
    assert "Find a free time" in form


def test_the_room_question_has_a_back_link_to_the_first(client, diary):
    assert '<a class="back-link" href="/">Back</a>' in html(client.get(f"/?staffId={ANNA}"))
    assert 'class="back-link"' not in html(client.get("/"))


def test_a_link_naming_both_shows_them_chosen_one_press_from_the_times(client, diary):
    # The Change links of the later steps, and a practice's deep link.
    page = client.get(f"/?staffId={ANNA}&sectionId={ROOM_2}")
    assert "checked" in radio("sectionId", ROOM_2, page)
    assert "checked" not in radio("sectionId", "any", page)
    assert '<form method="get" action="/times/"' in form_of(page)


def test_a_link_naming_the_room_asks_only_who(client, diary):
    page = client.get(f"/?sectionId={ROOM_2}")
    form = form_of(page)
    assert 'name="staffId"' in form
    assert '<form method="get" action="/times/"' in form
    assert f'<input type="hidden" name="sectionId" value="{ROOM_2}">' in form


def test_it_says_so_when_a_linked_practitioner_is_no_longer_listed(client, diary):
    page = client.get("/?staffId=99999")
    assert "Who would you like to see?" in html(page)
    assert "not taking online bookings" in html(page)


def test_its_error_summary_links_to_the_practitioners_first_radio_button(client, diary):
    page = client.get("/?staffId=99999")
    assert 'id="id_staffId_0"' in html(page)
    assert 'href="#id_staffId_0"' in html(page)
    assert 'aria-describedby="id_staffId-hint id_staffId-error"' in html(page)


def test_it_says_so_on_the_room_question_when_a_linked_room_is_no_longer_listed(client, diary):
    page = client.get(f"/?staffId={ANNA}&sectionId=99999")
    assert "Which room?" in html(page)
    assert "not open for online bookings" in html(page)
    assert 'href="#id_sectionId_0"' in html(page)


def test_it_redirects_to_the_times_when_there_is_nothing_to_choose(client, live_api):
    FakeDiary(live_api, staff={ANNA: "Anna"}, rooms={ROOM_1: "Treatment Room 1"})
    page = client.get("/")
    assert page.status_code == 302
    assert page["Location"] == "/times/"


def test_it_asks_only_which_room_where_the_practice_has_one_practitioner(client, live_api):
    FakeDiary(live_api, staff={ANNA: "Anna"})
    page = client.get("/")
    assert page.status_code == 200
    assert "Which room?" in html(page)
    assert f'<input type="hidden" name="staffId" value="{ANNA}">' in form_of(page)
    assert "Any practitioner" not in html(page)
    assert "Any room" in html(page)
    assert 'class="back-link"' not in html(page)


def test_it_asks_only_who_where_the_practice_has_one_room(client, live_api):
    FakeDiary(live_api, rooms={ROOM_1: "Treatment Room 1"})
    for url in ("/", f"/?staffId={ANNA}"):
        form = form_of(client.get(url))
        assert "Who would you like to see?" in form
        assert '<form method="get" action="/times/"' in form
        assert f'<input type="hidden" name="sectionId" value="{ROOM_1}">' in form
    assert "checked" in radio("staffId", ANNA, client.get(f"/?staffId={ANNA}"))


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


# --- Rooms offered: only where the practitioner has a free time, when that is known ---


def radios(name: str, page) -> list[str]:
    return re.findall(rf'<input[^>]*type="radio"[^>]*name="{name}"[^>]*value="([^"]+)"', html(page))


def times_pages_seen(client, staff: object, *rooms: int) -> None:
    """The patient has looked at these times pages: their free times are cached."""
    for room in rooms:
        assert client.get(f"/times/?staffId={staff}&sectionId={room}").status_code == 200


def test_it_offers_only_the_rooms_where_the_practitioner_has_a_free_time(client, diary):
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, ANNA, ROOM_1, ROOM_2)
    asked = len(diary.calls("freeList"))
    page = client.get(f"/?staffId={ANNA}")
    assert radios("sectionId", page) == ["any", str(ROOM_2)]
    assert "Only the rooms with a free time in the next 90 days are listed." in html(page)
    assert len(diary.calls("freeList")) == asked  # from the cache: no call to the diary


def test_it_offers_every_room_when_the_free_times_are_not_at_hand(client, diary):
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, ANNA, ROOM_2)  # room 1's answer is not cached
    page = client.get(f"/?staffId={ANNA}")
    assert radios("sectionId", page) == ["any", str(ROOM_1), str(ROOM_2)]
    assert "Only the rooms" not in html(page)
    assert len(diary.calls("freeList")) == 1


def test_it_still_shows_a_linked_room_chosen_though_it_has_no_free_time(client, diary):
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, ANNA, ROOM_1, ROOM_2)
    page = client.get(f"/?staffId={ANNA}&sectionId={ROOM_1}")
    assert "checked" in radio("sectionId", ROOM_1, page)


def test_it_offers_every_room_when_none_has_a_free_time(client, diary):
    times_pages_seen(client, ANNA, ROOM_1, ROOM_2)
    page = client.get(f"/?staffId={ANNA}")
    assert radios("sectionId", page) == ["any", str(ROOM_1), str(ROOM_2)]


def test_for_any_practitioner_it_offers_the_rooms_where_anyone_is_free(client, diary):
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, "any", ROOM_1, ROOM_2)
    page = client.get("/?staffId=any")
    assert radios("sectionId", page) == ["any", str(ROOM_2)]
    assert "For an appointment with any practitioner." in html(page)


def test_a_free_time_too_soon_to_book_does_not_count(client, diary, settings):
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, ANNA, ROOM_1, ROOM_2)
    settings.BOOKING_MIN_NOTICE_MINUTES = 3 * 24 * 60  # tomorrow's 14:15 is now too soon
    page = client.get(f"/?staffId={ANNA}")
    assert radios("sectionId", page) == ["any", str(ROOM_1), str(ROOM_2)]


def test_the_times_page_asks_the_room_again_when_its_room_is_unknown(client, diary):
    page = client.get(f"/times/?staffId={ANNA}&sectionId=99999")
    assert page.status_code == 400
    assert "Which room?" in html(page)
    assert "not open for online bookings" in html(page)
    assert f'<input type="hidden" name="staffId" value="{ANNA}">' in html(page)


def test_an_answer_short_of_the_last_bookable_day_does_not_rule_a_room_out(client, diary, settings):
    # 120 bookable days: one freeList answer covers 90, so room 1 may be free after.
    settings.BOOKING_HORIZON_DAYS = 120
    diary.add_free(WHEN, staff=ANNA, room=ROOM_2)
    times_pages_seen(client, ANNA, ROOM_1, ROOM_2)
    page = client.get(f"/?staffId={ANNA}")
    assert radios("sectionId", page) == ["any", str(ROOM_1), str(ROOM_2)]
