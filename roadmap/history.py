"""The change history of the roadmap, in readable sentences (« Statut : En cours → À risque »).

django-simple-history keeps a row for every save of an action, a milestone, an indicator or a
measurement; of indicators and measurements, only the published rows are told (a proposal
awaiting review is nobody's change yet). This module reads those rows and says what changed,
who changed it and when, in the reader's language:

- `action_history(action)`: everything that happened to one action and to its milestones,
  indicators and measurements, newest first (the « Historique » of the action page);
- `status_changes(roadmap)`: the latest changes of declared status across the roadmap (the
  journal and its Atom feed).

Both read a fixed number of queries whatever the length of the history: the rows of each model
in one query, the previous status through a window function rather than one query per row.
Only the fields a reader cares about are compared; versions and timestamps are not news.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .french import format_date, format_quantity, is_french
from .french import format_number as number
from .models import (
    STATUS_UNSET_LABEL,
    Action,
    Indicator,
    Measurement,
    Milestone,
    ReviewState,
    Roadmap,
)

CREATED = "created"
CHANGED = "changed"
DELETED = "deleted"
KINDS = {"+": CREATED, "~": CHANGED, "-": DELETED}

# The fields compared, per model, in the order they are told.
TRACKED = {
    Action: (
        "status",
        "code",
        "title",
        "axis",
        "lead",
        "start_date",
        "end_date",
        "objective",
        "framework",
        "description",
    ),
    Milestone: ("title", "due_date", "done_on", "source"),
    # Every field of an indicator but its ids, parents, version, timestamps and display order.
    Indicator: tuple(
        field.name
        for field in Indicator._meta.concrete_fields
        if field.name
        not in {"id", "version", "created_at", "updated_at", "roadmap", "action", "position"}
    ),
    Measurement: ("date", "value", "source", "comment"),
}
PARTNERS = "partners"

# Reasons written by the app's own commands, told in words.
REASONS = {"load_roadmap": gettext_lazy("chargement du document source")}

# The action page shows this many entries, newest first.
ACTION_HISTORY_SHOWN = 50


@dataclass(frozen=True)
class Change:
    """One field's change. A long text says only that it changed (`old` and `new` empty)."""

    field: str
    old: str
    new: str
    long: bool = False

    def __str__(self) -> str:
        if self.long:
            return _("%(field)s modifié") % {"field": self.field}
        return _("%(field)s : %(old)s → %(new)s") % {
            "field": self.field,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class Entry:
    """One save in the history: what was saved, how, by whom and when."""

    key: str  # unique and stable: the model and the history row's id
    when: datetime.datetime
    kind: str  # CREATED, CHANGED or DELETED
    headline: str  # what happened, in one sentence: « Statut : En cours → À risque »
    changes: tuple[Change, ...]
    author: str
    organisation: str
    reason: str
    action_code: str
    action_slug: str
    action_title: str
    # A change of declared status: the status before and after, as stored (« in_progress »),
    # for the pages' badges; empty otherwise.
    statuses: tuple[str, str] = ("", "")

    @property
    def by(self) -> str:
        """« Camille Martin (DGOS) », or an empty string when no one signed the change."""
        if self.author and self.organisation:
            return f"{self.author} ({self.organisation})"
        return self.author

    def __str__(self) -> str:
        """« Statut : En cours → À risque, par Camille Martin (DGOS) le 3 mars 2026 14:05 »."""
        values = {
            "what": self.headline,
            "by": self.by,
            "reason": self.reason,
            "when": format_date(self.when, "DATETIME_FORMAT"),
        }
        if self.by:
            return _("%(what)s, par %(by)s le %(when)s") % values
        if self.reason:
            return _("%(what)s (%(reason)s), le %(when)s") % values
        return _("%(what)s, le %(when)s") % values


class _Names:
    """The acronyms of organisations and the labels of axes that history rows refer to by id,
    read along with the rows themselves (no query of their own)."""

    def __init__(self):
        self.organisations: dict[int, str] = {}
        self.axes: dict[int, str] = {}

    def read(self, action_records: list) -> None:
        for record in action_records:
            # Historical foreign keys do not enforce integrity: a deleted one reads as None.
            if record.lead_id and record.lead is not None:
                self.organisations[record.lead_id] = record.lead.acronym
            if record.axis_id and record.axis is not None:
                self.axes[record.axis_id] = _("Axe %(number)s") % {"number": record.axis.number}


def _empty() -> str:
    return _("non renseigné")


def _display(model, name: str, value, names: _Names) -> str:
    field = model._meta.get_field(name)
    if name == "status":
        return (
            str(dict(field.flatchoices).get(value, STATUS_UNSET_LABEL))
            if value
            else str(STATUS_UNSET_LABEL)
        )
    if value is None or value == "":
        return _empty()
    if name == "lead":
        return names.organisations.get(value, _empty())
    if name == "axis":
        return names.axes.get(value, _empty())
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):
        return format_date(value)
    if isinstance(field, models.DecimalField):
        return number(value)
    return str(value)


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def _raw_changes(model, before, after) -> list[tuple[str, object, object]]:
    """(field, old, new) for each tracked field that differs between two history rows."""
    changes = []
    for name in TRACKED[model]:
        attname = _attname(model, name)
        old, new = getattr(before, attname), getattr(after, attname)
        if old != new:
            changes.append((name, old, new))
    return changes


def _label(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _change(model, name: str, old, new, names: _Names) -> Change:
    if name == PARTNERS:

        def acronyms(ids) -> str:
            return ", ".join(sorted(names.organisations.get(pk, "?") for pk in ids)) or _empty()

        return Change(_label(model, name), acronyms(old), acronyms(new))
    if isinstance(model._meta.get_field(name), models.TextField):
        return Change(_label(model, name), "", "", long=True)
    return Change(
        _label(model, name),
        _display(model, name, old, names),
        _display(model, name, new, names),
    )


def _name(model, record, indicator_codes: dict[int, str]) -> str:
    """What the row is, for a sentence: « Jalon « Bilan » », « Mesure du 30 juin 2025 (IA2-1) »."""
    if model is Milestone:
        return _("Jalon « %(title)s »") % {"title": record.title}
    if model is Indicator:
        return _("Indicateur « %(label)s »") % {"label": record.label}
    if model is Measurement:
        return _("Mesure du %(date)s de l'indicateur %(code)s") % {
            "date": format_date(record.date),
            "code": indicator_codes.get(record.indicator_id, ""),
        }
    return ""


def _created(model, record, name: str) -> str:
    if model is Action:
        return _("Action créée")
    if model is Milestone:
        if record.due_date:
            return _("%(name)s ajouté, échéance le %(date)s") % {
                "name": name,
                "date": format_date(record.due_date),
            }
        return _("%(name)s ajouté") % {"name": name}
    if model is Indicator:
        # « cible 100 % », « cible 70 000 apprenants »: the unit held to its number.
        values = {"name": name, "target": format_quantity(record.target_value, record.unit)}
        if record.reviewed_by_id and record.proposed_by_id and record.proposed_by is not None:
            return _("%(name)s publié, cible %(target)s, proposé par %(proposer)s") % {
                **values,
                "proposer": record.proposed_by.display_name,
            }
        return _("%(name)s ajouté, cible %(target)s") % values
    values = {"name": name, "value": number(record.value), "source": record.source}
    if record.reviewed_by_id and record.proposed_by_id and record.proposed_by is not None:
        return _(
            "%(name)s publiée : %(value)s (source : %(source)s), proposée par %(proposer)s"
        ) % {**values, "proposer": record.proposed_by.display_name}
    return _("%(name)s ajoutée : %(value)s (source : %(source)s)") % values


def _deleted(model, name: str) -> str:
    if model is Action:
        return _("Action supprimée")
    if model is Measurement:
        return _("%(name)s supprimée") % {"name": name}
    return _("%(name)s supprimé") % {"name": name}


def _changed(name: str, changes: list[Change]) -> str:
    # « ; » takes a narrow no-break space before it in French, none in English.
    told = ("\u202f; " if is_french() else "; ").join(str(change) for change in changes)
    return f"{name} – {told}" if name else told


def _signature(record) -> tuple[str, str, str]:
    user = record.history_user
    reason = record.history_change_reason or ""
    reason = str(REASONS.get(reason, reason))
    if user is None:
        return "", "", reason
    organisation = user.organisation.acronym if user.organisation_id else ""
    return user.display_name, organisation, reason


def _entry(model, record, kind, headline, changes, action) -> Entry:
    author, organisation, reason = _signature(record)
    return Entry(
        key=f"{model._meta.model_name}-{record.history_id}",
        when=record.history_date,
        kind=kind,
        headline=headline,
        changes=tuple(changes),
        author=author,
        organisation=organisation,
        reason=reason,
        action_code=action.code,
        action_slug=action.slug,
        action_title=action.title,
    )


def _records(model, related=(), **lookup) -> list:
    return list(
        model.history.filter(**lookup)
        .select_related("history_user__organisation", *related)
        .order_by("history_date", "history_id")
    )


def _partner_sets(action_records: list, names: _Names) -> dict[int, frozenset[int]]:
    """The partners each history row of an action had, by history id (and their acronyms)."""
    # simple-history keeps the partners of each history row in its own table.
    through = Action.history.model._meta.get_field("historicalaction_partners").related_model
    sets: dict[int, set[int]] = defaultdict(set)
    for history_id, organisation_id, acronym in through.objects.filter(
        history_id__in=[record.history_id for record in action_records]
    ).values_list("history_id", "organisation_id", "organisation__acronym"):
        sets[history_id].add(organisation_id)
        if acronym is not None:
            names.organisations[organisation_id] = acronym
    return {record.history_id: frozenset(sets[record.history_id]) for record in action_records}


def action_history(action: Action, limit: int = ACTION_HISTORY_SHOWN) -> list[Entry]:
    """What happened to `action`, its milestones, indicators and measurements, newest first."""
    action_records = _records(Action, id=action.pk, related=("lead", "axis"))
    milestone_records = _records(Milestone, action_id=action.pk)
    # Readers see published indicators and measurements only (docs/domain.md « Relecture »): a
    # proposal or a return is not part of the public history; the review trail is kept in
    # every row. A published change is told against the previous published definition.
    indicator_records = _records(
        Indicator,
        related=("proposed_by",),
        action_id=action.pk,
        review_state=ReviewState.PUBLISHED,
    )
    # Indicators deleted since still have history rows: their measurements are found through
    # them; those of an indicator never published are hidden with it.
    indicator_ids = {record.id for record in indicator_records}
    measurement_records = _records(
        Measurement,
        related=("proposed_by",),
        indicator_id__in=indicator_ids,
        review_state=ReviewState.PUBLISHED,
    )
    indicator_codes = {record.id: record.code for record in indicator_records}
    names = _Names()
    names.read(action_records)
    partner_sets = _partner_sets(action_records, names)

    found = []
    for model, records in (
        (Action, action_records),
        (Milestone, milestone_records),
        (Indicator, indicator_records),
        (Measurement, measurement_records),
    ):
        previous = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            kind = KINDS.get(record.history_type, CHANGED)
            if kind == CHANGED and before is None and model in (Indicator, Measurement):
                # Its publication: the first time readers see it.
                kind = CREATED
            changes = []
            if kind == CHANGED:
                if before is None:
                    continue  # a change to a row created before its history was kept
                changes = _raw_changes(model, before, record)
                if model is Action:
                    old, new = partner_sets[before.history_id], partner_sets[record.history_id]
                    if old != new:
                        changes.append((PARTNERS, old, new))
                if not changes:
                    continue  # saved without a change a reader would see
            found.append((model, record, kind, changes))

    entries = []
    for model, record, kind, raw in found:
        name = _name(model, record, indicator_codes)
        changes = [_change(model, field, old, new, names) for field, old, new in raw]
        if kind == CHANGED:
            headline = _changed(name, changes)
        elif kind == DELETED:
            headline = _deleted(model, name)
        else:
            headline = _created(model, record, name)
        entries.append(_entry(model, record, kind, headline, changes, action))
    entries.sort(key=lambda entry: (entry.when, entry.key), reverse=True)
    return entries[:limit]


def status_changes(roadmap: Roadmap, limit: int = 50) -> list[Entry]:
    """The latest changes of declared status in `roadmap`, newest first.

    A change is a history row whose status differs from the previous row of the same action,
    or the creation of an action with a status already set.
    """
    previous_status = Window(
        Lag("status"),
        partition_by=[F("id")],
        order_by=[F("history_date").asc(), F("history_id").asc()],
    )
    records = (
        Action.history.filter(roadmap_id=roadmap.pk)
        .exclude(history_type="-")
        .annotate(previous_status=previous_status)
        .filter(
            Q(previous_status__isnull=True, history_type="+") & ~Q(status="")
            | Q(previous_status__isnull=False) & ~Q(status=F("previous_status"))
        )
        .select_related("history_user__organisation")
        .order_by("-history_date", "-history_id")[:limit]
    )
    names = _Names()
    entries = []
    for record in records:
        change = _change(Action, "status", record.previous_status, record.status, names)
        entry = _entry(Action, record, CHANGED, str(change), [change], record)
        entries.append(replace(entry, statuses=(record.previous_status or "", record.status)))
    return entries
