"""Embedding (EMBED_ALLOWED_ORIGINS, /embed.js) and theming (THEME_*, /theme.css) over HTTP.

The browser side, a practice's page framing a whole booking, is in
tests/e2e/test_embed.py.
"""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from bookings import embedding, theme

from ..environment import start_django
from ..some_welsh import use_some_welsh
from .test_http_security import csp

HOST = "https://www.riverside-physio.example"
OTHER = "http://127.0.0.2:8001"
IN_A_FRAME = {"Sec-Fetch-Dest": "iframe"}


@pytest.fixture
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST, OTHER]


# --- Who may frame what -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/times/?date=nonsense", "/nothing-here/", "/theme.css"])
def test_the_allowed_origins_may_frame_the_booking_pages(client, allowed, path):
    page = client.get(path, headers=IN_A_FRAME)
    assert csp(page)["frame-ancestors"] == f"{HOST} {OTHER}"
    # X-Frame-Options cannot name two sites, and would overrule them in old browsers.
    assert "X-Frame-Options" not in page
    assert "Sec-Fetch-Dest" in page["Vary"]


@pytest.mark.parametrize("path", ["/admin/login/", reverse("sandbox:api-request")])
def test_admin_and_the_reference_diary_are_never_framed(client, allowed, path):
    page = client.get(path)
    assert csp(page)["frame-ancestors"] == "'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_with_no_allowed_origin_nothing_may_frame_anything(client):
    page = client.get("/", headers=IN_A_FRAME)
    assert csp(page)["frame-ancestors"] == "'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_a_page_in_a_frame_offers_to_open_in_a_new_tab_and_drops_our_header(client, allowed):
    page = client.get("/times/?staffId=42230", headers=IN_A_FRAME).content.decode()
    assert '<html lang="en-GB" class="is-embedded"' in page
    assert f'data-embed-origins="{HOST} {OTHER}"' in page
    bar = re.search(r'<p class="embed-bar" data-embed-bar([^>]*)>(.*?)</p>', page, re.S)
    assert bar[1] == ""  # not hidden
    assert 'href="/times/?staffId=42230" target="_blank" rel="noopener"' in bar[2]
    assert "Open in a new tab" in bar[2]


def test_a_page_of_its_own_hides_the_bar_until_booking_js_finds_a_frame(client, allowed):
    page = client.get("/").content.decode()
    assert 'class="is-embedded"' not in page
    assert re.search(r'<p class="embed-bar" data-embed-bar hidden>', page)


# --- /embed.js ------------------------------------------------------------------------


def test_embed_js_is_small_cached_and_loadable_from_any_site(client, bilingual):
    script = client.get("/embed.js", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    assert script["Cache-Control"] == "public, max-age=3600"
    assert script["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert script["Content-Encoding"] == "gzip"
    body = gzip.decompress(script.content)
    assert len(script.content) < 2_500, "embed.js must stay small"
    assert b"import " not in body and b"require(" not in body  # no dependencies
    assert b"data-physio-booking" in body
    again = client.get("/embed.js", headers={"If-None-Match": script["ETag"]})
    assert again.status_code == 304


@pytest.fixture
def bilingual(bilingual, tmp_path):
    """A site in English and Welsh, with Welsh for embed.js's own words."""
    settings = bilingual
    use_some_welsh(
        settings,
        tmp_path,
        ("Book an appointment", "Trefnu apwyntiad â ffisiotherapydd"),
        ("Open the booking page in a new tab", "Agor y dudalen mewn tab newydd"),
    )


def languages_in(script: bytes) -> dict:
    """The table of languages bookings/embedding.py writes into embed.js."""
    return json.loads(re.search(rb"var i18n = (\{.*?\});\n", script)[1])


def test_embed_js_carries_each_languages_words_and_the_prefix_of_its_pages(client, bilingual):
    script = client.get("/embed.js").content
    assert languages_in(script) == {
        "default": "en-gb",
        "languages": {
            "en-gb": {
                "prefix": "",  # the default language's pages have none
                "title": "Book an appointment",
                "link": "Open the booking page in a new tab",
            },
            "cy": {
                "prefix": "/cy",
                "title": "Trefnu apwyntiad â ffisiotherapydd",
                "link": "Agor y dudalen mewn tab newydd",
            },
        },
    }
    script.decode("ascii")  # \u escapes: old browsers stop at U+2028 in a script


def test_embed_js_changes_its_etag_with_the_languages_offered(client, settings, bilingual):
    settings.DEBUG = False  # rendered once for each set of languages, and kept
    bilingual_etag = client.get("/embed.js")["ETag"]
    assert client.get("/embed.js")["ETag"] == bilingual_etag
    settings.LANGUAGES = [("en-gb", "English")]
    english = client.get("/embed.js")
    assert english["ETag"] != bilingual_etag
    assert list(languages_in(english.content)["languages"]) == ["en-gb"]
    assert client.get("/embed.js", headers={"If-None-Match": bilingual_etag}).status_code == 200


def test_embed_js_is_served_without_its_comment_lines_but_keeps_its_notice(client, bilingual):
    source = (Path(embedding.__file__).parent / "assets" / "embed.js").read_text()
    served = client.get("/embed.js").content.decode()
    assert re.search(r"(?m)^\s*//", source)
    assert not re.search(r"(?m)^\s*//", served)
    assert served.startswith("/* Online booking on a practice's own page. Paste")
    assert len(served) < len(source)


def test_embed_js_posts_only_to_the_booking_site_and_reads_only_from_it():
    # Both sides name the other's origin: never "*".
    source = (theme.__file__.rsplit("/", 1)[0] + "/assets/embed.js").replace("\\", "/")
    with open(source, encoding="utf-8") as file:
        text = file.read()
    assert 'postMessage({ type: "physio-booking:hello" }, site)' in text
    assert "event.origin !== site || event.source !== frame.contentWindow" in text
    assert '"*"' not in text


# --- The theme ------------------------------------------------------------------------


def test_theme_css_carries_the_settings_as_custom_properties(client, settings):
    settings.THEME_BRAND_COLOUR = "#6A1B9A"
    settings.THEME_ACCENT_COLOUR = "#ffd54f"
    settings.THEME_RADIUS = "12px"
    settings.THEME_FONT_STACK = '"Atkinson Hyperlegible", Arial, sans-serif'
    page = client.get("/").content.decode()
    url = re.search(r'<link rel="stylesheet" href="(/theme\.css\?v=[0-9a-f]{12})"', page)[1]
    sheet = client.get(url)
    assert sheet["Content-Type"] == "text/css; charset=utf-8"
    assert sheet["Cache-Control"] == "public, max-age=31536000, immutable"
    css = sheet.content.decode()
    for line in (
        "--brand: #6a1b9a;",
        "--brand-rgb: 106, 27, 154;",
        "--brand-dark: #55167b;",
        "--on-brand: #ffffff;",
        "--accent: #ffd54f;",
        "--on-accent: #1b1b1b;",  # dark text on a light accent
        "--radius: 12px;",
        '--font: "Atkinson Hyperlegible", Arial, sans-serif;',
    ):
        assert line in css


def test_a_changed_setting_changes_the_theme_url_so_no_browser_keeps_the_old_look(settings):
    before = theme.current().css_url
    settings.THEME_BRAND_COLOUR = "#123456"
    assert theme.current().css_url != before


def test_an_old_theme_url_is_not_kept_for_a_year(client):
    sheet = client.get("/theme.css?v=000000000000")
    assert sheet["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_a_light_brand_colour_gets_dark_text_on_its_buttons(settings):
    settings.THEME_BRAND_COLOUR = "#ffd54f"
    assert theme.current().properties["--on-brand"] == "#1b1b1b"


def test_the_logo_replaces_the_name_in_the_header(client, settings):
    settings.THEME_LOGO = "css/site.css"  # any static file will do for the markup
    page = client.get("/").content.decode()
    logo = '<img class="site-logo" src="/static/css/site.css" alt="Riverside Physiotherapy">'
    assert logo in page
    assert '<p class="practice-name">' not in page


def test_check_warns_of_a_brand_colour_too_light_for_text_and_a_missing_logo(settings):
    settings.THEME_BRAND_COLOUR = "#f2b33d"
    settings.THEME_LOGO = "theme/missing.svg"
    with pytest.raises(SystemCheckError) as failed:
        call_command("check")
    assert "bookings.E001" in str(failed.value)
    assert "bookings.W002" in str(failed.value)
    assert "contrast of 1.9:1" in str(failed.value)


# --- Start-up -----------------------------------------------------------------------


@pytest.mark.deploy  # starts Django in a process of its own
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EMBED_ALLOWED_ORIGINS", "https://practice.example/booking"),
        ("EMBED_ALLOWED_ORIGINS", "https://*.practice.example"),
        ("EMBED_ALLOWED_ORIGINS", "practice.example"),
        ("EMBED_ALLOWED_ORIGINS", "https://practice.example; script-src *"),
        ("THEME_BRAND_COLOUR", "red"),
        ("THEME_BRAND_COLOUR", "#0b5d6b; } body { display: none"),
        ("THEME_RADIUS", "1rem; color: red"),
        ("THEME_FONT_STACK", "Arial; } * { display: none"),
        ("THEME_LOGO", "../settings.py"),
        ("THEME_DIR", "/nonexistent/theme"),
    ],
)
def test_a_value_that_could_break_a_header_or_the_style_sheet_stops_start_up(name, value):
    result = start_django(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.deploy  # starts Django in a process of its own
def test_origins_are_written_as_browsers_send_them():
    result = start_django(
        EMBED_ALLOWED_ORIGINS="https://WWW.Practice.example/, http://[::1]:8000, https://x.example:443",
        code="from django.conf import settings as s; print(s.EMBED_ALLOWED_ORIGINS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['https://www.practice.example', 'http://[::1]:8000', 'https://x.example']"
    )


@pytest.mark.deploy  # starts Django in a process of its own
def test_a_theme_folder_overrides_templates_and_adds_static_files(tmp_path):
    (tmp_path / "templates" / "bookings").mkdir(parents=True)
    (tmp_path / "static" / "theme").mkdir(parents=True)
    (tmp_path / "static" / "theme" / "logo.svg").write_text("<svg/>")
    (tmp_path / "templates" / "bookings" / "choose.html").write_text(
        '{% extends "bookings/step.html" %}{% block step_heading %}Book with us{% endblock %}'
    )
    code = (
        "from django.template.loader import get_template;"
        "from django.contrib.staticfiles import finders;"
        f"print(get_template('bookings/choose.html').origin.name.startswith({str(tmp_path)!r}));"
        "print(bool(finders.find('theme/logo.svg')))"
    )
    result = start_django(THEME_DIR=str(tmp_path), THEME_LOGO="theme/logo.svg", code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
