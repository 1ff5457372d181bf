"""Step 2 at a glance: "any" shows each time once, the overview of free days from
the answers already had, Earlier and Later only where they lead somewhere, each
time's day for a screen reader, and Continue in reach."""

import datetime as dt
import re

from bookings import wizard

from .wizard_support import ANNA, JOHN, ROOM_1, ROOM_2, UNAVAILABLE, at, day, html, slot, ymd


def times_url(date=None, staff=ANNA, room=ROOM_2):
    return wizard.url("times", staffId=staff, sectionId=room, date=date)


def any_url(date=None):
    return times_url(date, staff=wizard.ANY, room=wizard.ANY)


def radios(page: str) -> list[str]:
    return re.findall(r'name="slot" value="([^"]+)"', page)


def overview(page: str) -> str:
    return page[
        page.index('class="free-days"') : page.index("</nav>", page.index('class="free-days"'))
    ]


def link_to(date) -> str:
    return f'href="{times_url(ymd(date))}"'.replace("&", "&amp;")


# --- Any practitioner: each time once ---------------------------------------------------


def test_any_shows_each_free_time_once_a_day(client, diary):
    for staff in (JOHN, ANNA):
        for room in (ROOM_1, ROOM_2):
            diary.add_free(at(1, "1000"), at(2, "1000"), staff=staff, room=room)
    page = html(client.get(any_url()))
    assert len(radios(page)) == 2
    assert "with Anna" not in page and "with John" not in page


def test_any_chooses_the_practitioner_listed_first_then_the_room_listed_first(client, diary):
    # The diary lists John before Anna and Treatment Room 1 before Room 2.
    diary.add_free(at(1, "1000"), staff=ANNA, room=ROOM_1)
    diary.add_free(at(1, "1000"), staff=JOHN, room=ROOM_2)
    diary.add_free(at(1, "1100"), staff=ANNA, room=ROOM_2)
    diary.add_free(at(1, "1100"), staff=ANNA, room=ROOM_1)
    page = html(client.get(any_url()))
    assert radios(page) == [slot(at(1, "1000"), JOHN, ROOM_2), slot(at(1, "1100"), ANNA, ROOM_1)]


def test_any_says_the_site_chooses_who_and_where(client, diary):
    diary.add_free(at(1, "1000"), staff=JOHN, room=ROOM_1)
    page = html(client.get(any_url()))
    assert "we will choose a practitioner and room free then" in page


def test_the_time_chosen_under_any_goes_to_the_details_page_with_a_definite_pair(client, diary):
    diary.add_free(at(1, "1000"), staff=JOHN, room=ROOM_1)
    diary.add_free(at(1, "1000"), staff=ANNA, room=ROOM_2)
    chosen = slot(at(1, "1000"), JOHN, ROOM_1)
    to_details = client.get(wizard.url("times", staffId="any", sectionId="any", slot=chosen))
    details = client.get(to_details["Location"])
    page = html(details)
    assert "John" in page and "Treatment Room 1" in page
    # The Change links go back to "any", not to John alone.
    assert "staffId=any&amp;sectionId=any" in page


# --- Each time says its day ----------------------------------------------------------


def test_each_time_says_its_day_to_a_screen_reader(client, diary):
    diary.add_free(at(1, "1030"))
    page = html(client.get(times_url()))
    d = day(1)
    said = f'10:30<span class="visually-hidden">, {d:%A} {d.day} {d:%B}</span>'
    assert said in page


# --- The overview of free days -------------------------------------------------------


def test_the_overview_links_each_day_with_free_times_to_its_own_window(client, diary):
    diary.add_free(at(3, "1000"))
    page = overview(html(client.get(times_url())))
    d = day(3)
    if d.month == day(0).month:
        assert link_to(d) in page
        assert f'{d:%A} </span>{d.day}<span class="visually-hidden"> {d:%B}: free times' in page


def test_the_overview_says_no_free_times_for_a_day_without_and_links_it_not(client, diary):
    diary.add_free(at(3, "1000"))
    page = overview(html(client.get(times_url(ymd(day(0))))))
    d = day(0)
    assert link_to(d) not in page
    assert f'{d.day}<span class="visually-hidden"> {d:%B}: no free times</span>' in page


def test_the_overview_needs_no_call_beyond_the_times(client, diary):
    diary.add_free(at(1, "1000"), at(40, "0900"))
    client.get(times_url())
    assert len(diary.calls("freeList")) == 1
    client.get(times_url(ymd(day(40))))  # another month's overview, from the same answer
    assert len(diary.calls("freeList")) == 1


def test_the_overview_of_any_needs_one_call_per_pair_and_no_more(client, diary):
    diary.add_free(at(1, "1000"), staff=JOHN, room=ROOM_1)
    page = overview(html(client.get(any_url())))
    assert len(diary.calls("freeList")) == 4
    assert ": free times" in page


def test_the_overview_of_a_later_month_goes_back_to_the_month_before(client, diary):
    diary.add_free(at(1, "1000"))
    first_of_next = (day(0).replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    page = overview(html(client.get(times_url(ymd(first_of_next)))))
    assert f"{first_of_next:%B %Y}" in page
    assert "Previous month" in page


# --- Earlier and Later only where something is free ------------------------------------


def test_there_is_no_later_when_nothing_is_free_after_this_window(client, diary):
    diary.add_free(at(1, "1000"))
    page = html(client.get(times_url()))
    assert 'rel="next"' not in page


def test_there_is_later_when_something_is_free_after_this_window(client, diary):
    diary.add_free(at(1, "1000"), at(30, "1000"))
    page = html(client.get(times_url()))
    assert 'rel="next"' in page


def test_there_is_no_earlier_when_nothing_is_free_before_this_window(client, diary):
    diary.add_free(at(20, "1000"))
    page = html(client.get(times_url(ymd(day(14)))))
    assert 'rel="prev"' not in page
    assert 'rel="next"' not in page  # day 20 is in this window


def test_there_is_earlier_when_something_is_free_before_this_window(client, diary):
    diary.add_free(at(2, "1000"), at(20, "1000"))
    page = html(client.get(times_url(ymd(day(14)))))
    assert 'rel="prev"' in page


def test_later_stays_when_a_diary_could_not_be_checked(client, diary):
    diary.add_free(at(1, "1000"), staff=ANNA, room=ROOM_2)
    diary.answer_pair(JOHN, ROOM_1, UNAVAILABLE["timeout"])
    page = html(client.get(any_url()))
    assert 'rel="next"' in page  # John's free times in Room 1 are not known


def test_an_empty_window_names_the_next_free_day_without_another_call(client, diary):
    diary.add_free(at(30, "1000"))
    page = html(client.get(times_url()))
    assert f"The next free time is on {day(30):%A} {day(30).day} {day(30):%B}" in page
    assert len(diary.calls("freeList")) == 1


# --- Continue in reach, and the designers' block ---------------------------------------


def test_continue_is_in_the_form_in_a_bar_that_says_continue_without_javascript(client, diary):
    diary.add_free(at(1, "1030"))
    page = html(client.get(times_url()))
    form = page[page.index('id="free-times"') : page.index("</form>")]
    assert 'class="step-actions continue-bar" data-continue-bar' in form
    assert ">Continue</button>" in form
    d = day(1)
    assert f'data-when="{d:%A} {d.day} {d:%B}, 10:30"' in form


def test_the_before_times_block_comes_after_the_overview_and_before_the_times(
    client, diary, settings, tmp_path
):
    theme = tmp_path / "templates" / "bookings"
    theme.mkdir(parents=True)
    (theme / "times.html").write_text(
        '{% extends "bookings/times.html" %}'
        "{% block before_times %}<p>NOTICE ABOVE TIMES</p>{% endblock %}"
    )
    # A designer's override, first in the template folders as THEME_DIR's are.
    first = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**first, "DIRS": [tmp_path / "templates", *first["DIRS"]]}]
    diary.add_free(at(1, "1030"))
    page = html(client.get(times_url()))
    assert (
        page.index('class="free-days"')
        < page.index("NOTICE ABOVE TIMES")
        < page.index('id="free-times"')
    )
