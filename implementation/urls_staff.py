"""The Secretaría's pages (under /gestion/, two-step verification: paga/staff_security.py)."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("informes/<int:pk>/", staff_views.decide, name="decide"),
]
