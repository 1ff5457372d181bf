"""Step 1: who, then where, one question a page (GOV.UK), each a GET form.

`/` asks "Who would you like to see?" and sends the answer to `/?staffId=…`,
which asks "Which room?" and sends both to the times. Both are real URLs, so
Back, Refresh and a practice's deep link work with no cookie. A practice with
one room (or one practitioner) has one question; a link that already names
the room (`/?sectionId=7323`) asks only who.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from physiodiary import Practitioner

from .. import activity, configuration, diary, languages, wizard
from ..forms import ChooseForm
from .common import diary_needed, render_step

#: Each question's words: the page's heading, inside its fieldset's legend.
QUESTIONS = {
    "staffId": gettext_lazy("Who would you like to see?"),
    "sectionId": gettext_lazy("Which room?"),
}


@require_safe
@languages.negotiated
@diary_needed
def choose(request: HttpRequest) -> HttpResponse:
    practitioners, rooms = diary.lists()
    if not practitioners or not rooms:
        return render_step(request, "choose", {"closed": True})
    if len(practitioners) == 1 and len(rooms) == 1:
        return redirect(wizard.url("times"))  # nothing to choose
    # The link's choice (a deep link, a "Change" link, the first question's
    # answer) is shown chosen, and an id no longer listed is said so.
    form = ChooseForm.from_query(practitioners, rooms, request.GET)
    form.is_valid()
    question = asked(form, request.GET)
    if question == "sectionId" and "staffId" not in form.errors:
        form.offer_rooms_only_where_free(diary.rooms_known_empty(_who(form), rooms))
    activity.count("step-choose")
    return render_step(request, "choose", choose_context(form, question, request.GET))


def asked(form: ChooseForm, query: Mapping[str, str]) -> str:
    """Which question the page asks: one with an error; else who, unless a link
    answered it or there is only one answer to it."""
    if "staffId" in form.errors:
        return "staffId"
    if "sectionId" in form.errors or len(form.practitioners) == 1:
        return "sectionId"
    if len(form.rooms) > 1 and query.get("staffId"):
        return "sectionId"
    return "staffId"


def choose_context(
    form: ChooseForm, question: str | None = None, query: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What choose.html gets for a form (the closed practice gets `closed` instead).

    `question` is the field this page asks (`staffId` or `sectionId`; by
    default the one the form's answers leave); `query` the link's parameters.
    """
    query = query or {}
    question = question or asked(form, query)
    answered = "sectionId" if question == "staffId" else "staffId"
    # The other answer travels with this one, when the link gave it and it is sound.
    given = question == "sectionId" or len(form.rooms) == 1 or bool(query.get("sectionId"))
    keep = given and answered not in form.errors
    value = form[answered].value()
    return {
        "form": form,
        "question": question,
        "field": form[question],
        "heading": QUESTIONS[question],
        "hidden": {answered: value} if keep else {},
        "action": wizard.url("times" if keep else "choose"),
        "to_times": keep,  # the button says "Find a free time", else "Continue"
        "horizon_days": configuration.rule("BOOKING_HORIZON_DAYS"),
        "practitioner": form.practitioners.get(str(value)) if question == "sectionId" else None,
        "rooms_left_out": form.rooms_left_out,
        # The room question's Back is the first question; the first has none.
        "back_url": wizard.url("choose")
        if question == "sectionId" and len(form.practitioners) > 1
        else None,
        # Only this question's: the other's field is not on this page.
        "error_links": [
            (f"{form[question].auto_id}_0", str(m)) for m in form.errors.get(question, [])
        ],
    }


def choose_again(request: HttpRequest, form: ChooseForm) -> HttpResponse:
    """Step 1 again, saying what is wrong with the choice (the question at fault)."""
    return render_step(request, "choose", choose_context(form, query=request.GET), 400)


def _who(form: ChooseForm) -> list[Practitioner]:
    """The practitioners whose free times decide the rooms offered: all for "any"."""
    staff = form["staffId"].value()
    return (
        [form.practitioners[staff]]
        if staff in form.practitioners
        else list(form.practitioners.values())
    )
