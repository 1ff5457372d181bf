"""Step 1: practitioner and room, a GET form, so the choice becomes the next URL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from .. import diary, wizard
from ..forms import ChooseForm
from .common import diary_needed, error_links, render_step


@require_safe
@diary_needed
def choose(request: HttpRequest) -> HttpResponse:
    practitioners, rooms = diary.lists()
    if not practitioners or not rooms:
        return render_step(request, "choose", {"closed": True})
    if len(practitioners) == 1 and len(rooms) == 1:
        return redirect(wizard.url("times"))  # nothing to choose
    form = ChooseForm(practitioners, rooms)
    if "staffId" in request.GET or "sectionId" in request.GET:
        # A practice's deep link (/?staffId=42230) or a "Change" link: shown
        # chosen, and an id no longer listed is said so, not silently dropped.
        form = ChooseForm.from_query(practitioners, rooms, request.GET)
        form.is_valid()
    return render_step(request, "choose", choose_context(form))


def choose_context(form: ChooseForm) -> dict[str, Any]:
    """What choose.html gets for a form (the closed practice gets `closed` instead)."""
    return {"form": form, "error_links": error_links(form)}


def choose_again(request: HttpRequest, form: ChooseForm) -> HttpResponse:
    """Step 1 again, saying what is wrong with the choice."""
    return render_step(request, "choose", choose_context(form), 400)
