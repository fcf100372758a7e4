"""The resources of the sheets of dated values of an indicator, known by its code and a date:
Mesures (the sheet that grows with the years, written in batches) and Cibles (dated targets)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.fields import Field

from roadmap.french import date_text
from roadmap.models import Measurement, ReviewState, Target

from .cells import display
from .sheet import BulkWritten, SheetResource
from .widgets import DateWidget, DecimalWidget, ReferenceWidget, TextWidget


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


class MeasurementResource(DatedByIndicator, BulkWritten, SheetResource):
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
        if instance.review_state != ReviewState.PUBLISHED:
            # What an administrator imports publishes at once, a proposal it overwrites too.
            instance.review_state = ReviewState.PUBLISHED
            instance.reviewed_by = instance._history_user
            instance.reviewed_at = timezone.now()

    def get_bulk_update_fields(self):
        return [
            *super().get_bulk_update_fields(),
            "review_state",
            "reviewed_by",
            "reviewed_at",
        ]

    def value_text(self, column: str, value, instance) -> str:
        if column == "Valeur":  # « 35 000 apprenants »
            return quantity_text(value, instance.indicator.unit)
        return super().value_text(column, value, instance)


class TargetResource(DatedByIndicator, BulkWritten, SheetResource):
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
        use_bulk = True
        batch_size = 1000

    def get_queryset(self):
        return Target.objects.filter(indicator__roadmap=self.roadmap)

    def init_instance(self, row=None):
        return Target()

    def value_text(self, column: str, value, instance) -> str:
        if column == "Valeur":  # « cible 75 000 apprenants »
            return _("cible %(value)s") % {"value": quantity_text(value, instance.indicator.unit)}
        return super().value_text(column, value, instance)


def quantity_text(value, unit: str) -> str:
    """A value with its indicator's unit, on one line: « 35 000 apprenants », « 12 € »."""
    shown = display(value)
    return f"{shown}\u00a0{unit}" if unit else shown
