"""Workshops URLs: public pages (see workshops/urls.py)."""

urlpatterns: list = []
