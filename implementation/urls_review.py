"""Ministry reviewers' pages (under /revision/, two-step verification: paga/staff_security.py)."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.milestones, name="review_milestones"),
    path("hitos/<int:pk>/", staff_views.milestone, name="review_milestone"),
    path("evidencias/<int:pk>/", staff_views.evidence_file, name="review_evidence"),
]
