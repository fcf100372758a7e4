"""The task force's writes, each in one transaction that changes the data version (`writing`):

- `save_unless_changed`: lock a versioned row, compare its version with the one the form was
  read at, and save only if nobody saved in between (no lost update); many-to-many values
  (an action's partners) are set with the row, in one history row;
- `delete_unless_changed`: the same lock and comparison, then the row deleted (a dated target
  removed: its history keeps it);
- `save_new`: write the new row of a valid form, or report the duplicate that someone else
  wrote since the form was validated (the database's uniqueness is the last word).

A member's proposal awaiting review and a reviewer's return are written without changing the
data version (`public=False`): readers see none of it (docs/domain.md « Relecture »).

The edit views use them (roadmap/views/edit.py); docs/architecture.md, « Le chemin d'une
requête ».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db import IntegrityError

from .caching import privately, writing
from .models import VersionedModel


@dataclass(frozen=True)
class Locked:
    """A row locked for an edit: `stale` when someone saved it since the form was read."""

    row: VersionedModel
    stale: bool


def save_unless_changed(
    model: type[VersionedModel],
    pk: int,
    version: int,
    *,
    public: bool = True,
    keep_updated_at: bool = False,
    **values,
) -> Locked:
    """Lock the row, compare its version with the form's, then save `values` if they differ.

    When someone saved in between, nothing is written: the caller reports the conflict with
    the row as it is now. A many-to-many value is the collection of rows it must hold.
    Not `public` (a proposal awaiting review, a return): written without changing the data
    version, readers' cached copies staying good (`caching.privately`). With
    `keep_updated_at`, the row's `updated_at` stays as it was: a change proposed to a published
    indicator leaves what readers see, down to the moment the open data says it last changed.
    """
    with writing() if public else privately():
        row = model.objects.select_for_update().get(pk=pk)
        if row.version != version:
            return Locked(row, stale=True)
        many = {name for name in values if row._meta.get_field(name).many_to_many}
        changed = [
            name
            for name, value in values.items()
            if (
                set(getattr(row, name).all()) != set(value)
                if name in many
                else getattr(row, name) != value
            )
        ]
        if changed:
            for name in changed:
                if name in many:
                    # Set without a history row of its own: the save below writes one row
                    # holding the new values and the new collection together.
                    row.skip_history_when_saving = True
                    try:
                        getattr(row, name).set(values[name])
                    finally:
                        del row.skip_history_when_saving
                else:
                    setattr(row, name, values[name])
            if keep_updated_at:
                row.save(update_fields=[*changed, "version"])
            else:
                row.save()
    return Locked(row, stale=False)


def delete_unless_changed(model: type[VersionedModel], pk: int, version: int) -> Locked:
    """Lock the row, compare its version with the form's, then delete it.

    When someone saved in between, nothing is deleted (`stale`); the row is returned either
    way, for the caller's message.
    """
    with writing():
        row = model.objects.select_for_update().get(pk=pk)
        if row.version != version:
            return Locked(row, stale=True)
        row.delete()
    return Locked(row, stale=False)


def save_new(form: forms.ModelForm, rebound: Callable[[], forms.ModelForm], *, public: bool = True):
    """Write the new row of the valid `form`; None when written (not `public`: without
    changing the data version, as `save_unless_changed`).

    When the database refuses it as a duplicate (someone wrote the same row since `form` was
    validated), nothing is written and the form `rebound()` gives is returned, validated again:
    it now says what is already there.
    """
    try:
        with writing() if public else privately():
            form.save()
    except IntegrityError:
        again = rebound()
        again.is_valid()
        return again
    return None
