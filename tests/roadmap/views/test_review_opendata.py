"""No open-data file holds a value awaiting review, at the large generated size
(docs/contract.md « Relecture avant publication »).

The benchmark's large roadmap (`synthetic.sizes.LARGE`: 1 000 actions, ~100 000 measurements)
is generated, then a mix of its measurements and notes is put back in review: some proposed,
some returned. Every file of `/donnees/` (the JSON, the workbook with its Périodes sheet, each
CSV and `/donnees/periodes.csv`) and the journal's feed must then be exactly what they are
once those rows are gone: readers see published content only, down to the derived figures.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from roadmap import spreadsheets
from roadmap.caching import writing
from roadmap.models import Action, Measurement, ProgressNote, ReviewState
from synthetic.sizes import LARGE
from tests.support.files import read_xlsx

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


def read_all() -> dict[str, object]:
    """What a reader downloads: the JSON and the workbook as values (a workbook's bytes hold
    the moment it was written), the CSV files and the feed as they are."""
    client = Client()
    answers = {url: client.get(url) for url in files()}
    assert {url: answer.status_code for url, answer in answers.items()} == dict.fromkeys(
        answers, 200
    )
    read = {url: answer.content for url, answer in answers.items()}
    read["/donnees/feuille-de-route.json"] = json.loads(read["/donnees/feuille-de-route.json"])
    read["/donnees/feuille-de-route.xlsx"] = read_xlsx(read["/donnees/feuille-de-route.xlsx"])
    return read


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


# The large size, and a small one that shows the same in seconds.
SIZES = {
    "large": ({"large": True}, LARGE.actions),
    "petite": ({"actions": 12, "measurements_per_indicator": 8, "notes_per_action": 5}, 12),
}


@pytest.mark.parametrize("size", SIZES)
def test_no_open_data_file_holds_a_pending_value_at_the_generated_sizes(db, size):
    options, actions = SIZES[size]
    call_command("generate_roadmap", stdout=StringIO(), **options)
    assert Action.objects.count() == actions
    measurements, notes = put_back_in_review()
    assert len(measurements) > Measurement.objects.count() / 6 and notes
    # (some of the values are proposed in a per-period indicator: the Périodes sheet shows them)
    assert Measurement.objects.filter(pk__in=measurements, indicator__kind="per_period").exists()

    with_pending = read_all()
    with writing():
        Measurement.objects.filter(pk__in=measurements).delete()
        ProgressNote.objects.filter(pk__in=notes).delete()
    without = read_all()

    for url in files():
        assert with_pending[url] == without[url], url
    assert b"Texte en attente" not in with_pending["/journal/atom.xml"]
