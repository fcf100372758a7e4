"""Text already stored made what the input policy lets in (`roadmap.inputs.conforming_text`):
CRLF and CR become LF, and the control characters it refuses (all but tab and line feed) are
removed, in every column of text a person types (forms, the workbook import, the admin).

Rows written before the policy, or around it (a script, the shell), could hold them: a workbook
cell cannot, so the spreadsheet backup would not re-import them as they were. Idempotent: a
text already conforming is left alone. Each changed row is written by `update()`, without a new
version nor a history row (its meaning does not change); the history keeps what was written.
"""

from django.db import migrations

from roadmap.inputs import conforming_text

# The columns of text a person types, by model, as they stand at this migration. Not the
# machine-written ones (hashes, tokens, a file's name, a report's frozen snapshot, passwords),
# nor usernames and e-mail addresses, whose own validators never let a control character in.
COLUMNS = {
    ("roadmap", "Roadmap"): ["title", "period", "source_title", "description", "interpretation"],
    ("roadmap", "Axis"): ["short_title", "title"],
    ("roadmap", "Action"): ["code", "title", "description", "objective", "framework"],
    ("roadmap", "Milestone"): ["title", "source", "interpretation"],
    ("roadmap", "Indicator"): ["code", "label", "unit", "source", "interpretation"],
    ("roadmap", "Target"): ["source", "interpretation"],
    ("roadmap", "Measurement"): ["source", "comment", "review_comment"],
    ("roadmap", "ProgressNote"): ["done", "risks", "next_steps", "review_comment"],
    ("roadmap", "Report"): ["title"],
    ("roadmap", "ActionReadiness"): ["decisions"],
    ("accounts", "Organisation"): ["acronym", "name"],
    ("accounts", "User"): ["first_name", "last_name"],
}


def normalise_stored_texts(apps, schema_editor=None) -> int:
    """Make every stored text of `COLUMNS` conforming; the number of rows changed."""
    changed = 0
    for (app_label, model_name), columns in COLUMNS.items():
        model = apps.get_model(app_label, model_name)
        rows = model._base_manager.values_list("pk", *columns).order_by("pk")
        updates = []  # read first, then written: no table changes under an open cursor
        for pk, *texts in rows.iterator(chunk_size=2000):
            update = {
                column: conforming_text(text)
                for column, text in zip(columns, texts, strict=True)
                if text and conforming_text(text) != text
            }
            if update:
                updates.append((pk, update))
        for pk, update in updates:
            model._base_manager.filter(pk=pk).update(**update)
        changed += len(updates)
    return changed


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0007_indicator_review"),
        ("accounts", "0002_invitations"),
    ]

    operations = [
        migrations.RunPython(normalise_stored_texts, migrations.RunPython.noop, elidable=True),
    ]
