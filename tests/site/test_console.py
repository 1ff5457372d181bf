"""The practice's console (console/): Django's admin for the "Practice staff" group.

Staff sign in and edit the practice's details, notices, practitioners and rooms,
one field per offered language; the embed code, activity and recent changes
pages; who may see what; where it lives (CONSOLE_PATH); the site's counters
(bookings/activity.py) and how long they and the record of changes are kept
(CONSOLE_RETENTION_DAYS). The diary is faked at its live URL. What patients
then see: tests/site/test_console_effects.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from bookings import activity, clock
from bookings.models import DailyCount, Notice, PracticeProfile, PractitionerProfile, RoomProfile

from ..environment import start_django
from .change_support import booked_with_link, token_on
from .test_change_moves import NEW, open_move, post_move
from .test_http_security import csp
from .wizard_support import ANNA, JOHN, ROOM_1, ROOM_2, WHEN, Raw, error, html, submit

GROUP = "Practice staff"

#: Every page of the console a member of staff opens.
PAGES = [
    "/admin/",
    "/admin/bookings/practiceprofile/1/change/",
    "/admin/bookings/practiceprofile/1/history/",
    "/admin/bookings/notice/",
    "/admin/bookings/notice/add/",
    "/admin/bookings/practitionerprofile/",
    "/admin/bookings/roomprofile/",
    "/admin/practice/embed-code/",
    "/admin/practice/activity/",
    "/admin/practice/recent-changes/",
]


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN, NEW)
    return diary


@pytest.fixture
def welsh(bilingual):
    return bilingual


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(diary, django_user_model) -> Client:
    """A receptionist's account in the "Practice staff" group, signed in."""
    user = django_user_model.objects.create_user("reception", password="a-long-passphrase")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=GROUP))
    return signed_in(user)


@pytest.fixture
def outsider(diary, django_user_model) -> Client:
    """A staff account in no group: it may sign in to the admin, and nothing more."""
    user = django_user_model.objects.create_user("temp", password="a-long-passphrase")
    user.is_staff = True
    user.save()
    return signed_in(user)


def practice_form(**typed: str) -> dict[str, str]:
    """The practice details page's form as a browser posts it, with `typed` changed."""
    form = {
        "name_en_gb": "",
        "phone": "",
        "email": "",
        "address_en_gb": "",
        "opening_hours_en_gb": "",
        "what_next_en_gb": "",
        "privacy_url_en_gb": "",
        "late_cancel_hours": "",
        "min_notice_minutes": "",
        "horizon_days": "",
        "window_days": "",
    }
    return {**form, **typed}


def errors_on(page) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", "", error).split())
        for error in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html(page), re.S)
    ]


def errors_of(page, field: str) -> list[str]:
    """The errors shown on one field (its list, which the field's aria-describedby names)."""
    found = re.search(
        rf'<ul class="errorlist[^"]*" id="id_{field}_error">(.*?)</ul>', html(page), re.S
    )
    return re.findall(r"<li>(.*?)</li>", found[1]) if found else []


# --- The group ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_practice_staff_group_may_do_what_the_console_offers_and_nothing_else():
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=GROUP).permissions.select_related("content_type")
    }
    assert granted == {
        "bookings.view_practiceprofile",
        "bookings.change_practiceprofile",
        "bookings.view_notice",
        "bookings.add_notice",
        "bookings.change_notice",
        "bookings.delete_notice",
        "bookings.view_practitionerprofile",
        "bookings.change_practitionerprofile",
        "bookings.view_roomprofile",
        "bookings.change_roomprofile",
        "bookings.view_dailycount",
        "admin.view_logentry",
    }
    # Not accounts, the outbox, the change links or the reference diary.
    assert not Permission.objects.filter(group__name=GROUP, content_type__app_label="auth")


def test_staff_in_the_group_open_every_page_of_the_console(staff):
    for path in PAGES:
        page = staff.get(path)
        assert page.status_code == 200, path


def test_an_account_outside_the_group_sees_nothing(outsider):
    index = outsider.get("/admin/")
    assert "have permission to view or edit anything" in html(index)
    assert "Practitioners" not in html(index)
    for path in PAGES[1:]:
        assert outsider.get(path).status_code == 403, path


@pytest.mark.parametrize("path", PAGES)
def test_someone_not_signed_in_is_sent_to_the_sign_in_page(client, diary, path):
    page = client.get(path)
    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/?next=")


def test_a_patient_page_does_not_open_the_console_to_a_staff_account_in_no_group(outsider):
    assert outsider.post("/admin/bookings/notice/add/", {}).status_code == 403
    assert Notice.objects.count() == 0


# --- The header --------------------------------------------------------------------------


def test_the_console_is_headed_with_the_practices_name_and_colours_from_this_site_only(
    staff, settings
):
    settings.THEME_BRAND_COLOUR = "#5a2d82"
    page = html(staff.get("/admin/"))

    assert '<div id="site-name"><a href="/admin/">Riverside Physiotherapy: console</a>' in page
    assert re.search(r'<link rel="stylesheet" href="/theme\.css\?v=\w+" integrity="sha\d+-', page)
    assert re.search(r'<link rel="stylesheet" href="/static/console/console[.\w]*\.css"', page)
    assert staff.get("/theme.css").content.decode().count("--brand: #5a2d82;") == 1
    # Nothing from another site: every address on the page is this site's.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
    # The sign-in page's one heading is the console's name.
    assert '<h1 id="site-name"><a href="/admin/">Riverside Physiotherapy: console</a></h1>' in html(
        Client().get("/admin/login/")
    )
    # The console's own pages, for those allowed them.
    for path in ("embed-code", "activity", "recent-changes"):
        assert f'href="/admin/practice/{path}/"' in page


# --- The practice's details ----------------------------------------------------------------


def test_the_practice_details_list_goes_straight_to_the_one_page(staff):
    page = staff.get("/admin/bookings/practiceprofile/")
    assert page.status_code == 302
    assert page["Location"] == "/admin/bookings/practiceprofile/1/change/"


def test_until_saved_the_page_shows_what_an_empty_box_leaves_in_place(staff, settings):
    settings.PRACTICE_ADDRESS = "1 <b>High</b> Street"
    page = html(staff.get("/admin/bookings/practiceprofile/1/change/"))

    assert PracticeProfile.objects.count() == 0  # opening it saves nothing
    assert "Empty: the site's setting, “Riverside Physiotherapy”." in page
    assert "Empty: the site's setting, “24”." in page  # BOOKING_LATE_CANCEL_HOURS
    assert "“1 &lt;b&gt;High&lt;/b&gt; Street”" in page  # the admin shows help as it is


def test_staff_save_the_practice_details_in_each_language(staff, welsh):
    page = staff.get("/admin/bookings/practiceprofile/1/change/")
    assert '<label for="id_name_en_gb">Name (English):</label>' in html(page)
    assert '<label for="id_name_cy">Name (Cymraeg):</label>' in html(page)
    assert 'lang="cy"' in html(page)

    saved = staff.post(
        "/admin/bookings/practiceprofile/1/change/",
        practice_form(
            name_en_gb="Afon Physio",
            name_cy="Ffisio Afon",
            name_en_gb_extra="",
            address_cy="",
            late_cancel_hours="48",
        ),
    )

    assert saved.status_code == 302, errors_on(saved)
    practice = PracticeProfile.objects.get()
    assert practice.name == {"en-gb": "Afon Physio", "cy": "Ffisio Afon"}
    assert practice.address == {}  # empty: the environment's
    assert practice.late_cancel_hours == 48
    assert "Afon Physio" in html(Client().get("/"))


def test_a_text_too_long_is_refused_with_a_clear_message_and_nothing_saved(staff):
    page = staff.post(
        "/admin/bookings/practiceprofile/1/change/", practice_form(name_en_gb="x" * 201)
    )

    assert page.status_code == 200
    assert "At most 200 characters, please: this has 201." in errors_on(page)
    assert PracticeProfile.objects.count() == 0


def test_the_privacy_link_must_be_a_web_address(staff):
    page = staff.post(
        "/admin/bookings/practiceprofile/1/change/",
        practice_form(privacy_url_en_gb="javascript:alert(1)"),
    )

    assert page.status_code == 200
    assert any("Enter a web address" in error for error in errors_on(page))
    assert PracticeProfile.objects.count() == 0


def test_a_rule_beyond_what_the_diary_allows_is_refused(staff):
    page = staff.post(
        "/admin/bookings/practiceprofile/1/change/", practice_form(horizon_days="365")
    )
    assert page.status_code == 200
    assert "Ensure this value is less than or equal to 90." in errors_on(page)


def test_markup_typed_into_the_console_is_shown_to_patients_as_text(staff):
    staff.post(
        "/admin/bookings/practiceprofile/1/change/",
        practice_form(name_en_gb="<b>Afon</b> <script>alert(1)</script>"),
    )

    staff.post("/admin/bookings/notice/add/", notice_form(text_en_gb="<i>Closed</i> on Monday"))
    staff.get("/admin/bookings/practitionerprofile/")
    anna = PractitionerProfile.objects.get(diary_id=ANNA)
    staff.post(
        f"/admin/bookings/practitionerprofile/{anna.pk}/change/",
        {"offered": "on", "order": "0", "bio_en_gb": "<a href=//evil.example>Knees</a>"},
    )

    page = html(Client().get("/"))

    assert "&lt;b&gt;Afon&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Afon</b>" not in page and "<script>alert(1)" not in page
    assert "&lt;i&gt;Closed&lt;/i&gt; on Monday" in page and "<i>Closed" not in page
    assert "&lt;a href=//evil.example&gt;Knees&lt;/a&gt;" in page and "<a href=//evil" not in page


# --- Notices -------------------------------------------------------------------------------


def notice_form(**typed: str) -> dict[str, str]:
    today = clock.today()
    form = {
        "text_en_gb": "Closed 24 to 26 December.",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=3)).isoformat(),
    }
    return {**form, **typed}


def test_staff_add_a_notice_in_each_language(staff, welsh):
    page = staff.post(
        "/admin/bookings/notice/add/",
        notice_form(text_cy="Ar gau 24 i 26 Rhagfyr."),
    )

    assert page.status_code == 302, errors_on(page)
    notice = Notice.objects.get()
    assert notice.text == {"en-gb": "Closed 24 to 26 December.", "cy": "Ar gau 24 i 26 Rhagfyr."}
    listed = html(staff.get("/admin/bookings/notice/"))
    assert "Closed 24 to 26 December." in listed
    assert ">now<" in listed  # said in words, not by a colour


def test_a_notice_needs_the_default_languages_text_and_its_days_in_order(staff, welsh):
    today = clock.today()
    page = staff.post(
        "/admin/bookings/notice/add/",
        notice_form(
            text_en_gb="",
            text_cy="Ar gau.",
            ends_on=(today - dt.timedelta(days=1)).isoformat(),
        ),
    )

    assert page.status_code == 200
    assert errors_on(page) == [
        "Enter the English text.",
        "The last day shown cannot be before the first.",
    ]
    assert Notice.objects.count() == 0


def test_a_notice_too_long_is_refused(staff):
    page = staff.post("/admin/bookings/notice/add/", notice_form(text_en_gb="x" * 501))
    assert "At most 500 characters, please: this has 501." in errors_on(page)
    assert Notice.objects.count() == 0


def test_line_breaks_count_once_as_the_browser_counts_them(staff):
    text = "\r\n".join(["x" * 99] * 5)  # 495 characters and 4 line breaks, 499 in the browser
    page = staff.post("/admin/bookings/notice/add/", notice_form(text_en_gb=text))
    assert page.status_code == 302, errors_on(page)
    assert Notice.objects.get().text == {"en-gb": text.replace("\r\n", "\n")}


# --- Practitioners and rooms -----------------------------------------------------------------


def test_opening_the_list_makes_a_row_for_each_practitioner_the_diary_lists(staff):
    page = html(staff.get("/admin/bookings/practitionerprofile/"))

    assert set(PractitionerProfile.objects.values_list("diary_id", flat=True)) == {JOHN, ANNA}
    assert ">Anna</a>" in page and ">John</a>" in page  # the diary's names
    assert str(ANNA) in page


def test_each_box_in_the_list_is_named_for_its_practitioner(staff):
    page = html(staff.get("/admin/bookings/practitionerprofile/"))

    # No label of their own in the table: a screen reader hears the row's name.
    assert re.search(
        r'<input type="checkbox" name="form-\d-offered"[^>]*aria-label="Offered online: Anna"', page
    )
    assert re.search(
        r'<input type="number" name="form-\d-order"[^>]*aria-label="Order: John"', page
    )


def test_a_hidden_practitioner_stays_in_the_console_to_be_offered_again(staff):
    PractitionerProfile.objects.create(diary_id=ANNA, offered=False)

    page = html(staff.get("/admin/bookings/practitionerprofile/"))

    assert ">Anna</a>" in page
    assert PractitionerProfile.objects.count() == 2


def test_a_practitioner_the_diary_no_longer_lists_is_said_so(staff):
    PractitionerProfile.objects.create(diary_id=99999)
    page = html(staff.get("/admin/bookings/practitionerprofile/"))
    assert "(no longer in the diary)" in page


def test_staff_hide_a_practitioner_and_write_a_title_and_bio_in_each_language(staff, welsh):
    staff.get("/admin/bookings/practitionerprofile/")
    anna = PractitionerProfile.objects.get(diary_id=ANNA)
    url = f"/admin/bookings/practitionerprofile/{anna.pk}/change/"
    page = staff.get(url)
    assert "<h2>Anna</h2>" in html(page)  # the diary's name
    assert '<label for="id_bio_cy">Short bio (Cymraeg):</label>' in html(page)

    saved = staff.post(
        url,
        {
            "offered": "",
            "order": "2",
            "title_en_gb": "Senior physiotherapist",
            "title_cy": "Uwch ffisiotherapydd",
            "bio_en_gb": "Knees and shoulders.",
            "bio_cy": "",
            "languages_spoken": "English, Cymraeg",
        },
    )

    assert saved.status_code == 302, errors_on(saved)
    anna.refresh_from_db()
    assert anna.offered is False and anna.order == 2
    assert anna.title == {"en-gb": "Senior physiotherapist", "cy": "Uwch ffisiotherapydd"}
    assert anna.bio == {"en-gb": "Knees and shoulders."}


def test_a_bio_too_long_is_refused_in_the_language_it_was_written(staff, welsh):
    staff.get("/admin/bookings/practitionerprofile/")
    anna = PractitionerProfile.objects.get(diary_id=ANNA)
    page = staff.post(
        f"/admin/bookings/practitionerprofile/{anna.pk}/change/",
        {"offered": "on", "order": "0", "bio_en_gb": "Fine.", "bio_cy": "y" * 401},
    )

    assert page.status_code == 200
    assert errors_of(page, "bio_cy") == ["At most 400 characters, please: this has 401."]
    assert errors_of(page, "bio_en_gb") == []
    anna.refresh_from_db()
    assert anna.bio == {}


def test_staff_write_a_rooms_access_notes(staff):
    staff.get("/admin/bookings/roomprofile/")
    room = RoomProfile.objects.get(diary_id=ROOM_2)

    saved = staff.post(
        f"/admin/bookings/roomprofile/{room.pk}/change/",
        {"offered": "on", "order": "1", "access_notes_en_gb": "Step-free, parking behind."},
    )

    assert saved.status_code == 302, errors_on(saved)
    room.refresh_from_db()
    assert room.access_notes == {"en-gb": "Step-free, parking behind."}
    assert {r.diary_id for r in RoomProfile.objects.all()} == {ROOM_1, ROOM_2}


def test_the_list_says_so_when_the_diary_does_not_answer(staff, diary):
    diary.answer("staffList", Raw(500))
    page = html(staff.get("/admin/bookings/practitionerprofile/"))
    assert "The diary did not answer" in page


# --- Who changed what --------------------------------------------------------------------------


def test_every_change_is_shown_with_who_made_it_and_when(staff):
    staff.post("/admin/bookings/notice/add/", notice_form())
    notice = Notice.objects.get()

    page = html(staff.get("/admin/practice/recent-changes/"))

    assert "reception" in page
    assert "Closed 24 to 26 December." in page
    assert ">added<" in page
    assert f'href="/admin/bookings/notice/{notice.pk}/history/"' in page
    history = staff.get(f"/admin/bookings/notice/{notice.pk}/history/")
    assert "reception" in html(history) and "Added." in html(history)


def test_changes_to_a_practitioner_are_shown_under_the_diarys_name(staff):
    staff.get("/admin/bookings/practitionerprofile/")
    anna = PractitionerProfile.objects.get(diary_id=ANNA)
    staff.post(
        f"/admin/bookings/practitionerprofile/{anna.pk}/change/",
        {"offered": "", "order": "0", "title_en_gb": "", "bio_en_gb": "", "languages_spoken": ""},
    )

    page = html(staff.get("/admin/practice/recent-changes/"))

    assert f"Anna (Practitioner {ANNA})</a>" in page
    assert "Changed Offered online." in page


def test_staff_see_the_changes_to_the_console_only(staff, django_user_model):
    admin = django_user_model.objects.create_superuser("owner", "o@example.com", "x" * 20)
    signed_in(admin).post(
        f"/admin/auth/user/{admin.pk}/change/", {"username": "owner2", "is_active": "on"}
    )
    LogEntry.objects.log_actions(
        admin.pk, [Group.objects.get(name=GROUP)], action_flag=2, change_message="renamed"
    )

    page = html(staff.get("/admin/practice/recent-changes/"))

    assert "renamed" not in page
    assert "No changes yet." in page


# --- The embed code ----------------------------------------------------------------------------


def test_the_embed_code_page_lists_practitioners_and_rooms_with_their_ids(staff):
    page = html(staff.get("/admin/practice/embed-code/"))

    assert '<th scope="row">Anna</th><td class="number">42230</td>' in page
    assert '<th scope="row">Treatment Room 2</th><td class="number">7323</td>' in page
    assert "No website may show the booking yet." in page
    assert "EMBED_ALLOWED_ORIGINS" in page


def test_the_embed_code_is_made_for_a_chosen_practitioner_room_and_language(staff, welsh):
    page = staff.get(f"/admin/practice/embed-code/?staff={ANNA}&room={ROOM_2}&lang=cy")
    text = html(page)

    assert (
        "&lt;script src=&quot;http://testserver/embed.js&quot; async&gt;&lt;/script&gt;\n"
        "&lt;div data-physio-booking data-staff-id=&quot;42230&quot; data-room-id=&quot;7323&quot;"
        " data-lang=&quot;cy&quot;&gt;\n"
        "  &lt;noscript&gt;&lt;a href=&quot;http://testserver/cy/?staffId=42230&amp;amp;"
        "sectionId=7323&quot;&gt;"
    ) in text
    # The preview: the booking as the code starts it, in a frame from this site only.
    assert '<iframe class="console-preview" src="/cy/?staffId=42230&amp;sectionId=7323"' in text
    assert csp(page)["frame-src"] == "'self'"
    framed = Client().get(
        "/cy/?staffId=42230&sectionId=7323",
        headers={"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-origin"},
    )
    assert csp(framed)["frame-ancestors"] == "'self'"
    assert framed["X-Frame-Options"] == "SAMEORIGIN"


def test_a_hidden_practitioner_is_not_offered_for_the_embed_code(staff):
    PractitionerProfile.objects.create(diary_id=JOHN, offered=False)
    page = html(staff.get("/admin/practice/embed-code/"))

    assert f'<option value="{ANNA}">Anna ({ANNA})</option>' in page
    assert f'<option value="{JOHN}"' not in page
    assert "no: hidden in the console" in page


def test_the_embed_code_page_names_the_websites_allowed(staff, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.riverside-physio.example"]
    page = html(staff.get("/admin/practice/embed-code/"))
    assert "<li><code>https://www.riverside-physio.example</code></li>" in page


def test_another_site_may_still_not_frame_the_booking(client, diary):
    page = client.get("/", headers={"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"})
    assert csp(page)["frame-ancestors"] == "'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_the_console_is_never_framed_even_by_itself(staff, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.riverside-physio.example"]
    page = staff.get(
        "/admin/practice/embed-code/",
        headers={"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-origin"},
    )
    assert csp(page)["frame-ancestors"] == "'none'"
    assert page["X-Frame-Options"] == "DENY"


# --- Where it is ---------------------------------------------------------------------------------


def test_console_path_moves_the_console(staff, settings, reload_urls):
    settings.CONSOLE_PATH = "staff/console/"
    reload_urls()

    assert staff.get("/staff/console/").status_code == 200
    assert staff.get("/staff/console/practice/activity/").status_code == 200
    assert 'href="/staff/console/practice/embed-code/"' in html(staff.get("/staff/console/"))
    assert Client().get("/admin/").status_code == 404
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.riverside-physio.example"]
    moved = Client().get("/staff/console/login/")
    assert csp(moved)["frame-ancestors"] == "'none'"


@pytest.mark.deploy  # starts Django in a process of its own
@pytest.mark.parametrize("path", ["times/", "cy/", "../admin/", "Admin Area/", "static/x/", "/"])
def test_a_console_path_that_would_clash_or_break_stops_start_up(path):
    result = start_django(CONSOLE_PATH=path, SITE_LANGUAGES="en-gb,cy")
    assert result.returncode != 0
    assert "CONSOLE_PATH" in result.stderr


# --- The counters ---------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    # As the console's page reads them: the cache's counts written first.
    activity.flush()
    return dict(DailyCount.objects.filter(day=clock.today()).values_list("event", "count"))


def test_a_booking_counts_each_step_reached_and_the_booking(client, diary):
    client.get("/")
    client.get(f"/?staffId={ANNA}")
    client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}")
    assert submit(client, WHEN).status_code == 303

    assert counts() == {"step-choose": 2, "step-times": 1, "step-details": 1, "booked": 1}


def test_a_time_just_taken_is_counted(client, diary):
    diary.answer("book", error(12))
    assert submit(client, WHEN).status_code == 409
    assert counts()["just-taken"] == 1
    assert "booked" not in counts()


def test_a_lost_outcome_and_a_diary_failure_are_counted(client, diary):
    diary.answer("book", Raw(200, "not json"))
    submit(client, WHEN)
    diary.answer("freeList", Raw(500))
    assert client.get(f"/times/?staffId={JOHN}&sectionId={ROOM_1}").status_code == 503

    assert counts()["lost-outcome"] == 1
    assert counts()["diary-failure"] == 1


def test_cancel_and_move_requests_are_counted(client, diary):
    link = booked_with_link(client)
    assert post_move(client, open_move(client, link)).status_code == 303
    other = booked_with_link(client, NEW + dt.timedelta(days=0))
    page = client.get(f"/change/{other}/cancel/")
    client.post(f"/change/{other}/cancel/", {"token": token_on(page)})

    assert counts()["move-requested"] == 1
    assert counts()["cancel-requested"] == 1


def test_a_count_the_database_refuses_costs_the_patient_nothing(client, diary, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("the database is read-only")

    monkeypatch.setattr(activity, "_add_one", refuse)
    assert client.get("/").status_code == 200


def test_counting_adds_to_todays_row(db):
    activity.count("booked")
    activity.count("booked")
    activity.count("no-such-event")

    assert counts() == {"booked": 2}


def test_the_activity_page_shows_the_counts_per_day_and_nothing_else(staff):
    DailyCount.objects.create(day=clock.today(), event="booked", count=7)
    DailyCount.objects.create(day=clock.today() - dt.timedelta(days=3), event="step-times", count=5)
    DailyCount.objects.create(day=clock.today() - dt.timedelta(days=31), event="booked", count=99)

    page = html(staff.get("/admin/practice/activity/"))

    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>((?:<td[^>]*>\d+</td>)+)</tr>", page)
    assert len(rows) == 31  # 30 days and the total
    assert '<th scope="col" class="number">Booked</th>' in page
    assert re.findall(r">(\d+)</td>", rows[0][1])[3] == "7"  # today, Booked
    assert re.findall(r">(\d+)</td>", rows[-1][1]) == ["0", "5", "0", "7", "0", "0", "0", "0", "0"]
    assert ">99</td>" not in page  # older than 30 days


# --- How long they are kept ---------------------------------------------------------------------


def test_counts_and_the_record_of_changes_are_deleted_after_the_retention(staff, settings):
    settings.CONSOLE_RETENTION_DAYS = 400
    today = clock.today()
    DailyCount.objects.create(day=today - dt.timedelta(days=401), event="booked", count=1)
    DailyCount.objects.create(day=today - dt.timedelta(days=399), event="booked", count=2)
    staff.post("/admin/bookings/notice/add/", notice_form())
    old, new = LogEntry.objects.get(), None
    LogEntry.objects.filter(pk=old.pk).update(action_time=timezone.now() - dt.timedelta(days=401))
    staff.post("/admin/bookings/notice/add/", notice_form(text_en_gb="Open on Sunday."))
    new = LogEntry.objects.exclude(pk=old.pk).get()

    call_command("purge_change_records")

    assert list(DailyCount.objects.values_list("count", flat=True)) == [2]
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [new.pk]


def test_a_console_account_s_password_must_be_long_and_not_common(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Short-pw1")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
    validate_password("Physio-passphrase-2026")
