"""The Secretaría's pages (under /gestion/, two-step verification: paga/staff_security.py)."""

from django.urls import path

from . import assessment_views, staff_views

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("informes/<int:pk>/", staff_views.decide, name="decide"),
    path("autoevaluacion/", assessment_views.assessments, name="assessments"),
    path("autoevaluacion/<int:pk>/", assessment_views.assessment, name="assessment"),
    path(
        "autoevaluacion/<int:pk>/secciones/<slug:key>/",
        assessment_views.section,
        name="assessment_section",
    ),
    path("autoevaluacion/<int:pk>/publicar/", assessment_views.publish, name="assessment_publish"),
    path("autoevaluacion/<int:pk>/finalizar/", assessment_views.finalize, name="assessment_finalize"),
]
