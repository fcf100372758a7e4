"""URLs: the public contract of docs/contract.md (French, stable), the admin and sign-in."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_safe

from .caching import cached_for_readers
from .feeds import JournalFeed
from .views import action, bench, edit, my_actions, opendata, ops, public

# The task force's edits, under an action's URL: POST only, each also answering HTMX with the
# changed section.
EDITS = (
    ("statut/", edit.change_status, "edit-status"),
    ("jalons/", edit.add_milestone, "edit-milestone-add"),
    ("jalons/<int:pk>/realisation/", edit.tick_milestone, "edit-milestone-done"),
    ("jalons/<int:pk>/echeance/", edit.reschedule_milestone, "edit-milestone-reschedule"),
    ("indicateurs/<str:code>/mesures/", edit.add_measurement, "edit-measurement"),
    ("points/", edit.add_note, "edit-note"),
)
# Open data: the page, then its files.
OPEN_DATA = (
    ("", opendata.index, "opendata"),
    ("feuille-de-route.json", opendata.roadmap_json, "opendata-json"),
    ("feuille-de-route.schema.json", opendata.roadmap_schema, "opendata-schema"),
    ("feuille-de-route.xlsx", opendata.workbook, "opendata-xlsx"),
    ("<slug:sheet>.csv", opendata.sheet_csv, "opendata-csv"),
)
journal_feed = require_safe(cached_for_readers(JournalFeed()))

app_patterns = (
    [
        path("", public.dashboard, name="dashboard"),
        path("axes/<int:number>/", public.axis_detail, name="axis"),
        path("actions/<slug:slug>/", action.action_detail, name="action"),
        path("indicateurs/", public.indicators, name="indicators"),
        path("methode/", public.method, name="method"),
        path("journal/", public.journal, name="journal"),
        path("journal/atom.xml", journal_feed, name="journal-feed"),
        *(path(f"donnees/{route}", view, name=name) for route, view, name in OPEN_DATA),
        *(path(f"actions/<slug:slug>/{route}", view, name=name) for route, view, name in EDITS),
        path("mes-actions/", my_actions.my_actions, name="my-actions"),
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
