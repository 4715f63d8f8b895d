"""Consultations' URLs: public pages (see consultations/urls.py)."""

urlpatterns: list = []
