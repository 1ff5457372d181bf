"""Every word a patient reads in our templates goes through the catalogue, in every branch.

Read from the templates' source, not from rendered pages, so that a branch no
test happens to render (a variant of the privacy page, an error's wording) is
checked too. What is left of a template once its `{% translate %}` and
`{% blocktranslate %}…{% endblocktranslate %}`, its variables, tags, comments
and HTML markup are taken out must hold no word; nor may the attributes that
screen readers speak. `templates/preview/` is for designers, in English.
(The rendered Welsh pages themselves: tests/site/test_welsh.py.)
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PATIENT_FACING = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt") and "preview" not in path.relative_to(TEMPLATES).parts
)

#: Stands in for whatever the template engine writes: a variable, a tag, a translation.
FILLED = "\x00"
WORD = re.compile(r"[A-Za-z]{2,}")
SPOKEN = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')


def left_untranslated(source: str) -> str:
    """The template's own text, with everything Django writes or translates taken out."""
    kept, skipping = [], None
    for token in Lexer(source).tokenize():
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK else ""
        if skipping:
            skipping = None if name == skipping else skipping
        elif name in ("blocktranslate", "blocktrans", "comment"):
            skipping = "end" + name
            kept.append(FILLED)
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        elif token.token_type != TokenType.COMMENT:
            kept.append(FILLED)
    return "".join(kept)


def words_in(text: str, plain: bool) -> list[str]:
    """The words a reader meets: in an HTML page, outside its tags and in spoken attributes."""
    if plain:
        return WORD.findall(text)
    spoken = SPOKEN.findall(text)
    outside_tags = re.sub(r"<[^>]*>", " ", text)
    return WORD.findall(html.unescape(" ".join([outside_tags, *spoken])))


@pytest.mark.parametrize("name", PATIENT_FACING)
def test_every_word_of_the_template_is_marked_for_translation(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")

    assert words_in(left_untranslated(source), plain=name.endswith(".txt")) == []


@pytest.mark.parametrize(
    "name", [name for name in PATIENT_FACING if "translate" in (TEMPLATES / name).read_text()]
)
def test_the_template_loads_what_its_translations_need(name):
    # Parsing reads every branch: a {% translate %} without {% load i18n %} fails here,
    # not on the first page that happens to take that branch.
    engines["django"].get_template(name)


def test_the_check_finds_a_word_left_in_english():
    source = '{% load i18n %}<p title="Opens a map">{% translate "Where" %}: the clinic</p>'

    assert words_in(left_untranslated(source), plain=False) == ["the", "clinic", "Opens", "map"]


def test_the_check_sees_through_blocks_comments_and_markup():
    source = (
        "{% load i18n %}{% comment %}Designers: a note{% endcomment %}{# why #}"
        '<a href="{{ url }}" target="_blank" aria-label="{% translate "Map" %}">'
        "{% blocktranslate trimmed with n=count %}Map of {{ n }} rooms{% endblocktranslate %}</a>"
    )

    assert words_in(left_untranslated(source), plain=False) == []


def test_the_templates_checked_include_the_pages_the_email_and_the_includes():
    assert {"base.html", "404.html", "bookings/email/confirmation.txt"} <= set(PATIENT_FACING)
    assert "bookings/includes/contact.html" in PATIENT_FACING
    assert not [name for name in PATIENT_FACING if name.startswith("preview/")]
