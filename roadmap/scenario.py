"""A year of task-force work played on the seed roadmap as a demonstration (seed_demo --scenario).

On top of the seed as loaded and the demo accounts (`admin`, `dns`, `has`), `play()` writes what a
plausible year of use leaves behind, dated over the twelve months before today: pilots designated
for a few actions, statuses, milestones added, done and rescheduled, values per academic year of
the training indicators, progress notes. Everything goes through the models, so that every row has
its history, signed by the demo user who would have made the change and dated when it happened
(« dernière mise à jour » then moves as it would have).

Nothing of it is a fact: the roadmap is marked `demonstration` (every page then says so), every
measurement source and every note begins with « Démonstration : », every milestone added says so in
its source, and every history row carries the reason `DEMO_CHANGE`. Pilots are chosen only among
the organisations the source names as involved (the DNS, which pilots the task force with the DGOS
and the AIS; the organisations an action's own text names), and a note on each such action says that
the choice is the demonstration's, not the source's.

Played once: on a roadmap already marked `demonstration`, `play()` writes nothing; on a roadmap a
person has already changed, it refuses (`ScenarioRefused`), so that invented values never mix with
real ones.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_ACCOUNTS
from accounts.models import Organisation, User

from . import progress
from .caching import writing
from .french import grouped_number
from .models import (
    SEED_CHANGE,
    Action,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Status,
    Target,
)
from .queries import person_last_update

DEMO = "Démonstration\u00a0: "  # how every text the scenario writes begins
DEMO_CHANGE = "Démonstration (seed_demo --scenario)"  # the change reason of its history rows
DAYS = 365  # the year played ends yesterday
# The accounts of seed_demo who sign the year: the secretariat, a DNS and a HAS member.
DEMO_USERS = tuple(username for username, *_rest in DEMO_ACCOUNTS)


class ScenarioRefused(Exception):
    """The roadmap holds changes made by people: a demonstration is not played over them."""


@dataclass
class ScenarioReport:
    """Whether the year was played, and what it wrote: counts by (singular, plural) French name."""

    played: bool
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, name: tuple[str, str]) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


def academic_year_label(start: datetime.date) -> str:
    return f"{start.year}/{start.year + 1}"


class _Year:
    """The calendar of the year played, and the writes, each signed and dated."""

    def __init__(self, roadmap, today: datetime.date, users: dict[str, User], report):
        self.roadmap = roadmap
        self.today = today
        self.first = today - datetime.timedelta(days=DAYS)
        self.users = users
        self.report = report
        self.events: list[tuple[datetime.datetime, int, Callable[[datetime.datetime], None]]] = []

    def day(self, offset: int) -> datetime.date:
        """The day `offset` days into the year played (0: a year ago; at most yesterday)."""
        return self.first + datetime.timedelta(days=min(max(offset, 0), DAYS - 1))

    def offset(self, day: datetime.date) -> int:
        return (day - self.first).days

    def moment(self, offset: int, hour: int = 10) -> datetime.datetime:
        naive = datetime.datetime.combine(self.day(offset), datetime.time(hour, 15))
        return timezone.make_aware(naive)

    def at(self, offset: int, hour: int, write: Callable[[datetime.datetime], None]) -> None:
        """Plan `write` for `offset` days into the year at `hour`; played in that order."""
        self.events.append((self.moment(offset, hour), len(self.events), write))

    def play(self) -> None:
        for when, _order, write in sorted(self.events, key=lambda event: event[:2]):
            write(when)

    # --- The writes ---------------------------------------------------------------------------

    def _save(self, obj, user: str, when: datetime.datetime, name: tuple[str, str]) -> None:
        obj._history_user = self.users[user]
        obj._history_date = when
        obj._change_reason = DEMO_CHANGE
        created = obj.pk is None
        obj.save()
        # The row's own moments are those of the change, as if it had been made then.
        stamps = {"updated_at": when, **({"created_at": when} if created else {})}
        type(obj).objects.filter(pk=obj.pk).update(**stamps)
        self.report.count(name)

    def designate(self, code, user, lead, partners, why, offset) -> None:
        def write(when):
            action = Action.objects.get(roadmap=self.roadmap, code=code)
            action.lead = Organisation.objects.get(acronym=lead) if lead else action.lead
            self._save(action, user, when, ("pilote désigné", "pilotes désignés"))
            if partners:
                action._history_date = when + datetime.timedelta(minutes=1)
                action.partners.add(*Organisation.objects.filter(acronym__in=partners))
            self._note(action, user, when + datetime.timedelta(minutes=2), why, "", "")

        self.at(offset, 9, write)

    def status(self, code, user, status, offset) -> None:
        def write(when):
            action = Action.objects.get(roadmap=self.roadmap, code=code)
            action.status = status
            self._save(action, user, when, ("statut", "statuts"))

        self.at(offset, 11, write)

    def milestone(self, code, user, title, due, offset, *, done=None, moved=None) -> None:
        """A milestone added on `offset`, due on `due`; rescheduled to `moved[1]` on day
        `moved[0]`, done on day `done`."""

        def add(when):
            action = Action.objects.get(roadmap=self.roadmap, code=code)
            milestone = Milestone(
                action=action,
                title=title,
                due_date=due,
                source=f"{DEMO}jalon fictif, ajouté par la task force de la démonstration.",
            )
            self._save(milestone, user, when, ("jalon ajouté", "jalons ajoutés"))

        def change(values, name):
            def write(when):
                milestone = Milestone.objects.get(
                    action__roadmap=self.roadmap, action__code=code, title=title
                )
                for key, value in values.items():
                    setattr(milestone, key, value)
                self._save(milestone, user, when, name)

            return write

        self.at(offset, 14, add)
        if moved is not None:
            self.at(
                moved[0],
                15,
                change({"due_date": moved[1]}, ("jalon replanifié", "jalons replanifiés")),
            )
        if done is not None:
            self.at(
                done, 16, change({"done_on": self.day(done)}, ("jalon réalisé", "jalons réalisés"))
            )

    def measure(self, code, user, on: datetime.date, value, source, offset) -> None:
        """The value of `code` on `on`, recorded `offset` days into the year (never before
        `on`: a value is recorded once known)."""
        offset = max(offset, self.offset(on) + 1)

        def write(when):
            measurement = Measurement(
                indicator=Indicator.objects.get(roadmap=self.roadmap, code=code),
                date=on,
                value=Decimal(value),
                source=f"{DEMO}{source} (valeur fictive)",
                recorded_by=self.users[user],
            )
            self._save(measurement, user, when, ("mesure", "mesures"))

        if offset < DAYS:
            self.at(offset, 17, write)

    def note(self, code, user, offset, done, risks="", next_steps="") -> None:
        def write(when):
            action = Action.objects.get(roadmap=self.roadmap, code=code)
            self._note(action, user, when, done, risks, next_steps)

        self.at(offset, 18, write)

    def _note(self, action, user, when, done, risks, next_steps) -> None:
        note = ProgressNote.objects.create(
            action=action,
            author=self.users[user],
            written_on=timezone.localtime(when).date(),
            done=f"{DEMO}{done}",
            risks=risks,
            next_steps=next_steps,
        )
        ProgressNote.objects.filter(pk=note.pk).update(created_at=when)
        self.report.count(("point d'avancement", "points d'avancement"))


def play(
    roadmap: Roadmap, users: dict[str, User], today: datetime.date | None = None
) -> ScenarioReport:
    """Play the year on `roadmap`, signed by `users` (`admin`, `dns`, `has`), in one
    transaction; nothing when it was already played."""
    today = today or timezone.localdate()
    report = ScenarioReport(played=False)
    with writing():
        roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
        if roadmap.demonstration:
            return report
        if person_last_update(roadmap) is not None:
            raise ScenarioRefused(
                "Refusé\u00a0: des personnes ont déjà modifié cette feuille de route\u202f; une "
                "année de démonstration ne se joue que sur la feuille de route telle que "
                "chargée, pour que des valeurs fictives ne se mêlent jamais à des valeurs "
                "réelles. Rien n'a été écrit."
            )
        year = _Year(roadmap, today, users, report)
        _backdate_the_seed(roadmap, year.moment(-1, 9) - datetime.timedelta(days=1))
        _script(year)
        year.play()
        roadmap.demonstration = True
        roadmap.save(update_fields=["demonstration", "updated_at"])
        report.played = True
    return report


def _backdate_the_seed(roadmap: Roadmap, when: datetime.datetime) -> None:
    """Date the seed's loading the day before the year played, as if it had been loaded then:
    else the history would tell changes made before the rows they change were created."""
    indicators = Indicator.objects.filter(roadmap=roadmap)
    rows = {
        Action: Action.objects.filter(roadmap=roadmap),
        Milestone: Milestone.objects.filter(roadmap=roadmap),
        Indicator: indicators,
        Target: Target.objects.filter(indicator__in=indicators),
    }
    for model, queryset in rows.items():
        queryset.filter(created_at__gt=when).update(created_at=when)
        queryset.filter(updated_at__gt=when).update(updated_at=when)
        model.history.filter(
            id__in=queryset.values("pk"), history_change_reason=SEED_CHANGE, history_date__gt=when
        ).update(history_date=when)


def _script(year: _Year) -> None:
    """The year, action by action; `_Year.play` writes it in date order."""
    today = year.today
    current = progress.period_containing(progress.ACADEMIC_YEAR, today)
    last = progress.period_containing(progress.ACADEMIC_YEAR, current[0] - datetime.timedelta(1))
    before = progress.period_containing(progress.ACADEMIC_YEAR, last[0] - datetime.timedelta(1))
    first_year = datetime.date(2024, 9, 1)  # the span of IA2-1-APP-AN in the seed
    survey = "bilan des universités et des IFSI transmis à la DGOS"

    # IA 2-1, the training action: the DNS pilots it in the demonstration.
    year.designate(
        "IA 2-1",
        "admin",
        "DNS",
        ["DGOS", "EHESP"],
        "la DNS est désignée pilote de l'action, avec la DGOS et l'EHESP pour partenaires. "
        "C'est un choix de la démonstration\u00a0: le document source ne désigne aucun pilote pour "
        "IA 2-1\u202f; il nomme la DNS et la DGOS pour la task force, l'EHESP dans l'action.",
        3,
    )
    year.status("IA 2-1", "dns", Status.IN_PROGRESS, 8)
    year.milestone(
        "IA 2-1",
        "dns",
        "Recensement des formations au numérique en santé",
        year.day(70),
        9,
        done=64,
    )
    if before[0] >= first_year:
        label = academic_year_label(before[0])
        year.milestone(
            "IA 2-1", "dns", f"Bilan des apprenants formés en {label}", year.day(45), 9, done=41
        )
        year.measure("IA2-1-APP-AN", "dns", before[1], 61_450, survey, 40)
        year.measure("IA2-1-PRO-AN", "dns", before[1], 118_200, survey, 40)
        year.note(
            "IA 2-1",
            "dns",
            42,
            f"bilan de l'année universitaire {label}\u00a0: {grouped_number(61_450)} apprenants "
            f"formés, en deçà de la cible de {grouped_number(70_000)}\u202f; "
            f"{grouped_number(118_200)} professionnels formés.",
            "Les remontées des IFSI sont incomplètes.",
            "Relancer les IFSI\u202f; recenser l'offre de formation continue.",
        )
    year.milestone(
        "IA 2-1",
        "dns",
        "Lancement de l'appel à projets pour les IFSI",
        year.day(120),
        20,
        moved=(110, year.day(190)),
        done=196,
    )
    year.note(
        "IA 2-1",
        "dns",
        112,
        "l'appel à projets pour les IFSI est décalé de deux mois pour associer les régions.",
        "Calendrier serré pour la rentrée suivante.",
        "Publier l'appel à projets.",
    )
    year.measure(
        "IA2-1-INVEST",
        "dns",
        year.day(150),
        24_000_000,
        "suivi des engagements de France 2030",
        152,
    )
    year.measure("IA2-1-MASTER-NUM", "dns", year.day(160), 6, "recensement des universités", 162)
    year.measure("IA2-1-MASTER-JUR", "dns", year.day(160), 1, "recensement des universités", 162)
    year.measure("IA2-1-EHESP-DIR", "dns", year.day(170), 60, "rapport de l'EHESP", 171)
    if last[0] >= first_year:
        label = academic_year_label(last[0])
        midyear = datetime.date(last[0].year + 1, 2, 28)
        year.measure("IA2-1-APP-AN", "dns", midyear, 34_800, survey, year.offset(midyear) + 12)
        added = max(year.offset(last[1]) - 60, 21)
        year.milestone(
            "IA 2-1",
            "dns",
            f"Bilan des apprenants formés en {label}",
            last[1] + datetime.timedelta(days=30),
            added,
            done=max(year.offset(last[1]) + 26, added + 1),
        )
        year.measure("IA2-1-APP-AN", "dns", last[1], 72_300, survey, year.offset(last[1]) + 25)
        year.measure("IA2-1-PRO-AN", "dns", last[1], 131_500, survey, year.offset(last[1]) + 25)
        year.note(
            "IA 2-1",
            "dns",
            year.offset(last[1]) + 27,
            f"bilan de l'année universitaire {label}\u00a0: {grouped_number(72_300)} apprenants "
            f"formés, la cible de {grouped_number(70_000)} est atteinte\u202f; "
            f"{grouped_number(131_500)} professionnels formés.",
            "",
            "Suivre la rentrée\u202f; ouvrir les nouveaux parcours de masters.",
        )
    year.measure(
        "IA2-1-INVEST",
        "dns",
        year.day(300),
        31_500_000,
        "suivi des engagements de France 2030",
        302,
    )
    year.measure("IA2-1-MASTER-NUM", "dns", year.day(310), 9, "recensement des universités", 311)
    early = progress.period_containing(progress.MONTH, today)[0] - datetime.timedelta(days=32)
    early = progress.period_containing(progress.MONTH, early)[1]  # the end of a month, in the
    if early >= current[0] + datetime.timedelta(days=45):  # current year, at least 6 weeks in
        year.measure("IA2-1-APP-AN", "dns", early, 13_100, survey, year.offset(early) + 10)
    year.milestone(
        "IA 2-1",
        "dns",
        "Ouverture des nouveaux parcours de masters",
        today + datetime.timedelta(days=75),
        250,
    )

    # IA 2-4, led by the HAS in the source: a guide, delayed once.
    year.status("IA 2-4", "has", Status.IN_PROGRESS, 15)
    year.milestone(
        "IA 2-4",
        "has",
        "Consultation des sociétés savantes sur le projet de guide",
        year.day(95),
        16,
        done=99,
    )
    year.milestone(
        "IA 2-4",
        "has",
        "Publication du guide sur les usages de l'IA générative",
        year.day(210),
        16,
        moved=(190, today + datetime.timedelta(days=40)),
    )
    year.note(
        "IA 2-4",
        "has",
        100,
        "consultation des sociétés savantes close\u202f; 14 contributions reçues.",
        "",
        "Rédiger le projet de guide.",
    )
    year.status("IA 2-4", "has", Status.AT_RISK, 191)
    year.note(
        "IA 2-4",
        "has",
        191,
        "la publication du guide est reportée pour intégrer le règlement européen sur l'IA.",
        "Les lignes directrices européennes ne sont pas encore publiées.",
        "Présenter le projet au collège de la HAS.",
    )
    year.status("IA 2-4", "has", Status.IN_PROGRESS, 300)
    year.note("IA 2-4", "has", 301, "projet de guide présenté au collège de la HAS.")

    # IA 4-1: the source names eight organisations and no pilot; the demonstration picks one.
    year.designate(
        "IA 4-1",
        "admin",
        "DNS",
        [],
        "la DNS est désignée pilote de l'action. C'est un choix de la démonstration\u00a0: le "
        "document source nomme la DNS parmi les huit organisations de l'action, sans désigner "
        "de pilote.",
        5,
    )
    year.status("IA 4-1", "dns", Status.IN_PROGRESS, 30)
    year.milestone(
        "IA 4-1",
        "dns",
        "Publication de la stratégie d'utilisation secondaire des données de santé",
        year.day(270),
        31,
    )
    year.status("IA 4-1", "dns", Status.AT_RISK, 285)
    year.note(
        "IA 4-1",
        "dns",
        286,
        "la stratégie n'a pas pu être publiée à l'échéance prévue.",
        "Arbitrages interministériels en attente.",
        "Proposer une nouvelle échéance à la task force.",
    )

    # IA 2-5: a pilot designated early, nothing since (the page then says it is stale).
    year.designate(
        "IA 2-5",
        "admin",
        "DGOS",
        [],
        "la DGOS est désignée pilote de l'action. C'est un choix de la démonstration\u00a0: le "
        "document source nomme la DGOS pour la task force, sans désigner de pilote pour IA 2-5.",
        12,
    )
    year.status("IA 2-5", "admin", Status.NOT_STARTED, 12)

    # IA 1-3, led by the HDH in the source: a status set by the secretariat.
    year.status("IA 1-3", "admin", Status.IN_PROGRESS, 60)
    year.note("IA 1-3", "admin", 60, "point d'étape avec la Plateforme des données de santé.")
