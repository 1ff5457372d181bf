"""SITE_LANGUAGES and the practice's texts per language, read when Django starts."""

from ..environment import start_django

SHOW = (
    "from django.conf import settings as s;"
    " print(s.LANGUAGE_CODE, s.LANGUAGES, dict(s.PRACTICE_TEXTS), sep='|')"
)


def test_one_british_english_language_by_default():
    result = start_django(code=SHOW)

    assert result.stdout.strip() == "en-gb|[('en-gb', 'English')]|{}"


def test_site_languages_offers_welsh_and_reads_the_practice_s_welsh_texts():
    result = start_django(
        code=SHOW,
        SITE_LANGUAGES="en-gb,cy",
        PRACTICE_OPENING_HOURS_CY="Dydd Llun i ddydd Gwener, 8yb i 8yh\\nDydd Sadwrn, 9yb i 1yp",
    )

    assert result.returncode == 0, result.stderr
    code, languages, texts = result.stdout.strip().split("|")
    assert (code, languages) == ("en-gb", "[('en-gb', 'English'), ('cy', 'Cymraeg')]")
    assert texts == (
        "{'cy': {'PRACTICE_OPENING_HOURS':"
        " 'Dydd Llun i ddydd Gwener, 8yb i 8yh\\nDydd Sadwrn, 9yb i 1yp'}}"
    )


def test_language_code_disagreeing_with_site_languages_stops_the_start():
    result = start_django(SITE_LANGUAGES="en-gb,cy", LANGUAGE_CODE="cy")

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: LANGUAGE_CODE is 'cy' but SITE_LANGUAGES starts with 'en-gb'"
        in result.stderr
    )


def test_a_welsh_privacy_notice_must_be_a_web_address_too():
    result = start_django(SITE_LANGUAGES="en-gb,cy", PRACTICE_PRIVACY_URL_CY="javascript:alert(1)")

    assert result.returncode != 0
    assert "ImproperlyConfigured: PRACTICE_PRIVACY_URL_CY must be a web address" in result.stderr
