"""Load the seed roadmap (fixtures/) into the database, idempotently.

The seed is the ministry's « IA en santé : état des lieux » (February 2025), transcribed in
`fixtures/ia-en-sante-2025.json`; every title and target there is quoted from the source text
kept beside it, and every value the source does not state literally (a date read from « avant
l'été 2025 », a baseline of 0, a five-year span) carries the rule used (`interpretation`).
Loading creates what is missing and leaves what exists alone, so running it
twice changes nothing and never undoes the task force's updates. With `update=True` the
fields that come from the source are rewritten where they differ (statuses, measurements and
notes, which the source does not give, are never touched). What the source leaves open is not
taken back either: a milestone the task force ticked done stays done, a pilot designated where
the source names none stays, and partners added beside those the source names stay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from accounts.models import Organisation
from roadmap.caching import writing

from .models import SEED_CHANGE, Action, Axis, Indicator, Milestone, Roadmap, Target

DEFAULT_SEED = Path(settings.BASE_DIR) / "fixtures" / "ia-en-sante-2025.json"


@dataclass
class LoadReport:
    """The rows created and updated, by model; the roadmap loaded."""

    created: dict[type, int] = field(default_factory=dict)
    updated: dict[type, int] = field(default_factory=dict)
    roadmap: Roadmap | None = None

    def count(self, bucket: dict[type, int], model) -> None:
        bucket[model] = bucket.get(model, 0) + 1

    @staticmethod
    def summary(bucket: dict[type, int]) -> str:
        """« 17 actions, 4 axes, 1 feuille de route », by French name."""
        named = sorted(
            (str(meta.verbose_name if count == 1 else meta.verbose_name_plural), count)
            for meta, count in ((model._meta, count) for model, count in bucket.items())
        )
        return ", ".join(f"{count} {name}" for name, count in named)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class _Loader:
    def __init__(self, update: bool):
        self.update = update
        self.report = LoadReport()

    def upsert(self, model, lookup: dict, values: dict):
        """Create the row if missing; with `update`, rewrite the source fields that differ."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj._change_reason = SEED_CHANGE
            obj.save()
            self.report.count(self.report.created, model)
            return obj, True
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if self.update and changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj._change_reason = SEED_CHANGE
            obj.save()
            self.report.count(self.report.updated, model)
        return obj, False

    def load(self, data: dict) -> LoadReport:
        organisations = {}
        for item in data["organisations"]:
            org, _ = self.upsert(
                Organisation, {"acronym": item["acronym"]}, {"name": item.get("name", "")}
            )
            organisations[org.acronym] = org

        source = data["roadmap"]
        roadmap, _ = self.upsert(
            Roadmap,
            {"slug": source["slug"]},
            {
                "title": source["title"],
                "period": source.get("period", ""),
                "source_title": source["source_title"],
                "source_date": _date(source["source_date"]),
                "description": source.get("description", ""),
                "interpretation": source.get("interpretation", ""),
            },
        )
        self.report.roadmap = roadmap
        for item in data.get("milestones", []):
            self.milestone(roadmap, None, item)

        for axis_data in data["axes"]:
            axis, _ = self.upsert(
                Axis,
                {"roadmap": roadmap, "number": axis_data["number"]},
                {"short_title": axis_data["short_title"], "title": axis_data["title"]},
            )
            for action_data in axis_data["actions"]:
                self.action(roadmap, axis, action_data, organisations)
        return self.report

    def action(self, roadmap, axis, item, organisations) -> None:
        values = {
            "axis": axis,
            "title": item["title"],
            "description": item.get("description", ""),
            "objective": item.get("objective", ""),
            "framework": item.get("framework", ""),
        }
        if item.get("lead"):
            # Where the source names no pilot, the one the task force designated stays.
            values["lead"] = organisations[item["lead"]]
        action, created = self.upsert(Action, {"roadmap": roadmap, "code": item["code"]}, values)
        partners = {organisations[acronym] for acronym in item.get("partners", [])}
        missing = partners - set(action.partners.all())
        if (created or self.update) and missing:
            # The partners the source names; those the task force added stay beside them. The
            # history row this change leaves is the seed's, not a person's update.
            action._change_reason = SEED_CHANGE
            action.partners.add(*missing)
            if not created:
                self.report.count(self.report.updated, Action)
        for milestone in item.get("milestones", []):
            self.milestone(roadmap, action, milestone)
        indicators = {}
        for position, indicator in enumerate(item.get("indicators", []), start=1):
            summed_from = indicator.get("summed_from")
            indicators[indicator["code"]], _ = self.upsert(
                Indicator,
                {"roadmap": roadmap, "code": indicator["code"]},
                {
                    "action": action,
                    "label": indicator["label"],
                    "unit": indicator["unit"],
                    "kind": indicator["kind"],
                    "direction": indicator.get("direction", "higher"),
                    "baseline_value": _decimal(indicator.get("baseline_value")),
                    "baseline_date": _date(indicator.get("baseline_date")),
                    "target_value": _decimal(indicator["target_value"]),
                    "target_date": _date(indicator.get("target_date")),
                    "source": indicator.get("source", ""),
                    "interpretation": indicator.get("interpretation", ""),
                    "periodicity": indicator.get("periodicity", ""),
                    "periods_from": _date(indicator.get("periods_from")),
                    "period_count": indicator.get("period_count"),
                    # A sum's source comes earlier in the same action (docs/domain.md).
                    "summed_from": indicators[summed_from] if summed_from else None,
                    "position": position,
                },
            )
            for target in indicator.get("targets", []):
                self.upsert(
                    Target,
                    {"indicator": indicators[indicator["code"]], "on": _date(target["on"])},
                    {
                        "value": _decimal(target["value"]),
                        "source": target.get("source", ""),
                        "interpretation": target.get("interpretation", ""),
                    },
                )

    def milestone(self, roadmap, action, item) -> None:
        values = {
            "due_date": _date(item.get("due_date")),
            "done_on": _date(item.get("done_on")),
            "source": item.get("source", ""),
            "interpretation": item.get("interpretation", ""),
        }
        done = Milestone.objects.filter(
            roadmap=roadmap, action=action, title=item["title"], done_on__isnull=False
        ).exists()
        if done:
            # Ticked by the task force: an update of the seed never takes that back.
            del values["done_on"]
        self.upsert(
            Milestone, {"roadmap": roadmap, "action": action, "title": item["title"]}, values
        )


def load_seed(path: Path = DEFAULT_SEED, *, update: bool = False) -> LoadReport:
    """Load the seed file at `path` in one transaction and say what changed."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    with writing():
        return _Loader(update).load(data)
