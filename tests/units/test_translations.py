"""Catalogues compiled in Python (no GNU gettext), a practice's corrections and new languages."""

import textwrap

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.utils import translation

from bookings import translations

HEADER = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

    """
)


def catalogue(folder, code, entries: str):
    po = folder / code / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(HEADER + textwrap.dedent(entries), encoding="utf-8")
    return po


@pytest.fixture
def practice_locale(tmp_path, settings):
    """A practice's THEME_DIR/locale, read before ours, as the settings arrange."""
    folder = tmp_path / "theme" / "locale"
    folder.mkdir(parents=True)
    settings.LOCALE_PATHS = [folder, *settings.LOCALE_PATHS]
    return folder


def test_a_catalogue_compiles_without_gnu_gettext_and_skips_guesses(tmp_path):
    po = catalogue(
        tmp_path,
        "cy",
        """\
        msgid "Continue"
        msgstr "Parhau"

        #, fuzzy
        msgid "Back"
        msgstr "Guessed"

        msgid "Change"
        msgstr ""
        """,
    )

    assert translations.compile_catalogue(po) == 1
    assert po.with_suffix(".mo").stat().st_size > 0


def test_a_broken_catalogue_names_its_file(tmp_path, settings):
    po = catalogue(tmp_path, "cy", 'msgid "Continue"\nmsgstr "Parhau\n')  # unterminated
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match=rf"Could not compile {po}"):
        call_command("compiletranslations")


def test_a_translation_that_drops_a_placeholder_is_refused(tmp_path):
    po = catalogue(
        tmp_path,
        "cy",
        """\
        #, python-format
        msgid "Book %(time)s"
        msgstr "Trefnu %(amser)s"
        """,
    )

    with pytest.raises(translations.CatalogueError, match=r"line \d+: .*Book %\(time\)s"):
        translations.compile_catalogue(po)


def test_the_practice_s_correction_wins_over_ours_and_ours_fills_in_the_rest(
    practice_locale, bilingual
):
    catalogue(practice_locale, "cy", 'msgid "Book an appointment"\nmsgstr "Trefnwch apwyntiad"\n')
    call_command("compiletranslations", stdout=None)

    with translation.override("cy"):
        assert translation.gettext("Book an appointment") == "Trefnwch apwyntiad"
        assert translation.gettext("Continue") not in ("Continue", "")  # ours


def test_starttranslation_writes_every_string_untranslated_with_the_language_s_plurals(
    practice_locale, settings
):
    settings.THEME_DIR = practice_locale.parent

    call_command("starttranslation", "ga", stdout=None)

    written = (practice_locale / "ga" / "LC_MESSAGES" / "django.po").read_text()
    ours = translations.SOURCE.read_text()
    assert written.count("\nmsgid ") == ours.count("\nmsgid ")
    assert 'msgid "Continue"\nmsgstr ""' in written
    assert "Plural-Forms: nplurals=5;" in written  # Irish has five forms
    assert "Language: ga" in written


def test_starttranslation_never_overwrites_and_refuses_unknown_codes(practice_locale, settings):
    settings.THEME_DIR = practice_locale.parent
    call_command("starttranslation", "gd", stdout=None)

    with pytest.raises(CommandError, match="exists already"):
        call_command("starttranslation", "gd")
    with pytest.raises(CommandError, match="not a language code"):
        call_command("starttranslation", "xx-nowhere")


def test_starttranslation_asks_for_a_folder_without_theme_dir(settings):
    settings.THEME_DIR = None

    with pytest.raises(CommandError, match="Set THEME_DIR"):
        call_command("starttranslation", "ga")


def test_check_warns_of_a_language_offered_without_a_catalogue(settings):
    settings.LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg"), ("ga", "Gaeilge")]

    ids = [message.id for message in run_checks()]

    assert "bookings.W005" in ids
    assert all("cy" not in m.msg for m in run_checks() if m.id == "bookings.W005")


def test_check_warns_of_a_catalogue_edited_and_not_compiled(practice_locale):
    catalogue(practice_locale, "cy", 'msgid "Back"\nmsgstr "Yn ôl"\n')

    assert "bookings.W004" in [message.id for message in run_checks()]
    call_command("compiletranslations", stdout=None)
    assert "bookings.W004" not in [message.id for message in run_checks()]
