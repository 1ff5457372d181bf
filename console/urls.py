"""The console's own pages, under CONSOLE_PATH beside the admin's (booking_site/urls.py)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "console"

# admin_view: signed-in staff only (others go to the sign-in page), never cached.
urlpatterns = [
    path("embed-code/", admin.site.admin_view(views.embed_code), name="embed-code"),
    path("activity/", admin.site.admin_view(views.activity), name="activity"),
    path("recent-changes/", admin.site.admin_view(views.recent_changes), name="recent-changes"),
]
