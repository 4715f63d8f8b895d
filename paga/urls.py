from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path

from . import audit_views, compliance_views, mydata_views, registry, views
from .language import switch_language
from .pagecache import public_page

handler403 = "paga.views.error_403"
handler404 = "paga.views.error_404"
handler500 = "paga.views.error_500"

paga_patterns = (
    [
        path("", views.home, name="home"),
        path("cronograma/", views.timeline, name="timeline"),
        path("cronograma.ics", views.timeline_ics, name="timeline_ics"),
        path("privacidad/", views.privacy, name="privacy"),
        path("planes/", views.plans_index, name="plans"),
        path("cumplimiento/", compliance_views.compliance, name="compliance"),
        path("salud/", views.health, name="health"),
        path("avisos/baja/<str:token>/", views.unsubscribe, name="unsubscribe"),
        path("mis-datos/", mydata_views.my_data, name="my_data"),
        path("mis-datos/descargar.json", mydata_views.my_data_json, name="my_data_json"),
        path("mis-datos/consentimiento/", mydata_views.consent, name="my_data_consent"),
        path("mis-datos/eliminar-cuenta/", mydata_views.delete_account, name="my_data_delete"),
        path("gestion/auditoria/", audit_views.audit_log, name="audit"),
        path("gestion/auditoria.csv", audit_views.audit_csv, name="audit_csv"),
    ],
    "paga",
)

urlpatterns = [
    path("", include(paga_patterns)),
    # Each app's `urls` module, in INSTALLED_APPS order (paga/registry.py: paga names none of the apps).
    *(path("", include(module)) for module in registry.url_modules()),
    # allauth's pages for signed-out visitors, served from the page cache (paga/pagecache.py, form=True):
    # the same views under the same names, matched before allauth's own patterns.
    path("cuenta/login/", public_page(account_views.login, form=True), name="account_login"),
    path("cuenta/signup/", public_page(account_views.signup, form=True), name="account_signup"),
    path(
        "cuenta/password/reset/",
        public_page(account_views.password_reset, form=True),
        name="account_reset_password",
    ),
    path("cuenta/", include("allauth.urls")),
    path("idioma/", switch_language, name="set_language"),
    path("administracion/", admin.site.urls),
]
