"""What the patient is told of privacy and accessibility: the notice beside the
details form, /privacy/ and /accessibility/, and the footer's links to them."""

import re

import pytest

from bookings.views.statements import kept_for

from .wizard_support import WHEN, details_url, html, sets_no_cookie

PRACTICE_NOTICE = "https://www.riverside-physio.example/privacy"


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def text(page) -> str:
    """The page's words, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(page)).split())


def notice(page) -> str:
    found = re.search(r'<div class="notice privacy-notice".*?</div>', html(page), re.S)
    assert found, "no privacy notice on the page"
    return found[0]


def links(page, words: str) -> list[str]:
    """The tags of the links whose text starts with `words`."""
    return re.findall(rf"<a [^>]*>{re.escape(words)}", html(page))


# --- Beside the details form -----------------------------------------------------


def test_the_details_form_says_where_what_is_typed_goes(client, diary):
    page = client.get(details_url(WHEN))

    said = " ".join(re.sub(r"<[^>]+>", " ", notice(page)).split())
    assert "goes to Riverside Physiotherapy\u2019s appointment diary" in said
    assert "and into your confirmation email" in said
    assert "this website also keeps your name, phone number and email address, encrypted" in said
    assert "nowhere else" not in said  # not while a change link's record is kept
    assert "The reason for your visit is optional: it is information about your health" in said
    # Before the fields, inside the form: read before anything is typed.
    form = html(page)[html(page).index("<form") :]
    assert form.index('id="privacy-notice"') < form.index('name="name"')


def test_without_change_links_the_details_form_says_nowhere_else(client, diary, settings):
    settings.BOOKING_CHANGE_LINKS = False

    said = " ".join(re.sub(r"<[^>]+>", " ", notice(client.get(details_url(WHEN)))).split())

    assert "into your confirmation email, and nowhere else." in said
    assert "keeps" not in said


def test_the_notice_links_the_built_in_privacy_page_in_a_new_tab(client, diary):
    link = re.search(
        r"<a [^>]*>How Riverside Physiotherapy uses", notice(client.get(details_url(WHEN)))
    )

    assert link and 'href="/privacy/"' in link[0]
    # A new tab: leaving the form would lose what was typed (without JavaScript too).
    assert 'target="_blank"' in link[0] and 'rel="noopener"' in link[0]
    assert "(opens in a new tab)" in notice(client.get(details_url(WHEN)))


def test_the_notice_links_the_practices_own_privacy_notice_when_it_has_one(client, diary, settings):
    settings.PRACTICE_PRIVACY_URL = PRACTICE_NOTICE

    page = client.get(details_url(WHEN))

    assert f'href="{PRACTICE_NOTICE}"' in notice(page)
    footer_link = links(page, "Privacy")
    assert footer_link and f'href="{PRACTICE_NOTICE}"' in footer_link[0]
    assert 'target="_blank"' in footer_link[0]  # another site's page may refuse the frame


def test_without_a_confirmation_email_the_notice_mentions_none(client, diary, settings):
    settings.BOOKING_CONFIRMATION_EMAIL = False

    assert "confirmation email" not in notice(client.get(details_url(WHEN)))
    assert "confirmation email" not in text(client.get("/privacy/"))
    settings.BOOKING_CHANGE_LINKS = False  # then no "email address" kept either
    assert "email" not in notice(client.get(details_url(WHEN))).split("<p><a")[0]


# --- /privacy/ -------------------------------------------------------------------------


def test_the_privacy_page_names_the_practice_as_controller_with_its_address_and_email(
    client, settings
):
    settings.PRACTICE_NAME = "Hillside Physio"
    settings.PRACTICE_ADDRESS = "3 Hill Road, Exampleton"
    settings.PRACTICE_EMAIL = "hello@hillside.example"

    page = client.get("/privacy/")

    assert page.status_code == 200
    said = text(page)
    assert "Hillside Physio is responsible for it (the “controller”)" in said
    assert "Address: 3 Hill Road, Exampleton" in said
    assert 'href="mailto:hello@hillside.example"' in html(page)


def test_the_privacy_page_states_purpose_destinations_and_what_is_kept_how_long(client, settings):
    settings.BOOKING_CONFIRMATION_SECONDS = 2 * 3600

    said = text(client.get("/privacy/"))

    assert "Only to book your appointment." in said
    assert "To Riverside Physiotherapy\u2019s appointment diary" in said
    assert "in a confirmation email sent from the practice\u2019s email server" in said
    assert "sets no cookies, has no analytics or advertising, and loads nothing from other" in said
    assert "keeps your name, phone number, email address and the appointment, encrypted" in said
    assert "To Riverside Physiotherapy by email, if you cancel or move the appointment" in said
    assert "This website keeps none of your details" not in said
    assert "holds only the appointment" in said and "for 2 hours. Then it is deleted." in said
    assert "logs record which pages were asked for and when, never your details" in said
    assert "never the address itself, for at most 11 minutes" in said  # 600 s counts + a minute


def test_without_change_links_the_privacy_page_says_the_website_keeps_no_details(client, settings):
    settings.BOOKING_CHANGE_LINKS = False

    said = text(client.get("/privacy/"))

    assert "This website keeps none of your details" in said
    assert "encrypted" not in said
    assert "if you cancel or move the appointment" not in said


def test_the_privacy_page_points_to_the_practices_full_notice_when_it_has_one(client, settings):
    settings.PRACTICE_PRIVACY_URL = PRACTICE_NOTICE

    page = client.get("/privacy/")

    assert f'href="{PRACTICE_NOTICE}"' in html(page)
    assert "see their privacy notice" in text(page)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(86400, "24 hours"), (3600, "1 hour"), (660, "11 minutes"), (5400, "90 minutes")],
)
def test_lifetimes_are_said_in_words(seconds, words):
    assert kept_for(seconds) == words


# --- /accessibility/ ----------------------------------------------------------------------


def test_the_accessibility_statement_follows_govuks_sample(client):
    page = client.get("/accessibility/")

    assert page.status_code == 200
    said = text(page)
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html(page))
    assert headings == [
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website\u2019s accessibility",
        "Compliance status",
        "Known issues",
        "How we tested this website",
        "Preparation of this accessibility statement",
    ]
    assert "fully compliant with the Web Content Accessibility Guidelines version 2.2" in said
    assert "AA standard" in said
    for how in (
        "axe-core",
        "only a keyboard",
        "screen readers",
        "JavaScript switched off",
        "390 by 844",
        "1280 by 800",
        "Nu HTML Checker",
    ):
        assert how in said
    assert "Equality and Human Rights Commission (EHRC)" in said


def test_the_accessibility_statement_says_how_to_report_a_problem(client, settings):
    settings.PRACTICE_PHONE = "01632 960 999"
    settings.PRACTICE_EMAIL = "hello@hillside.example"

    page = client.get("/accessibility/")
    report = html(page).split("Reporting accessibility problems")[1].split("<h2")[0]

    assert 'href="mailto:hello@hillside.example"' in report
    assert 'href="tel:01632960999"' in report


# --- Both pages --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/privacy/", "/accessibility/"])
def test_both_pages_need_no_diary_and_set_no_cookie(client, live_api, url):
    page = client.get(url)  # live_api fails the test on any call to the diary

    assert page.status_code == 200
    assert sets_no_cookie(page)


@pytest.mark.parametrize("url", ["/privacy/", "/accessibility/"])
def test_both_pages_may_be_framed_by_the_practices_site(client, settings, url):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.riverside-physio.example"]

    page = client.get(url, headers={"Sec-Fetch-Dest": "iframe"})

    assert "frame-ancestors https://www.riverside-physio.example" in page["Content-Security-Policy"]
    assert 'class="is-embedded"' in html(page)


@pytest.mark.parametrize("url", ["/privacy/", "/accessibility/"])
def test_back_returns_to_the_step_the_patient_came_from(client, url):
    came_from = "/times/?staffId=42230&sectionId=7323&date=20261208"

    page = client.get(url, headers={"Referer": f"http://testserver{came_from}"})

    assert f'class="back-link" href="{came_from.replace("&", "&amp;")}"' in html(page)
    assert "Referer" in page["Vary"]


@pytest.mark.parametrize(
    "referer",
    [
        "https://elsewhere.example/times/?staffId=1",  # another site
        "http://testserver/admin/",  # not a step of the booking
        "http://testserver/privacy/",
        "javascript:alert(1)",
        "",
    ],
)
def test_back_is_step_1_unless_the_patient_came_from_a_step(client, referer):
    page = client.get("/accessibility/", headers={"Referer": referer})

    assert 'class="back-link" href="/"' in html(page)


# --- The footer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", details_url(WHEN), "/booked/" + "x" * 32 + "/", "/no-such-page/", "/privacy/"]
)
def test_every_page_links_privacy_and_accessibility_in_its_footer(client, diary, url):
    page = client.get(url)

    footer = html(page).split('<footer class="site-footer">')[1]
    assert re.search(r'<a href="/privacy/">Privacy</a>', footer)
    assert re.search(r'<a href="/accessibility/">Accessibility statement</a>', footer)
