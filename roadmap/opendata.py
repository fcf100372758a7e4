"""The roadmap as open data: the JSON document of docs/contract.md and what each field means.

`roadmap_document` builds `/donnees/feuille-de-route.json`: the roadmap, its axes, their actions
with milestones and indicators, and every derived figure as computed for the pages (progress,
trajectory, forecast), so that a reuser gets the same numbers as a reader. Numbers are JSON
numbers (a whole Decimal becomes an integer: 140000, never "140000.0000"), dates ISO 8601,
unknowns `null`. The document follows `roadmap/schemas/feuille-de-route.schema.json`, which is
served beside it and checked by the tests.

A per-period indicator lists its periods, each against its own target, named by
`roadmap.french.period_label` (« 2024/2025 », « T1 2025 »…), always in French.

The workbook and the CSV files come from `roadmap.spreadsheets`, in the import format, with
the derived sheet « Périodes » (its rows named by `period_label` too); `COLUMN_DESCRIPTIONS`
and `SHEET_COLUMN_DESCRIPTIONS` say what each of their columns holds, for `/donnees/`.
Everything is read in a fixed number of queries, whatever the size of the roadmap.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import french, progress
from .models import Action, Milestone, Roadmap
from .queries import readings_of, roadmap_last_update, with_figures, with_last_update
from .site.legal import OPEN_LICENCE
from .summaries import summarise_action, summarise_indicators, summarise_milestones

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "feuille-de-route.schema.json"


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


def plain_number(value) -> int | float | None:
    """A JSON number: whole values as integers, others as floats, unknown as None
    (`french.plain_number`, its decimals as JSON floats)."""
    number = french.plain_number(value)
    return float(number) if isinstance(number, Decimal) else number


def iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def text_or_null(value: str) -> str | None:
    return value or None


def period_label(periodicity: str, start: datetime.date) -> str:
    """The period's name in French whatever the reader's language (« T1 2025 »): the open
    data speaks French, like its keys' values everywhere but `status_label`."""
    with translation.override("fr"):
        return french.period_label(periodicity, start)


def _milestone(summary) -> dict:
    milestone = summary.milestone
    return {
        "title": milestone.title,
        "due_date": iso(milestone.due_date),
        "done_on": iso(milestone.done_on),
        "original_due_date": iso(milestone.original_due_date),
        "overdue": summary.overdue,
        "interpretation": text_or_null(milestone.interpretation),
    }


def _period(periodicity: str, period: progress.PeriodFigures) -> dict:
    # French whatever the reader's language: only `status_label` follows it (docs/contract.md).
    with translation.override("fr"):
        label = period_label(periodicity, period.start)
    return {
        "label": label,
        "start": iso(period.start),
        "end": iso(period.end),
        "target": plain_number(period.target),
        "value": plain_number(period.value),
        "progress": plain_number(period.progress),
        "state": period.state,
        "reached": period.reached,
    }


def _targets(indicator) -> list[dict]:
    """The dated targets (`Target` rows, prefetched) and the final one, by date, the final one
    last among equal dates and an undated final one last of all."""
    targets = [
        {
            "date": iso(target.on),
            "value": plain_number(target.value),
            "source": target.source,
            "interpretation": text_or_null(target.interpretation),
        }
        for target in indicator.targets.all()
    ]
    targets.append(
        {
            "date": iso(indicator.target_date),
            "value": plain_number(indicator.target_value),
            "source": indicator.source,
            "interpretation": text_or_null(indicator.interpretation),
        }
    )
    # A stable sort: the final target stays after a dated target of the same day.
    return sorted(targets, key=lambda target: (target["date"] is None, target["date"] or ""))


def _indicator(summary, readings: list) -> dict:
    indicator, figures = summary.indicator, summary.figures
    upcoming = figures.next_target
    return {
        "code": indicator.code,
        "label": indicator.label,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "periodicity": indicator.periodicity or None,
        "summed_from": indicator.summed_from.code if indicator.summed_from_id else None,
        "retired_on": iso(indicator.retired_on),
        "baseline": plain_number(indicator.baseline_value),
        "baseline_date": iso(indicator.baseline_date),
        "target": plain_number(indicator.target_value),
        "target_date": iso(indicator.target_date),
        "targets": _targets(indicator),
        "source": indicator.source,
        "interpretation": text_or_null(indicator.interpretation),
        "latest_value": plain_number(figures.current),
        "latest_date": iso(figures.current_date),
        "progress": plain_number(figures.progress),
        "expected": plain_number(figures.expected),
        "on_track": figures.on_track,
        "next_target": (
            None
            if upcoming is None
            else {"date": iso(upcoming.on), "value": plain_number(upcoming.value)}
        ),
        "forecast": plain_number(figures.forecast),
        "reached": figures.reached,
        "periods": [_period(indicator.periodicity, period) for period in figures.periods],
        "measurements": [
            {
                "date": iso(measurement.date),
                "value": plain_number(measurement.value),
                "source": measurement.source,
                "comment": measurement.comment,
            }
            for measurement in readings
        ],
    }


def _action(action: Action, today: datetime.date, base_url: str, readings: dict) -> dict:
    milestones = summarise_milestones(action.milestones.all(), today)
    indicators = summarise_indicators(action.indicators.all(), today, readings)
    summary = summarise_action(action, today, milestones, indicators)
    return {
        "code": action.code,
        "slug": action.slug,
        "title": action.title,
        "url": base_url + action.get_absolute_url(),
        "description": action.description,
        "objective": action.objective,
        "framework": action.framework,
        "status": action.status or None,
        "status_label": action.status_label,
        "progress": plain_number(summary.progress),
        "lead": action.lead.acronym if action.lead else None,
        "partners": sorted(partner.acronym for partner in action.partners.all()),
        "start_date": iso(action.start_date),
        "end_date": iso(action.end_date),
        "last_update": iso(action.last_update),
        "overdue_milestones": summary.overdue_count,
        "stale": progress.is_stale(action.last_update, today),
        "milestones": [_milestone(item) for item in milestones],
        "indicators": [
            _indicator(item, readings.get(item.indicator.pk, [])) for item in indicators
        ],
    }


def roadmap_document(roadmap: Roadmap | None, today: datetime.date, base_url: str = "") -> dict:
    """The open data JSON of `roadmap` (docs/contract.md); `base_url` makes its links absolute."""
    if roadmap is None:
        return {"roadmap": None, "axes": []}
    # Measurements as light readings: at the large size, a hundred thousand model objects
    # would be most of the worker's memory.
    actions = with_last_update(
        with_figures(Action.objects.order_by("code"), measurements=False).prefetch_related(
            "partners"
        )
    )
    axes = roadmap.axes.order_by("number").prefetch_related(Prefetch("actions", actions))
    readings = readings_of(indicator__roadmap=roadmap)
    own_milestones = summarise_milestones(
        Milestone.objects.filter(roadmap=roadmap, action__isnull=True).order_by("due_date", "pk"),
        today,
    )
    return {
        "roadmap": {
            "title": roadmap.title,
            "slug": roadmap.slug,
            "period": roadmap.period or None,
            "source_title": roadmap.source_title,
            "source_date": iso(roadmap.source_date),
            "interpretation": text_or_null(roadmap.interpretation),
            "demonstration": roadmap.demonstration,
            "updated_at": iso(roadmap_last_update(roadmap)),
            "url": base_url + reverse("roadmap:dashboard"),
            "method_url": base_url + reverse("roadmap:method"),
            "milestones": [_milestone(item) for item in own_milestones],
            "license": dict(OPEN_LICENCE),
        },
        "axes": [
            {
                "number": axis.number,
                "short_title": axis.short_title,
                "title": axis.title,
                "url": base_url + axis.get_absolute_url(),
                "actions": [
                    _action(action, today, base_url, readings) for action in axis.actions.all()
                ],
            }
            for axis in axes
        ],
    }


# What each field of the JSON means, for the open data page (in the order of the document).
JSON_FIELDS = [
    ("roadmap.title", _("texte"), _("Titre de la feuille de route.")),
    ("roadmap.source_title", _("texte"), _("Titre du document source.")),
    ("roadmap.source_date", _("date"), _("Date de publication du document source.")),
    (
        "roadmap.interpretation",
        _("texte ou null"),
        _("La règle suivie pour ce que le document source ne dit pas tel quel (sa période)."),
    ),
    (
        "roadmap.demonstration",
        _("booléen"),
        _(
            "true quand une année de travail fictive a été jouée sur la feuille de route : ses "
            "statuts, mesures et points d'avancement sont alors des données de démonstration."
        ),
    ),
    (
        "roadmap.updated_at",
        _("date et heure"),
        _("Dernière modification d'une donnée de la feuille de route."),
    ),
    (
        "roadmap.license",
        _("objet"),
        _(
            "La licence des données : name (son nom, « Licence Ouverte 2.0 (Etalab) ») et url "
            "(son texte)."
        ),
    ),
    (
        "roadmap.milestones[]",
        _("liste"),
        _("Jalons de la feuille de route elle-même, rattachés à aucune action."),
    ),
    ("axes[].number", _("nombre"), _("Numéro de l'axe, de 1 à 4.")),
    ("axes[].title", _("texte"), _("Intitulé complet de l'axe.")),
    ("axes[].actions[].code", _("texte"), _("Code de l'action, par exemple « IA 2-1 ».")),
    ("axes[].actions[].slug", _("texte"), _("Identifiant de l'action dans les adresses.")),
    (
        "axes[].actions[].status",
        _("code ou null"),
        _(
            "Statut déclaré par la task force : not_started, in_progress, at_risk, late, done, "
            "abandoned ; null tant qu'il n'est pas renseigné."
        ),
    ),
    ("axes[].actions[].status_label", _("texte"), _("Le statut en toutes lettres.")),
    (
        "axes[].actions[].progress",
        _("nombre ou null"),
        _(
            "Avancement de l'action, de 0 à 100 : part des jalons réalisés, sinon moyenne de "
            "l'avancement de ses indicateurs ; null quand il n'est pas mesurable."
        ),
    ),
    (
        "axes[].actions[].lead",
        _("sigle ou null"),
        _("Organisation pilote ; null quand le document source n'en désigne pas."),
    ),
    ("axes[].actions[].partners", _("liste de sigles"), _("Organisations partenaires.")),
    (
        "axes[].actions[].last_update",
        _("date et heure ou null"),
        _(
            "Dernière modification faite par une personne (le chargement du document source "
            "n'en est pas une) ; null tant que personne n'a rien changé."
        ),
    ),
    (
        "axes[].actions[].milestones[]",
        _("liste"),
        _(
            "Jalons : title (intitulé), due_date (échéance), done_on (date de réalisation, null "
            "tant qu'il n'est pas réalisé), overdue (échéance dépassée sans réalisation), "
            "interpretation (la règle suivie quand l'échéance n'est pas écrite telle quelle "
            "dans la source, ou null)."
        ),
    ),
    (
        "axes[].actions[].indicators[]",
        _("liste"),
        _(
            "Indicateurs : code, label (libellé), unit (unité), kind (cumulative, per_period ou "
            "level), baseline et baseline_date (valeur et date de départ), target et target_date "
            "(cible finale et sa date ; pour un indicateur par période, la cible de chaque "
            "période)."
        ),
    ),
    (
        "…indicators[].periodicity",
        _("code ou null"),
        _(
            "Pour un indicateur par période : academic_year (année universitaire, de septembre "
            "à août), year (année civile), quarter (trimestre) ou month (mois) ; null sinon."
        ),
    ),
    (
        "…indicators[].periods[]",
        _("liste"),
        _(
            "Chaque période d'un indicateur par période, face à sa propre cible : label "
            "(« 2024/2025 », « 2025 », « T1 2025 », « janvier 2025 »), start et end (premier et "
            "dernier jour), target (sa cible), value (sa dernière valeur mesurée), progress (son "
            "avancement, de 0 à 100), state (past, current ou future), reached (pour une "
            "période passée : cible atteinte ou non) ; vide pour les autres indicateurs."
        ),
    ),
    (
        "…indicators[].targets[]",
        _("liste"),
        _(
            "Les cibles datées, la cible finale comprise, par date : date, value (valeur), "
            "source, interpretation (la règle suivie quand elle n'est pas écrite telle quelle "
            "dans la source, ou null)."
        ),
    ),
    (
        "…indicators[].interpretation",
        _("texte ou null"),
        _(
            "La règle suivie pour les valeurs de l'indicateur que le document source ne donne "
            "pas telles quelles (une date lue dans « avant l'été 2025 », une valeur initiale de "
            "0…) ; null quand tout est écrit dans la source."
        ),
    ),
    (
        "…indicators[].summed_from",
        _("code ou null"),
        _(
            "Le code de l'indicateur par période dont cet indicateur cumulatif additionne les "
            "périodes ; ses propres mesures ne comptent alors pas. null sinon."
        ),
    ),
    (
        "…indicators[].retired_on",
        _("date ou null"),
        _("Date à laquelle l'indicateur a été retiré (il n'est plus suivi) ; null sinon."),
    ),
    (
        "…indicators[].latest_value, latest_date",
        _("nombre, date ou null"),
        _(
            "Valeur actuelle et date de la dernière mesure (pour un indicateur par période, "
            "celles de la période en cours) ; null sans mesure."
        ),
    ),
    (
        "…indicators[].progress",
        _("nombre ou null"),
        _("Avancement vers la cible, de 0 à 100 ; null sans mesure."),
    ),
    (
        "…indicators[].on_track",
        _("booléen ou null"),
        _(
            "true quand la valeur actuelle atteint la trajectoire à sa date ; null quand la "
            "trajectoire ou la valeur est inconnue."
        ),
    ),
    (
        "…indicators[].next_target",
        _("objet ou null"),
        _(
            "La prochaine cible à atteindre, date et value ; null une fois la date de la cible "
            "finale passée."
        ),
    ),
    (
        "…indicators[].forecast",
        _("nombre ou null"),
        _(
            "Valeur projetée à la date de la prochaine cible au rythme constaté ; null une fois "
            "la date de la cible finale passée."
        ),
    ),
    (
        "…indicators[].reached",
        _("booléen ou null"),
        _(
            "Une fois la date de la cible finale passée : true si la cible a été atteinte, "
            "false sinon ; null avant."
        ),
    ),
    (
        "…indicators[].measurements[]",
        _("liste"),
        _("Mesures : date, value (valeur), source et comment (commentaire)."),
    ),
]

# What each column of the workbook and CSV files means, by header (docs/contract.md); a
# header shared by sheets of different meanings is described sheet by sheet.
COLUMN_DESCRIPTIONS = {
    "Code": _("Code de l'action (Actions) ou de l'indicateur (Indicateurs)."),
    "Axe": _("Numéro de l'axe de l'action."),
    "Titre": _("Titre de l'action."),
    "Description": _("Description de l'action."),
    "Statut": _("Statut déclaré, en toutes lettres ; vide tant qu'il n'est pas renseigné."),
    "Pilote": _("Sigle de l'organisation pilote ; vide quand elle reste à désigner."),
    "Partenaires": _("Sigles des organisations partenaires, séparés par des virgules."),
    "Début": _("Date de début de l'action (AAAA-MM-JJ)."),
    "Fin": _("Date de fin de l'action (AAAA-MM-JJ)."),
    "Action": _("Code de l'action à laquelle la ligne se rattache."),
    "Jalon": _("Intitulé du jalon."),
    "Échéance": _("Date prévue du jalon (AAAA-MM-JJ)."),
    "Réalisé le": _("Date de réalisation du jalon ; vide tant qu'il n'est pas réalisé."),
    "Indicateur": _("Libellé de l'indicateur (Indicateurs) ou son code (Mesures, Cibles)."),
    "Unité": _("Unité de l'indicateur : apprenants, €, parcours…"),
    "Type": _("Cumulatif, Par période ou Niveau : comment les mesures font la valeur actuelle."),
    "Valeur initiale": _("Valeur de départ de l'indicateur."),
    "Date initiale": _("Date de la valeur de départ (AAAA-MM-JJ)."),
    "Cible": _(
        "Valeur cible de l'indicateur : la cible finale, ou celle de chaque période pour un "
        "indicateur par période."
    ),
    "Date cible": _("Date à laquelle la cible finale doit être atteinte (AAAA-MM-JJ)."),
    "Sens": _("Plus haut est mieux, ou plus bas est mieux."),
    "Périodicité": _(
        "Pour un indicateur par période : Année universitaire (septembre à août), Année "
        "civile, Trimestre ou Mois ; vide pour les autres."
    ),
    "Première période": _(
        "Pour un indicateur par période : une date de sa première période (AAAA-MM-JJ)."
    ),
    "Nombre de périodes": _(
        "Pour un indicateur par période : combien de périodes il compte ; vide : les "
        "périodes continuent jusqu'à aujourd'hui."
    ),
    "Somme de": _(
        "Pour un indicateur cumulatif : le code de l'indicateur par période de la même action "
        "dont il additionne les périodes ; vide quand il est mesuré à part."
    ),
    "Interprétation": _(
        "La règle suivie quand une valeur n'est pas écrite telle quelle dans la source ; vide "
        "quand tout y est écrit."
    ),
    "Retiré le": _("Date à laquelle l'indicateur a été retiré ; vide tant qu'il est suivi."),
    "Date": _("Date de la mesure (AAAA-MM-JJ)."),
    "Valeur": _("Valeur mesurée, nombre sans séparateur de milliers."),
    "Source": _("D'où vient la mesure."),
    "Commentaire": _("Précision éventuelle sur la mesure."),
}
SHEET_COLUMN_DESCRIPTIONS = {
    ("Périodes", "Indicateur"): _("Code de l'indicateur par période."),
    ("Périodes", "Période"): _(
        "La période : « 2024/2025 » (année universitaire), « 2025 », « T1 2025 », « janvier 2025 »."
    ),
    ("Périodes", "Début"): _("Premier jour de la période (AAAA-MM-JJ)."),
    ("Périodes", "Fin"): _("Dernier jour de la période (AAAA-MM-JJ)."),
    ("Périodes", "Cible"): _(
        "La cible de la période : la sienne (feuille Cibles) ou, à défaut, celle de chaque "
        "période (feuille Indicateurs)."
    ),
    ("Périodes", "Valeur"): _(
        "La dernière valeur mesurée dans la période ; vide tant que rien n'y est mesuré."
    ),
    ("Périodes", "Avancement"): _(
        "Avancement de la période vers sa propre cible, en pourcentage de 0 à 100, arrondi au "
        "dixième ; vide sans mesure."
    ),
    ("Périodes", "État"): _(
        "« passée » (finie avant aujourd'hui), « en cours » (contient aujourd'hui) ou « à venir »."
    ),
    ("Périodes", "Atteinte"): _(
        "Pour une période passée : « oui » si sa cible a été atteinte, « non » sinon ; vide pour "
        "les autres, ou sans mesure."
    ),
    ("Cibles", "Date"): _(
        "Date de la cible (AAAA-MM-JJ) ; pour un indicateur par période, une date de la "
        "période qu'elle concerne."
    ),
    ("Cibles", "Valeur"): _("Valeur à atteindre à cette date, ou pour cette période."),
    ("Cibles", "Source"): _("La phrase ou le document qui fixe cette cible."),
}


def column_description(sheet: str, column: str) -> str:
    """What `column` of `sheet` holds, for the open data page."""
    return SHEET_COLUMN_DESCRIPTIONS.get((sheet, column)) or COLUMN_DESCRIPTIONS.get(column, "")
