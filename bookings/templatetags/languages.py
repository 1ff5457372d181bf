"""`{% load languages %}`: a Django language code as HTML's `lang` wants it.

    {% get_current_language as LANGUAGE_CODE %}
    <html lang="{{ LANGUAGE_CODE|bcp47 }}">   → lang="en-GB", lang="cy"

Django names languages in lower case (`en-gb`, `zh-hans`); BCP 47, which
`lang` and screen readers follow, writes the region in capitals and the script
in title case (`en-GB`, `zh-Hans`). Django's own `to_locale` already knows
those rules (`en_GB`, `zh_Hans`): only its separator differs.
"""

from django import template
from django.utils.translation import to_locale

register = template.Library()


@register.filter
def bcp47(language_code: str) -> str:
    """`en-gb` → `en-GB`, `cy` → `cy`, `zh-hans` → `zh-Hans`."""
    return to_locale(language_code).replace("_", "-")
