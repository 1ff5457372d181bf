"""`{% memo %}`: a part of a template made once per process for the same values.

    {% load memo %}
    {% memo times_key %}…the week's free times…{% endmemo %}

The HTML between the tags is kept in the worker's memory (bookings/page_memo.py:
the last few, least recently used first out) under the values named, the page's
language and URL prefix, and this very place in this very template (a designer's
own copy of the template keeps its own). The next page with equal values gets
the same HTML without rendering it again. So the part must depend on nothing
but those values and the language: on the times page, `times_key` and
`overview_key` name everything the times and the overview of free days show
(bookings/views/free_times.py). A value that cannot be hashed renders the part
every time, as without the tag.
"""

from __future__ import annotations

import itertools

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from ..page_memo import FRAGMENTS

register = template.Library()

#: Tells each {% memo %} of every compiled template from all others, for as long as
#: the process lives (an id() could be reused by a newer template's node).
_PLACES = itertools.count()


class MemoNode(template.Node):
    def __init__(self, nodelist: NodeList, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values
        self.place = next(_PLACES)

    def render(self, context: Context) -> SafeString:
        key = (
            self.place,
            get_language(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.values),
        )
        try:
            kept = FRAGMENTS.get(key)
        except TypeError:  # a value that cannot be hashed: made every time
            return self.nodelist.render(context)
        if kept is None:
            kept = self.nodelist.render(context)
            FRAGMENTS.put(key, kept)
        return kept


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    """{% memo value… %}…{% endmemo %}: see the module's docstring."""
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not values:
        raise template.TemplateSyntaxError("{% memo %} needs the values its part depends on")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, values)
