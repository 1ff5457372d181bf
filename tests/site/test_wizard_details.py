"""Step 3, `/details/`: the patient's details; its POST calls `book` once."""

import re
import time
from unittest.mock import patch
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import signing
from django.core.cache import cache

from bookings import tokens, wizard

from .wizard_support import (
    ANNA,
    JOHN,
    PATIENT,
    ROOM_1,
    ROOM_2,
    UNAVAILABLE,
    WHEN,
    FakeDiary,
    at,
    details_url,
    error,
    errors,
    free_time,
    html,
    open_details,
    sets_no_cookie,
    slot,
    submit,
    token_of,
    valid_post,
    ymd,
)


@pytest.fixture
def diary(diary):
    """The diary offers WHEN, the time most tests open the details page for."""
    diary.add_free(WHEN)
    return diary


def tag(page, name: str) -> str:
    """The form control named `name`."""
    found = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html(page))
    assert found, f"no control named {name}"
    return found[0]


def assert_typed_input_kept(page):
    for name in ("name", "phone", "email"):
        assert f'value="{PATIENT[name]}"' in tag(page, name)
    assert PATIENT["desc"] in html(page)


def problem(page) -> str:
    found = re.search(r'<div class="problem".*?</div>', html(page), re.S)
    return found[0] if found else ""


# --- GET -----------------------------------------------------------------------------


def test_it_shows_the_chosen_time_with_links_to_change_it(client, diary):
    page = client.get(details_url(WHEN))
    assert page.status_code == 200
    assert f"{WHEN:%A} {WHEN.day} {WHEN:%B %Y} at 14:15" in html(page)
    assert "Anna" in html(page)
    assert "Treatment Room 2" in html(page)
    assert f"/?staffId={ANNA}&amp;sectionId={ROOM_2}" in html(page)
    assert f"/times/?staffId={ANNA}&amp;sectionId={ROOM_2}&amp;date={ymd(WHEN)}" in html(page)


def test_it_signs_the_form_for_the_chosen_time(client, diary):
    token = tokens.read(token_of(client.get(details_url(WHEN))))
    assert token.allows(free_time(WHEN))
    assert token.slot == f"{ymd(WHEN)}-1415-{ANNA}-{ROOM_2}"


def test_it_sends_a_time_that_has_passed_back_to_the_times(client, diary):
    page = client.get(details_url(at(0, "0000")))
    assert page.status_code == 302
    assert parse_qs(urlsplit(page["Location"]).query)["passed"] == ["1"]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ({"staffId": "99999"}, "/"),
        ({"date": "20000101"}, "/times/"),
    ],
    ids=["unknown practitioner", "date out of range"],
)
def test_it_sends_a_free_time_it_cannot_offer_back_a_step(client, diary, query, path):
    url = details_url(WHEN)
    for key, value in query.items():
        url = re.sub(rf"{key}=\w+", f"{key}={value}", url)
    page = client.get(url)
    assert page.status_code == 302
    assert urlsplit(page["Location"]).path == path


@pytest.mark.parametrize(
    "query",
    [
        {"time": "2561"},
        {"staffId": "%C2%B2"},  # "²": a digit to str.isdigit, not to int()
        {"date": "2026"},
        {"sectionId": "1%00"},
    ],
    ids=["no such time", "superscript two", "short date", "a NUL"],
)
def test_it_refuses_a_link_changed_by_hand_without_asking_the_diary(client, diary, query):
    url = details_url(WHEN)
    for key, value in query.items():
        url = re.sub(rf"{key}=\w+", f"{key}={value}", url)
    page = client.get(url)
    assert page.status_code == 400
    assert "this link is not valid" in html(page)
    assert diary.sent == []


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_its_get_gives_the_practices_phone_when_the_diary_is_unavailable(
    client, diary, settings, fault
):
    diary.answer("staffList", fault)
    page = client.get(details_url(WHEN))
    assert page.status_code == 503
    assert settings.PRACTICE_PHONE in html(page)
    assert settings.PRACTICE_EMAIL in html(page)


# --- Booking -------------------------------------------------------------------------


def test_it_books_once_and_sees_the_patient_to_the_confirmation(client, diary):
    page = submit(client, WHEN)
    assert page.status_code == 303
    assert re.fullmatch(r"/booked/[A-Za-z0-9_-]{32}/", page["Location"])
    (sent,) = diary.calls("book")
    assert sent["date"] == ymd(WHEN)
    assert sent["time"] == "1415"
    assert (sent["staffId"], sent["sectionId"]) == (ANNA, ROOM_2)
    assert {key: sent[key] for key in PATIENT} == PATIENT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your full name"),
        ("phone", "call me", "Enter a phone number, like"),
        ("email", "fred at smith", "Enter an email address like name@example.com"),
        ("desc", "x" * 501, "Reason for your visit must be 500 characters or fewer"),
    ],
)
def test_it_books_nothing_for_an_invalid_form(client, diary, field, value, message):
    page = submit(client, WHEN, **{field: value})
    assert page.status_code == 400
    assert message in html(page)
    assert 'aria-invalid="true"' in tag(page, field)
    assert f'href="#id_{field}"' in html(page)
    assert diary.calls("book") == []


# --- The token -----------------------------------------------------------------------


def forged() -> str:
    payload = {"s": ANNA, "r": ROOM_2, "d": ymd(WHEN), "t": "1415", "a": [], "i": int(time.time())}
    return signing.dumps({**payload, "n": "x"}, key="not-our-secret", salt="bookings.details-form")


def tampered(token: str) -> str:
    return token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")


@pytest.mark.parametrize(
    "spoil",
    [lambda token: "", tampered, lambda token: forged(), lambda token: "not-a-token"],
    ids=["missing", "tampered", "forged", "garbage"],
)
def test_it_books_nothing_without_a_good_token(client, diary, spoil):
    token = open_details(client, WHEN)
    page = client.post(details_url(WHEN), valid_post(spoil(token), WHEN))
    assert page.status_code == 400
    assert "This form has expired" in html(page)
    assert diary.calls("book") == []


def test_it_books_nothing_with_an_expired_token(client, diary, settings):
    with patch("time.time", return_value=time.time() - settings.BOOKING_FORM_MAX_AGE_SECONDS - 60):
        token = open_details(client, WHEN)
    page = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert page.status_code == 400
    assert "This form has expired" in html(page)
    assert diary.calls("book") == []


def test_it_books_with_the_fresh_token_given_with_the_expired_form(client, diary, settings):
    with patch("time.time", return_value=time.time() - settings.BOOKING_FORM_MAX_AGE_SECONDS - 60):
        token = open_details(client, WHEN)
    refused = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert_typed_input_kept(refused)
    page = client.post(details_url(WHEN), valid_post(token_of(refused), WHEN))
    assert page.status_code == 303
    assert len(diary.calls("book")) == 1


@pytest.mark.parametrize(
    "changes",
    [{"time": "1500"}, {"date": ymd(at(2, "1415"))}, {"staffId": str(JOHN)}],
    ids=["time", "date", "practitioner"],
)
def test_it_books_nothing_when_the_hidden_fields_were_changed(client, diary, changes):
    token = open_details(client, WHEN)
    data = valid_post(token, WHEN, **changes)
    page = client.post(details_url(WHEN), data)
    assert page.status_code == 400
    assert diary.calls("book") == []


def test_it_refuses_a_time_that_became_too_soon(client, diary):
    passed = at(0, "0000")
    client.get(details_url(WHEN))  # the lists, as the patient's first visit fetched them
    token = tokens.issue(free_time(passed))
    page = client.post(details_url(passed), valid_post(token, passed))
    assert page.status_code == 400
    assert "too soon to book online" in html(page)
    assert diary.calls("book") == []


# --- The diary's errors --------------------------------------------------------------

FIELD_ERRORS = {
    3: ("sectionId", "This room cannot be booked online", "summary-room"),
    4: ("staffId", "This practitioner cannot be booked online", "summary-practitioner"),
    6: ("date", "This date cannot be booked online", "summary-when"),
    7: ("time", "This time cannot be booked online", "summary-when"),
    8: ("name", "Enter your full name, as the practice should know you", "id_name"),
    9: ("phone", "The practice&#x27;s diary did not accept this phone number", "id_phone"),
    10: ("email", "The practice&#x27;s diary did not accept this email address", "id_email"),
    11: ("desc", "The practice&#x27;s diary did not accept this reason", "id_desc"),
}


@pytest.mark.parametrize("code", FIELD_ERRORS)
def test_it_puts_the_diarys_error_on_its_field(client, diary, code):
    field, message, anchor = FIELD_ERRORS[code]
    diary.answer("book", error(code))
    page = submit(client, WHEN)
    assert page.status_code == 400
    assert message in html(page)
    assert f'<a href="#{anchor}">{message}' in html(page)
    assert f'id="{anchor}"' in html(page)
    if field in PATIENT:
        assert 'aria-invalid="true"' in tag(page, field)
    assert_typed_input_kept(page)
    assert len(diary.calls("book")) == 1


@pytest.mark.parametrize(("code", "field"), [(8, "email"), (3, "phone"), (11, "name")])
def test_the_diarys_field_name_wins_over_the_code(client, diary, code, field):
    diary.answer("book", error(code, field=field))
    page = submit(client, WHEN)
    assert page.status_code == 400
    assert 'aria-invalid="true"' in tag(page, field)
    assert f'href="#id_{field}"' in html(page)


@pytest.mark.parametrize("code", [1, 2, 5])
def test_it_gives_the_practices_phone_for_the_diarys_own_faults(client, diary, settings, code):
    diary.answer("book", error(code))
    page = submit(client, WHEN)
    assert page.status_code == 503
    assert "Your appointment has not been booked" in problem(page)
    assert settings.PRACTICE_PHONE in problem(page)
    assert settings.PRACTICE_EMAIL in problem(page)
    assert_typed_input_kept(page)


def test_it_gives_the_practices_phone_for_an_error_code_it_does_not_know(client, diary):
    answer = error(13)
    answer["errors"][0]["error"] = 99
    diary.answer("book", answer)
    page = submit(client, WHEN)
    assert page.status_code == 503
    assert "Your appointment has not been booked" in problem(page)


def test_it_shows_a_field_error_and_the_practices_phone_together(client, diary, settings):
    diary.answer("book", errors(5, 8))
    page = submit(client, WHEN)
    assert page.status_code == 503
    assert settings.PRACTICE_PHONE in problem(page)
    assert 'aria-invalid="true"' in tag(page, "name")


def test_it_shows_several_of_the_diarys_errors_at_once(client, diary):
    diary.answer("book", errors(4, 8, 9))
    page = submit(client, WHEN)
    assert page.status_code == 400
    for anchor in ("summary-practitioner", "id_name", "id_phone"):
        assert f'<a href="#{anchor}">' in html(page)
    assert 'aria-invalid="true"' in tag(page, "name")
    assert 'aria-invalid="true"' in tag(page, "phone")


def test_it_says_a_booking_may_have_been_made_on_error_13(client, diary, settings):
    diary.answer("book", error(13))
    page = submit(client, WHEN)
    assert page.status_code == 503
    assert "may or may not have been made" in problem(page)
    assert settings.PRACTICE_PHONE in problem(page)
    assert_typed_input_kept(page)


UNKNOWN_OUTCOME = ("timeout", "server error", "not json")


@pytest.mark.parametrize("fault", UNAVAILABLE, ids=UNAVAILABLE.keys())
def test_it_keeps_the_details_and_gives_the_practices_phone_when_book_fails(
    client, diary, settings, fault
):
    diary.answer("book", UNAVAILABLE[fault])
    page = submit(client, WHEN)
    assert page.status_code == 503
    expected = "may or may not have been made" if fault in UNKNOWN_OUTCOME else "cannot reach"
    assert expected in problem(page)
    assert settings.PRACTICE_PHONE in problem(page)
    assert settings.PRACTICE_EMAIL in problem(page)
    assert_typed_input_kept(page)
    assert len(diary.calls("book")) == 1


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_it_keeps_the_details_when_the_lists_fail_on_post(client, live_api, settings, fault):
    diary = FakeDiary(live_api)
    diary.add_free(WHEN)
    diary.answer("book", UNAVAILABLE["connection refused"])
    token = open_details(client, WHEN)
    diary.answer("staffList", fault)
    diary.answer("sectionList", fault)
    cache.clear()  # the lists are asked for again, and fail
    page = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert page.status_code == 503
    assert_typed_input_kept(page)
    assert settings.PRACTICE_PHONE in html(page)


# --- Just taken (12 ALREADY_BOOKED) --------------------------------------------------

NEAREST = (at(1, "1330"), at(1, "1500"))


def taken(client, diary):
    """POST the form for WHEN, which the diary has just given to someone else."""
    diary.answer("book", error(12), diary.answers["book"][0])
    diary.add_free(*NEAREST)
    return submit(client, WHEN)


def test_it_shows_already_booked_with_the_nearest_free_times(client, diary):
    page = taken(client, diary)
    assert page.status_code == 409
    assert "has just been taken" in html(page)
    for moment in NEAREST:
        assert f'name="slot" value="{slot(moment)}"' in html(page)
    assert_typed_input_kept(page)


def test_it_books_a_nearest_time_with_one_click_and_the_same_details(client, diary):
    page = taken(client, diary)
    data = valid_post(token_of(page), WHEN, slot=slot(NEAREST[1]))
    booked = client.post(details_url(WHEN), data)
    assert booked.status_code == 303
    _, second = diary.calls("book")
    assert (second["date"], second["time"]) == (ymd(NEAREST[1]), "1500")
    assert {key: second[key] for key in PATIENT} == PATIENT


def test_it_refuses_a_time_that_was_not_offered(client, diary):
    page = taken(client, diary)
    data = valid_post(token_of(page), WHEN, slot=slot(at(1, "1700")))
    refused = client.post(details_url(WHEN), data)
    assert refused.status_code == 400
    assert len(diary.calls("book")) == 1


@pytest.mark.parametrize(
    "changes", [{"staffId": str(JOHN)}, {"sectionId": str(ROOM_1)}], ids=["practitioner", "room"]
)
def test_it_books_an_offered_time_only_with_the_practitioner_and_room_offered(
    client, diary, changes
):
    page = taken(client, diary)
    data = valid_post(token_of(page), WHEN, slot=slot(NEAREST[1]), **changes)
    refused = client.post(details_url(WHEN), data)
    assert refused.status_code == 400
    assert len(diary.calls("book")) == 1


def test_it_books_nothing_when_enter_is_pressed_on_the_taken_page(client, diary):
    page = taken(client, diary)
    again = client.post(details_url(WHEN), valid_post(token_of(page), WHEN, review="1"))
    assert again.status_code == 409
    assert len(diary.calls("book")) == 1
    for moment in NEAREST:
        assert f'name="slot" value="{slot(moment)}"' in html(again)


def test_it_still_shows_the_taken_page_when_the_nearest_times_cannot_be_found(client, diary):
    diary.answer("book", error(12))
    token = open_details(client, WHEN)
    diary.answer("freeList", UNAVAILABLE["server error"])
    page = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert page.status_code == 409
    assert_typed_input_kept(page)


def test_it_says_so_when_no_time_is_near_the_one_taken(client, diary):
    diary.answer("book", error(12))
    page = submit(client, WHEN)
    assert page.status_code == 409
    assert "There are no other free times close to it" in html(page)


# --- Cookies and URLs ----------------------------------------------------------------


def test_it_sets_no_cookie_on_any_answer(client, diary):
    assert sets_no_cookie(client.get(details_url(WHEN)))
    assert sets_no_cookie(submit(client, WHEN, name=""))
    assert sets_no_cookie(submit(client, WHEN))
    diary.answer("book", error(12))
    assert sets_no_cookie(submit(client, WHEN))


def test_it_never_puts_the_patients_details_in_a_link_or_form_action(client, diary):
    diary.answer("book", error(12))
    page = html(submit(client, WHEN, name="Zebedee Quux"))
    urls = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert urls
    assert not [url for url in urls if "Zebedee" in url or "fred" in url.lower()]


@pytest.mark.parametrize(
    "changes",
    [{}, {"staffId": "99999"}, {"date": "20000101"}, {"time": "9999"}],
    ids=["booked", "unknown practitioner", "date out of range", "bad time"],
)
def test_it_never_puts_the_patients_details_in_a_redirect(client, diary, changes):
    token = open_details(client, WHEN)
    page = client.post(details_url(WHEN), valid_post(token, WHEN, **changes))
    if page.status_code == 400:
        return  # kept on the page, with what was typed: nothing went into a URL
    assert page.status_code in (302, 303)
    location = unquote(page["Location"]).replace("+", " ")
    for value in PATIENT.values():
        assert value not in location


def assert_kept_with_error(page, anchor: str, message: str) -> None:
    assert page.status_code == 400
    body = html(page)
    assert f'href="#{anchor}"' in body
    assert message in body
    for value in PATIENT.values():
        assert value in body


@pytest.mark.parametrize(
    ("lists", "anchor", "message"),
    [
        (
            {"staffList": {"staff": [{"id": JOHN, "name": "John"}]}},
            "summary-practitioner",
            "This practitioner cannot be booked online",
        ),
        (
            {"sectionList": {"sections": [{"id": ROOM_1, "name": "Treatment Room 1"}]}},
            "summary-room",
            "This room cannot be booked online",
        ),
    ],
    ids=["practitioner", "room"],
)
def test_a_post_for_someone_no_longer_listed_keeps_what_was_typed(
    client, diary, lists, anchor, message
):
    token = open_details(client, WHEN)
    for action, answer in lists.items():
        diary.answer(action, answer)
    cache.clear()  # the lists are asked for again, and have changed since the form was issued
    page = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert_kept_with_error(page, anchor, message)
    assert diary.calls("book") == []


def test_a_post_for_a_time_gone_by_keeps_what_was_typed(client, diary):
    yesterday = at(-1, "1415")
    token = tokens.issue(free_time(yesterday))
    page = client.post(details_url(yesterday), valid_post(token, yesterday))
    assert_kept_with_error(page, "summary-when", "This time is now too soon to book online")
    assert diary.calls("book") == []


def test_the_details_page_is_never_kept_in_a_cache(client, diary):
    assert client.get(details_url(WHEN))["Cache-Control"] == "no-store"
    assert submit(client, WHEN, name="")["Cache-Control"] == "no-store"


def test_a_problem_is_announced_in_the_title_and_focused(client, diary):
    diary.answer("book", UNAVAILABLE["connection refused"])
    body = html(submit(client, WHEN))
    assert "<title>Error: " in body
    assert 'id="problem" tabindex="-1" data-focus-on-load' in body


def test_a_time_found_under_any_practitioner_keeps_any_in_its_change_links(client, diary):
    diary.add_free(WHEN)
    page = client.get(
        wizard.url("times", staffId=wizard.ANY, sectionId=wizard.ANY, slot=slot(WHEN))
    )
    assert "via=any.any" in page["Location"]
    body = html(client.get(page["Location"]))
    change_time = wizard.url("times", staffId="any", sectionId="any", date=ymd(WHEN))
    assert f'href="{change_time}"'.replace("&", "&amp;") in body
    assert 'href="/?staffId=any&amp;sectionId=any"' in body
    assert "via=any.any" in re.search(r'<form method="post" action="([^"]*)"', body)[1]


def test_a_via_that_is_not_any_is_ignored(client, diary):
    body = html(client.get(details_url(WHEN) + f"&via={ANNA}.{ROOM_2}"))
    assert f'href="/?staffId={ANNA}&amp;sectionId={ROOM_2}"' in body


def test_a_via_changed_by_hand_is_refused(client, diary):
    page = client.get(details_url(WHEN) + "&via=<script>.1")
    assert page.status_code == 400
    assert "<script>" not in html(page)
