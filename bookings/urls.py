from django.urls import path, re_path

from . import views
from .confirmations import REFERENCE_PATTERN
from .views import change, statements

app_name = "bookings"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    re_path(rf"^booked/(?P<reference>{REFERENCE_PATTERN})/$", views.booked, name="booked"),
    # A link altered or cut short is still routed here: its page says the link does not work.
    re_path(r"^change/(?P<link>[^/]{1,100})/$", change.overview, name="change"),
    re_path(r"^change/(?P<link>[^/]{1,100})/cancel/$", change.cancel, name="change-cancel"),
    path("privacy/", statements.privacy, name="privacy"),
    path("accessibility/", statements.accessibility, name="accessibility"),
    re_path(
        rf"^booked/(?P<reference>{REFERENCE_PATTERN})/appointment\.ics$",
        views.booked_calendar,
        name="booked-calendar",
    ),
]
