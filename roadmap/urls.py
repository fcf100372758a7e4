"""The roadmap app's URLs: the public contract of docs/contract.md (French, stable). The site's
own (admin, sign-in, language, health check) are in roadmap/site/urls.py, which includes these."""

from django.urls import path
from django.views.decorators.http import require_safe

from .caching import cached_for_readers
from .feeds import JournalFeed
from .views import action, edit, indicators, legal, my_actions, opendata, public, reports, review

# The task force's edits, under an action's URL: POST only, each also answering HTMX with the
# changed section.
EDITS = (
    ("statut/", edit.change_status, "edit-status"),
    ("jalons/", edit.add_milestone, "edit-milestone-add"),
    ("jalons/<int:pk>/realisation/", edit.tick_milestone, "edit-milestone-done"),
    ("jalons/<int:pk>/echeance/", edit.reschedule_milestone, "edit-milestone-reschedule"),
    ("indicateurs/<str:code>/mesures/", edit.add_measurement, "edit-measurement"),
    ("points/", edit.add_note, "edit-note"),
    # Corrections of what awaits review or was returned (docs/domain.md « Relecture »).
    ("mesures/<int:pk>/", edit.correct_measurement, "edit-measurement-correct"),
    ("points/<int:pk>/", edit.correct_note, "edit-note-correct"),
    # The indicators a member keeps, and their dated targets.
    ("indicateurs/ajouter/", indicators.add_indicator, "edit-indicator-add"),
    ("indicateurs/<str:code>/modifier/", indicators.change_indicator, "edit-indicator"),
    ("indicateurs/<str:code>/retirer/", indicators.retire_indicator, "edit-indicator-retire"),
    (
        "indicateurs/<str:code>/remettre/",
        indicators.restore_indicator,
        "edit-indicator-restore",
    ),
    ("indicateurs/<str:code>/cibles/", indicators.add_target, "edit-target-add"),
    ("indicateurs/<str:code>/cibles/<int:pk>/", indicators.change_target, "edit-target"),
    (
        "indicateurs/<str:code>/cibles/<int:pk>/supprimer/",
        indicators.remove_target,
        "edit-target-remove",
    ),
    # Administrators only: who leads the action, who partners it.
    ("pilotes/", edit.designate_pilots, "edit-pilots"),
    # « À jour pour la séance » of the council report in preparation.
    ("seance/", reports.mark_ready, "edit-session-ready"),
)
# Open data: the page, then its files.
OPEN_DATA = (
    ("", opendata.index, "opendata"),
    ("feuille-de-route.json", opendata.roadmap_json, "opendata-json"),
    ("feuille-de-route.schema.json", opendata.roadmap_schema, "opendata-schema"),
    ("feuille-de-route.xlsx", opendata.workbook, "opendata-xlsx"),
    ("<slug:sheet>.csv", opendata.sheet_csv, "opendata-csv"),
)
# The pages every French State site must have, linked from the footer of every page.
STATE_PAGES = (
    ("accessibilite/", legal.accessibility, "accessibility"),
    ("mentions-legales/", legal.legal_notice, "legal-notice"),
    ("donnees-personnelles/", legal.personal_data, "personal-data"),
    ("plan-du-site/", legal.sitemap, "sitemap"),
)
# Council reports: the list, the preparation (administrators), then each report and its files.
REPORTS = (
    ("", reports.report_list, "reports"),
    ("preparation/", reports.report_preparation, "report-preparation"),
    ("<slug:slug>/", reports.report_detail, "report"),
    ("<slug:slug>/publier/", reports.report_publish, "report-publish"),
    ("<slug:slug>.pdf", reports.report_pdf, "report-pdf"),
    ("<slug:slug>.xlsx", reports.report_xlsx, "report-xlsx"),
    ("<slug:slug>.json", reports.report_json, "report-json"),
)
journal_feed = require_safe(cached_for_readers(JournalFeed()))

app_name = "roadmap"
urlpatterns = [
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
    *(path(route, view, name=name) for route, view, name in STATE_PAGES),
    *(path(f"rapports/{route}", view, name=name) for route, view, name in REPORTS),
    path("a-valider/", review.review, name="review"),
]
