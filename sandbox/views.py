"""The reference diary's one endpoint, answering as the vendor's server does."""

import logging
from collections.abc import Callable
from datetime import datetime
from time import sleep
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import free_times, protocol
from .models import Practitioner, Room
from .refusals import ALREADY_BOOKED, ErrorCode, Problem, Refusal

logger = logging.getLogger(__name__)


def _staff_list(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    return protocol.staff_answer(Practitioner.objects.all())


def _section_list(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    return protocol.sections_answer(Room.objects.all())


def _free_list(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    request = protocol.read_free_list(fields)
    free = free_times.free_times(
        request.practitioner, request.room, request.first_day, request.num_days, now
    )
    return protocol.free_list_answer(request, free)


def _book(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    request = protocol.read_book(fields, timezone.localdate(now))
    try:
        booking = free_times.book(
            request.practitioner, request.room, request.date, request.time, request.patient, now
        )
    except free_times.SlotUnavailable as error:
        raise Refusal(ALREADY_BOOKED) from error
    return protocol.confirmation(booking)


ACTIONS: dict[str, Callable[[dict[str, Any], datetime], dict[str, Any]]] = {
    "staffList": _staff_list,
    "sectionList": _section_list,
    "freeList": _free_list,
    "book": _book,
}


def _json(answer: dict[str, Any]) -> JsonResponse:
    # Compact, as the vendor's examples are.
    return JsonResponse(answer, json_dumps_params={"separators": (",", ":")})


@csrf_exempt
def api_request(request: HttpRequest) -> HttpResponse:
    if settings.SANDBOX_LATENCY_MS > 0:
        # Stands in for the network and the vendor's server, so that the
        # site's timeouts and waiting pages can be tried against it.
        sleep(settings.SANDBOX_LATENCY_MS / 1000)
    # The vendor answers a stranger with a bare 404 and nothing to learn from.
    if (
        request.method != "POST"
        or request.META.get("REMOTE_ADDR") not in settings.SANDBOX_ALLOWED_IPS
    ):
        return HttpResponseNotFound()

    now = timezone.now()
    action = ""
    try:
        fields = protocol.read_body(request.body)
        action = protocol.action_of(fields)
        if not protocol.key_matches(fields, settings.SANDBOX_API_KEY):
            return HttpResponseNotFound()
        handler = ACTIONS[protocol.read_action(fields, ACTIONS)]
        return _json(handler(fields, now))
    except Refusal as error:
        return _json(protocol.error_answer(error.problems, action, now))
    except Exception:
        # Only the action is logged: the request may hold a patient's details.
        logger.exception(
            "The reference diary failed on a %r request", action if action in ACTIONS else "?"
        )
        problem = Problem(ErrorCode.UNKNOWN_ERROR, "", "Unexpected error.")
        return _json(protocol.error_answer([problem], action, now))
