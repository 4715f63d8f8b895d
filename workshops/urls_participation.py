"""Workshops URLs: participation pages (see workshops/urls.py)."""

urlpatterns: list = []
