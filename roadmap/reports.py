"""Council reports: their preparation, the frozen snapshot, its files (docs/domain.md).

- **Preparation.** While a report is `in_preparation`, each action either still needs an
  update for the session (nobody changed it since the report was opened: its « dernière mise
  à jour », `queries.with_last_update`, is older) or not, and is marked « à jour pour la
  séance » or not (`ActionReadiness`, with the decisions its pilots ask of the council).
  `preparation` counts the marked ones, by lead organisation.
- **Snapshot.** `publish` freezes the public roadmap as it stands: the open data document
  (`roadmap.opendata.roadmap_document`, itself read through `roadmap.queries` and shaped by
  `roadmap.summaries`, so the report holds exactly what the public pages show), plus each
  action's latest note, flags, organisations' names, readiness and decisions asked, and the
  wording of the method as it was. It is serialised once (`serialise`) and stored as text:
  every page and file of the report is drawn from that text, never from live data.
- **Files.** `workbook` writes the snapshot as a workbook; the JSON file is the stored text.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import progress
from .caching import writing
from .french import format_date
from .models import Action, ActionReadiness, Milestone, Report, ReportState, Roadmap
from .opendata import iso, roadmap_document
from .queries import involved_organisations, latest_notes
from .report_changes import actions_of, compare
from .spreadsheets.writing import new_book, workbook_bytes, write_sheet
from .summaries import CONTRADICTION_LABELS
from .writes import save_unless_changed

# The version of the snapshot's layout, so that a later reader can tell old documents apart:
# 2 gives each milestone of an action its `id` (1 had none: comparisons match by title).
SNAPSHOT_FORMAT = 2

# The reading notes printed with every report, frozen with it: a later rewording of the
# method does not change a published report (docs/domain.md « Méthode de calcul »).
METHOD_NOTES = (
    (
        gettext_lazy("Avancement d'une action"),
        gettext_lazy(
            "Part des jalons réalisés ; sans jalon, moyenne de l'avancement de ses "
            "indicateurs ; sinon « non mesuré »."
        ),
    ),
    (
        gettext_lazy("Avancement d'un indicateur"),
        gettext_lazy(
            "(valeur actuelle − valeur initiale) / (cible − valeur initiale), ramené entre "
            "0 et 100 %, dans le sens où l'indicateur progresse."
        ),
    ),
    (
        gettext_lazy("Points d'attention"),
        gettext_lazy(
            "Jalons en retard (échéance dépassée sans réalisation), aucune mise à jour depuis "
            "90 jours, statut déclaré que les faits contredisent."
        ),
    ),
)


def report_slug(meeting_date: datetime.date) -> str:
    """The report's address: « seance-2026-03-12 » (one report a session)."""
    return f"seance-{meeting_date.isoformat()}"


def default_title(meeting_date: datetime.date) -> str:
    """« Séance du Conseil du numérique en santé du 12 mars 2026 »: a title is data, kept with
    plain spaces like one an administrator types (the pages' no-break spaces are typography)."""
    with translation.override("fr"):
        title = _("Séance du Conseil du numérique en santé du %(date)s") % {
            "date": format_date(meeting_date)
        }
    return " ".join(title.split())


# --- Preparation


def needs_update(last_update: datetime.datetime | None, report: Report) -> bool:
    """True while nobody changed the action since `report` was opened."""
    return last_update is None or last_update < report.created_at


def readiness_of(report: Report, actions) -> dict[int, ActionReadiness]:
    """The readiness rows of `report` for `actions`, by action id, in one query."""
    return {
        row.action_id: row
        for row in ActionReadiness.objects.filter(report=report, action__in=actions).select_related(
            "ready_by"
        )
    }


def preparation(report: Report) -> dict:
    """How far along `report` is: n of the roadmap's actions ready, and by lead organisation
    (« Pilote à désigner » for the actions without one), in two queries."""
    actions = list(
        Action.objects.filter(roadmap=report.roadmap)
        .select_related("lead")
        .order_by("lead__acronym", "code")
        .values_list("pk", "lead__acronym", "lead__name")
    )
    ready = set(ActionReadiness.objects.filter(report=report).values_list("action_id", flat=True))
    rows: dict[str, dict] = {}
    for pk, acronym, name in actions:
        key = acronym or ""
        row = rows.setdefault(
            key,
            {"acronym": acronym, "name": name, "ready": 0, "total": 0},
        )
        row["total"] += 1
        row["ready"] += pk in ready
    # The actions without a lead last.
    organisations = sorted(rows.values(), key=lambda row: (row["acronym"] is None, row["acronym"]))
    return {
        "ready": sum(row["ready"] for row in organisations),
        "total": len(actions),
        "organisations": organisations,
    }


# --- The snapshot


def _note(entry) -> dict | None:
    note = entry.note if entry else None
    if note is None:
        return None
    author = note.author
    return {
        "written_on": iso(note.written_on),
        "done": note.done,
        "risks": note.risks,
        "next_steps": note.next_steps,
        "author": author.display_name,
        "organisation": author.organisation.acronym if author.organisation_id else None,
    }


def _progress_counts(action: dict) -> dict:
    milestones = action["milestones"]
    done = sum(1 for milestone in milestones if milestone["done_on"] is not None)
    counts = progress.action_progress_counts(
        done, len(milestones), [indicator["progress"] for indicator in action["indicators"]]
    )
    return {
        "percent": counts.percent,
        "basis": counts.basis,
        "done": counts.done,
        "total": counts.total,
        "count": counts.count,
    }


def _milestone_ids(roadmap: Roadmap) -> dict[int, list[tuple[int, str]]]:
    """Each action's milestones as (id, title), in the order of the open data document
    (`queries.with_figures`: by due date, then id), in one query."""
    by_action: dict[int, list[tuple[int, str]]] = {}
    rows = (
        Milestone.objects.filter(action__roadmap=roadmap)
        .order_by("action_id", "due_date", "pk")
        .values_list("action_id", "pk", "title")
    )
    for action_id, pk, title in rows:
        by_action.setdefault(action_id, []).append((pk, title))
    return by_action


def _name_milestones(milestones: list[dict], ids: list[tuple[int, str]]) -> None:
    """Give each milestone of the document its stable id, so that a later report knows it
    renamed (`report_changes`); read in the same transaction, both lists are in one order."""
    for milestone, (pk, title) in zip(milestones, ids, strict=True):
        if milestone["title"] != title:
            raise ValueError(f"milestone {pk} out of order in the snapshot")
        # The id first, as in every other record that has one.
        items = list(milestone.items())
        milestone.clear()
        milestone.update({"id": pk, **dict(items)})


def build_snapshot(report: Report, today: datetime.date, published_at, published_by) -> dict:
    """The frozen document of `report`: the public roadmap of `today` and all the report adds."""
    roadmap = report.roadmap
    with translation.override("fr"):
        document = roadmap_document(roadmap, today)
        names = {
            organisation.acronym: organisation.name or organisation.acronym
            for organisation in involved_organisations(roadmap)
        }
        notes = latest_notes(roadmap)
        ids = dict(Action.objects.filter(roadmap=roadmap).values_list("code", "pk"))
        ready = readiness_of(report, ids.values())
        milestone_ids = _milestone_ids(roadmap)
        for axis in document["axes"]:
            for action in axis["actions"]:
                # Each indicator's latest value, periods and targets are kept; its whole series
                # of measurements stays in the open data (at the large size, most of the
                # document, read again by every page of the report).
                for indicator in action["indicators"]:
                    del indicator["measurements"]
                pk = ids[action["code"]]
                _name_milestones(action["milestones"], milestone_ids.get(pk, []))
                row = ready.get(pk)
                open_count = sum(1 for m in action["milestones"] if m["done_on"] is None)
                action.update(
                    {
                        "lead_name": names.get(action["lead"]) if action["lead"] else None,
                        "partner_names": [names.get(p, p) for p in action["partners"]],
                        "progress_counts": _progress_counts(action),
                        "contradictions": [
                            str(CONTRADICTION_LABELS[code])
                            for code in progress.contradictions(
                                action["status"], action["overdue_milestones"], open_count
                            )
                        ],
                        "latest_note": _note(notes.get(pk)),
                        "note_count": notes[pk].count if pk in notes else 0,
                        "ready": row is not None,
                        "decisions": (row.decisions or None) if row else None,
                    }
                )
        actions = [action for axis in document["axes"] for action in axis["actions"]]
        statuses = {}
        for action in actions:
            statuses.setdefault(action["status"], [action["status_label"], 0])[1] += 1
        return {
            "format": SNAPSHOT_FORMAT,
            "report": {
                "title": report.title,
                "slug": report.slug,
                "meeting_date": iso(report.meeting_date),
                "deadline": iso(report.deadline),
                "opened_at": iso(report.created_at),
                "published_at": iso(published_at),
                "published_by": published_by.display_name if published_by else None,
                "today": iso(today),
            },
            "summary": {
                "actions": len(actions),
                "ready": sum(1 for action in actions if action["ready"]),
                "statuses": [
                    {"status": status, "label": label, "count": count}
                    for status, (label, count) in sorted(
                        statuses.items(), key=lambda item: (item[0] is None, item[0] or "")
                    )
                ],
                "overdue_milestones": sum(action["overdue_milestones"] for action in actions),
                "stale": sum(1 for action in actions if action["stale"]),
                "decisions": sum(1 for action in actions if action["decisions"]),
            },
            "method": [{"title": str(title), "text": str(text)} for title, text in METHOD_NOTES],
            "roadmap": document["roadmap"],
            "axes": document["axes"],
        }


def serialise(snapshot: dict) -> str:
    """The snapshot as the text kept for good and served as the report's JSON file."""
    return json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n"


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
# The keys of the snapshot that hold a date or a moment (others, such as a label, never do).
DATE_KEYS = {
    "meeting_date",
    "deadline",
    "opened_at",
    "published_at",
    "today",
    "source_date",
    "updated_at",
    "due_date",
    "done_on",
    "original_due_date",
    "baseline_date",
    "target_date",
    "latest_date",
    "date",
    "start",
    "end",
    "retired_on",
    "start_date",
    "end_date",
    "last_update",
    "written_on",
}


def _dated(pairs):
    thawed = {}
    for key, value in pairs:
        if key in DATE_KEYS and isinstance(value, str):
            if _DATE.match(value):
                value = datetime.date.fromisoformat(value)
            elif _MOMENT.match(value):
                value = datetime.datetime.fromisoformat(value)
        thawed[key] = value
    return thawed


def load(text: str) -> dict:
    """The stored snapshot, its dates and moments as Python dates (for pages and comparisons)."""
    return json.loads(text, object_pairs_hook=_dated)


# --- Reading


def _bars(indicator: dict) -> list[dict]:
    """The bars of a per-period indicator's chart, each period's value and target as a share
    of the highest of them (0–100), from the snapshot's figures."""
    periods = indicator["periods"]
    highest = max([p["value"] or 0 for p in periods] + [p["target"] or 0 for p in periods] + [0])
    if not highest:
        return []
    bars = []
    for index, period in enumerate(periods):
        height = round((period["value"] or 0) / highest * 100, 1)
        target = period["target"]
        bars.append(
            {
                "x": index * 30,
                "y": round(100 - height, 1),
                "height": height,
                "target_y": None if target is None else round(100 - target / highest * 100, 1),
            }
        )
    return bars


def report_context(report: Report, since: Report | None, earlier: list[Report]) -> dict:
    """What the report's page and its PDF show, from the frozen snapshots alone: `report`
    compared with `since` (None: the first report), `earlier` for the choice of another."""
    snapshot = load(report.snapshot)
    for action in actions_of(snapshot):
        for indicator in action["indicators"]:
            indicator["bars"] = _bars(indicator)
            indicator["chart_width"] = max(30 * len(indicator["bars"]), 30)
    changes = compare(load(since.snapshot), snapshot) if since is not None else None
    return {
        "report": report,
        "snapshot": snapshot,
        "since": since,
        "earlier": earlier,
        "changes": changes,
        "decisions": [action for action in actions_of(snapshot) if action["decisions"]],
    }


# --- Opening and publishing


def open_report(roadmap: Roadmap, title: str, meeting_date, deadline, user) -> Report:
    """A new report in preparation (the caller has checked that none is)."""
    with writing():
        return Report.objects.create(
            roadmap=roadmap,
            title=title,
            slug=report_slug(meeting_date),
            meeting_date=meeting_date,
            deadline=deadline,
            opened_by=user,
        )


def publish(report: Report, version: int, user, today: datetime.date | None = None):
    """Freeze and publish `report`, unless someone changed it since `version` was read (the
    caller reports the conflict): `writes.Locked`. The snapshot is built in the same
    transaction as the publication, so it is the roadmap of that very moment."""
    today = today or timezone.localdate()
    with writing():
        now = timezone.now()
        snapshot = build_snapshot(report, today, now, user)
        return save_unless_changed(
            Report,
            report.pk,
            version,
            state=ReportState.PUBLISHED,
            snapshot=serialise(snapshot),
            published_at=now,
            published_by=user,
        )


def earlier_reports(report: Report) -> list[Report]:
    """The published reports of the same roadmap before `report`, the latest first."""
    return list(
        Report.objects.published()
        .filter(roadmap_id=report.roadmap_id)
        .filter(
            Q(meeting_date__lt=report.meeting_date)
            | Q(meeting_date=report.meeting_date, pk__lt=report.pk)
        )
        .defer("snapshot", "pdf")
    )


# --- Files


def _cell(value):
    """A snapshot value as `write_sheet` writes it: lists joined, yes/no in words, numbers as
    decimals (exact in the cell), moments without their time zone (Excel has none)."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def workbook(snapshot: dict) -> bytes:
    """The frozen report as a workbook, one sheet per kind of row, headers in French, text that
    a spreadsheet would run as a formula kept as text (`spreadsheets.writing.write_sheet`); its
    properties dated by the publication, so that the same snapshot gives the same file."""
    with translation.override("fr"):
        report, summary = snapshot["report"], snapshot["summary"]
        sheets = {
            _("Rapport"): [
                [_("Titre"), report["title"]],
                [_("Séance"), report["meeting_date"]],
                [_("Publié le"), report["published_at"]],
                [_("Actions"), summary["actions"]],
                [_("Actions à jour pour la séance"), summary["ready"]],
            ],
            _("Actions"): [],
            _("Jalons"): [],
            _("Indicateurs"): [],
            _("Périodes"): [],
        }
        headers = {
            _("Rapport"): [_("Rubrique"), _("Valeur")],
            _("Actions"): [
                _("Axe"),
                _("Code"),
                _("Titre"),
                _("Statut"),
                _("Avancement"),
                _("Pilote"),
                _("Partenaires"),
                _("Jalons en retard"),
                _("Sans mise à jour depuis 90 jours"),
                _("Dernière mise à jour"),
                _("Dernier point d'avancement"),
                _("À jour pour la séance"),
                _("Décisions demandées au Conseil"),
            ],
            _("Jalons"): [_("Action"), _("Jalon"), _("Échéance"), _("Réalisé le")],
            _("Indicateurs"): [
                _("Action"),
                _("Code"),
                _("Indicateur"),
                _("Unité"),
                _("Valeur initiale"),
                _("Cible"),
                _("Date cible"),
                _("Dernière valeur"),
                _("Date de la valeur"),
                _("Avancement"),
            ],
            _("Périodes"): [
                _("Indicateur"),
                _("Période"),
                _("Début"),
                _("Fin"),
                _("Cible"),
                _("Valeur"),
                _("Avancement"),
            ],
        }
        actions, milestones, indicators, periods = (
            sheets[_("Actions")],
            sheets[_("Jalons")],
            sheets[_("Indicateurs")],
            sheets[_("Périodes")],
        )
        for axis in snapshot["axes"]:
            for action in axis["actions"]:
                note = action["latest_note"]
                actions.append(
                    [
                        axis["number"],
                        action["code"],
                        action["title"],
                        action["status_label"],
                        action["progress"],
                        action["lead_name"] or _("Pilote à désigner"),
                        action["partners"],
                        action["overdue_milestones"],
                        action["stale"],
                        action["last_update"],
                        note["done"] if note else None,
                        action["ready"],
                        action["decisions"],
                    ]
                )
                for milestone in action["milestones"]:
                    milestones.append(
                        [
                            action["code"],
                            milestone["title"],
                            milestone["due_date"],
                            milestone["done_on"],
                        ]
                    )
                for indicator in action["indicators"]:
                    indicators.append(
                        [
                            action["code"],
                            indicator["code"],
                            indicator["label"],
                            indicator["unit"],
                            indicator["baseline"],
                            indicator["target"],
                            indicator["target_date"],
                            indicator["latest_value"],
                            indicator["latest_date"],
                            indicator["progress"],
                        ]
                    )
                    periods.extend(
                        [
                            indicator["code"],
                            period["label"],
                            period["start"],
                            period["end"],
                            period["target"],
                            period["value"],
                            period["progress"],
                        ]
                        for period in indicator["periods"]
                    )
        book = new_book()
        for title, rows in sheets.items():
            write_sheet(book, title, headers[title], ([_cell(v) for v in row] for row in rows))
        moment = report["published_at"].replace(tzinfo=None)
        book.properties.created = moment
        book.properties.modified = moment
        book.properties.creator = "IA en santé"
        return workbook_bytes(book)
