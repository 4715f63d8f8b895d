"""Workshops URLs: staff pages (see workshops/urls.py)."""

urlpatterns: list = []
