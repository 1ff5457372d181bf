"""/preview/, included by booking_site/urls.py only when DEBUG is on."""

from django.urls import path

from . import views

app_name = "preview"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/email.html", views.email_html, name="email-html"),
]
