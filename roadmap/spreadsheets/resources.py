"""The django-import-export resources of the five sheets (Actions, Jalons, Indicateurs,
Mesures, Cibles), keyed by natural keys and scoped to one roadmap, and `SHEETS`, their order.

Every problem is a row error (a `ValidationError`), an unchanged row is not saved, and each save
is signed in the history with the importing user and the file's name (docs/contract.md). A
column added after the first version of the format is optional (`optional_columns`): a file
without it leaves what it holds as it is, so that older workbooks still import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from roadmap import progress
from roadmap.french import date_text, fold
from roadmap.models import (
    MAX_PERIOD_COUNT,
    STATUS_UNSET_LABEL,
    Action,
    Direction,
    Indicator,
    Kind,
    Measurement,
    Milestone,
    Periodicity,
    ReviewState,
    Roadmap,
    Status,
    Target,
)

from .cells import clean_code, display
from .widgets import (
    ChoiceWidget,
    CountWidget,
    DateWidget,
    DecimalWidget,
    OrganisationListWidget,
    References,
    ReferenceWidget,
    TextWidget,
)


class NaturalKeyLoader(BaseInstanceLoader):
    """The sheet's existing rows, read in one query with what they refer to, found by natural
    key: one query per sheet instead of one per row. A key appears once per sheet at most
    (duplicates are row errors), so rows created by the sheet itself need no lookup."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {resource.natural_key(obj): obj for obj in resource.existing_rows()}

    def get_instance(self, row):
        key = self.resource.row_key(row)
        return None if key is None else self.instances.get(key)


class SheetResource(resources.ModelResource):
    """What the four sheets share: scoped to one roadmap, French headers matched loosely,
    every problem a row error, unchanged rows left alone, saves signed in the history."""

    # Where errors about the row as a whole (a constraint across columns) are shown.
    row_error_column = ""
    # Model fields that are not columns, and the column their errors belong to.
    extra_error_columns: dict[str, str] = {}
    # Columns a file may leave out: the rows then keep what these columns hold.
    optional_columns: frozenset[str] = frozenset()

    class Meta:
        instance_loader_class = NaturalKeyLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True
        use_transactions = True

    def iter_queryset(self, queryset):
        # django-import-export pages a prefetching queryset (two queries per 100 rows), so an
        # export's query count would grow with the roadmap; one pass keeps it fixed, and a
        # roadmap's rows fit in memory.
        if isinstance(queryset, QuerySet):
            yield from queryset
        else:
            yield from super().iter_queryset(queryset)

    def __init__(self, roadmap: Roadmap | None = None, user=None, file_name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.roadmap = roadmap if roadmap is not None else Roadmap.objects.current()
        self.user = user
        self.file_name = file_name
        self.references = References(self.roadmap)
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, ReferenceWidget | OrganisationListWidget):
                resource_field.widget.references = self.references
        self.line_numbers: list[int] | None = None
        self._seen_keys: dict[tuple, int] = {}
        self._instance = None
        self._before: dict[str, object] = {}

    @classmethod
    def columns(cls) -> list[str]:
        """The sheet's headers, in order: the public contract of docs/contract.md."""
        return [cls.fields[name].column_name for name in cls._meta.fields]

    @classmethod
    def required_columns(cls) -> list[str]:
        """The headers a file must have (every column but the optional ones)."""
        return [column for column in cls.columns() if column not in cls.optional_columns]

    # --- rows -> instances

    def line_number(self, row_number: int) -> int:
        """The row as Excel numbers it, from import-export's count of data rows."""
        if self.line_numbers and 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1  # right under a header row

    def before_import(self, dataset, **kwargs):
        # The per-model admin import hands over the file's own headers: match them loosely.
        canonical = {fold(column): column for column in self.columns()}
        dataset.headers = [
            canonical.get(fold(header), header) if header is not None else ""
            for header in (dataset.headers or [])
        ]
        missing = [column for column in self.required_columns() if column not in dataset.headers]
        if missing:
            raise ValueError(
                _("Colonnes obligatoires manquantes : %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        self.line_numbers = getattr(dataset, "line_numbers", None)
        self.user = kwargs.get("user") or self.user
        self.file_name = kwargs.get("file_name") or self.file_name

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the primary key sequences here, for imports that set ids. Ours
        # never do, and resetting a PostgreSQL sequence to the max id this transaction sees
        # could hand out ids that a concurrent transaction already took.
        pass

    def get_queryset(self):
        return self._meta.model.objects.filter(roadmap=self.roadmap)

    def init_instance(self, row=None):
        return self._meta.model(roadmap=self.roadmap)

    def existing_rows(self):
        """The rows the sheet may update, with what `natural_key` reads already fetched."""
        return self.get_queryset()

    def natural_key(self, instance) -> tuple:
        return tuple(getattr(instance, name) for name in self.get_import_id_fields())

    def row_key(self, row) -> tuple | None:
        """A row's natural key, as `natural_key` gives it; None when unreadable (a new row,
        whose validation then reports the bad value)."""
        parts = []
        for name in self.get_import_id_fields():
            resource_field = self.fields[name]
            widget = resource_field.widget
            try:
                raw = row.get(resource_field.column_name)
                parts.append(widget.key(raw) if hasattr(widget, "key") else widget.clean(raw))
            except ValueError:
                return None
        return tuple(parts)

    def before_import_row(self, row, **kwargs):
        # A key twice in the same sheet would silently update the first row with the second.
        key = self.row_key(row)
        number = self.line_number(kwargs.get("row_number", 0))
        if key is None or not any(key):
            return
        if key in self._seen_keys:
            first = self.fields[self.get_import_id_fields()[0]]
            raise ValidationError(
                {
                    first.attribute: _(
                        "Doublon : même %(columns)s qu'à la ligne %(line)d de cette feuille."
                    )
                    % {
                        "line": self._seen_keys[key],
                        "columns": " + ".join(
                            self.fields[name].column_name for name in self.get_import_id_fields()
                        ),
                    }
                }
            )
        self._seen_keys[key] = number

    def after_init_instance(self, instance, new, row, **kwargs):
        self._instance = instance
        self._before = {} if new else self.snapshot(instance)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for resource_field in self.get_import_fields():
            # import-export reads many-to-many columns only when saving, where a bad value
            # would be a crash, not a row error: read them now.
            if isinstance(resource_field.widget, widgets.ManyToManyWidget):
                try:
                    resource_field.clean(row)
                except ValueError as error:
                    errors[resource_field.attribute] = ValidationError(str(error), code="invalid")
        self.prepare_instance(instance)
        if errors:
            raise ValidationError(errors)

    def prepare_instance(self, instance) -> None:
        """Fill what the model derives before it is validated (a hook for subclasses)."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's own errors, then the model's about anything else: a column the sheet
        already found wrong is not reported a second time in the model's words."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=set(errors), validate_unique=validate_unique)
        except ValidationError as error:
            for key, messages in error.update_error_dict({}).items():
                errors.setdefault(key, messages)
        if errors:
            raise ValidationError(errors)

    def change_reason(self) -> str:
        if self.file_name:
            reason = _("Import du fichier « %(name)s »") % {"name": self.file_name}
        else:
            reason = _("Import d'un classeur")
        return reason[:100]  # simple-history keeps at most 100 characters

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user if getattr(self.user, "pk", None) else None
        instance._change_reason = self.change_reason()

    def snapshot(self, instance) -> dict[str, object]:
        return {f.column_name: f.export(instance) for f in self.get_import_fields()}

    def describe(self, instance) -> str:
        """The row's name in the preview, from its natural key (« IA2-1-APP-AN au 31/08/2026 »)."""
        return str(instance)

    def described_columns(self) -> set[str]:
        """The columns `describe` already names, left out of a new row's values."""
        return {self.fields[name].column_name for name in self.get_import_id_fields()}

    def new_value(self, resource_field, instance, row):
        """A column's value in a new row, as an export would write it. Many-to-many columns
        are read from the row (the organisations are in memory), not from the instance: its
        saved relation would cost a query per row."""
        if isinstance(resource_field.widget, widgets.ManyToManyWidget):
            return ", ".join(sorted(org.acronym for org in resource_field.clean(row)))
        return resource_field.export(instance)

    def value_text(self, column: str, value, instance) -> str:
        """One value of a new row as the preview says it: the column, lower case, then the
        value, text between guillemets (« source « Enquête DGOS » », « échéance 31/12/2025 »)."""
        name = column[:1].lower() + column[1:]
        if isinstance(value, str):
            # A text on several lines is shown on one, within display's bounded length.
            return _("%(column)s « %(value)s »") % {
                "column": name,
                "value": " ".join(display(value).split()),
            }
        return f"{name} {display(value)}"

    def new_values(self, instance, row) -> list[str]:
        """What a new row holds beside its name: each filled column, parsed, in the sheet's
        order, numbers and dates written the French way."""
        described = self.described_columns()
        values = []
        for resource_field in self.get_import_fields():
            column = resource_field.column_name
            value = self.new_value(resource_field, instance, row)
            if column in described or display(value) == "":
                continue
            values.append(self.value_text(column, value, instance))
        return values

    def after_import_row(self, row, row_result, **kwargs):
        # What the preview shows: the row's number and name, for a new row what it holds, and
        # for a change, old -> new.
        row_result.number = self.line_number(kwargs.get("row_number", 0))
        row_result.label = self.describe(self._instance)
        row_result.values = []
        row_result.changes = []
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            row_result.values = self.new_values(self._instance, row)
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            after = self.snapshot(self._instance)
            row_result.changes = [
                (column, display(self._before.get(column)), display(value))
                for column, value in after.items()
                if value != self._before.get(column)
            ]

    def column_for(self, key: str) -> str:
        """The column of an error keyed by a model field name."""
        for resource_field in self.fields.values():
            if resource_field.attribute == key:
                return resource_field.column_name
        if key == NON_FIELD_ERRORS:
            return self.row_error_column
        return self.extra_error_columns.get(key, self.row_error_column)

    # --- export

    def export_queryset(self):
        return self.get_queryset()


class ActionResource(SheetResource):
    row_error_column = "Fin"
    extra_error_columns = {"slug": "Code", "roadmap": "Code"}

    code = Field(attribute="code", column_name="Code", widget=TextWidget(code=True))
    axis = Field(attribute="axis", column_name="Axe", widget=ReferenceWidget("axis", "number"))
    title = Field(attribute="title", column_name="Titre", widget=TextWidget())
    description = Field(attribute="description", column_name="Description", widget=TextWidget())
    status = Field(
        attribute="status",
        column_name="Statut",
        widget=ChoiceWidget(Status, blank_labels=[STATUS_UNSET_LABEL]),
    )
    lead = Field(
        attribute="lead",
        column_name="Pilote",
        widget=ReferenceWidget("organisation", "acronym", required=False),
    )
    partners = Field(
        attribute="partners", column_name="Partenaires", widget=OrganisationListWidget()
    )
    start_date = Field(attribute="start_date", column_name="Début", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="Fin", widget=DateWidget())

    class Meta:
        model = Action
        fields = (
            "code",
            "axis",
            "title",
            "description",
            "status",
            "lead",
            "partners",
            "start_date",
            "end_date",
        )
        import_id_fields = ["code"]

    def prepare_instance(self, instance) -> None:
        # The model derives the slug when saving; derive it now so that two codes with the same
        # slug (« IA 2-1 », « ia 2-1 ») fail validation with a message, not the database.
        if instance.pk is None:
            instance.slug = slugify(instance.code)

    def save_instance(self, instance, is_create, row, **kwargs):
        partners = self.fields["partners"].clean(row)
        if not is_create and {o.pk for o in partners} != {o.pk for o in instance.partners.all()}:
            # Partners first, without a history row of their own, so that the single history row
            # of the save below records them along with the other changes.
            instance.skip_history_when_saving = True
            try:
                instance.partners.set(partners)
            finally:
                del instance.skip_history_when_saving
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create and partners:
            # A new action needs its id before it can have partners; simple-history then records
            # them in a second history row (« modifié »), signed like the first.
            instance.partners.set(partners)

    def save_m2m(self, instance, row, **kwargs):
        pass  # done by save_instance, in the order the history needs

    def existing_rows(self):
        return self.get_queryset().select_related("axis", "lead").prefetch_related("partners")

    def describe(self, instance) -> str:
        return instance.code

    def export_queryset(self):
        return self.existing_rows().order_by("axis__number", "code")


class MilestoneResource(SheetResource):
    row_error_column = "Jalon"
    extra_error_columns = {"original_due_date": "Échéance", "roadmap": "Action"}

    action = Field(
        attribute="action",
        column_name="Action",
        widget=ReferenceWidget("action", "code", required=False),
    )
    title = Field(attribute="title", column_name="Jalon", widget=TextWidget())
    due_date = Field(attribute="due_date", column_name="Échéance", widget=DateWidget())
    done_on = Field(attribute="done_on", column_name="Réalisé le", widget=DateWidget())
    interpretation = Field(
        attribute="interpretation", column_name="Interprétation", widget=TextWidget()
    )

    optional_columns = frozenset({"Interprétation"})

    class Meta:
        model = Milestone
        fields = ("action", "title", "due_date", "done_on", "interpretation")
        # An empty Action cell is a milestone of the roadmap itself.
        import_id_fields = ["action", "title"]

    def existing_rows(self):
        return self.get_queryset().select_related("action")

    def natural_key(self, instance) -> tuple:
        return (instance.action.code if instance.action_id else "", instance.title)

    def describe(self, instance) -> str:
        owner = instance.action.code if instance.action_id else _("Feuille de route")
        return f"{owner} · {instance.title}"

    def export_queryset(self):
        # Explicit NULL placement: SQLite and PostgreSQL disagree on it by default, and the
        # export must be the same wherever it runs. The id keeps equal dates in entry order.
        return (
            self.get_queryset()
            .select_related("action")
            .order_by(
                F("action__axis__number").asc(nulls_first=True),
                F("action__code").asc(nulls_first=True),
                F("due_date").asc(nulls_last=True),
                "pk",
            )
        )


class IndicatorResource(SheetResource):
    row_error_column = "Date cible"
    extra_error_columns = {"roadmap": "Action", "position": "Code"}

    action = Field(
        attribute="action", column_name="Action", widget=ReferenceWidget("action", "code")
    )
    code = Field(attribute="code", column_name="Code", widget=TextWidget(code=True))
    label = Field(attribute="label", column_name="Indicateur", widget=TextWidget())
    unit = Field(attribute="unit", column_name="Unité", widget=TextWidget())
    kind = Field(attribute="kind", column_name="Type", widget=ChoiceWidget(Kind))
    baseline_value = Field(
        attribute="baseline_value", column_name="Valeur initiale", widget=DecimalWidget()
    )
    baseline_date = Field(
        attribute="baseline_date", column_name="Date initiale", widget=DateWidget()
    )
    target_value = Field(attribute="target_value", column_name="Cible", widget=DecimalWidget())
    target_date = Field(attribute="target_date", column_name="Date cible", widget=DateWidget())
    # An empty Sens is the model's default, « Plus haut est mieux ».
    direction = Field(
        attribute="direction",
        column_name="Sens",
        widget=ChoiceWidget(Direction),
        default=Direction.HIGHER,
    )
    periodicity = Field(
        attribute="periodicity", column_name="Périodicité", widget=ChoiceWidget(Periodicity)
    )
    periods_from = Field(
        attribute="periods_from", column_name="Première période", widget=DateWidget()
    )
    period_count = Field(
        attribute="period_count",
        column_name="Nombre de périodes",
        widget=CountWidget(1, MAX_PERIOD_COUNT),
    )
    summed_from = Field(
        attribute="summed_from",
        column_name="Somme de",
        widget=ReferenceWidget("indicator", "code", required=False),
    )
    interpretation = Field(
        attribute="interpretation", column_name="Interprétation", widget=TextWidget()
    )
    retired_on = Field(attribute="retired_on", column_name="Retiré le", widget=DateWidget())

    _positions: dict[str, int] = {}  # by code, for the new rows (set by before_import)
    optional_columns = frozenset(
        {
            "Périodicité",
            "Première période",
            "Nombre de périodes",
            "Somme de",
            "Interprétation",
            "Retiré le",
        }
    )

    class Meta:
        model = Indicator
        fields = (
            "action",
            "code",
            "label",
            "unit",
            "kind",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "direction",
            "periodicity",
            "periods_from",
            "period_count",
            "summed_from",
            "interpretation",
            "retired_on",
        )
        import_id_fields = ["code"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._positions = self._new_positions(dataset)
        if "Somme de" in dataset.headers:
            self._sources_first(dataset)

    def _new_positions(self, dataset) -> dict[str, int]:
        """Where each new indicator goes: after its action's others, in the order of the
        sheet, so that an export lists them in the order they were imported."""
        last = dict(
            Indicator.objects.filter(roadmap=self.roadmap)
            .values("action__code")
            .annotate(last=Max("position"))
            .values_list("action__code", "last")
        )
        known = set(Indicator.objects.filter(roadmap=self.roadmap).values_list("code", flat=True))
        positions = {}
        for row in dataset.dict:
            code, action = clean_code(row.get("Code")), clean_code(row.get("Action"))
            if code and code not in known and code not in positions:
                last[action] = (last.get(action) or 0) + 1
                positions[code] = last[action]
        return positions

    def _sources_first(self, dataset) -> None:
        """Put the rows that « Somme de » names before the rows that name them, so that a sum
        may come before its source in the sheet. Excel's row numbers go along with them."""
        rows = list(dataset)
        numbers = self.line_numbers or [index + 2 for index in range(len(rows))]
        position = {name: index for index, name in enumerate(dataset.headers)}
        sources = {clean_code(row[position["Somme de"]]) for row in rows} - {""}
        first = [
            index for index, row in enumerate(rows) if clean_code(row[position["Code"]]) in sources
        ]
        if not first:
            return
        order = first + [index for index in range(len(rows)) if index not in set(first)]
        headers = list(dataset.headers)
        dataset.wipe()
        dataset.headers = headers
        for index in order:
            dataset.append(rows[index])
        self.line_numbers = [numbers[index] for index in order]

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors.update(self.period_errors(instance, errors))
        if instance.code and clean_code(row.get("Somme de")) == instance.code:
            # Not « unknown »: this row's indicator, which does not exist yet.
            errors["summed_from"] = [
                ValidationError(_("Un indicateur ne peut pas être la somme de lui-même."))
            ]
        errors.update(self.sum_errors(instance, errors))
        if errors:
            raise ValidationError(errors)

    def period_errors(self, instance, errors) -> dict[str, ValidationError]:
        """A per-period indicator has a periodicity and a first period; no other kind has."""
        if "kind" in errors or not instance.kind:
            return {}
        found = {}
        if instance.kind == progress.PER_PERIOD:
            if not instance.periodicity and "periodicity" not in errors:
                found["periodicity"] = _(
                    "Un indicateur par période a une périodicité : %(choices)s."
                ) % {"choices": ", ".join(self.fields["periodicity"].widget.french_labels())}
            if instance.periods_from is None and "periods_from" not in errors:
                found["periods_from"] = _(
                    "Un indicateur par période a une première période : une date de celle-ci "
                    "(par exemple 01/09/2024 pour l'année universitaire 2024/2025)."
                )
            return {key: ValidationError(message) for key, message in found.items()}
        for attribute, empty in (
            ("periodicity", ""),
            ("periods_from", None),
            ("period_count", None),
        ):
            if attribute not in errors and getattr(instance, attribute) != empty:
                found[attribute] = _(
                    "Seul un indicateur par période a une colonne « %(column)s » : videz-la, "
                    "ou choisissez le type « Par période »."
                ) % {"column": self.fields[attribute].column_name}
        return {key: ValidationError(message) for key, message in found.items()}

    def sum_errors(self, instance, errors) -> dict[str, ValidationError]:
        """« Somme de » names a per-period indicator of the same action, for a cumulative one."""
        source = instance.summed_from if instance.summed_from_id else None
        if source is None or "summed_from" in errors:
            return {}
        if source.code == instance.code:
            message = _("Un indicateur ne peut pas être la somme de lui-même.")
        elif source.kind != progress.PER_PERIOD:
            message = _(
                "%(source)s n'est pas un indicateur par période : seul un indicateur par période "
                "peut être additionné."
            ) % {"source": source.code}
        elif instance.action_id is not None and source.action_id != instance.action_id:
            message = _(
                "%(source)s suit l'action %(action)s : un indicateur ne peut être que la somme "
                "d'un indicateur de sa propre action."
            ) % {"source": source.code, "action": source.action.code}
        elif instance.kind and instance.kind != progress.CUMULATIVE and "kind" not in errors:
            message = _("Seul un indicateur cumulatif peut être la somme d'un autre.")
        else:
            return {}
        return {"summed_from": ValidationError(message)}

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance._state.adding:
            instance.position = self._positions.get(instance.code) or self._last_position(instance)

    @staticmethod
    def _last_position(instance) -> int:
        last = (
            Indicator.objects.filter(action=instance.action)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        return (last or 0) + 1

    def after_save_instance(self, instance, row, **kwargs):
        # A sum further down the sheet may name this row: it must see it as it is now.
        self.references.indicators[instance.code] = instance

    def existing_rows(self):
        return self.get_queryset().select_related("action", "summed_from")

    def describe(self, instance) -> str:
        return instance.code

    def export_queryset(self):
        # The files hold public indicators only: a new one awaiting review is in none of them.
        return (
            self.existing_rows()
            .filter(is_public=True)
            .order_by("action__axis__number", "action__code", "position", "code")
        )


class DatedByIndicator:
    """A sheet whose rows are known by an indicator's code and a date (`date_field`): the
    measurements and the dated targets."""

    date_field = "date"

    def existing_rows(self):
        return self.get_queryset().select_related("indicator")

    def natural_key(self, instance) -> tuple:
        return (instance.indicator.code, getattr(instance, self.date_field))

    def describe(self, instance) -> str:
        day = getattr(instance, self.date_field)
        when = date_text(day) if day else "?"
        return _("%(code)s au %(date)s") % {"code": instance.indicator.code, "date": when}

    def export_queryset(self):
        # Those of public indicators only (an indicator awaiting review hides its rows).
        return (
            self.existing_rows()
            .filter(indicator__is_public=True)
            .order_by("indicator__code", self.date_field)
        )


class MeasurementResource(DatedByIndicator, SheetResource):
    row_error_column = "Date"
    extra_error_columns = {"recorded_by": "Indicateur"}

    indicator = Field(
        attribute="indicator", column_name="Indicateur", widget=ReferenceWidget("indicator", "code")
    )
    date = Field(attribute="date", column_name="Date", widget=DateWidget())
    value = Field(attribute="value", column_name="Valeur", widget=DecimalWidget())
    source = Field(attribute="source", column_name="Source", widget=TextWidget())
    comment = Field(attribute="comment", column_name="Commentaire", widget=TextWidget())

    class Meta:
        model = Measurement
        fields = ("indicator", "date", "value", "source", "comment")
        import_id_fields = ["indicator", "date"]
        # The sheet that grows with the years (thousands of rows): written in batches, with
        # their history, rather than one save and one history row at a time.
        use_bulk = True
        batch_size = 1000

    def get_queryset(self):
        return Measurement.objects.filter(indicator__roadmap=self.roadmap)

    def export_queryset(self):
        # The files hold published values only (docs/contract.md): a proposal awaiting review
        # is in none of them.
        return super().export_queryset().filter(review_state=ReviewState.PUBLISHED)

    def init_instance(self, row=None):
        return Measurement()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        indicator = getattr(instance, "indicator", None) if "indicator" not in errors else None
        # A sum's own measurements count for nothing: a new or changed one is refused; one
        # already there and left as it is passes, so that an export re-imports unchanged.
        written = not self._before or self.snapshot(instance) != self._before
        if indicator is not None and indicator.summed_from_id is not None and written:
            errors["indicator"] = [
                ValidationError(
                    _("%(sum)s est la somme de %(source)s : saisissez les valeurs sur %(source)s.")
                    % {"sum": indicator.code, "source": indicator.summed_from.code}
                )
            ]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's field checks, without its constraints: each would cost a query per row,
        and the sheet already guarantees them. The indicator comes from this roadmap's own
        (`References`) and the recorder is the importing user; an (indicator, date) pair is
        either found among the existing rows (an update) or refused as a duplicate within the
        sheet (`before_import_row`); the one check constraint, a source, is the field's own
        `blank=False`. The database still enforces them all, at the end of the import."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=set(errors) | {"indicator", "recorded_by"},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance._state.adding:
            instance.recorded_by = instance._history_user
        else:
            # What `VersionedModel.save` and `auto_now` do, which a bulk update skips.
            instance.version += 1
            instance.updated_at = timezone.now()
        if instance.review_state != ReviewState.PUBLISHED:
            # What an administrator imports publishes at once, a proposal it overwrites too.
            instance.review_state = ReviewState.PUBLISHED
            instance.reviewed_by = instance._history_user
            instance.reviewed_at = timezone.now()

    def get_bulk_update_fields(self):
        return [
            *super().get_bulk_update_fields(),
            "version",
            "updated_at",
            "review_state",
            "reviewed_by",
            "reviewed_at",
        ]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(
            bulk_create_with_history,
            self.create_instances,
            result=result,
            raise_errors=raise_errors,
            batch_size=batch_size,
        )

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(
            bulk_update_with_history,
            self.update_instances,
            result=result,
            raise_errors=raise_errors,
            fields=self.get_bulk_update_fields(),
            batch_size=batch_size,
        )

    def _write_batch(self, write, instances: list, *, result, raise_errors, **options) -> None:
        """Write `instances` with their signed history rows. An error (a row another import
        wrote meanwhile) is the sheet's, as import-export reports its own bulk writes' errors:
        the import is then rolled back."""
        if instances:
            try:
                write(
                    instances,
                    Measurement,
                    default_user=self._importing_user(),
                    default_change_reason=self.change_reason(),
                    **options,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                instances.clear()

    def _importing_user(self):
        return self.user if getattr(self.user, "pk", None) else None

    def value_text(self, column: str, value, instance) -> str:
        if column == "Valeur":  # « 35 000 apprenants »
            return quantity_text(value, instance.indicator.unit)
        return super().value_text(column, value, instance)


class TargetResource(DatedByIndicator, SheetResource):
    """Dated targets besides an indicator's final one: intermediate steps of its trajectory,
    or, for a per-period indicator, the own target of the period containing the date."""

    date_field = "on"

    row_error_column = "Date"

    indicator = Field(
        attribute="indicator", column_name="Indicateur", widget=ReferenceWidget("indicator", "code")
    )
    on = Field(attribute="on", column_name="Date", widget=DateWidget())
    value = Field(attribute="value", column_name="Valeur", widget=DecimalWidget())
    source = Field(attribute="source", column_name="Source", widget=TextWidget())
    interpretation = Field(
        attribute="interpretation", column_name="Interprétation", widget=TextWidget()
    )

    class Meta:
        model = Target
        fields = ("indicator", "on", "value", "source", "interpretation")
        import_id_fields = ["indicator", "on"]

    def get_queryset(self):
        return Target.objects.filter(indicator__roadmap=self.roadmap)

    def init_instance(self, row=None):
        return Target()

    def value_text(self, column: str, value, instance) -> str:
        if column == "Valeur":  # « cible 75 000 apprenants »
            return _("cible %(value)s") % {"value": quantity_text(value, instance.indicator.unit)}
        return super().value_text(column, value, instance)


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


def quantity_text(value, unit: str) -> str:
    """A value with its indicator's unit, on one line: « 35 000 apprenants », « 12 € »."""
    shown = display(value)
    return f"{shown}\u00a0{unit}" if unit else shown


def sheet_spec(name: str) -> SheetSpec:
    return next(spec for spec in SHEETS if spec.name == name)
