"""Synthetic roadmaps of any size, for benchmarks and tests (`manage.py generate_roadmap`).

A generated roadmap has the shape of a real one: axes; actions with a lead (or « Pilote à
désigner ») and partners among real-looking organisations, a declared status reached through
dated changes; milestones, some done (on time or late), some overdue, some rescheduled;
indicators of the three kinds with baselines, targets and dates; monthly measurements over
years, some series stopped months ago; dated progress notes signed by generated task-force
members; and the django-simple-history rows that all of this would have left behind, dated
when it happened, so that the history, the journal and « no update for 90 days » look real.

Everything is drawn from one `random.Random(seed)` and dated from a reference date (today by
default): the same seed and date give the same roadmap, field for field. Nothing it writes can
be mistaken for real data: generated usernames start with `synthetique-`, measurement sources
with « Données synthétiques ». `real_data()` uses these marks to refuse a database that holds
anything else (measurements, progress notes, users other than the demo accounts).

Speed: rows are written with `bulk_create`, history rows too (built here rather than through
simple-history's signals, which `bulk_create` does not send), with their own timestamps (the
`auto_now` fields are switched off while writing). The benchmark's large size builds in seconds.
"""

from __future__ import annotations

import calendar
import datetime
import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from accounts.management.commands.seed_demo import DEMO_ACCOUNTS
from accounts.models import Organisation, Role, User
from roadmap.caching import writing

from .models import (
    Action,
    Axis,
    Direction,
    Indicator,
    Kind,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Status,
)

SYNTHETIC_USER_PREFIX = "synthetique-"
SYNTHETIC_SOURCE = "Données synthétiques"
CREATION_REASON = "données synthétiques"
BATCH = 2000
MEASUREMENT_FLUSH = 20_000  # measurements kept in memory before they are written


@dataclass(frozen=True)
class Sizes:
    """How big a roadmap to generate: everything is per action, so counts are exact."""

    actions: int
    milestones_per_action: int = 5
    indicators_per_action: int = 3
    measurements_per_indicator: int = 24
    notes_per_action: int = 3
    axes: int | None = None

    @property
    def axis_count(self) -> int:
        if self.axes:
            return self.axes
        # A handful of axes, and more as the roadmap grows (1 000 actions: 10 axes).
        return 4 if self.actions <= 200 else min(len(THEMES), math.ceil(self.actions / 100))


# Issue 7's large size: 1 000 actions, 5 000 milestones, 3 000 indicators, ~100 000 measurements.
LARGE = Sizes(
    actions=1000,
    milestones_per_action=5,
    indicators_per_action=3,
    measurements_per_indicator=34,
    notes_per_action=4,
)


@dataclass
class Report:
    roadmap: Roadmap
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# Real data


def real_data() -> list[str]:
    """What the database holds that this module did not write, in French (empty: safe)."""
    demo = [username for username, *_rest in DEMO_ACCOUNTS]
    found = [
        (
            Measurement.objects.exclude(source__startswith=SYNTHETIC_SOURCE).count(),
            "mesure",
            "mesures",
        ),
        (
            ProgressNote.objects.exclude(
                author__username__startswith=SYNTHETIC_USER_PREFIX
            ).count(),
            "point d'avancement",
            "points d'avancement",
        ),
        (
            User.objects.exclude(username__startswith=SYNTHETIC_USER_PREFIX)
            .exclude(username__in=demo)
            .count(),
            "utilisateur autre que les comptes de démonstration",
            "utilisateurs autres que les comptes de démonstration",
        ),
    ]
    return [
        f"{french_number(count)} {singular if count == 1 else plural}"
        for count, singular, plural in found
        if count
    ]


def french_number(value: int) -> str:
    """« 100 000 », with the no-break space French typography puts between thousands."""
    return f"{value:,}".replace(",", "\u202f")


# ---------------------------------------------------------------------------------------------
# French vocabulary


THEMES = [
    ("Prévention", "Prévenir les maladies et rendre chacun acteur de sa santé grâce à l'IA"),
    ("Prise en charge", "Libérer du temps soignant et améliorer les prises en charge avec l'IA"),
    ("Accès à la santé", "Faciliter l'accès aux soins et l'orientation des patients"),
    ("Cadre propice", "Bâtir un cadre de confiance et un modèle économique durable"),
    ("Données de santé", "Valoriser les données de santé au service de la recherche et du soin"),
    ("Formation", "Former les professionnels de santé et les experts du numérique"),
    ("Recherche", "Soutenir la recherche et l'innovation en IA en santé"),
    ("Éthique", "Garantir une IA éthique, explicable et respectueuse des droits des patients"),
    ("Médico-social", "Déployer l'IA dans le secteur médico-social et l'autonomie"),
    ("Territoires", "Accompagner les territoires et les établissements dans leurs projets"),
    ("Évaluation", "Évaluer les solutions d'IA et en mesurer les bénéfices"),
    ("Souveraineté", "Renforcer la souveraineté et la sécurité des infrastructures"),
]

ORGANISATIONS = [
    ("DNS", "Délégation au numérique en santé"),
    ("DGOS", "Direction générale de l'offre de soins"),
    ("AIS", "Agence de l'innovation en santé"),
    ("HAS", "Haute Autorité de santé"),
    ("CNAM", "Caisse nationale de l'Assurance maladie"),
    ("ANS", "Agence du numérique en santé"),
    ("HDH", "Plateforme des données de santé"),
    ("DREES", "Direction de la recherche, des études, de l'évaluation et des statistiques"),
    ("DGRI", "Direction générale de la recherche et de l'innovation"),
    ("DGE", "Direction générale des entreprises"),
    ("DGS", "Direction générale de la santé"),
    ("DSS", "Direction de la sécurité sociale"),
    ("DGCS", "Direction générale de la cohésion sociale"),
    ("ATIH", "Agence technique de l'information sur l'hospitalisation"),
    ("ANSM", "Agence nationale de sécurité du médicament et des produits de santé"),
    ("SpF", "Santé publique France"),
    ("CNSA", "Caisse nationale de solidarité pour l'autonomie"),
    ("CNIL", "Commission nationale de l'informatique et des libertés"),
    ("INSERM", "Institut national de la santé et de la recherche médicale"),
    ("Inria", "Institut national de recherche en sciences et technologies du numérique"),
    ("ANAP", "Agence nationale de la performance sanitaire et médico-sociale"),
    ("EHESP", "École des hautes études en santé publique"),
    ("ARS Île-de-France", "Agence régionale de santé Île-de-France"),
    ("ARS Auvergne-Rhône-Alpes", "Agence régionale de santé Auvergne-Rhône-Alpes"),
    ("ARS Bretagne", "Agence régionale de santé Bretagne"),
    ("ARS Grand Est", "Agence régionale de santé Grand Est"),
    ("ARS Occitanie", "Agence régionale de santé Occitanie"),
    ("ARS Nouvelle-Aquitaine", "Agence régionale de santé Nouvelle-Aquitaine"),
    ("ARS Hauts-de-France", "Agence régionale de santé Hauts-de-France"),
    ("ARS Provence-Alpes-Côte d'Azur", "Agence régionale de santé Provence-Alpes-Côte d'Azur"),
]
# The central bodies lead most actions; regional agencies mostly partner.
CENTRAL = 8

FIRST_NAMES = [
    "Camille", "Julien", "Sophie", "Nicolas", "Claire", "Thomas", "Émilie", "Antoine", "Léa",
    "Mathieu", "Isabelle", "Karim", "Nadia", "Hugo", "Chloé", "Pierre", "Manon", "Yann", "Inès",
    "Olivier", "Aurélie", "Mehdi", "Sandrine", "Bastien",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "Mercier", "Dupont", "Lambert", "Bonnet", "Legrand", "Chevalier", "Gauthier",
]  # fmt: skip

VERBS = [
    "Déployer", "Accompagner", "Évaluer", "Financer", "Généraliser", "Structurer", "Encadrer",
    "Expérimenter", "Soutenir", "Développer", "Industrialiser", "Mutualiser",
]  # fmt: skip
OBJECTS = [
    "des systèmes d'IA d'aide au diagnostic en imagerie",
    "l'usage de l'IA générative pour la rédaction des comptes rendus",
    "des entrepôts de données de santé hospitaliers",
    "la télésurveillance assistée par l'IA",
    "un référentiel d'évaluation des dispositifs médicaux numériques",
    "la détection précoce des cancers par l'IA",
    "des assistants de codage médical",
    "la prévention des risques cardiovasculaires par l'analyse des données",
    "l'orientation des patients aux urgences",
    "la pharmacovigilance augmentée",
    "l'optimisation des plannings soignants",
    "le dépistage de la rétinopathie diabétique",
    "la transcription automatique des consultations",
    "l'aide à la prescription médicamenteuse",
    "la prédiction des réhospitalisations",
    "l'analyse automatisée des lames d'anatomopathologie",
]
CONTEXTS = [
    "dans les établissements de santé",
    "en médecine de ville",
    "dans le secteur médico-social",
    "dans les territoires ultramarins",
    "en santé mentale",
    "pour les maladies rares",
    "dans les centres hospitaliers universitaires",
    "à l'échelle nationale",
    "dans les maisons de santé pluriprofessionnelles",
    "en lien avec les agences régionales de santé",
]
FRAMEWORKS = [
    "Stratégie d'accélération « Santé numérique » de France 2030",
    "Ségur du numérique en santé",
    "Feuille de route du numérique en santé 2023-2027",
    "Programme ESMS numérique",
    "Plan Innovation Santé 2030",
    "Stratégie nationale pour l'intelligence artificielle",
    "",
]
MILESTONE_STEPS = [
    "Constitution du comité de pilotage",
    "Recrutement de l'équipe projet",
    "Consultation des parties prenantes",
    "Publication du cahier des charges",
    "Lancement de l'appel à projets",
    "Sélection des lauréats",
    "Signature des conventions de financement",
    "Ouverture de la plateforme",
    "Démarrage de l'expérimentation dans les sites pilotes",
    "Formation des premiers utilisateurs",
    "Premier bilan d'étape",
    "Publication du référentiel",
    "Évaluation intermédiaire",
    "Extension à de nouvelles régions",
    "Généralisation du dispositif",
    "Rapport d'évaluation final",
]

# (label, unit, abbreviation, typical target, direction); « % » targets stay within 0-100.
INDICATOR_TEMPLATES = {
    Kind.CUMULATIVE: [
        ("Professionnels formés depuis le lancement", "professionnels", "FORM", 50_000, "higher"),
        ("Établissements équipés", "établissements", "ETAB", 800, "higher"),
        ("Patients inclus dans le dispositif", "patients", "PAT", 20_000, "higher"),
        ("Crédits engagés", "€", "CRED", 30_000_000, "higher"),
        ("Projets financés", "projets", "PROJ", 120, "higher"),
        ("Solutions évaluées", "solutions", "EVAL", 60, "higher"),
    ],
    Kind.PER_PERIOD: [
        ("Apprenants formés par an", "apprenants", "APP", 70_000, "higher"),
        ("Examens analysés par an avec l'appui de l'IA", "examens", "EXAM", 400_000, "higher"),
        ("Téléconsultations par an", "téléconsultations", "TLC", 150_000, "higher"),
        ("Signalements traités par an", "signalements", "SIG", 12_000, "higher"),
        ("Heures de temps soignant libérées par an", "heures", "TPS", 250_000, "higher"),
    ],
    Kind.LEVEL: [
        ("Parcours de master ouverts", "parcours", "MAST", 15, "higher"),
        ("Part des établissements utilisant une solution d'IA", "%", "USAGE", 60, "higher"),
        ("Délai moyen d'accès à un avis spécialisé", "jours", "DELAI", 20, "lower"),
        ("Part des comptes rendus structurés", "%", "CR", 80, "higher"),
        ("Taux de réhospitalisation à 30 jours", "%", "REHOSP", 8, "lower"),
        ("Régions couvertes", "régions", "REG", 18, "higher"),
    ],
}
SOURCES = [
    "tableau de bord de la DNS",
    "enquête trimestrielle de la DGOS",
    "remontées des agences régionales de santé",
    "Système national des données de santé",
    "rapport d'activité des porteurs de projet",
    "plateforme de suivi des financements",
]
COMMENTS = ["Valeur provisoire", "Donnée consolidée", "Estimation", "Périmètre élargi"]

STATUS_WEIGHTS = [
    ("", 10),
    (Status.NOT_STARTED, 10),
    (Status.IN_PROGRESS, 45),
    (Status.AT_RISK, 12),
    (Status.LATE, 10),
    (Status.DONE, 8),
    (Status.ABANDONED, 5),
]
STATUS_PATHS = {
    "": [],
    Status.NOT_STARTED: [Status.NOT_STARTED],
    Status.IN_PROGRESS: [Status.NOT_STARTED, Status.IN_PROGRESS],
    Status.AT_RISK: [Status.IN_PROGRESS, Status.AT_RISK],
    Status.LATE: [Status.IN_PROGRESS, Status.AT_RISK, Status.LATE],
    Status.DONE: [Status.IN_PROGRESS, Status.DONE],
    Status.ABANDONED: [Status.NOT_STARTED, Status.ABANDONED],
}

NOTES_DONE = [
    "Le comité de pilotage s'est réuni et a validé le calendrier de déploiement.",
    "Les premiers sites pilotes ont démarré ; les retours des équipes sont positifs.",
    "Le cahier des charges a été relu par les partenaires et publié.",
    "Les conventions de financement ont été signées avec {n} porteurs de projet.",
    "Une session de formation a réuni {n} professionnels.",
    "Les données du premier trimestre ont été consolidées et transmises.",
    "La plateforme est ouverte aux établissements volontaires.",
    "L'évaluation intermédiaire a été remise au comité de pilotage.",
]
NOTES_RISKS = [
    "",
    "Difficultés de recrutement dans l'équipe projet.",
    "Retard de livraison de l'éditeur retenu.",
    "Disponibilité des données plus tardive que prévu.",
    "Validation juridique en attente (analyse d'impact).",
    "Mobilisation inégale des établissements selon les régions.",
]
NOTES_NEXT = [
    "",
    "Préparer le bilan d'étape pour le prochain Conseil du numérique en santé.",
    "Étendre l'expérimentation à {n} nouveaux établissements.",
    "Lancer la deuxième vague de l'appel à projets.",
    "Publier les premiers résultats sur le site.",
    "Organiser un atelier avec les fédérations hospitalières.",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months_before(day: datetime.date, count: int) -> datetime.date:
    """The last day of the month `count` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - count
    return _month_end(index // 12, index % 12 + 1)


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@contextmanager
def _own_timestamps(*models) -> Iterator[None]:
    """Let rows keep the created/updated moments given to them, instead of « now »."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _insert(model, items: list) -> list:
    """`bulk_create` of model instances, or of dicts of column values by attname (cheaper to
    build by the hundred thousand), several times faster: by COPY on PostgreSQL, by one
    `executemany` on SQLite, skipping the ORM's per-row SQL compilation.

    Primary keys are allocated first (from the sequence on PostgreSQL, after the highest one on
    SQLite, whose write lock the transaction holds), so every item comes back with its pk, as
    from `bulk_create`.
    """
    if not items:
        return items
    if connection.vendor not in ("postgresql", "sqlite"):
        objects = [model(**item) if isinstance(item, dict) else item for item in items]
        return model.objects.bulk_create(objects, batch_size=BATCH)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    as_dicts = isinstance(items[0], dict)

    def values(item) -> list:
        if as_dicts:
            return [item.get(f.attname) for f in fields]
        return [getattr(item, f.attname) for f in fields]

    with connection.cursor() as cursor:
        for item, pk in zip(items, _new_ids(cursor, meta, len(items)), strict=True):
            if as_dicts:
                item[meta.pk.attname] = pk
            else:
                setattr(item, meta.pk.attname, pk)
        if connection.vendor == "postgresql":
            # psycopg adapts dates, aware datetimes and decimals itself.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for item in items:
                    copy.write_row(values(item))
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names from the models
                [
                    [
                        f.get_db_prep_save(v, connection)
                        for f, v in zip(fields, values(item), strict=True)
                    ]
                    for item in items
                ],
            )
    return items


def _new_ids(cursor, meta, count: int) -> list[int]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite's AUTOINCREMENT never reuses an id: start after both the highest and the sequence.
    cursor.execute(
        f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) "  # noqa: S608
        f"FROM {connection.ops.quote_name(meta.db_table)}"
    )
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
    row = cursor.fetchone()
    first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type"}


def _copied(model) -> list[str]:
    """The attributes a history row copies from its object."""
    return [
        f.attname
        for f in model.history.model._meta.concrete_fields
        if f.name not in _HISTORY_OWN and f.attname != "history_user_id"
    ]


# ---------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, sizes: Sizes, seed: int, today: datetime.date):
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
        self.today = today
        # Nothing happens today or later: every event is at most yesterday.
        self.yesterday = today - datetime.timedelta(days=1)
        self.timezone = timezone.get_default_timezone()
        self.counts: dict[str, int] = {}
        tracked = (Action, Milestone, Indicator, Measurement)
        # `Model.history` builds a new manager on every access: look the classes up once.
        self.history_models = {m: m.history.model for m in tracked}
        self.copied = {m: _copied(m) for m in tracked}

    # -- small draws ---------------------------------------------------------------------------

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A working-hours moment on `day`, in local time."""
        naive = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(8, 18), self.rng.randint(0, 59))
        )
        return timezone.make_aware(naive, self.timezone)

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def count(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number

    # -- reference data ------------------------------------------------------------------------

    def organisations(self) -> list[Organisation]:
        existing = {o.acronym: o for o in Organisation.objects.all()}
        missing = [
            Organisation(acronym=acronym, name=name)
            for acronym, name in ORGANISATIONS
            if acronym not in existing
        ]
        for organisation in Organisation.objects.bulk_create(missing):
            existing[organisation.acronym] = organisation
        return [existing[acronym] for acronym, _name in ORGANISATIONS]

    def members(self, organisations: list[Organisation]) -> dict[int, list[User]]:
        """One or two generated task-force members per organisation, named deterministically."""
        wanted = []
        for index, organisation in enumerate(organisations):
            for number in range(1, 3 if index < CENTRAL else 2):
                serial = len(wanted)
                wanted.append(
                    (
                        f"{SYNTHETIC_USER_PREFIX}{slugify(organisation.acronym)}-{number}",
                        FIRST_NAMES[(serial * 7) % len(FIRST_NAMES)],
                        LAST_NAMES[(serial * 11) % len(LAST_NAMES)],
                        organisation,
                    )
                )
        existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        unusable = make_password(None)  # nobody signs in as a generated member
        missing = [
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@exemple.invalid",
                role=Role.MEMBER,
                organisation=organisation,
                password=unusable,
            )
            for username, first, last, organisation in wanted
            if username not in existing
        ]
        for user in User.objects.bulk_create(missing):
            existing[user.username] = user
        by_organisation: dict[int, list[User]] = {}
        for username, _first, _last, organisation in wanted:
            by_organisation.setdefault(organisation.pk, []).append(existing[username])
        return by_organisation

    # -- the roadmap and its axes --------------------------------------------------------------

    def new_roadmap(self, slug: str | None) -> Roadmap:
        latest = Roadmap.objects.current()
        source_date = max(self.today, latest.source_date) if latest else self.today
        base = slug or f"synthetique-{self.seed}"
        slug, number = base, 1
        while Roadmap.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        start = datetime.date(self.today.year - 3, 1, 1)
        end = datetime.date(self.today.year + 2, 12, 31)
        return Roadmap.objects.create(
            slug=slug,
            title=(
                f"Feuille de route synthétique ({french_number(self.sizes.actions)} actions, "
                f"graine {self.seed})"
            ),
            period=f"{start.year}-{end.year}",
            source_title="Données générées par generate_roadmap pour les tests et les mesures",
            source_date=source_date,
            description=(
                "Feuille de route fictive, générée automatiquement : aucune de ses données ne "
                "décrit une action réelle."
            ),
        )

    def axes(self, roadmap: Roadmap) -> list[Axis]:
        axes = list(roadmap.axes.order_by("number"))
        if axes:
            return axes
        return Axis.objects.bulk_create(
            Axis(roadmap=roadmap, number=number, short_title=short, title=title)
            for number, (short, title) in enumerate(THEMES[: self.sizes.axis_count], start=1)
        )

    # -- actions -------------------------------------------------------------------------------

    def generate(self, roadmap: Roadmap) -> None:
        organisations = self.organisations()
        members = self.members(organisations)
        axes = self.axes(roadmap)
        taken_codes = set(roadmap.actions.values_list("code", flat=True))
        taken_indicators = set(roadmap.indicators.values_list("code", flat=True))
        next_number = {axis.pk: 1 for axis in axes}
        for code, axis_id in roadmap.actions.values_list("code", "axis_id"):
            tail = code.rsplit("-", 1)[-1]
            if tail.isdigit() and axis_id in next_number:
                next_number[axis_id] = max(next_number[axis_id], int(tail) + 1)

        plans = []
        for index in range(self.sizes.actions):
            axis = axes[index * len(axes) // self.sizes.actions]
            while True:
                code = f"IA {axis.number}-{next_number[axis.pk]}"
                next_number[axis.pk] += 1
                if code not in taken_codes:
                    break
            taken_codes.add(code)
            plans.append(self.plan_action(roadmap, axis, code, organisations, members))

        actions = _insert(Action, [plan.action for plan in plans])
        self.count("actions", len(actions))
        through = Action.partners.through
        links = [
            through(action_id=plan.action.pk, organisation_id=partner.pk)
            for plan in plans
            for partner in plan.partners
        ]
        links = _insert(through, links)
        partner_links: dict[int, list] = {}
        for link in links:
            partner_links.setdefault(link.action_id, []).append(link)

        self.action_history(plans, partner_links)
        self.milestones(plans)
        self.indicators_and_measurements(plans, taken_indicators)
        self.notes(plans)

    def plan_action(self, roadmap, axis, code, organisations, members) -> _ActionPlan:
        rng = self.rng
        earliest = datetime.date(self.today.year - 3, 1, 1)
        start = self.day_between(earliest, min(earliest + datetime.timedelta(days=900), self.today))
        start = min(start, self.today - datetime.timedelta(days=120))
        end = start + datetime.timedelta(days=rng.randint(540, 1800))
        # One action in seven was left alone for months: its facts stop well before today.
        if rng.random() < 0.15:
            quiet_since = self.today - datetime.timedelta(days=rng.randint(100, 400))
            last_day = max(quiet_since, start + datetime.timedelta(days=30))
        else:
            last_day = self.yesterday
        last_day = min(last_day, self.yesterday)

        if rng.random() < 0.1:
            lead = None  # « Pilote à désigner »
        else:
            lead = rng.choice(organisations[:CENTRAL] if rng.random() < 0.8 else organisations)
        pool = [o for o in organisations if o is not lead]
        partners = rng.sample(pool, rng.choice([0, 1, 1, 2, 2, 3]))
        involved = ([lead] if lead else []) + partners
        authors = [user for o in involved for user in members[o.pk]] or [
            user for users in members.values() for user in users
        ]

        subject = rng.choice(OBJECTS)
        context = rng.choice(CONTEXTS)
        title = f"{rng.choice(VERBS)} {subject} {context}"
        description = (
            f"Cette action vise à {rng.choice(VERBS).lower()} {subject} {context}. "
            f"Elle s'appuie sur les retours d'expérience des sites pionniers et associe "
            f"{', '.join(o.acronym for o in involved) or 'les acteurs concernés'}."
        )
        objective = (
            f"D'ici {end.year}, disposer d'un dispositif opérationnel et évalué, "
            f"utilisé par au moins {rng.choice([30, 50, 100, 200])} structures."
        )
        status = rng.choices(
            [choice for choice, _weight in STATUS_WEIGHTS],
            [weight for _choice, weight in STATUS_WEIGHTS],
        )[0]
        created = self.moment(start - datetime.timedelta(days=rng.randint(10, 60)))
        changes = []
        path = STATUS_PATHS[status]
        if path:
            days = sorted(self.day_between(start, last_day) for _step in path)
            changes = [
                (self.moment(day), step, rng.choice(authors))
                for day, step in zip(days, path, strict=True)
            ]
        action = Action(
            roadmap=roadmap,
            axis=axis,
            code=code,
            slug=slugify(code),
            title=title[:500],
            description=description,
            objective=objective,
            framework=rng.choice(FRAMEWORKS),
            lead=lead,
            status=status,
            start_date=start,
            end_date=end,
            version=1 + len(changes),
            created_at=created,
            updated_at=changes[-1][0] if changes else created,
        )
        return _ActionPlan(action, partners, authors, created, changes, last_day)

    def action_history(self, plans: list[_ActionPlan], partner_links: dict[int, list]) -> None:
        rows = []
        for plan in plans:
            action = plan.action
            rows.append(
                self.history_row(
                    Action,
                    action,
                    plan.created,
                    "+",
                    None,
                    CREATION_REASON,
                    status="",
                    version=1,
                    updated_at=plan.created,
                )
            )
            for version, (when, status, user) in enumerate(plan.changes, start=2):
                rows.append(
                    self.history_row(
                        Action,
                        action,
                        when,
                        "~",
                        user.pk,
                        None,
                        status=status,
                        version=version,
                        updated_at=when,
                    )
                )
        rows = _insert(self.history_models[Action], rows)
        # Each history row records the partners the action had then (always the same here).
        partner_history = (
            self.history_models[Action]._meta.get_field("historicalaction_partners").related_model
        )
        partner_rows = [
            partner_history(
                id=link.pk,
                action_id=link.action_id,
                organisation_id=link.organisation_id,
                history_id=row.history_id,
            )
            for row in rows
            for link in partner_links.get(row.id, ())
        ]
        _insert(partner_history, partner_rows)
        self.count("lignes d'historique", len(rows) + len(partner_rows))

    def history_row(self, model, obj, when, kind, user_id, reason, **overrides):
        values = {name: getattr(obj, name) for name in self.copied[model]}
        values.update(overrides)
        return self.history_models[model](
            **values,
            history_date=when,
            history_type=kind,
            history_user_id=user_id,
            history_change_reason=reason,
        )

    # -- milestones ----------------------------------------------------------------------------

    def milestones(self, plans: list[_ActionPlan]) -> None:
        per_action = self.sizes.milestones_per_action
        objects, histories = [], []
        for plan in plans:
            if not per_action:
                break
            action = plan.action
            steps = sorted(
                self.rng.sample(range(len(MILESTONE_STEPS)), min(per_action, len(MILESTONE_STEPS)))
            )
            titles = [MILESTONE_STEPS[step] for step in steps]
            for extra in range(per_action - len(titles)):
                titles.append(f"Lot de déploiement n° {extra + 1}")
            span = (action.end_date - action.start_date).days
            for position, title in enumerate(titles, start=1):
                planned = action.start_date + datetime.timedelta(
                    days=max(15, span * position // len(titles) + self.rng.randint(-20, 20))
                )
                milestone, events = self.plan_milestone(plan, title, planned)
                objects.append(milestone)
                histories.append(events)
        objects = _insert(Milestone, objects)
        self.count("jalons", len(objects))
        rows = []
        for milestone, events in zip(objects, histories, strict=True):
            rows.append(
                self.history_row(
                    Milestone,
                    milestone,
                    milestone.created_at,
                    "+",
                    None,
                    CREATION_REASON,
                    due_date=milestone.original_due_date,
                    done_on=None,
                    version=1,
                    updated_at=milestone.created_at,
                )
            )
            state = {"due_date": milestone.original_due_date, "done_on": None}
            for version, (when, user, changes) in enumerate(events, start=2):
                state.update(changes)
                rows.append(
                    self.history_row(
                        Milestone,
                        milestone,
                        when,
                        "~",
                        user.pk,
                        None,
                        **state,
                        version=version,
                        updated_at=when,
                    )
                )
        _insert(self.history_models[Milestone], rows)
        self.count("lignes d'historique", len(rows))

    def plan_milestone(self, plan: _ActionPlan, title: str, planned: datetime.date):
        rng = self.rng
        action = plan.action
        created = plan.created + datetime.timedelta(minutes=rng.randint(1, 600))
        due, done_on, events = planned, None, []
        last_day = plan.last_day
        draw = rng.random()
        # Rescheduled: about one milestone in eight, decided before the first due date.
        if draw < 0.12:
            when_day = self.day_between(
                created.date() + datetime.timedelta(days=1),
                min(planned - datetime.timedelta(days=1), last_day),
            )
            if when_day <= last_day:
                due = planned + datetime.timedelta(days=rng.randint(45, 300))
                events.append((self.moment(when_day), rng.choice(plan.authors), {"due_date": due}))
        if due <= last_day:
            # Past due: most are done, around the due date; the others are overdue.
            if rng.random() < 0.78:
                done_on = due + datetime.timedelta(days=rng.randint(-30, 45))
        elif rng.random() < 0.05:
            done_on = last_day - datetime.timedelta(days=rng.randint(0, 60))  # done early
        if done_on is not None:
            floor = (events[-1][0].date() if events else created.date()) + datetime.timedelta(
                days=1
            )
            done_on = max(min(done_on, last_day), floor)
            if done_on > last_day:
                done_on = None  # nothing happens after the action went quiet
            else:
                events.append(
                    (self.moment(done_on), rng.choice(plan.authors), {"done_on": done_on})
                )
        milestone = Milestone(
            roadmap_id=action.roadmap_id,
            action=action,
            title=title,
            due_date=due,
            original_due_date=planned,
            done_on=done_on,
            source="",
            version=1 + len(events),
            created_at=created,
            updated_at=events[-1][0] if events else created,
        )
        return milestone, events

    # -- indicators and measurements -----------------------------------------------------------

    def indicators_and_measurements(self, plans: list[_ActionPlan], taken: set[str]) -> None:
        per_action = self.sizes.indicators_per_action
        indicators, series = [], []
        for plan in plans:
            compact = plan.action.code.replace(" ", "")
            for position in range(1, per_action + 1):
                kind = self.rng.choices(
                    [Kind.CUMULATIVE, Kind.PER_PERIOD, Kind.LEVEL], [35, 30, 35]
                )[0]
                template = self.rng.choice(INDICATOR_TEMPLATES[kind])
                code = f"{compact}-{template[2]}{position}"
                while code in taken:
                    code += "B"
                taken.add(code)
                indicator, points = self.plan_indicator(plan, kind, template, code, position)
                indicators.append(indicator)
                series.append((plan, points))
        indicators = _insert(Indicator, indicators)
        self.count("indicateurs", len(indicators))
        rows = [
            self.history_row(Indicator, indicator, indicator.created_at, "+", None, CREATION_REASON)
            for indicator in indicators
        ]
        _insert(self.history_models[Indicator], rows)
        self.count("lignes d'historique", len(rows))

        pending = []
        for indicator, (plan, points) in zip(indicators, series, strict=True):
            for day, value in points:
                pending.append(self.measurement(plan, indicator, day, value))
            if len(pending) >= MEASUREMENT_FLUSH:
                self.write_measurements(pending)
                pending = []
        self.write_measurements(pending)

    def plan_indicator(self, plan: _ActionPlan, kind, template, code, position):
        rng = self.rng
        label, unit, _abbreviation, typical, direction = template
        action = plan.action
        count = self.sizes.measurements_per_indicator
        # The series ends last month, or a little before; a quiet action's ends when it went quiet.
        lag = rng.choice([0, 0, 0, 0, 1, 1, 2]) if rng.random() < 0.9 else rng.randint(4, 12)
        last = _months_before(plan.last_day, 1 + lag)
        first = _months_before(last, max(count - 1, 0))
        scale = rng.choice([0.5, 0.75, 1, 1, 1.5, 2])
        percent = unit == "%"
        target = typical if percent else typical * scale
        if direction == Direction.LOWER:
            baseline = target * rng.uniform(1.5, 2.5)
        elif kind == Kind.LEVEL:
            baseline = target * rng.uniform(0.05, 0.3)
        else:
            baseline = 0
        if percent:
            baseline = min(baseline, 95)
        baseline_date = _months_before(first, 1) + datetime.timedelta(days=1)  # a 1st of month
        target_date = max(action.end_date, baseline_date + datetime.timedelta(days=365))
        known_baseline = rng.random() < 0.75
        dated_target = rng.random() < 0.85
        horizon = max(_months_between(baseline_date, target_date), 1)
        pace = rng.uniform(0.55, 1.3)

        points = []
        running = baseline
        for month in range(count):
            day = _months_before(last, count - 1 - month)
            elapsed = min(1.0, (month + 1) / horizon)
            noise = rng.uniform(0.85, 1.15)
            if kind == Kind.CUMULATIVE:
                value = (target - baseline) / horizon * pace * noise
            elif kind == Kind.PER_PERIOD:
                value = target * pace * min(1.0, 0.3 + 0.7 * elapsed * 2) * noise
            else:
                value = baseline + (target - baseline) * min(1.0, pace * elapsed) * noise
                if direction == Direction.HIGHER and not percent:
                    value = running = max(running, value)  # a stock does not shrink
            points.append((day, self.rounded(value, unit)))
        created = plan.created + datetime.timedelta(minutes=rng.randint(1, 600))
        indicator = Indicator(
            roadmap_id=action.roadmap_id,
            action=action,
            code=code,
            label=label,
            unit=unit,
            kind=kind,
            direction=direction,
            baseline_value=self.rounded(baseline, unit) if known_baseline else None,
            baseline_date=baseline_date if known_baseline else None,
            target_value=self.rounded(target, unit),
            target_date=target_date if dated_target else None,
            source=f"Objectif fixé par la fiche action {action.code} (données synthétiques).",
            position=position,
            version=1,
            created_at=created,
            updated_at=created,
        )
        return indicator, points

    @staticmethod
    def rounded(value: float, unit: str) -> Decimal:
        if unit == "%":
            return Decimal(str(round(min(max(value, 0.0), 100.0), 1)))
        if unit == "€":
            return Decimal(round(value / 1000) * 1000)
        return Decimal(max(round(value), 0))

    def measurement(self, plan: _ActionPlan, indicator, day: datetime.date, value) -> dict:
        """A measurement as a dict of column values: there are a hundred thousand of them."""
        rng = self.rng
        recorded = min(day + datetime.timedelta(days=rng.randint(3, 25)), plan.last_day)
        when = self.moment(max(recorded, day))
        return {
            "indicator_id": indicator.pk,
            "date": day,
            "value": value,
            "source": f"{SYNTHETIC_SOURCE} – {rng.choice(SOURCES)}",
            "comment": rng.choice(COMMENTS) if rng.random() < 0.15 else "",
            "recorded_by_id": rng.choice(plan.authors).pk,
            "version": 1,
            "created_at": when,
            "updated_at": when,
        }

    def write_measurements(self, pending: list[dict]) -> None:
        if not pending:
            return
        _insert(Measurement, pending)
        self.count("mesures", len(pending))
        copied = self.copied[Measurement]
        rows = [
            {
                **{name: row[name] for name in copied},
                "history_date": row["created_at"],
                "history_type": "+",
                "history_user_id": row["recorded_by_id"],
                "history_change_reason": None,
            }
            for row in pending
        ]
        _insert(self.history_models[Measurement], rows)
        self.count("lignes d'historique", len(rows))

    # -- progress notes ------------------------------------------------------------------------

    def notes(self, plans: list[_ActionPlan]) -> None:
        rng = self.rng
        notes = []
        for plan in plans:
            first = plan.action.start_date + datetime.timedelta(days=30)
            days = sorted(
                self.day_between(min(first, plan.last_day), plan.last_day)
                for _note in range(self.sizes.notes_per_action)
            )
            for day in days:
                number = rng.choice([3, 5, 8, 12, 20, 40])
                notes.append(
                    ProgressNote(
                        action=plan.action,
                        author=rng.choice(plan.authors),
                        written_on=day,
                        done=rng.choice(NOTES_DONE).format(n=number),
                        risks=rng.choice(NOTES_RISKS),
                        next_steps=rng.choice(NOTES_NEXT).format(n=number),
                        created_at=self.moment(day),
                    )
                )
        notes = _insert(ProgressNote, notes)
        self.count("points d'avancement", len(notes))


@dataclass
class _ActionPlan:
    action: Action
    partners: list[Organisation]
    authors: list[User]  # the generated members of its lead and partners
    created: datetime.datetime
    changes: list[tuple[datetime.datetime, str, User]]  # declared status changes
    last_day: datetime.date  # nothing happens to the action after this day


def generate(
    sizes: Sizes,
    *,
    seed: int = 1,
    today: datetime.date | None = None,
    into: Roadmap | None = None,
    slug: str | None = None,
) -> Report:
    """Write a synthetic roadmap of `sizes` (or add its actions to `into`), in one transaction.

    Checks nothing about the database: callers refuse real data first (`real_data()`).
    """
    started = time.perf_counter()
    generator = _Generator(sizes, seed, today or timezone.localdate())
    with (
        writing(),
        _own_timestamps(Action, Milestone, Indicator, Measurement, ProgressNote),
    ):
        roadmap = into if into is not None else generator.new_roadmap(slug)
        generator.generate(roadmap)
        # Pages and caches date the roadmap by its own row too.
        Roadmap.objects.filter(pk=roadmap.pk).update(updated_at=timezone.now())
    return Report(roadmap, generator.counts, time.perf_counter() - started)
