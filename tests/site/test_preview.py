"""/preview/: every page and error state with sample data, for designers, with DEBUG on only.

booking_site/urls.py routes /preview/ only when DEBUG is on, read when it is
imported: the tests here that turn DEBUG on or off rebuild the URL patterns
(`reload_urls`, in conftest.py), which puts them back as they were after.
"""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import Resolver404, resolve

from preview import samples, states

from ..images import a_png
from .wizard_support import FakeDiary, html

SLUGS = [state.slug for state in states.STATES]

#: What shows that each state is the one its name says (the variant, not just the page).
EXPECTED = {
    "choose": "Who would you like to see?",
    "choose-room": "Only the rooms with a free time in the next",
    "choose-unknown": "the one asked for is not taking online bookings",
    "choose-closed": "No practitioner is taking online bookings at the moment",
    "times": 'class="free-times"',
    "times-any": "we will choose a practitioner and room free then",
    "times-unchecked": "We could not check every diary just now",
    "times-no-time-chosen": "There is a problem",
    "times-passed": "The time you chose is no longer available to book online",
    "times-empty-next-free": "The next free time is on",
    "times-empty": "There are no free times to book online in the next",
    "times-empty-later": "Look at the next",
    "times-embedded": 'class="is-embedded"',
    "details": "Book appointment",
    "details-errors": [
        "There is a problem",
        "Enter your full name",
        "Enter a phone number, like",
        "Enter an email address like",
        "Reason for your visit must be 500 characters or fewer",
    ],
    "details-refused": "This practitioner cannot be booked online at the moment",
    "details-no-field": "Leave the field marked",
    "details-taken": "has just been taken",
    "details-taken-none": "There are no other free times close to it",
    "details-unknown": "We do not know whether your appointment was booked",
    "details-pending": "Your booking is still being made",
    "details-too-many": "Too many booking attempts",
    "details-rejected": "The practice's diary could not take this booking online",
    "details-unavailable": "We cannot reach the practice's diary just now",
    "booked": ["Appointment booked", 'href="/change/preview-sample-not-a-change-link-0000000001/"'],
    "booked-moved": "Please note the time.",
    "booked-no-change-link": "Online booking cannot change or cancel an appointment.",
    "booked-gone": "This confirmation is no longer available",
    "change": ["Change or cancel your appointment", "Move to another time"],
    "change-move-times": ["Moving your appointment from", "change=preview-sample-not-a-change"],
    "change-move-details": [
        "Moving your appointment from",
        'name="change" value="preview-sample-not-a-change-link-0000000001"',
        'value="Alex Morgan"',
        'value="07700 900 982"',
        'value="alex.morgan@example.com"',
    ],
    "change-moving": "and the practice's diary has not answered yet",
    "change-moved": ["Your new appointment", "Your old appointment"],
    "change-move-unknown": "so we do not know whether the new time was booked",
    "change-cancel": "Are you sure you want to cancel this appointment?",
    "change-cancel-late": "This is a late cancellation.",
    "change-cancel-expired": "Your appointment has not been cancelled yet",
    "change-cancelled": ["We have asked the practice to remove", "We have emailed you a copy"],
    "change-cancelled-not-emailed": "We could not email you a copy of this.",
    "change-cancel-requested": "You asked to cancel this appointment on",
    "change-link-not-found": "This link does not work",
    "change-started": "This appointment has started",
    "email": [
        "Your appointment is booked.",
        "To change or cancel this appointment, go to: http://testserver/change/",
        'src="/preview/email/email.html"',
    ],
    "email-moved": "Please note the time: you asked for 09:15",
    "email-no-change-link": "To change or cancel, call 01632 960 123",
    "email-cancel-acknowledgement": "the practice will remove it from its diary",
    "email-practice-cancel": ["Cancel request: ", "Please remove it from the diary."],
    "email-practice-move": ["Move request: ", "Please remove (the old time):"],
    "email-practice-booking-note": ["Booked online: ", "Patient:       Alex Morgan"],
    "email-practice-lost-outcome": "Check the diary: a booking may have been made: ",
    "400": "Sorry, this link is not valid",
    "400-form": "Sorry, this form could not be read",
    "403": "Sorry, this page cannot be shown",
    "404": "Page not found",
    "429": "Please try again in 10 minutes",
    "500": "Sorry, something went wrong on our side",
    "503": "Online booking is unavailable just now",
    "503-maybe-booked": "Please do not book again yet",
    "privacy": "is responsible for it (the “controller”)",
    "privacy-embedded": ['class="is-embedded"', "Where your details go"],
    "accessibility": "Web Content Accessibility Guidelines version 2.2",
}

BANNER = "Preview: sample data — nothing is booked"


@pytest.fixture
def diary(live_api):
    """The live diary's URL with nothing answering: any call would show in `calls`."""
    live_api.assert_all_requests_are_fired = False
    return live_api


@pytest.fixture
def debug(settings, diary, reload_urls):
    """DEBUG on, and /preview/ routed as it then is; both undone after the test."""
    settings.DEBUG = True
    reload_urls()
    return diary


@pytest.fixture
def cache_writes(monkeypatch):
    """Every write to the cache, by method name."""
    writes = []
    cache = caches["default"]
    for name in ("set", "add", "set_many", "incr", "decr", "delete", "delete_many", "touch"):
        original = getattr(cache, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            writes.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, spy)
    return writes


def test_every_state_has_an_expectation_here():
    assert set(EXPECTED) == set(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_state_renders_its_real_template_with_the_banner(client, debug, slug):
    page = client.get(f"/preview/{slug}/")

    # 200 whatever the real page's status (the banner names it): a designer's
    # tools and link checkers take a 200 as a page to look at.
    assert page.status_code == 200
    body = html(page)
    assert BANNER in body
    expected = EXPECTED[slug]
    for text in [expected] if isinstance(expected, str) else expected:
        assert text in body
    assert 'href="/preview/"' in body  # back to the index
    assert "/static/css/site.css" in body  # the site's own look around it


def test_the_index_links_to_every_state(client, debug):
    page = client.get("/preview/")

    assert page.status_code == 200
    linked = re.findall(r'href="/preview/([a-z0-9-]+)/"', html(page))
    assert sorted(set(linked)) == sorted(SLUGS)
    assert BANNER in html(page)


def test_no_page_asks_the_diary_or_writes_to_the_cache(client, debug, cache_writes):
    for url in ["/preview/", *(f"/preview/{slug}/" for slug in SLUGS)]:
        assert client.get(url).status_code == 200, url

    assert len(debug.calls) == 0
    assert cache_writes == []


def test_the_details_form_posts_back_to_its_preview_and_books_nothing(client, debug):
    page = client.get("/preview/details/")
    action = re.search(r'<form method="post" action="([^"]*)"', html(page))[1]
    assert action == "/preview/details/"

    posted = client.post(action, {"name": "Alex Morgan", "token": "preview-not-a-real-form"})

    assert posted.status_code == 200
    assert BANNER in html(posted)
    assert len(debug.calls) == 0


def test_the_cancel_form_posts_back_to_its_preview_and_sends_nothing(client, debug, mailoutbox):
    # No `db` fixture here: a read or write of a change record would fail the test.
    page = html(client.get("/preview/change-cancel/"))
    action = re.search(r'<form method="post" action="([^"]*)"', page)[1]
    token = re.search(r'<input type="hidden" name="token" value="([^"]*)"', page)[1]
    assert action == "/preview/change-cancel/"
    assert token == samples.TOKEN  # not signed: the real cancel page would refuse it

    posted = client.post(action, {"token": token})

    assert posted.status_code == 200
    assert BANNER in html(posted)
    assert mailoutbox == []
    assert len(debug.calls) == 0


def test_the_late_cancellation_notice_shows_only_inside_the_notice(client, debug, settings):
    late = "This is a late cancellation."
    assert late not in html(client.get("/preview/change-cancel/"))
    assert late in html(client.get("/preview/change-cancel-late/"))

    settings.BOOKING_LATE_CANCEL_HOURS = 1  # an appointment within the hour, then
    assert "at least 1 hour's notice" in html(client.get("/preview/change-cancel-late/"))


def test_a_moves_details_form_is_filled_in_but_for_the_reason(client, debug):
    body = html(client.get("/preview/change-move-details/"))

    assert re.search(r'<textarea name="desc"[^>]*>\s*</textarea>', body)
    # Step 1 knows nothing of a move: only the time can be changed, and the link goes along.
    assert 'Change<span class="visually-hidden"> practitioner' not in body
    back = re.search(r'<a class="back-link" href="([^"]*)"', body)[1]
    assert back.endswith("&amp;change=" + samples.CHANGE_LINK)


def test_the_sample_token_is_refused_by_the_real_details_page(client, debug):
    from bookings import tokens

    real_diary = FakeDiary(debug)
    with pytest.raises(tokens.BadToken):
        tokens.read(samples.TOKEN)
    form = html(client.get("/preview/details/"))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert fields["token"] == samples.TOKEN
    real = "/details/?" + "&".join(
        f"{name}={fields[name]}" for name in ("staffId", "sectionId", "date", "time")
    )
    posted = client.post(real, {**fields, "name": "Alex Morgan", "phone": "01632 960 111"})
    assert posted.status_code == 400
    assert real_diary.calls("book") == []


@pytest.mark.parametrize(
    "url", ["/preview/", "/preview/details/", "/preview/404/", "/preview/email/email.html"]
)
def test_it_is_a_404_with_debug_off(diary, settings, reload_urls, url):
    settings.DEBUG = False
    reload_urls()
    client = Client(enforce_csrf_checks=True)  # as a browser is: CSRF checked

    for answer in (client.get(url), client.post(url)):
        # Not even a 403 or 405 that says it exists: the site's own 404 page.
        assert answer.status_code == 404
        assert "Page not found" in html(answer)
        assert BANNER not in html(answer)
    assert len(diary.calls) == 0


def test_an_unknown_state_is_a_404(client, debug):
    assert client.get("/preview/no-such-state/").status_code == 404


def test_preview_pages_are_not_indexed_and_never_framed(client, debug, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.riverside-physio.example"]
    for url in ("/preview/", "/preview/times/"):
        page = client.get(url)
        assert page["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in html(page)
        assert page["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_preview_pages_keep_the_content_security_policy(client, debug):
    for url in ["/preview/", *(f"/preview/{slug}/" for slug in SLUGS)]:
        page = client.get(url)
        body = html(page)
        assert "unsafe-inline" not in page["Content-Security-Policy"], url
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", body), url
        assert "<style" not in body, url
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"\son[a-z]+=", body), url
        assert not re.search(r"\ssrc=\"(https?:)?//", body), url


def test_a_framed_state_shows_the_embedded_look(client, debug):
    body = html(client.get("/preview/times-embedded/"))

    assert '<html lang="en-GB" class="is-embedded"' in body
    assert re.search(r"<p class=\"embed-bar\" data-embed-bar>", body)


def test_the_email_is_shown_as_the_plain_text_it_is(client, debug, settings):
    settings.PRACTICE_NAME = "Smith & Jones <Physio>"

    body = html(client.get("/preview/email/"))

    assert "Where:         Smith &amp; Jones &lt;Physio&gt;, " in body


def test_the_real_pages_carry_no_banner(client, debug):
    FakeDiary(debug)
    page = client.get("/")
    assert page.status_code == 200
    assert "Book an appointment" in html(page)
    assert BANNER not in html(page)
    assert client.get("/booked/preview-sample-not-a-booking-001/").status_code == 404


def test_the_other_tests_see_no_preview(client):
    # The suite runs with DEBUG off (pytest-django), and the tests above put
    # the URL patterns back as they were: /preview/ is routed for none of them.
    for url in ["/preview/", *(f"/preview/{slug}/" for slug in SLUGS)]:
        with pytest.raises(Resolver404):
            resolve(url)
    assert client.get("/preview/").status_code == 404


# --- Which file drew the page: the designer's, from THEME_DIR, or ours ----------------


@pytest.fixture
def theme_dir(settings, tmp_path):
    """A designer's THEME_DIR in a temporary folder, its templates first, as settings.py puts it."""
    (tmp_path / "templates" / "bookings").mkdir(parents=True)
    settings.THEME_DIR = tmp_path
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return tmp_path


def drawn_line(body: str) -> str:
    """The banner's sentence on the page's template, as text."""
    found = re.search(r'<p class="mb-1 preview-drawn">(.*?)</p>', body, re.S)
    assert found, "the banner names no template"
    return " ".join(re.sub(r"<[^>]+>", "", found[1]).split())


def test_the_banner_names_our_stock_template_when_the_theme_has_none(client, debug, theme_dir):
    line = drawn_line(html(client.get("/preview/times/")))

    assert line.startswith("Drawn by bookings/times.html: ours, the stock template")
    assert "(THEME_DIR has no file of that name)" in line
    assert "templates/bookings/times.html" in line
    assert "It extends bookings/step.html (ours), base.html (ours)." in line


def test_the_banner_says_the_designers_override_drew_the_page(client, debug, theme_dir):
    (theme_dir / "templates" / "bookings" / "times.html").write_text(
        '{% extends "bookings/times.html" %}'
        "{% block step_intro %}<p>Our own words above the times.</p>{% endblock %}"
    )

    body = html(client.get("/preview/times/"))
    line = drawn_line(body)

    assert "Our own words above the times." in body  # the override really is in use
    assert line.startswith("Drawn by bookings/times.html: yours, from THEME_DIR,")
    assert "THEME_DIR/templates/bookings/times.html" in line
    # The override extends our template of the same name, which extends step.html.
    assert "It extends bookings/times.html (ours), bookings/step.html (ours), base.html" in line


def test_the_banner_names_an_overridden_base_among_those_extended(client, debug, theme_dir):
    base = theme_dir / "templates" / "base.html"
    base.write_text('{% extends "base.html" %}{% block footer %}Our footer{% endblock %}')

    line = drawn_line(html(client.get("/preview/404/")))

    assert line.startswith("Drawn by 404.html: ours")
    assert "errors/page.html (ours), base.html (yours, from THEME_DIR), base.html (ours)" in line


def test_the_banner_names_every_template_of_the_email(client, debug):
    body = html(client.get("/preview/email/"))

    assert 'Drawn by <code class="text-reset">bookings/email/subject.txt</code>' in body
    assert 'Drawn by <code class="text-reset">bookings/email/confirmation.txt</code>' in body
    assert 'Drawn by <code class="text-reset">bookings/email/confirmation.html</code>' in body
    assert 'It extends <code class="text-reset">bookings/email/base.html</code>' in body
    assert "THEME_DIR has no file" not in body  # no THEME_DIR set: nothing to say of it


def test_the_banner_names_a_practice_emails_two_templates(client, debug):
    body = html(client.get("/preview/email-practice-move/"))

    assert "bookings/email/practice_move_request_subject.txt</code>" in body
    assert "bookings/email/practice_move_request.txt</code>" in body
    assert ".html</code>: ours" not in body


# --- The emails: both parts ------------------------------------------------------------

PATIENT_EMAILS = [state.slug for state in states.STATES if state.slug.startswith("email")]
WITH_HTML = ["email", "email-moved", "email-no-change-link", "email-cancel-acknowledgement"]


def test_the_patients_emails_are_the_ones_with_an_html_part():
    html_states = [slug for slug in PATIENT_EMAILS if "practice" not in slug]
    assert html_states == WITH_HTML


@pytest.mark.parametrize("slug", WITH_HTML)
def test_a_patients_email_shows_its_html_part_in_a_frame_and_its_text_below(client, debug, slug):
    page = client.get(f"/preview/{slug}/")
    body = html(page)

    frame = re.search(r'<iframe src="([^"]+)" title="The email\'s HTML part" sandbox', body)
    assert frame and frame[1] == f"/preview/{slug}/email.html"
    assert body.index("<iframe") < body.index('<pre class="preview-email"')
    # Only this page may frame, and only this site's own address.
    assert "frame-src 'self'" in page["Content-Security-Policy"]

    part = client.get(frame[1])
    assert part.status_code == 200
    assert part["Content-Type"] == "text/html; charset=utf-8"
    assert html(part).startswith('<!doctype html>\n<html lang="en-GB">')
    policy = dict(d.strip().split(" ", 1) for d in part["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == "'unsafe-inline'"  # the email's own inline styles
    assert policy["img-src"] == "data:"  # its logo, attached, as a data: address
    assert policy["script-src"] == "'none'"  # an email runs no script
    assert policy["frame-ancestors"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert part["X-Frame-Options"] == "SAMEORIGIN"
    assert part["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("slug", [s for s in PATIENT_EMAILS if s not in WITH_HTML])
def test_a_practice_email_is_text_only(client, debug, slug):
    body = html(client.get(f"/preview/{slug}/"))

    assert "<iframe" not in body
    assert "<dt>Parts</dt><dd>text only</dd>" in body
    assert client.get(f"/preview/{slug}/email.html").status_code == 404
    assert "frame-src" not in client.get(f"/preview/{slug}/")["Content-Security-Policy"]


def test_no_other_page_has_an_html_part(client, debug):
    assert client.get("/preview/times/email.html").status_code == 404
    assert client.get("/preview/no-such-state/email.html").status_code == 404
    assert "frame-src" not in client.get("/preview/times/")["Content-Security-Policy"]


def test_the_logo_is_in_the_html_part_as_a_data_address(client, debug, settings, tmp_path):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "logo.png").write_bytes(a_png())
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    settings.THEME_LOGO = "theme/logo.png"

    page = html(client.get("/preview/email/"))
    part = html(client.get("/preview/email/email.html"))

    assert "logo.png, shown inside the HTML part" in page
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="Riverside', part)
    assert "cid:" not in part
