"""Workshops URLs: public pages (see workshops/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("talleres/", views.event_list, name="list"),
    path("talleres.ics", views.events_ics, name="ics"),
    path("talleres/calendario/", views.event_calendar, name="calendar"),
    path("talleres/<slug:slug>.ics", views.event_ics, name="event_ics"),
    path("talleres/<slug:slug>/", views.detail, name="detail"),
    path("repositorio/", views.repository, name="repository"),
    path("repositorio/<int:pk>/descargar/", views.document_download, name="document_download"),
]
