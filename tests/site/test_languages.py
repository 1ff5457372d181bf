"""The language is in the URL, never a cookie: /cy/… in Welsh, the default's unprefixed.

Every page links to itself in the other offered languages; `/`, reached from
elsewhere with no language named, follows the browser's Accept-Language.
(The Welsh words themselves: tests/site/test_welsh.py.)
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from .wizard_support import ANNA, ROOM_2, WHEN, details_url, html, sets_no_cookie

WELSH = "cy,en;q=0.5"


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def language_links(page) -> dict[str, tuple[str, str, str]]:
    """{name: (href, lang, hreflang)} of the page's language links."""
    nav = re.search(r'<nav class="language-links".*?</nav>', html(page), re.S)
    if not nav:
        return {}
    return {
        name: (href.replace("&amp;", "&"), lang, hreflang)
        for href, lang, hreflang, name in re.findall(
            r'<a href="([^"]*)" lang="([^"]*)" hreflang="([^"]*)">([^<]*)</a>', nav[0]
        )
    }


def page_language(page) -> str:
    return re.search(r'<html lang="([^"]*)"', html(page))[1]


def test_a_site_with_one_language_shows_no_language_links_and_never_redirects(client, diary):
    page = client.get("/", headers={"Accept-Language": WELSH})

    assert page.status_code == 200
    assert page_language(page) == "en-GB"
    assert language_links(page) == {}


def test_a_welsh_page_is_at_cy_and_says_so(client, diary, bilingual):
    page = client.get("/cy/")

    assert page.status_code == 200
    assert page_language(page) == "cy"
    assert page["Content-Language"] == "cy"
    assert sets_no_cookie(page)


def test_each_page_links_to_itself_in_the_other_language_named_in_that_language(
    client, diary, bilingual
):
    english = client.get(f"/?staffId={ANNA}")
    welsh = client.get(f"/cy/?staffId={ANNA}")

    assert language_links(english) == {"Cymraeg": (f"/cy/?staffId={ANNA}", "cy", "cy")}
    # The default language's address names it, so that `/` keeps it.
    assert language_links(welsh) == {"English": (f"/?staffId={ANNA}&lang=en-gb", "en-GB", "en-GB")}


def test_the_language_link_keeps_every_choice_on_the_times_and_details_pages(
    client, diary, bilingual
):
    times = f"/times/?staffId={ANNA}&sectionId={ROOM_2}"
    details = details_url(WHEN)

    assert language_links(client.get(times))["Cymraeg"][0] == "/cy" + times
    assert language_links(client.get(details))["Cymraeg"][0] == "/cy" + details
    with translation.override("cy"):
        welsh_details = details_url(WHEN)
    assert welsh_details.startswith("/cy/details/")
    assert client.get(welsh_details).status_code == 200


def test_a_welsh_browser_arriving_at_the_start_is_sent_to_the_welsh_start(client, diary, bilingual):
    page = client.get(f"/?staffId={ANNA}", headers={"Accept-Language": WELSH})

    assert page.status_code == 302
    assert page["Location"] == f"/cy/?staffId={ANNA}"
    # Another browser's languages get another answer: no shared cache keeps it.
    assert "Accept-Language" in page["Vary"]
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    assert sets_no_cookie(page)


def test_an_english_start_that_follows_the_browser_is_not_kept_by_shared_caches(
    client, diary, bilingual
):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})

    assert page.status_code == 200
    assert "Accept-Language" in page["Vary"]
    assert "private" in page["Cache-Control"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},  # moving about the site, in a browser that says
        {"Referer": "http://testserver/cy/times/"},  # or in one that does not
    ],
)
def test_a_patient_moving_about_the_site_stays_in_the_language_they_chose(
    client, diary, bilingual, headers
):
    page = client.get("/", headers={"Accept-Language": WELSH, **headers})

    assert page.status_code == 200
    assert page_language(page) == "en-GB"


def test_the_english_link_keeps_a_welsh_preferring_browser_in_english(client, diary, bilingual):
    english_link = language_links(client.get("/cy/"))["English"][0]

    page = client.get(english_link, headers={"Accept-Language": WELSH})

    assert page.status_code == 200
    assert page_language(page) == "en-GB"


def test_a_browser_preferring_a_language_not_offered_gets_the_default(client, diary, bilingual):
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert page.status_code == 200
    assert page_language(page) == "en-GB"


def test_only_the_start_follows_the_browser(client, diary, bilingual):
    page = client.get(
        f"/times/?staffId={ANNA}&sectionId={ROOM_2}", headers={"Accept-Language": WELSH}
    )

    assert page.status_code == 200
    assert page_language(page) == "en-GB"


def test_an_unknown_address_offers_no_language_links(client, diary, bilingual):
    page = client.get("/cy/no-such-page/")

    assert page.status_code == 404
    assert language_links(page) == {}


@pytest.mark.parametrize("path", ["//evil.example/times/", "//evil.example/"])
def test_an_address_that_reads_as_another_host_offers_no_link_to_that_host(
    client, diary, bilingual, path
):
    # As a browser sends https://site//evil.example/times/: the path as it is.
    page = client.get("/", PATH_INFO=path, QUERY_STRING="lang=en-gb")

    assert page.status_code == 404
    assert language_links(page) == {}
    assert 'href="//evil.example' not in html(page)


def test_the_embed_script_and_theme_keep_one_address_whatever_the_language(bilingual):
    assert reverse("embed-js") == "/embed.js"
    with translation.override("cy"):
        assert reverse("embed-js") == "/embed.js"
        assert reverse("theme-css") == "/theme.css"
        assert reverse("bookings:choose") == "/cy/"


def test_the_practice_s_own_words_come_in_the_page_s_language(client, diary, bilingual):
    bilingual.PRACTICE_OPENING_HOURS = "Monday to Friday, 9am to 5pm"
    bilingual.PRACTICE_NAME = "Riverside Physiotherapy"
    bilingual.PRACTICE_TEXTS = {
        "cy": {
            "PRACTICE_OPENING_HOURS": "Dydd Llun i ddydd Gwener, 9yb i 5yh",
            "PRACTICE_NAME": "Ffisiotherapi Glan yr Afon",
        }
    }

    english, welsh = client.get("/privacy/"), client.get("/cy/privacy/")

    assert "Riverside Physiotherapy" in html(english)
    assert "Ffisiotherapi Glan yr Afon" in html(welsh)
    assert "Ffisiotherapi Glan yr Afon" not in html(english)


def test_a_language_without_its_own_practice_text_falls_back_to_the_default_s(bilingual):
    from bookings.practice import text

    bilingual.PRACTICE_WHAT_NEXT = "Come early."
    bilingual.PRACTICE_TEXTS = {"cy": {"PRACTICE_OPENING_HOURS": "9yb i 5yh"}}

    with translation.override("cy"):
        assert text("PRACTICE_WHAT_NEXT") == "Come early."
        assert text("PRACTICE_OPENING_HOURS") == "9yb i 5yh"
    with translation.override("en-gb"):
        assert text("PRACTICE_OPENING_HOURS") != "9yb i 5yh"
