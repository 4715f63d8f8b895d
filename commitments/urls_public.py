"""Public pages of commitments, under /compromisos/ (namespace "commitments")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("matriz/", views.matrix, name="matrix"),
    path("ranking/", views.ranking, name="ranking"),
    path("<str:key>/", views.detail, name="detail"),
    path("<str:key>/historial/diff/", views.version_diff, name="diff"),
]
