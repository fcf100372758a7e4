"""A model's constraints checked row after row without a query per row (`RowConstraints`): what
`Model.validate_constraints` says, in the same words, for a sheet of thousands of rows.

Django checks each constraint of each row with a query: a check constraint by evaluating its
condition in the database, a unique constraint by looking for another row with the same values.
At a few milliseconds each, that was most of the time of a large import (docs/benchmarks.md,
« Sauvegarde par le classeur »). Here:

- a check constraint's condition is evaluated in Python, with SQL's rules for NULL (a condition
  that is unknown passes, as in the database); a condition this evaluator does not read (a
  lookup or an expression it does not know) is checked by Django, in the database;
- a unique constraint reads, once per sheet, the values its rows already take; a row whose values
  are neither among them nor among those of the rows checked before it cannot collide and needs
  no query; any other is checked by Django, in the database (an update keeps its own values). A
  partial one (with a condition) is about the rows that meet its condition only.

The database still enforces every constraint when the row is saved.
"""

from __future__ import annotations

import operator

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class _Unreadable(Exception):
    """A condition this evaluator does not read: Django checks it."""


class _Excluded(Exception):
    """A condition on a column already found wrong: not checked, as Django does."""


class RowConstraints:
    """The constraints of `model`, checked for one row after another (see the module)."""

    def __init__(self, model):
        self.model = model
        self._taken: dict[str, set[tuple]] = {}

    def validate(self, instance, exclude: set[str]) -> None:
        """Raise the ValidationError `instance.validate_constraints(exclude)` would raise."""
        errors: dict = {}
        for constraint in self.model._meta.constraints:
            try:
                self._validate(constraint, instance, exclude)
            except ValidationError as error:
                # Django's own grouping (Model.validate_constraints).
                fields = getattr(constraint, "fields", ())
                if getattr(error, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate(self, constraint, instance, exclude: set[str]) -> None:
        if isinstance(constraint, CheckConstraint):
            try:
                passes = self._evaluate(constraint.condition, instance, exclude)
            except _Excluded:
                return
            except _Unreadable:
                constraint.validate(self.model, instance, exclude=exclude)
                return
            if passes is False:
                raise ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
            return
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            if any(name in exclude for name in constraint.fields):
                return
            values = tuple(self._value(instance, name) for name in constraint.fields)
            if any(value is None for value in values):
                return  # NULL never equals NULL: no collision (Django's rule too)
            if constraint.condition is not None:
                try:
                    applies = self._evaluate(constraint.condition, instance, exclude)
                except _Excluded:
                    return
                except _Unreadable:
                    applies = True
                if not applies:
                    return  # a row the constraint is not about (a partial unique index)
            taken = self._taken_values(constraint)
            if values in taken:
                constraint.validate(self.model, instance, exclude=exclude)
            taken.add(values)
            return
        constraint.validate(self.model, instance, exclude=exclude)

    def _taken_values(self, constraint: UniqueConstraint) -> set[tuple]:
        if constraint.name not in self._taken:
            attnames = [self.model._meta.get_field(name).attname for name in constraint.fields]
            self._taken[constraint.name] = set(self.model._default_manager.values_list(*attnames))
        return self._taken[constraint.name]

    def _value(self, instance, name: str):
        return getattr(instance, self.model._meta.get_field(name).attname)

    def _evaluate(self, node, instance, exclude: set[str]) -> bool | None:
        """True, False, or None for unknown (a comparison with NULL), as SQL says."""
        if isinstance(node, Q):
            results = [self._evaluate(child, instance, exclude) for child in node.children]
            if node.connector == Q.AND:
                result = False if False in results else None if None in results else True
            elif node.connector == Q.OR:
                result = True if True in results else None if None in results else False
            else:
                raise _Unreadable
            if node.negated and result is not None:
                result = not result
            return result
        if not isinstance(node, tuple):
            raise _Unreadable
        path, right = node
        name, _, lookup = path.rpartition("__")
        if lookup not in {*_COMPARISONS, "in", "isnull"}:
            name, lookup = path, "exact"
        if "__" in name:
            raise _Unreadable  # across a relation
        left = self._field_value(instance, name, exclude)
        if isinstance(right, F):
            right = self._field_value(instance, right.name, exclude)
        elif hasattr(right, "resolve_expression"):
            raise _Unreadable
        if lookup == "exact" and right is None:
            lookup, right = "isnull", True
        if lookup == "isnull":
            return (left is None) == bool(right)
        if left is None or right is None:
            return None
        if lookup == "in":
            return left in right
        return _COMPARISONS[lookup](left, right)

    def _field_value(self, instance, name: str, exclude: set[str]):
        try:
            field = self.model._meta.get_field(name)
        except Exception:
            raise _Unreadable from None
        if field.name in exclude:
            raise _Excluded
        if not field.concrete or field.many_to_many:
            raise _Unreadable
        return getattr(instance, field.attname)
