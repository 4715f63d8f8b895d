"""Workshops' URLs (namespace "workshops"): public event pages and the repository, registration,
participation and the multi-stakeholder forum, and the Secretaría's pages, each in its module."""

from django.urls import include, path

app_name = "workshops"

urlpatterns = [
    path("", include("workshops.urls_registration")),
    path("", include("workshops.urls_public")),
    path("", include("workshops.urls_participation")),
    path("gestion/talleres/", include("workshops.urls_staff")),
]
