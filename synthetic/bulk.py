"""Writing a synthetic roadmap fast: rows by the thousand, and the history they would leave.

`insert` writes model instances or dicts of column values with their own primary keys and their
own `created_at`/`updated_at` (COPY on PostgreSQL, one `executemany` on SQLite; `bulk_create`
elsewhere, its timestamps set back afterwards by `bulk_update`, which ignores `auto_now`). Nothing
here changes a model field: a process serving requests meanwhile keeps its `auto_now`.

`Writer` counts what it writes and builds django-simple-history's rows itself (`bulk_create`
sends none of the signals simple-history listens to), dated when each change happened.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .marks import CREATION_REASON

BATCH = 2000
HISTORY = "lignes d'historique"  # what history rows are counted as
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type"}


def insert(model, items: list) -> list:
    """`bulk_create` of model instances, or of dicts of column values by attname (cheaper to
    build by the hundred thousand), several times faster: by COPY on PostgreSQL, by one
    `executemany` on SQLite, skipping the ORM's per-row SQL compilation.

    Primary keys are allocated first (from the sequence on PostgreSQL, after the highest one on
    SQLite, whose write lock the transaction holds), so every item comes back with its pk, as
    from `bulk_create`.
    """
    if not items:
        return items
    if connection.vendor not in ("postgresql", "sqlite"):
        return bulk_create_as_given(model, items)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    as_dicts = isinstance(items[0], dict)

    # A column a dict leaves out takes its field's default (a review state, an empty comment),
    # kept in the dict for the history rows copied from it.
    defaults = {f.attname: f.get_default() for f in fields}

    def values(item) -> list:
        if as_dicts:
            return [item.setdefault(f.attname, defaults[f.attname]) for f in fields]
        return [getattr(item, f.attname) for f in fields]

    with connection.cursor() as cursor:
        for item, pk in zip(items, _new_ids(cursor, meta, len(items)), strict=True):
            _set(item, meta.pk.attname, pk)
        if connection.vendor == "postgresql":
            # psycopg adapts dates, aware datetimes and decimals itself.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for item in items:
                    copy.write_row(values(item))
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names from the models
                [
                    [
                        f.get_db_prep_save(v, connection)
                        for f, v in zip(fields, values(item), strict=True)
                    ]
                    for item in items
                ],
            )
    return items


def bulk_create_as_given(model, items: list) -> list:
    """`bulk_create` keeping the items' own `created_at`/`updated_at` (any database).

    `bulk_create` stamps `auto_now`/`auto_now_add` fields with « now »: the given moments are
    set back with `bulk_update`, which writes attribute values as they are.
    """
    objects = [model(**item) if isinstance(item, dict) else item for item in items]
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    given = [[getattr(obj, f.attname) for f in stamped] for obj in objects]
    model.objects.bulk_create(objects, batch_size=BATCH)
    for item, obj, values in zip(items, objects, given, strict=True):
        for f, value in zip(stamped, values, strict=True):
            setattr(obj, f.attname, value)
        _set(item, model._meta.pk.attname, obj.pk)
    if stamped:
        model.objects.bulk_update(objects, [f.name for f in stamped], batch_size=BATCH)
    return objects


def _set(item, attname: str, value) -> None:
    if isinstance(item, dict):
        item[attname] = value
    else:
        setattr(item, attname, value)


def _new_ids(cursor, meta, count: int) -> list[int]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite's AUTOINCREMENT never reuses an id: start after both the highest and the sequence.
    cursor.execute(
        f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) "  # noqa: S608
        f"FROM {connection.ops.quote_name(meta.db_table)}"
    )
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
    row = cursor.fetchone()
    first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


def _copied(model) -> list[str]:
    """The attributes a history row copies from its object."""
    return [
        f.attname
        for f in model.history.model._meta.concrete_fields
        if f.name not in _HISTORY_OWN and f.attname != "history_user_id"
    ]


class Writer:
    """Writes rows and their history, and counts them by French name (the command's summary)."""

    def __init__(self, *tracked):
        self.counts: dict[str, int] = {}
        # `Model.history` builds a new manager on every access: look the classes up once.
        self.history_models = {m: m.history.model for m in tracked}
        self.copied = {m: _copied(m) for m in tracked}

    def count(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number

    def write(self, model, items: list, name: str | None = HISTORY) -> list:
        """`insert` the items, counted under `name` (history rows by default; None: uncounted)."""
        items = insert(model, items)
        if name is not None:
            self.count(name, len(items))
        return items

    def history_row(self, model, obj, when, kind, user_id, reason, **overrides):
        values = {name: getattr(obj, name) for name in self.copied[model]}
        values.update(overrides)
        return self.history_models[model](
            **values,
            history_date=when,
            history_type=kind,
            history_user_id=user_id,
            history_change_reason=reason,
        )

    def trail(self, model, obj, created, first: dict, changes: Iterable[tuple]) -> list:
        """The history of `obj`: its creation with the `first` values, then one row per
        `(when, user, changed values)`, each with the values of all the changes so far."""
        state = dict(first)
        rows = [
            self.history_row(
                model,
                obj,
                created,
                "+",
                None,
                CREATION_REASON,
                **state,
                version=1,
                updated_at=created,
            )
        ]
        for version, (when, user, change) in enumerate(changes, start=2):
            state.update(change)
            rows.append(
                self.history_row(
                    model,
                    obj,
                    when,
                    "~",
                    user.pk,
                    None,
                    **state,
                    version=version,
                    updated_at=when,
                )
            )
        return rows
