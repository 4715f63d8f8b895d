"""Implementation's public URLs: /seguimiento/, its open data and calendar, and evidence files of
validated reports (see implementation/urls.py)."""

from django.urls import path

from . import assessment_views, public_views

urlpatterns: list = [
    path("seguimiento/", public_views.tracking, name="tracking"),
    path("seguimiento/avance.csv", public_views.tracking_csv, name="tracking_csv"),
    path("seguimiento/avance.json", public_views.tracking_json, name="tracking_json"),
    path("seguimiento/diccionario/", public_views.data_dictionary, name="data_dictionary"),
    path("seguimiento/hitos.ics", public_views.milestones_ics, name="milestones_ics"),
    path("seguimiento/evidencias/<int:pk>/", public_views.evidence_download, name="evidence_download"),
    path(
        "seguimiento/autoevaluacion/<slug:kind>/",
        assessment_views.public_assessment,
        name="assessment_public",
    ),
    path("seguimiento/autoevaluacion/<slug:kind>/pdf/", assessment_views.public_pdf, name="assessment_pdf"),
]
