"""The workbook's sheets (`SHEETS`), in the order they are imported: each its name, the slug of
its CSV file and its django-import-export resource."""

from __future__ import annotations

from dataclasses import dataclass

from .dated import MeasurementResource, TargetResource
from .sheet import SheetResource
from .structure import ActionResource, IndicatorResource, MilestoneResource


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook: its name, the slug of its CSV file and its resource."""

    name: str
    slug: str
    resource_class: type[SheetResource]

    @property
    def columns(self) -> list[str]:
        return self.resource_class.columns()

    @property
    def required_columns(self) -> list[str]:
        return self.resource_class.required_columns()


# In dependency order: a sheet may refer to the rows of the sheets before it. Cibles, added
# last, keeps the older sheets where they were; it refers to indicators only.
SHEETS = (
    SheetSpec("Actions", "actions", ActionResource),
    SheetSpec("Jalons", "jalons", MilestoneResource),
    SheetSpec("Indicateurs", "indicateurs", IndicatorResource),
    SheetSpec("Mesures", "mesures", MeasurementResource),
    SheetSpec("Cibles", "cibles", TargetResource),
)


def sheet_spec(name: str) -> SheetSpec:
    return next(spec for spec in SHEETS if spec.name == name)
