"""What every step's view shares: the diary-down page, rendering, the error summary."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from physiodiary import PhysiodiaryError

from .. import activity, error_pages, wizard


def diary_needed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page the diary failed to serve becomes a 503 with the practice's phone and email."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PhysiodiaryError:
            # The client has logged the cause; the patient needs another way in.
            activity.count("diary-failure")
            return error_pages.unavailable(request)

    return wrapper


def render_step(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The step's page, `bookings/<name>.html`."""
    return render(request, f"bookings/{name}.html", step_context(name, context), status=status)


def step_context(name: str, context: dict[str, Any]) -> dict[str, Any]:
    """Every step template's context: its step and all the steps (for the progress
    fragment), then the page's own. `name` is the template's, `bookings/<name>.html`."""
    step_name = "booked" if name == "booked_gone" else name
    return {
        "step": wizard.step(step_name),
        "steps": wizard.STEPS,
        "back_url": back_url(step_name, context),
        **context,
    }


def back_url(name: str, context: dict[str, Any]) -> str | None:
    """The back link's URL: the step before `name`, with the choice made so far.

    A real URL rather than the browser's history, which a framed page hides
    and a shared link lacks. None on the first page the patient meets (step 1,
    or step 2 where step 1 has nothing to choose) and on the confirmation: a
    booking is not undone by going back.
    """
    if name == "times":
        return wizard.url("choose", **context["choice"]) if context.get("can_choose") else None
    if name == "details":
        return context.get("change_time_url")  # the times around the chosen one
    return None


def see_other(url: str) -> HttpResponse:
    # 303: Refresh or Back on the confirmation never re-sends the booking form.
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


#: Where the error summary sends the patient for a field with no input of its own.
_SUMMARY_ANCHORS = {
    "staffId": "summary-practitioner",
    "sectionId": "summary-room",
    "date": "summary-when",
    "time": "summary-when",
    "token": None,
}


def error_links(form: forms.Form) -> list[tuple[str | None, str]]:
    """(anchor, message) for the error summary at the top of the page."""
    links = []
    for field, messages in form.errors.items():
        if field == "__all__":
            anchor = None
        elif isinstance(form.fields[field].widget, forms.RadioSelect):
            anchor = f"{form[field].auto_id}_0"  # the group's first radio button
        elif field in _SUMMARY_ANCHORS:
            anchor = _SUMMARY_ANCHORS[field]
        else:
            anchor = form[field].auto_id
        links.extend((anchor, str(message)) for message in messages)
    return links
