"""What every sheet's django-import-export resource shares (`SheetResource`): scoped to one
roadmap, French headers matched loosely, rows found by natural key (`NaturalKeyLoader`), every
problem a row error, unchanged rows left alone, saves signed in the history.

Every problem is a row error (a `ValidationError`), an unchanged row is not saved, and each save
is signed in the history with the importing user and the file's name (docs/contract.md). A
column added after the first version of the format is optional (`optional_columns`): a file
without it leaves what it holds as it is, so that older workbooks still import. The sheets
themselves are in `structure` (Actions, Jalons, Indicateurs) and `dated` (Mesures, Cibles);
their order is `sheets.SHEETS`.
"""

from __future__ import annotations

import itertools

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from roadmap.french import fold
from roadmap.models import Roadmap

from .cells import display
from .constraints import RowConstraints
from .widgets import OrganisationListWidget, References, ReferenceWidget


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
        # No deep copy of each row to compare it with: `skip_row` compares the row's snapshot.
        skip_diff = True
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
        # The new rows whose values the preview may show (`_describes_new_row`); None: all.
        self.described_rows: int | None = None
        self._new_rows = 0
        self._in_sheet_order: bool | None = None
        self._seen_keys: dict[tuple, int] = {}
        self._instance = None
        self._before: dict[str, object] = {}
        self.constraints = RowConstraints(self._meta.model)
        self._reasons: dict[tuple, str] = {}

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

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing row whose every column reads as it was: left alone, not saved. The
        columns are compared as an export writes them, many-to-many ones read from the row
        (they are saved after this)."""
        if import_validation_errors or not self._before:
            return False
        before = self._before
        return all(
            self.new_value(resource_field, instance, row) == before[resource_field.column_name]
            for resource_field in self.get_import_fields()
        )

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
        already found wrong is not reported a second time in the model's words.

        What `full_clean` checks, without its queries per row: a reference the sheet found
        among the rows of this roadmap (`References`) is not looked up again, and the model's
        constraints are checked by `RowConstraints`, in Django's words."""
        errors = dict(import_validation_errors or {})
        model_errors: dict = {}
        try:
            instance.full_clean(
                exclude=set(errors) | self.found_references(instance),
                validate_unique=validate_unique,
                validate_constraints=False,
            )
        except ValidationError as error:
            model_errors = error.update_error_dict(model_errors)
        try:
            self.constraints.validate(
                instance, exclude={*errors, *model_errors} - {NON_FIELD_ERRORS}
            )
        except ValidationError as error:
            model_errors = error.update_error_dict(model_errors)
        for key, messages in model_errors.items():
            errors.setdefault(key, messages)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def found_references(instance) -> set[str]:
        """The foreign keys of `instance` that hold a row read from the database (the sheet's
        `References`): `full_clean` would query each to see that it exists."""
        found = set()
        for model_field in instance._meta.concrete_fields:
            if not model_field.many_to_one or model_field.remote_field.limit_choices_to:
                continue
            related = model_field.get_cached_value(instance, default=None)
            if (
                related is not None
                and not related._state.adding
                and related.pk == getattr(instance, model_field.attname)
            ):
                found.add(model_field.name)
        return found

    def change_reason(self) -> str:
        # Once per file and language, not once per row (a restore signs 100 000 of them).
        key = (self.file_name, translation.get_language())
        if key not in self._reasons:
            if self.file_name:
                reason = _("Import du fichier « %(name)s »") % {"name": self.file_name}
            else:
                reason = _("Import d'un classeur")
            self._reasons[key] = reason[:100]  # simple-history keeps at most 100 characters
        return self._reasons[key]

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
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW and self._describes_new_row():
            row_result.values = self.new_values(self._instance, row)
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            after = self.snapshot(self._instance)
            row_result.changes = [
                (column, display(self._before.get(column)), display(value))
                for column, value in after.items()
                if value != self._before.get(column)
            ]

    def _describes_new_row(self) -> bool:
        """Whether the preview may show this new row's values: it shows the first
        `described_rows` new rows of the sheet and counts the others, so that a restore of
        100 000 rows does not describe each. A sheet imported in another order than its own
        (a sum's source first) describes every row, for the preview to find its first ones."""
        if self.described_rows is None:
            return True
        if self._in_sheet_order is None:
            numbers = self.line_numbers or []
            self._in_sheet_order = all(a < b for a, b in itertools.pairwise(numbers))
        self._new_rows += 1
        return self._new_rows <= self.described_rows or not self._in_sheet_order

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


class BulkWritten:
    """A sheet whose rows are written in batches (`use_bulk`), with their signed history rows,
    rather than one save and one history row at a time: the sheets whose rows refer to no row
    of their own sheet. A batch skips `save()`: what it and `auto_now` do is done here."""

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if not instance._state.adding:
            # What `VersionedModel.save` and `auto_now` do, which a bulk update skips.
            instance.version += 1
            instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

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
                    self._meta.model,
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
