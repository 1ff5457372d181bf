"""The page's frame, kept: base.html's `{% memo %}`s and the `practice` context, made once.

Each worker keeps the HTML of our style sheet, logo, footer and script tags
under everything they show, and the practice's details per language and
console reading (bookings/context_processors.py). A page shows the same as
when it was made afresh, follows a console save and its language, and a
designer's override of a block is rendered as written, on every page.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, StaticFilesStorage

from bookings import context_processors, page_memo
from bookings.models import PracticeProfile

from .wizard_support import html


def footer(page: str) -> str:
    return re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.S)[1]


def test_a_page_kept_is_the_page_made(client, db):
    made = html(client.get("/privacy/"))
    kept = html(client.get("/privacy/"))

    page_memo.FRAGMENTS.clear()
    context_processors._made.clear()
    assert html(client.get("/privacy/")) == made == kept


def test_the_footer_follows_a_console_save_at_once(client, db):
    assert "Riverside Physiotherapy" in footer(html(client.get("/privacy/")))

    PracticeProfile(name={"en-gb": "Hill Street Physio"}, phone="01632 960 999").save()

    shown = footer(html(client.get("/privacy/")))
    assert "Hill Street Physio" in shown and 'href="tel:01632960999"' in shown
    assert "Riverside Physiotherapy" not in shown


def test_the_footer_is_in_each_pages_language(client, db, bilingual):
    PracticeProfile(name={"en-gb": "Riverside Physio", "cy": "Ffisio Glan yr Afon"}).save()

    english = footer(html(client.get("/privacy/")))
    welsh = footer(html(client.get("/cy/privacy/")))

    assert "Riverside Physio," in english and ">Privacy<" in english
    assert "Ffisio Glan yr Afon" in welsh and 'href="/cy/privacy/"' in welsh
    assert ">Privacy<" not in welsh
    assert footer(html(client.get("/privacy/"))) == english


def test_another_sites_privacy_notice_is_linked_once_set(client, db):
    before = footer(html(client.get("/privacy/")))
    PracticeProfile(privacy_url={"en-gb": "https://www.riverside-physio.example/privacy"}).save()
    after = footer(html(client.get("/privacy/")))
    PracticeProfile(privacy_url={"en-gb": "https://riverside.example/notice"}).save()
    moved = footer(html(client.get("/privacy/")))

    assert 'href="/privacy/"' in before
    assert 'href="https://www.riverside-physio.example/privacy" target="_blank"' in after
    assert 'href="https://riverside.example/notice" target="_blank"' in moved


def test_a_designers_footer_links_show_each_pages_own(client, db, settings, tmp_path):
    (tmp_path / "base.html").write_text(
        '{% extends "base.html" %}'
        "{% block footer_links %}<p>This page: {{ new_tab_url }}</p>{% endblock %}"
    )
    first = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**first, "DIRS": [tmp_path, *first["DIRS"]]}]

    privacy = footer(html(client.get("/privacy/")))
    accessibility = footer(html(client.get("/accessibility/")))

    assert "This page: /privacy/" in privacy
    assert "This page: /accessibility/" in accessibility
    assert "Riverside Physiotherapy" in accessibility  # ours, around it, still shown


def test_the_practice_context_is_read_only(db):
    with pytest.raises(TypeError):
        context_processors.practice()["practice"]["name"] = "Another practice"


@pytest.mark.parametrize(
    ("storage", "kept"),
    [(ManifestStaticFilesStorage, True), (StaticFilesStorage, False)],
)
def test_the_tags_are_kept_only_while_the_files_cannot_change(settings, storage, kept):
    path = f"{storage.__module__}.{storage.__name__}"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": path}}

    key = context_processors.assets_key()

    try:
        hash(key)
    except TypeError:
        assert not kept  # {% memo %} then makes them on every page: an edit shows at once
    else:
        assert kept
