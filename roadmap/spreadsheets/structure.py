"""The resources of the sheets that describe the roadmap: Actions (by code), Jalons (by action
code and title) and Indicateurs (by code), in the order they are imported."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export.fields import Field

from roadmap import progress
from roadmap.models import (
    MAX_PERIOD_COUNT,
    STATUS_UNSET_LABEL,
    Action,
    Direction,
    Indicator,
    Kind,
    Milestone,
    Periodicity,
    Status,
)

from .cells import clean_code
from .sheet import BulkWritten, SheetResource
from .widgets import (
    ChoiceWidget,
    CountWidget,
    DateWidget,
    DecimalWidget,
    OrganisationListWidget,
    ReferenceWidget,
    TextWidget,
)


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


class MilestoneResource(BulkWritten, SheetResource):
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
        # Milestones refer to actions only: written in batches (`BulkWritten`).
        use_bulk = True
        batch_size = 1000

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        # What `Milestone.save` does, which a batch skips: the first due date is kept.
        if instance.original_due_date is None:
            instance.original_due_date = instance.due_date

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "original_due_date"]

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
