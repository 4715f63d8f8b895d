"""Consultations' URLs: data pages (see consultations/urls.py)."""

urlpatterns: list = []
