"""SITE_LANGUAGES: which languages, the default first; LANGUAGE_CODE follows from it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from booking_site.languages import names, offered, practice_texts, suffix


def test_the_default_is_british_english_alone():
    assert offered([], None) == ["en-gb"]


def test_the_first_language_named_is_the_default():
    assert offered(["en-gb", "cy"], None) == ["en-gb", "cy"]
    assert offered(["cy", "en-gb"], None) == ["cy", "en-gb"]


def test_codes_are_read_as_django_writes_them():
    assert offered([" EN_GB", "CY "], None) == ["en-gb", "cy"]


def test_language_code_alone_still_works_as_before():
    assert offered([], "cy") == ["cy"]


def test_language_code_agreeing_with_site_languages_is_accepted():
    assert offered(["cy", "en-gb"], "cy") == ["cy", "en-gb"]


def test_language_code_and_site_languages_that_disagree_stop_the_start():
    with pytest.raises(ImproperlyConfigured, match="LANGUAGE_CODE is 'fr' but SITE_LANGUAGES"):
        offered(["en-gb", "cy"], "fr")


@pytest.mark.parametrize("code", ["klingon", "zh-cn", "en_xx"])
def test_a_language_django_does_not_know_stops_the_start(code):
    with pytest.raises(ImproperlyConfigured, match="which Django does not know"):
        offered(["en-gb", code], None)


def test_a_language_named_twice_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="cy more than once"):
        offered(["en-gb", "cy", "cy"], None)


def test_each_language_is_named_in_itself_without_a_region_where_that_is_clear():
    assert names(["en-gb", "cy"]) == [("en-gb", "English"), ("cy", "Cymraeg")]
    assert names(["en-gb", "en-au"]) == [
        ("en-gb", "British English"),
        ("en-au", "Australian English"),
    ]


def test_the_environment_suffix_of_a_language():
    assert suffix("cy") == "_CY"
    assert suffix("en-gb") == "_EN_GB"


def test_practice_texts_are_read_for_each_other_language_only():
    environment = {
        "PRACTICE_WHAT_NEXT_CY": " Dewch yn gynnar. ",
        "PRACTICE_NAME_EN_GB": "ignored: the default's is PRACTICE_NAME",
    }

    texts = practice_texts(["en-gb", "cy"], environment.get)

    assert texts == {"cy": {"PRACTICE_WHAT_NEXT": "Dewch yn gynnar."}}
