"""Commitments' URLs: public pages, the Secretaría's work and the ministries' review, each in its module."""

from django.urls import include, path

app_name = "commitments"

urlpatterns = [
    path("compromisos/", include("commitments.urls_public")),
    path("gestion/compromisos/", include("commitments.urls_staff")),
    path("revision/", include("commitments.urls_review")),
    path("", include("commitments.urls_plan")),
]
