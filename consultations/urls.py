"""Consultations' URLs (namespace "consultations"): public pages and posting, the Secretaría's
moderation and responses, reports and open data, each in its module."""

from django.urls import include, path

app_name = "consultations"

urlpatterns = [
    path("", include("consultations.urls_public")),
    path("gestion/consultas/", include("consultations.urls_staff")),
    path("", include("consultations.urls_data")),
]
