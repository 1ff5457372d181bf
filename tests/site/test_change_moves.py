"""Moving a booked appointment from its change link, through the wizard's own pages.

"Move to another time" opens the times page of the same practitioner and room
with `change=<link>`; the details page fills in who booked; its POST claims the
link, then calls `book` exactly as the wizard does, and what became of it decides
the rest: the practice asked to remove the old time, the link open again, or the
outcome told truthfully.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import redis
from django.core import mail
from django.utils import timezone

from bookings import changes, submissions

from .change_support import (
    altered,
    booked_with_link,
    kept_appointment,
    link_on,
    to_patient,
    to_practice,
    token_on,
)
from .wizard_support import (
    ANNA,
    JOHN,
    PATIENT,
    ROOM_1,
    ROOM_2,
    UNAVAILABLE,
    WHEN,
    at,
    error,
    hhmm,
    html,
    slot,
    token_of,
    ymd,
)

#: The new time the tests move to, and another free with Anna in room 2.
NEW, OTHER = at(2, "1000"), at(2, "1100")


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN, NEW, OTHER)
    return diary


def moving_details_url(link: str, when=NEW, staff: int = ANNA, room: int = ROOM_2) -> str:
    return (
        f"/details/?staffId={staff}&sectionId={room}&date={ymd(when)}&time={hhmm(when)}"
        f"&change={link}"
    )


def open_move(client, link: str, when=NEW) -> dict[str, str]:
    """The move's details page for `when`, as the browser would post it unchanged."""
    page = client.get(moving_details_url(link, when))
    assert page.status_code == 200, page.status_code
    return {
        "staffId": str(ANNA),
        "sectionId": str(ROOM_2),
        "date": ymd(when),
        "time": hhmm(when),
        "token": token_of(page),
        "change": link,
        **{name: value_of(page, name) for name in ("name", "phone", "email")},
        "desc": "",
    }


def value_of(page, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html(page))
    assert field, f"no {name} field"
    found = re.search(r'value="([^"]*)"', field[0])
    return found[1] if found else ""


def post_move(client, form: dict[str, str]):
    return client.post(
        f"/details/?staffId={form['staffId']}&sectionId={form['sectionId']}"
        f"&date={form['date']}&time={form['time']}",
        form,
    )


# --- To the new time ----------------------------------------------------------------------


def test_move_leads_to_the_same_practitioner_and_rooms_times_carrying_the_link(client, diary):
    link = booked_with_link(client)

    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change={link}")

    assert page.status_code == 200
    text = html(page)
    assert "Moving your appointment from" in text
    assert f'<input type="hidden" name="change" value="{link}">' in text
    assert f"staffId=any&amp;sectionId=any&amp;change={link}" in text  # or any practitioner
    assert f'class="back-link" href="/change/{link}/"' in text
    assert 'href="/?staffId=' not in text  # step 1 knows nothing of a move
    # Every other day's link carries the move on.
    days = re.findall(r'href="(/times/\?[^"]*)"', text)
    assert days and all(f"change={link}" in day for day in days)


def test_choosing_a_time_carries_the_link_to_the_details_page(client, diary):
    link = booked_with_link(client)

    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change={link}&slot={slot(NEW)}")

    assert page.status_code == 302
    assert page["Location"] == moving_details_url(link)


def test_the_details_page_of_a_move_is_filled_in_but_for_the_reason(client, diary):
    link = booked_with_link(client)

    page = client.get(moving_details_url(link))

    assert "Moving your appointment from" in html(page)
    assert value_of(page, "name") == PATIENT["name"]
    assert value_of(page, "phone") == PATIENT["phone"]
    assert value_of(page, "email") == PATIENT["email"]
    assert PATIENT["desc"] not in html(page)
    assert f'<input type="hidden" name="change" value="{link}">' in html(page)
    assert f"change={link}" in re.search(r'class="back-link" href="([^"]*)"', html(page))[1]


def test_moving_books_the_new_time_and_asks_the_practice_to_remove_the_old(client, diary):
    link = booked_with_link(client)
    mail.outbox.clear()

    answer = post_move(client, open_move(client, link))

    assert answer.status_code == 303
    assert answer["Location"].startswith("/booked/")
    _booked, moved = diary.calls("book")
    assert {key: moved[key] for key in ("name", "phone", "email", "desc")} == {
        "name": PATIENT["name"],
        "phone": PATIENT["phone"],
        "email": PATIENT["email"],
        "desc": "",
    }
    assert (moved["date"], moved["time"]) == (ymd(NEW), "1000")
    # The practice: one email, with the new time booked and the old one to remove.
    (request,) = to_practice()
    assert request.subject.startswith("Move request: ")
    assert "10:00" in request.body and "14:15" in request.body
    assert PATIENT["name"] in request.body
    # The patient: the new confirmation, with a link of its own.
    confirmation = client.get(answer["Location"])
    new_link = link_on(confirmation)
    assert new_link != link
    (email,) = to_patient()
    assert f"/change/{new_link}/" in email.body
    # The old link now says where the appointment went.
    old = client.get(f"/change/{link}/")
    assert "Your appointment has been moved" in html(old)
    assert "10:00 to 10:45" in html(old)
    assert changes.find(link).state == "moved"
    assert changes.find(new_link).state == "open"


def test_a_move_to_any_practitioner_books_the_one_chosen(client, diary):
    diary.add_free(NEW, staff=JOHN, room=ROOM_1)
    link = booked_with_link(client)
    page = client.get(f"/times/?staffId=any&sectionId=any&change={link}")
    assert page.status_code == 200
    assert f"/times/?staffId={ANNA}&amp;sectionId={ROOM_2}&amp;change={link}" in html(page)

    form = {**open_move(client, link), "staffId": str(JOHN), "sectionId": str(ROOM_1)}
    form["token"] = token_of(client.get(moving_details_url(link, NEW, JOHN, ROOM_1)))
    answer = post_move(client, form)

    assert answer.status_code == 303
    assert diary.calls("book")[-1]["staffId"] == JOHN
    assert "John" in to_practice()[0].body


def test_the_new_time_taken_meanwhile_offers_others_and_opens_the_link_again(client, diary):
    link = booked_with_link(client)
    form = open_move(client, link)
    diary.answer("book", error(12), diary.answers["book"][0])

    taken = post_move(client, form)

    assert taken.status_code == 409
    assert "has just been taken" in html(taken)
    assert f'value="{slot(OTHER)}"' in html(taken)  # an alternative, bookable at once
    assert f'<input type="hidden" name="change" value="{link}">' in html(taken)
    assert changes.find(link).state == "open"
    assert to_practice() == []
    # The alternative books, and moves the appointment.
    again = client.post(
        f"/details/?staffId={ANNA}&sectionId={ROOM_2}&date={ymd(NEW)}&time=1000",
        {**form, "token": token_of(taken), "slot": slot(OTHER)},
    )
    assert again.status_code == 303
    assert changes.find(link).state == "moved"
    (request,) = to_practice()
    assert "11:00" in request.body


def test_a_field_the_diary_refuses_is_shown_on_it_and_the_link_opens_again(client, diary):
    link = booked_with_link(client)
    form = open_move(client, link)
    diary.answer("book", error(9))  # INVALID_PHONE

    page = post_move(client, form)

    assert page.status_code == 400
    assert "did not accept this phone number" in html(page)
    assert changes.find(link).state == "open"
    assert to_practice() == []


def test_an_unknown_outcome_is_told_truthfully_and_the_practice_asked_to_check(client, diary):
    link = booked_with_link(client)
    form = open_move(client, link)
    diary.answer("book", UNAVAILABLE["timeout"])

    page = post_move(client, form)

    assert page.status_code == 503
    assert "may or may not have been made" in html(page)
    assert changes.find(link).state == "unknown"
    (note,) = to_practice()
    assert "10:00" in note.subject + note.body
    for detail in PATIENT.values():
        assert detail not in note.subject + note.body  # the free time only
    later = client.get(f"/change/{link}/")
    assert "We do not know whether your appointment was moved" in html(later)
    assert "Move to another time" not in html(later)


def test_a_move_form_posted_twice_books_once(client, diary):
    link = booked_with_link(client)
    form = open_move(client, link)

    first, second = post_move(client, form), post_move(client, form)

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert len(diary.calls("book")) == 2  # the booking, and one move
    assert len(to_practice()) == 1


def test_a_double_click_whose_other_post_took_the_link_first_shows_the_new_booking(
    client, diary, monkeypatch
):
    """The second post looked for its form's outcome before the first had claimed anything."""
    link = booked_with_link(client)
    form = open_move(client, link)
    first = post_move(client, form)
    looks = iter([False])  # its first look, before the first post claimed the form
    known = submissions.known
    monkeypatch.setattr(submissions, "known", lambda nonce: next(looks, known(nonce)))

    second = post_move(client, form)

    assert first.status_code == second.status_code == 303
    assert second["Location"] == first["Location"]  # the new confirmation, not the link's page
    assert len(diary.calls("book")) == 2  # the booking, and one move


def test_a_move_cut_short_once_its_link_is_claimed_is_not_left_being_booked(
    client, diary, monkeypatch
):
    link = booked_with_link(client)
    form = open_move(client, link)
    mail.outbox.clear()
    client.raise_request_exception = False

    def cache_gone(nonce):
        raise redis.exceptions.ConnectionError("the cache went away")

    monkeypatch.setattr(submissions, "claim", cache_gone)
    page = post_move(client, form)

    assert page.status_code == 503
    assert "Please do not book again yet" in html(page)
    assert changes.find(link).state == "unknown"  # as the page says: call the practice
    (note,) = to_practice()
    assert "10:00" in note.subject + note.body  # the practice checks its diary


def test_a_link_already_used_moves_nothing(client, diary):
    link = booked_with_link(client)
    form = open_move(client, link)
    url = f"/change/{link}/cancel/"
    assert client.post(url, {"token": token_on(client.get(url))}).status_code == 200

    times = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change={link}")
    answer = post_move(client, form)

    assert times["Location"] == f"/change/{link}/"
    assert answer.status_code == 303
    assert answer["Location"] == f"/change/{link}/"
    assert len(diary.calls("book")) == 1  # the first booking only


def test_a_move_whose_link_does_not_work_gets_its_page(client, diary):
    link = booked_with_link(client)

    for page in (
        client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change={altered(link)}"),
        client.get(moving_details_url(altered(link))),
        post_move(client, {**open_move(client, link), "change": altered(link)}),
    ):
        assert page.status_code == 404
        assert "This link does not work" in html(page)
    assert changes.find(link).state == "open"
    assert len(diary.calls("book")) == 1


def test_a_move_after_the_appointment_started_gets_the_410_page(client, diary):
    link = kept_appointment(timezone.now() - dt.timedelta(minutes=5))

    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change={link}")

    assert page.status_code == 410


def test_a_change_parameter_that_is_no_link_is_refused_before_the_diary(client, diary):
    page = client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}&change=not-a-link")

    assert page.status_code == 400
    assert diary.calls("freeList") == []
