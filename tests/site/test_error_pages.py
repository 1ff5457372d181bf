"""Styled error pages (400, 403, 404, 429, 500, 503), none of which needs the diary."""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from bookings import error_pages

from .wizard_support import UNAVAILABLE, html


def assert_styled_with_the_practices_contact(page, settings):
    body = html(page)
    assert "/static/css/site.css" in body  # the site's own look, not Django's plain page
    assert settings.PRACTICE_NAME in body
    assert settings.PRACTICE_PHONE in body
    assert settings.PRACTICE_EMAIL in body
    assert "Traceback" not in body
    assert page["Cache-Control"] == "no-store"


def test_a_page_that_does_not_exist_is_a_styled_404(client, diary, settings):
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    assert "Page not found" in html(page)
    assert_styled_with_the_practices_contact(page, settings)
    assert diary.sent == []


def new_tab_link(page) -> str:
    found = re.search(r'<p class="embed-bar"[^>]*>\s*<a href="([^"]*)"', html(page))
    assert found, "no Open in a new tab link"
    return unescape(found[1])


@pytest.mark.parametrize(
    "path",
    ["//evil.example/..", "///evil.example/x/", "/\\evil.example/..", "//\\evil.example/"],
    ids=["two slashes", "three slashes", "a backslash", "slashes and a backslash"],
)
def test_the_404_pages_new_tab_link_stays_on_the_site(client, diary, path):
    # As a browser or curl sends it: the test client would read "//host" as a host.
    page = client.get("/", PATH_INFO=path)
    assert page.status_code == 404
    link = new_tab_link(page)
    assert link.startswith("/")
    assert link[1:2] not in ("/", "\\")
    assert urlsplit(urljoin("https://booking.example/no/", link)).netloc == "booking.example"
    assert "evil.example" in link  # the page asked for, as a path of this site


def test_the_new_tab_link_of_a_page_keeps_its_query(client, diary):
    assert new_tab_link(client.get("/no/such/?staffId=42230")) == "/no/such/?staffId=42230"


def test_a_link_changed_by_hand_is_a_styled_400(client, diary, settings):
    page = client.get("/times/?staffId=1&date=yesterday")
    assert page.status_code == 400
    assert_styled_with_the_practices_contact(page, settings)
    assert diary.sent == []


def test_a_post_too_big_to_be_a_booking_is_a_styled_400(client, diary, settings):
    page = client.post("/details/?staffId=1", {"desc": "x" * (70 * 1024)})
    assert page.status_code == 400
    assert_styled_with_the_practices_contact(page, settings)
    assert diary.sent == []


def test_a_post_with_too_many_fields_is_a_styled_400(client, diary, settings):
    page = client.post("/details/", {f"field{n}": "x" for n in range(60)})
    assert page.status_code == 400
    assert_styled_with_the_practices_contact(page, settings)


def test_a_refused_csrf_check_is_a_styled_403(db, settings):
    page = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert page.status_code == 403
    assert_styled_with_the_practices_contact(page, settings)


def test_a_fault_of_ours_is_a_styled_500_without_a_traceback(diary, settings, monkeypatch):
    from bookings import wizard

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(wizard, "malformed", broken)
    page = Client(raise_request_exception=False).get("/times/")

    assert page.status_code == 500
    assert "Sorry, something went wrong on our side" in html(page)
    assert "a bug" not in html(page)
    assert_styled_with_the_practices_contact(page, settings)


def test_the_500_page_has_a_plain_fallback_if_its_template_fails(rf, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(error_pages.loader, "render_to_string", fail)
    page = error_pages.server_error(rf.get("/"))
    assert page.status_code == 500
    assert b"Please call the practice" in page.content


def test_the_diary_being_down_is_a_styled_503_that_says_when_to_try_again(client, diary, settings):
    diary.answer("staffList", UNAVAILABLE["connection refused"])
    page = client.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == "60"
    assert "Online booking is unavailable just now" in html(page)
    assert_styled_with_the_practices_contact(page, settings)


def test_the_429_page_gives_the_wait_in_minutes(rf, settings):
    page = error_pages.too_many_requests(rf.get("/"), 61)
    assert page.status_code == 429
    assert page["Retry-After"] == "61"
    assert "try again in 2 minutes" in html(page)
    assert_styled_with_the_practices_contact(page, settings)


@pytest.mark.parametrize("status", [400, 403, 404, 429, 500, 503])
def test_every_error_page_renders_without_the_diary_or_a_database(rf, settings, status):
    # No `db` and no diary fixture: a call to either would fail the test.
    page = error_pages.page(rf.get("/"), status, {"wait_minutes": 1})
    assert page.status_code == status
    assert_styled_with_the_practices_contact(page, settings)


@pytest.mark.parametrize(
    "path", ["/", "/times/?staffId=any&sectionId=any", "/no-such-page/", "/times/?date=x"]
)
def test_head_gets_the_same_status_as_get_with_no_body(client, diary, path):
    # Link checkers and uptime monitors ask with HEAD.
    assert client.head(path).status_code == client.get(path).status_code
    assert client.head(path).content == b""


def test_head_on_the_details_page_books_nothing(client, diary):
    from .wizard_support import at, details_url

    diary.add_free(at(1, "1415"))
    page = client.head(details_url(at(1, "1415")))
    assert page.status_code == 200
    assert diary.calls("book") == []
