"""`{% memo %}`: a part of a template made once per process for equal values, in each
language, in each place (bookings/templatetags/memo.py), kept by bookings/page_memo.py."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from bookings.page_memo import FRAGMENTS, Memo


class Counter:
    """Renders as how many times it has been rendered."""

    def __init__(self) -> None:
        self.made = 0

    def __str__(self) -> str:
        self.made += 1
        return str(self.made)


@pytest.fixture(autouse=True)
def _nothing_kept():
    FRAGMENTS.clear()
    yield
    FRAGMENTS.clear()


def render(template: Template, **context: object) -> str:
    return template.render(Context(context))


def test_a_part_is_made_once_for_equal_values():
    template = Template("{% load memo %}{% memo key %}made {{ counter }}{% endmemo %}")
    counter = Counter()
    assert render(template, key=("week", 1), counter=counter) == "made 1"
    assert render(template, key=("week", 1), counter=counter) == "made 1"
    assert render(template, key=("week", 2), counter=counter) == "made 2"


def test_each_language_has_its_own():
    template = Template("{% load memo %}{% memo key %}made {{ counter }}{% endmemo %}")
    counter = Counter()
    with translation.override("en-gb"):
        assert render(template, key=1, counter=counter) == "made 1"
    with translation.override("cy"):
        assert render(template, key=1, counter=counter) == "made 2"


def test_each_place_in_each_template_has_its_own():
    counter = Counter()
    twice = Template(
        "{% load memo %}{% memo key %}a{{ counter }}{% endmemo %}"
        "{% memo key %}b{{ counter }}{% endmemo %}"
    )
    other = Template("{% load memo %}{% memo key %}c{{ counter }}{% endmemo %}")
    assert render(twice, key=1, counter=counter) == "a1b2"
    assert render(other, key=1, counter=counter) == "c3"


def test_a_value_that_cannot_be_hashed_makes_the_part_every_time():
    template = Template("{% load memo %}{% memo key %}made {{ counter }}{% endmemo %}")
    counter = Counter()
    assert render(template, key=["a", "list"], counter=counter) == "made 1"
    assert render(template, key=["a", "list"], counter=counter) == "made 2"


def test_the_tag_needs_a_value():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load memo %}{% memo %}x{% endmemo %}")


def test_the_least_recently_used_goes_first():
    memo = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "b" is now the least recently used
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
