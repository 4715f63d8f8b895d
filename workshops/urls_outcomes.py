"""Workshops URLs: what an event produced (workshops/outcome_views.py), included by urls_staff.py under
/gestion/talleres/. Names start with "outcomes_"."""

from django.urls import path

from . import outcome_views as views

urlpatterns = [
    path("<slug:slug>/aportes/", views.inputs, name="outcomes_inputs"),
    path("<slug:slug>/aportes/nuevo/", views.input_new, name="outcomes_input_new"),
    path("<slug:slug>/aportes/importar/", views.input_import, name="outcomes_input_import"),
    path("<slug:slug>/aportes/plantilla.csv", views.input_template, name="outcomes_input_template"),
    path("<slug:slug>/propuestas/", views.proposals, name="outcomes_proposals"),
    path("<slug:slug>/propuestas/nueva/", views.proposal_new, name="outcomes_proposal_new"),
    path(
        "<slug:slug>/propuestas/<int:pk>/desvincular/", views.proposal_unlink, name="outcomes_proposal_unlink"
    ),
    path("<slug:slug>/decisiones/", views.decisions, name="outcomes_decisions"),
    path("<slug:slug>/decisiones/<int:pk>/", views.decision, name="outcomes_decision"),
]
