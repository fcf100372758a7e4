"""No open-data file holds a value awaiting review, at the large generated size
(docs/contract.md « Relecture avant publication »).

The benchmark's large roadmap (`synthetic.sizes.LARGE`: 1 000 actions, ~100 000 measurements)
is generated, then a mix of its measurements and notes is put back in review: some proposed,
some returned. Every file of `/donnees/` (the JSON, the workbook with its Périodes sheet, each
CSV and `/donnees/periodes.csv`) and the journal's feed must then be exactly what they are
once those rows are gone: readers see published content only, down to the derived figures.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from roadmap import spreadsheets
from roadmap.caching import writing
from roadmap.models import Action, Measurement, ProgressNote, ReviewState
from synthetic.sizes import LARGE

pytestmark = pytest.mark.usefixtures("no_roadmap")


def files() -> list[str]:
    """Every open-data file, and the journal's feed."""
    sheets = [f"/donnees/{spec.slug}.csv" for spec in spreadsheets.SHEETS]
    return [
        "/donnees/feuille-de-route.json",
        "/donnees/feuille-de-route.xlsx",
        "/donnees/periodes.csv",
        *sheets,
        "/journal/atom.xml",
    ]


def read_all() -> dict[str, bytes]:
    client = Client()
    answers = {url: client.get(url) for url in files()}
    assert {url: answer.status_code for url, answer in answers.items()} == dict.fromkeys(
        answers, 200
    )
    return {url: answer.content for url, answer in answers.items()}


@writing()
def put_back_in_review() -> tuple[list[int], list[int]]:
    """Every seventh measurement proposed (its value changed, as a proposal would), every
    eleventh returned, every fifth note proposed: the ids of each kind."""
    ids = list(Measurement.objects.order_by("pk").values_list("pk", flat=True))
    proposed, returned = ids[::7], ids[3::11]
    Measurement.objects.filter(pk__in=proposed).update(
        review_state=ReviewState.PROPOSED, value=F("value") + 987654
    )
    Measurement.objects.filter(pk__in=returned).update(
        review_state=ReviewState.RETURNED, review_comment="Source ?"
    )
    notes = list(ProgressNote.objects.order_by("pk").values_list("pk", flat=True))[::5]
    ProgressNote.objects.filter(pk__in=notes).update(
        review_state=ReviewState.PROPOSED, done="Texte en attente de validation."
    )
    return proposed + returned, notes


def test_no_open_data_file_holds_a_pending_value_at_the_large_size(db):
    call_command("generate_roadmap", large=True, stdout=None)
    assert Action.objects.count() == LARGE.actions
    assert Measurement.objects.count() > 90_000
    measurements, notes = put_back_in_review()
    assert len(measurements) > 20_000 and len(notes) > 500

    with_pending = read_all()
    with writing():
        Measurement.objects.filter(pk__in=measurements).delete()
        ProgressNote.objects.filter(pk__in=notes).delete()
    without = read_all()

    for url in files():
        assert with_pending[url] == without[url], url
    assert b"Texte en attente" not in with_pending["/journal/atom.xml"]
