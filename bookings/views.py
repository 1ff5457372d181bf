from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import diary
from .physiodiary import PhysiodiaryError


def start(request: HttpRequest) -> HttpResponse:
    """The start page: who works at the practice and in which rooms."""
    try:
        practitioners, rooms = diary.practitioners(), diary.rooms()
    except PhysiodiaryError:
        # The client has logged the cause; the patient needs another way in.
        return render(request, "bookings/diary_unavailable.html", status=503)
    return render(request, "bookings/start.html", {"practitioners": practitioners, "rooms": rooms})
