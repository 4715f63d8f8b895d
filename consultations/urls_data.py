"""Consultations' URLs: the responses report, "Mis aportes", following items and the open data (see
consultations/urls.py)."""

from django.urls import path

from . import data_views

urlpatterns: list = [
    path("consultas/<slug:slug>/respuestas/", data_views.report, name="report"),
    path("consultas/<slug:slug>/respuestas.csv", data_views.report_csv, name="report_csv"),
    path("consultas/<slug:slug>/respuestas.json", data_views.report_json, name="report_json"),
    path("mis-aportes/", data_views.my_contributions, name="my_contributions"),
    path("seguir/<int:pk>/", data_views.follow, name="follow"),
    path("seguir/<int:pk>/dejar/", data_views.unfollow, name="unfollow"),
    path("datos/", data_views.open_data, name="open_data"),
    path("datos/aportes.csv", data_views.open_data_csv, name="open_data_csv"),
    path("datos/aportes.json", data_views.open_data_json, name="open_data_json"),
    path("datos/diccionario/", data_views.data_dictionary, name="data_dictionary"),
]
