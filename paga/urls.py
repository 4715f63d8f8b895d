from django.contrib import admin
from django.urls import include, path

from . import compliance_views, views
from .language import switch_language

handler403 = "paga.views.error_403"
handler404 = "paga.views.error_404"
handler500 = "paga.views.error_500"

paga_patterns = (
    [
        path("", views.home, name="home"),
        path("cronograma/", views.timeline, name="timeline"),
        path("cronograma.ics", views.timeline_ics, name="timeline_ics"),
        path("privacidad/", views.privacy, name="privacy"),
        path("cumplimiento/", compliance_views.compliance, name="compliance"),
        path("salud/", views.health, name="health"),
        path("avisos/baja/<str:token>/", views.unsubscribe, name="unsubscribe"),
    ],
    "paga",
)

urlpatterns = [
    path("", include(paga_patterns)),
    path("", include("commitments.urls")),
    path("", include("consultations.urls")),
    path("", include("workshops.urls")),
    path("cuenta/", include("allauth.urls")),
    path("idioma/", switch_language, name="set_language"),
    path("administracion/", admin.site.urls),
]
