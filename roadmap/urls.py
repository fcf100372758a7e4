"""URLs: the public contract of docs/contract.md (French, stable), the admin and sign-in."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_safe

from .caching import cached_for_readers
from .feeds import JournalFeed
from .views import bench, edit, opendata, ops, public

app_patterns = (
    [
        path("", public.dashboard, name="dashboard"),
        path("axes/<int:number>/", public.axis_detail, name="axis"),
        path("actions/<slug:slug>/", public.action_detail, name="action"),
        path("indicateurs/", public.indicators, name="indicators"),
        path("methode/", public.method, name="method"),
        path("journal/", public.journal, name="journal"),
        path(
            "journal/atom.xml", require_safe(cached_for_readers(JournalFeed())), name="journal-feed"
        ),
        # Open data: the page, then its files.
        path("donnees/", opendata.index, name="opendata"),
        path("donnees/feuille-de-route.json", opendata.roadmap_json, name="opendata-json"),
        path(
            "donnees/feuille-de-route.schema.json",
            opendata.roadmap_schema,
            name="opendata-schema",
        ),
        path("donnees/feuille-de-route.xlsx", opendata.workbook, name="opendata-xlsx"),
        path("donnees/<slug:sheet>.csv", opendata.sheet_csv, name="opendata-csv"),
        # The task force's edits: POST only, each also answering HTMX with the changed section.
        path("actions/<slug:slug>/statut/", edit.change_status, name="edit-status"),
        path("actions/<slug:slug>/jalons/", edit.add_milestone, name="edit-milestone-add"),
        path(
            "actions/<slug:slug>/jalons/<int:pk>/realisation/",
            edit.tick_milestone,
            name="edit-milestone-done",
        ),
        path(
            "actions/<slug:slug>/jalons/<int:pk>/echeance/",
            edit.reschedule_milestone,
            name="edit-milestone-reschedule",
        ),
        path(
            "actions/<slug:slug>/indicateurs/<str:code>/mesures/",
            edit.add_measurement,
            name="edit-measurement",
        ),
        path("actions/<slug:slug>/points/", edit.add_note, name="edit-note"),
        path("mes-actions/", edit.my_actions, name="my-actions"),
    ],
    "roadmap",
)

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(app_patterns)),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("bench/bare", bench.bare, name="bench-bare"))
