"""What the practice saves in its console is what patients see, at once.

The rows are saved as the console saves them (bookings/models.py, the signals
that tell every server); the pages are the site's own, on the diary faked at
its live URL. The console's own pages: tests/site/test_console.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import DatabaseError

from bookings import clock, configuration
from bookings.models import Notice, PracticeProfile, PractitionerProfile, RoomProfile

from .change_support import kept_appointment
from .wizard_support import (
    ANNA,
    JOHN,
    PATIENT,
    ROOM_1,
    ROOM_2,
    WHEN,
    day,
    details_page,
    details_url,
    html,
    submit,
    token_of,
    valid_post,
)


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def welsh(bilingual):
    return bilingual


def practitioner(diary_id: int, **saved) -> PractitionerProfile:
    return PractitionerProfile.objects.create(diary_id=diary_id, **saved)


def room(diary_id: int, **saved) -> RoomProfile:
    return RoomProfile.objects.create(diary_id=diary_id, **saved)


def radios(page, name: str) -> list[str]:
    """The values of the question's radio buttons, in the page's order."""
    return re.findall(rf'<input[^>]*type="radio" name="{name}"[^>]*value="([^"]*)"', html(page))


def times_page(client, staff: object = ANNA, room_id: object = ROOM_2, **query: str):
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return client.get(f"/times/?staffId={staff}&sectionId={room_id}{extra}")


# --- Who and where is offered ------------------------------------------------------


def test_a_practitioner_the_console_hides_is_not_offered_at_step_1(client, diary):
    practitioner(JOHN, offered=False)

    page = client.get("/")

    # Anna alone: chosen already, so step 1 asks only which room.
    assert radios(page, "staffId") == []
    assert "For an appointment with Anna." in html(page)
    assert "John" not in html(page)


def test_a_hidden_practitioner_is_not_searched_under_any_practitioner(client, diary):
    practitioner(JOHN, offered=False)

    page = times_page(client, "any", "any")

    assert page.status_code == 200
    asked = {call["staffId"] for call in diary.calls("freeList")}
    assert asked == {ANNA}


def test_a_link_naming_a_hidden_practitioner_is_told_they_take_no_online_bookings(client, diary):
    practitioner(ANNA, offered=False)

    page = times_page(client)

    assert page.status_code == 400
    assert "not taking online bookings" in html(page)
    assert diary.calls("freeList") == []


def test_a_booking_posted_for_a_practitioner_hidden_meanwhile_is_refused_unbooked(client, diary):
    token = token_of(details_page(client, WHEN))
    practitioner(ANNA, offered=False)

    page = client.post(details_url(WHEN), valid_post(token, WHEN))

    assert page.status_code == 400
    assert "This practitioner cannot be booked online at the moment" in html(page)
    assert diary.calls("book") == []


def test_a_room_the_console_hides_is_not_offered_nor_searched(client, diary):
    room(ROOM_1, offered=False)

    # One room left: step 1 asks only who, and "any" searches room 2 alone.
    assert radios(client.get(f"/?staffId={ANNA}"), "sectionId") == []
    assert "Treatment Room 1" not in html(client.get("/"))
    times_page(client, "any", "any")
    assert {call["sectionId"] for call in diary.calls("freeList")} == {ROOM_2}


def test_practitioners_and_rooms_are_offered_in_the_consoles_order(client, diary):
    practitioner(JOHN, order=2)
    practitioner(ANNA, order=1)
    room(ROOM_1, order=5)

    assert radios(client.get("/"), "staffId") == ["any", str(ANNA), str(JOHN)]
    assert radios(client.get(f"/?staffId={ANNA}"), "sectionId") == ["any", str(ROOM_2), str(ROOM_1)]


def test_what_the_diary_no_longer_lists_is_not_offered_whatever_the_console_says(client, diary):
    practitioner(99999, offered=True, order=-1, title={"en-gb": "Gone since"})

    page = client.get("/")

    assert radios(page, "staffId") == ["any", str(JOHN), str(ANNA)]
    assert "Gone since" not in html(page)


# --- What patients read of them ----------------------------------------------------


def test_a_practitioners_title_and_bio_are_their_radios_hint_outside_the_label(client, diary):
    practitioner(
        ANNA,
        title={"en-gb": "Senior physiotherapist"},
        bio={"en-gb": "Sports injuries and running."},
        languages_spoken="English, Cymraeg",
    )

    page = html(client.get("/"))

    radio = re.search(rf'<input[^>]*value="{ANNA}"[^>]*>', page)[0]
    described = re.search(r'aria-describedby="([^"]+)"', radio)[1]
    hint = re.search(rf'<div id="{described}" class="question-radio-hint">(.*?)</div>', page, re.S)
    assert "Senior physiotherapist" in hint[1]
    assert "Sports injuries and running." in hint[1]
    assert "Speaks English, Cymraeg" in hint[1]
    label = re.search(r'<label for="id_staffId_\d">Anna</label>', page)
    assert label, "the label holds the name alone"
    # John has nothing saved: no hint, nothing to describe.
    john = re.search(rf'<input[^>]*value="{JOHN}"[^>]*>', page)[0]
    assert "aria-describedby" not in john


def test_a_bio_is_shown_in_the_pages_language_else_the_default_languages(client, diary, welsh):
    practitioner(ANNA, bio={"en-gb": "Sports injuries.", "cy": "Anafiadau chwaraeon."})
    practitioner(JOHN, bio={"en-gb": "Backs and necks."})

    welsh_page = html(client.get("/cy/"))

    assert "Anafiadau chwaraeon." in welsh_page
    assert "Sports injuries." not in welsh_page
    assert "Backs and necks." in welsh_page
    assert "Sports injuries." in html(client.get("/"))


def test_what_the_practice_writes_is_shown_as_text_never_as_markup(client, diary):
    practitioner(ANNA, bio={"en-gb": '<script>alert("x")</script><b>Bold</b>'})
    Notice.objects.create(text={"en-gb": "<img src=x onerror=alert(1)>"}, **this_week())

    page = html(client.get("/"))

    assert "<script>alert" not in page and "<b>Bold" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_rooms_access_notes_are_its_hint_and_on_the_times_and_details(client, diary):
    room(ROOM_2, access_notes={"en-gb": "Up one flight of stairs; no lift."})

    question = html(client.get(f"/?staffId={ANNA}"))
    radio = re.search(rf'<input[^>]*value="{ROOM_2}"[^>]*>', question)[0]
    assert "aria-describedby" in radio
    assert "Up one flight of stairs; no lift." in question

    times = html(times_page(client))
    assert "Getting to Treatment Room 2: Up one flight of stairs; no lift." in times
    details = html(details_page(client, WHEN))
    assert re.search(r'id="summary-room".*Up one flight of stairs; no lift\.', details, re.S)


def test_any_room_has_no_access_notes_on_the_times(client, diary):
    room(ROOM_2, access_notes={"en-gb": "Up one flight of stairs."})

    assert "Up one flight of stairs." not in html(times_page(client, ANNA, "any"))


# --- Notices -----------------------------------------------------------------------


def this_week() -> dict[str, dt.date]:
    return {"starts_on": day(-1), "ends_on": day(6)}


def test_a_current_notice_is_above_every_step(client, diary):
    Notice.objects.create(text={"en-gb": "Closed 24 to 26 December."}, **this_week())
    booked = submit(client, WHEN)

    for page in (
        client.get("/"),
        client.get(f"/?staffId={ANNA}"),
        times_page(client),
        details_page(client, WHEN),
        client.get(booked["Location"]),
    ):
        text = html(page)
        assert "Closed 24 to 26 December." in text
        # Above the page's own heading.
        assert text.index("Closed 24 to 26 December.") < text.index("<h1")


@pytest.mark.parametrize(
    ("starts", "ends", "shown"),
    [(0, 0, True), (-3, 0, True), (1, 3, False), (-3, -1, False)],
    ids=["today only", "ending today", "not yet", "over"],
)
def test_a_notice_is_shown_from_its_first_day_to_its_last(client, diary, starts, ends, shown):
    Notice.objects.create(
        text={"en-gb": "Closed for training."}, starts_on=day(starts), ends_on=day(ends)
    )

    assert ("Closed for training." in html(client.get("/"))) is shown


def test_a_notice_is_in_the_pages_language(client, diary, welsh):
    Notice.objects.create(
        text={"en-gb": "Closed on Monday.", "cy": "Ar gau ddydd Llun."}, **this_week()
    )

    assert "Ar gau ddydd Llun." in html(client.get("/cy/"))
    assert "Closed on Monday." not in html(client.get("/cy/"))
    assert "Closed on Monday." in html(client.get("/"))


# --- The practice's details and rules ---------------------------------------------------


def test_the_practices_saved_details_replace_the_environments(client, diary, settings):
    settings.PRACTICE_NAME = "From The Environment"
    PracticeProfile(name={"en-gb": "Riverside Physio & Sports"}, phone="01632 960 999").save()

    page = html(client.get("/"))

    assert "Riverside Physio &amp; Sports" in page
    assert "From The Environment" not in page
    assert "01632 960 999" in html(client.get("/nothing-here/"))  # the 404 page's phone


def test_an_empty_console_field_is_the_environments_value(client, diary, settings):
    settings.PRACTICE_NAME = "From The Environment"
    PracticeProfile(phone="01632 960 999").save()

    assert "From The Environment" in html(client.get("/"))


def test_a_welsh_name_is_used_on_welsh_pages(client, diary, welsh):
    PracticeProfile(name={"en-gb": "Riverside Physio", "cy": "Ffisio Glan yr Afon"}).save()

    assert "Ffisio Glan yr Afon" in html(client.get("/cy/"))
    assert "Riverside Physio" in html(client.get("/"))


def test_the_consoles_minimum_notice_leaves_out_times_too_soon(client, diary, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 0
    soon = clock.earliest_bookable() + dt.timedelta(hours=3)
    soon = soon.replace(minute=0, second=0, microsecond=0)
    diary.add_free(soon)
    label = soon.strftime("%H:%M")
    assert label in html(times_page(client, date=f"{soon:%Y%m%d}"))

    PracticeProfile(min_notice_minutes=6 * 60).save()

    assert label not in html(times_page(client, date=f"{soon:%Y%m%d}"))


def test_the_consoles_days_per_page_and_horizon_shape_the_times(client, diary, settings):
    settings.BOOKING_WINDOW_DAYS, settings.BOOKING_HORIZON_DAYS = 7, 90
    PracticeProfile(window_days=3, horizon_days=10).save()

    page = html(times_page(client))

    first, last = day(0), day(2)
    assert f"{first:%A} {first.day} {first:%B} to {last:%A} {last.day} {last:%B %Y}" in page
    assert times_page(client, date=f"{day(10):%Y%m%d}").status_code == 400  # past the horizon
    assert times_page(client, date=f"{day(9):%Y%m%d}").status_code == 200


def test_a_saved_value_is_live_without_waiting_for_the_memo(client, diary):
    assert "Bank holiday" not in html(client.get("/"))  # read, and kept for 2 s

    Notice.objects.create(text={"en-gb": "Bank holiday."}, **this_week())

    assert "Bank holiday." in html(client.get("/"))


def test_an_unreadable_console_leaves_the_environments_values(client, diary, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("no such table: bookings_practiceprofile")

    monkeypatch.setattr(PracticeProfile.objects, "filter", broken)

    page = client.get("/")

    assert page.status_code == 200
    assert "John" in html(page)
    assert "the configuration could not be read" in caplog.text
    assert "no such table" not in caplog.text


def test_a_booking_goes_through_with_the_console_set(client, diary):
    PracticeProfile(name={"en-gb": "Riverside"}, min_notice_minutes=60).save()
    practitioner(JOHN, offered=False)
    room(ROOM_2, access_notes={"en-gb": "Ground floor."})

    page = submit(client, WHEN)

    assert page.status_code == 303
    (call,) = diary.calls("book")
    assert (call["staffId"], call["sectionId"], call["name"]) == (ANNA, ROOM_2, PATIENT["name"])


def test_the_consoles_late_cancellation_notice_is_the_one_a_cancel_is_told(client, diary, settings):
    settings.BOOKING_LATE_CANCEL_HOURS = 1
    link = kept_appointment(WHEN)
    assert "late cancellation" not in html(client.get(f"/change/{link}/cancel/"))

    PracticeProfile(late_cancel_hours=72).save()  # tomorrow is always within 72 hours

    page = html(client.get(f"/change/{link}/cancel/"))
    assert "This is a late cancellation." in page
    assert "at least 72 hours' notice" in page


def test_a_privacy_link_saved_around_the_consoles_checks_is_never_a_link(client, diary):
    # Saved with update(): no clean(), no signal, as a script or a bug might.
    PracticeProfile().save()
    PracticeProfile.objects.update(privacy_url={"en-gb": "javascript:alert(1)"})
    configuration.forget()

    page = html(client.get("/"))

    assert "javascript:" not in page
    assert 'href="/privacy/"' in page
