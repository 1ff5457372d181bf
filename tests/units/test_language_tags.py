"""`{% load languages %}`: the page's language as HTML's `lang` attribute wants it (BCP 47)."""

import re

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from bookings.templatetags.languages import bcp47


@pytest.mark.parametrize(
    ("django_code", "html_lang"),
    [
        ("en-gb", "en-GB"),
        ("cy", "cy"),
        ("en", "en"),
        ("zh-hans", "zh-Hans"),
        ("sr-latn", "sr-Latn"),
    ],
)
def test_a_language_code_is_written_with_its_region_in_capitals_and_its_script_in_title_case(
    django_code, html_lang
):
    assert bcp47(django_code) == html_lang


def test_the_filter_is_there_for_templates():
    template = Template("{% load languages %}{{ code|bcp47 }}")

    assert template.render(Context({"code": "en-gb"})) == "en-GB"


@pytest.mark.parametrize(("active", "html_lang"), [("en-gb", "en-GB"), ("cy", "cy")])
def test_every_page_says_the_language_it_is_written_in(active, html_lang):
    with translation.override(active):
        page = render_to_string("404.html", request=RequestFactory().get("/nowhere/"))

    assert re.search(r'<html lang="([^"]*)"', page)[1] == html_lang
