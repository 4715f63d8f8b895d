"""Workshops URLs: registration pages (see workshops/urls.py)."""

urlpatterns: list = []
