"""`{% load sri %}`: our static style sheets and scripts, each with its Subresource Integrity.

    {% stylesheet 'css/site.css' %}
    → <link rel="stylesheet" href="/static/css/site.<hash>.css" integrity="sha384-…">
    {% script 'js/booking.js' %}
    → <script src="/static/js/booking.<hash>.js" integrity="sha384-…" defer></script>
    <link rel="preload" href="{% static 'x' %}" integrity="{% integrity 'x' %}" …>

One name gives both the address and the hash, so the two cannot disagree.
Scripts are always deferred: no page waits for one (every page works
without JavaScript). See bookings/integrity.py and docs/designers.md.
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bookings.integrity import static_integrity

register = template.Library()


@register.simple_tag
def integrity(name: str) -> str:
    """The `integrity` attribute's value for the static file `name`."""
    return static_integrity(name)


@register.simple_tag
def stylesheet(name: str) -> SafeString:
    """A `<link rel="stylesheet">` to the static file `name`, with its integrity."""
    return format_html(
        '<link rel="stylesheet" href="{}" integrity="{}">', static(name), static_integrity(name)
    )


@register.simple_tag
def script(name: str) -> SafeString:
    """A deferred `<script>` of the static file `name`, with its integrity."""
    return format_html(
        '<script src="{}" integrity="{}" defer></script>', static(name), static_integrity(name)
    )
