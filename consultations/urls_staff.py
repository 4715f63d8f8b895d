"""Consultations' URLs: staff pages (see consultations/urls.py)."""

urlpatterns: list = []
