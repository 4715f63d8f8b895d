"""Workshops URLs: participation pages (see workshops/urls.py)."""

from django.urls import path

from . import participation_views

urlpatterns = [
    path("participacion/", participation_views.participation, name="participation"),
    path("foro-multiactor/", participation_views.forum, name="forum"),
]
