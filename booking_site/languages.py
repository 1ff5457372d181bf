"""Which languages the site offers, and the practice's own texts in each, from the environment.

Read by the settings module, before Django is set up: nothing here may use
Django's apps or translations. `SITE_LANGUAGES` names the languages (the first
is the default, served at unprefixed URLs); `LANGUAGE_CODE`, Django's own
setting, follows from it. The practice's texts (`PRACTICE_WHAT_NEXT` and the
like) take one value per offered language with the language as a suffix
(`PRACTICE_WHAT_NEXT_CY`); a language without its own falls back to the
default language's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

#: The practice's settings that are words a patient reads, so may differ by language.
TRANSLATED_PRACTICE_SETTINGS = (
    "PRACTICE_NAME",
    "PRACTICE_ADDRESS",
    "PRACTICE_WHAT_NEXT",
    "PRACTICE_OPENING_HOURS",
    "PRACTICE_PRIVACY_URL",
)


def offered(site_languages: list[str], language_code: str | None) -> list[str]:
    """The language codes to offer, the default first, checked.

    `language_code` is LANGUAGE_CODE from the environment, if set: alone it
    still works (a site configured before SITE_LANGUAGES existed), but beside
    SITE_LANGUAGES it must agree, or one of them is a mistake.
    """
    codes = [code.strip().lower().replace("_", "-") for code in site_languages if code.strip()]
    if not codes:
        codes = [language_code.strip().lower()] if language_code else ["en-gb"]
    elif language_code and language_code.strip().lower() != codes[0]:
        raise ImproperlyConfigured(
            f"LANGUAGE_CODE is {language_code!r} but SITE_LANGUAGES starts with {codes[0]!r}:"
            " SITE_LANGUAGES's first language is the default. Set SITE_LANGUAGES alone"
            " (LANGUAGE_CODE follows from it)."
        )
    unknown = [code for code in codes if code not in LANG_INFO or "fallback" in LANG_INFO[code]]
    if unknown:
        raise ImproperlyConfigured(
            f"SITE_LANGUAGES names {', '.join(map(repr, unknown))}, which Django does not know."
            " Use codes such as en-gb, cy, ga, gd, pl (docs/translations.md lists where"
            " to find them)."
        )
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ImproperlyConfigured(f"SITE_LANGUAGES names {', '.join(repeated)} more than once.")
    return codes


def names(codes: list[str]) -> list[tuple[str, str]]:
    """Each language in its own name, as the language links show it ("Cymraeg", "English").

    A regional variant is named by its language ("English", not "British
    English") unless another variant of that language is offered beside it.
    """
    bases = [code.split("-")[0] for code in codes]
    named = []
    for code, base in zip(codes, bases, strict=True):
        plain = bases.count(base) == 1 and base in LANG_INFO and "name_local" in LANG_INFO[base]
        named.append((code, LANG_INFO[base if plain else code]["name_local"]))
    return named


def suffix(code: str) -> str:
    """The environment variables' suffix for a language: `cy` → `_CY`, `en-gb` → `_EN_GB`."""
    return "_" + code.upper().replace("-", "_")


def practice_texts(
    codes: list[str], read: Callable[[str], str | None]
) -> Mapping[str, Mapping[str, str]]:
    """The practice's texts set for the languages other than the default.

    {"cy": {"PRACTICE_WHAT_NEXT": "…"}}; `read(name)` is the environment's
    value, or None where it is not set.
    """
    texts: dict[str, dict[str, str]] = {}
    for code in codes[1:]:
        for name in TRANSLATED_PRACTICE_SETTINGS:
            value = read(name + suffix(code))
            if value is not None:
                texts.setdefault(code, {})[name] = value.strip()
    return texts
