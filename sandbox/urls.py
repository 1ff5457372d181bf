from django.urls import path

from . import views

urlpatterns = [
    path("api/request", views.api_request, name="api-request"),
]
