"""When the diary is down: "Try again" and the practice's opening hours on every
page that says online booking is unavailable (the 503, and the details page's
"unavailable" problem, where what was typed is kept and Try again sends it)."""

import re
from html.parser import HTMLParser

import pytest

from bookings import error_pages

from .wizard_support import UNAVAILABLE, WHEN, details_url, html, submit


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def retry_link(page) -> str | None:
    found = re.search(r'<a class="btn btn-primary" href="([^"]*)">Try again</a>', html(page))
    return found[1].replace("&amp;", "&") if found else None


def opening_hours(page) -> list[str]:
    found = re.search(r'<p class="opening-hours">(.*?)</p>', html(page), re.S)
    return re.split(r"<br>", found[1])[1:] if found else []


class Form(HTMLParser):
    """What a browser sends for the details form: its fields as they are on the page."""

    def __init__(self, page) -> None:
        super().__init__()
        self.inside, self.fields, self.retry_targets, self._textarea = False, {}, [], None
        self.feed(html(page))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "details-form":
            self.inside = True
        elif tag == "button" and attrs.get("form"):
            self.retry_targets.append(attrs["form"])
        elif self.inside and tag == "input" and attrs.get("type") not in ("submit", "button"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea":
            self._textarea = attrs["name"]

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] = self.fields.get(self._textarea, "") + data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None


# --- The 503 page ------------------------------------------------------------------------


@pytest.mark.parametrize("fault", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_the_503_links_try_again_to_the_same_page(client, diary, fault):
    diary.answer("staffList", fault)
    url = details_url(WHEN)
    page = client.get(url)
    assert page.status_code == 503
    assert retry_link(page) == url


def test_try_again_on_the_503_stays_on_the_site(rf):
    request = rf.get("/")
    request.path = request.path_info = "//evil.example/times/"  # as a server may pass it on
    page = error_pages.unavailable(request)
    assert retry_link(page) == "/evil.example/times/"


def test_try_again_after_a_post_is_the_page_the_form_was_sent_to(rf):
    # A post cannot be linked to: the link asks for the details page again.
    page = error_pages.unavailable(rf.post("/details/?staffId=1&sectionId=2", {"name": "x"}))
    assert retry_link(page) == "/details/?staffId=1&sectionId=2"


def test_the_503_offers_no_try_again_when_the_booking_may_have_been_made(rf):
    page = error_pages.unavailable(rf.post("/details/"), maybe_booked=True)
    assert retry_link(page) is None
    assert "Please do not book again yet" in html(page)


def test_the_503_gives_the_practices_opening_hours_line_by_line(rf, settings):
    settings.PRACTICE_OPENING_HOURS = "Monday to Friday, 8am to 8pm\nSaturday, 9am to <1pm>"
    page = error_pages.unavailable(rf.get("/"))
    assert opening_hours(page) == ["Monday to Friday, 8am to 8pm", "Saturday, 9am to &lt;1pm&gt;"]
    assert html(page).index(settings.PRACTICE_PHONE) < html(page).index("Opening hours")


def test_the_503_leaves_opening_hours_out_when_the_practice_gives_none(rf, settings):
    settings.PRACTICE_OPENING_HOURS = ""
    page = error_pages.unavailable(rf.get("/"))
    assert "Opening hours" not in html(page)
    assert settings.PRACTICE_PHONE in html(page)


@pytest.mark.parametrize("status", [400, 403, 404, 429, 500])
def test_the_other_error_pages_give_the_opening_hours_and_no_try_again(rf, settings, status):
    settings.PRACTICE_OPENING_HOURS = "Monday to Friday, 8am to 8pm"
    page = error_pages.page(rf.get("/"), status, {"wait_minutes": 1})
    assert opening_hours(page) == ["Monday to Friday, 8am to 8pm"]
    assert retry_link(page) is None


# --- The details page's "unavailable" problem --------------------------------------------


def test_booking_with_the_diary_down_offers_try_again_that_sends_the_form(client, diary):
    diary.answer("book", UNAVAILABLE["connection refused"])
    page = submit(client, WHEN)
    assert page.status_code == 503
    form = Form(page)
    # The button is in the problem box, above the form, and sends that form.
    assert form.retry_targets == ["details-form"]
    assert re.search(r"Try again</button>", html(page))
    assert form.fields["name"] == "Fred Smith"
    assert form.fields["desc"] == "Pain in back"


def test_try_again_books_once_the_diary_is_back(client, diary):
    diary.answer("book", UNAVAILABLE["connection refused"], diary.answers["book"][0])
    form = Form(submit(client, WHEN))

    again = client.post(details_url(WHEN), form.fields)

    # A new attempt (the page's form carries a fresh token), not a repeat of the failed one.
    assert again.status_code == 303
    assert len(diary.calls("book")) == 2


def test_the_unavailable_problem_gives_the_opening_hours(client, diary, settings):
    settings.PRACTICE_OPENING_HOURS = "Monday to Friday, 8am to 8pm"
    diary.answer("book", UNAVAILABLE["connection refused"])
    page = submit(client, WHEN)
    box = re.search(r'<div class="problem".*?</div>', html(page), re.S)[0]
    assert "Opening hours:</span><br>Monday to Friday, 8am to 8pm" in box
