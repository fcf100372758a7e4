"""HTMX answers checked against the page they update, so partial and page can never drift apart.

For each inline edit: take the action page as the user had it, post the edit with htmx, apply
the answer as htmx would (the fragment replaces the element with the same id; elements marked
hx-swap-oob replace theirs), and compare with a fresh render of the whole page. When the edit
is refused (bad input, conflict), the page with the answer applied must equal the page that the
same post gets without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote
from tests.roadmap.edit_helpers import (
    FAST_PASSWORD_HASHERS,
    colleague,
    days,
    htmx,
    make_indicator,
    make_milestone,
    normalised,
    parse,
    signed_in,
    swap,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@dataclass
class Scene:
    """IA 2-4 with something in every section, and a member of the HAS on its page."""

    action: Action
    open_milestone: Milestone
    done_milestone: Milestone
    indicator: Indicator
    client: Client

    def page(self) -> str:
        response = self.client.get(self.action.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def post(self, name: str, args: list, data: dict, *, with_htmx: bool):
        url = reverse(f"roadmap:{name}", args=[self.action.slug, *args])
        headers = htmx(self.action) if with_htmx else {}
        return self.client.post(url, data, **headers)


@pytest.fixture
def scene(roadmap, has_member) -> Scene:
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    open_milestone = make_milestone(action, "Publier le référentiel", due_date=days(-5))
    done_milestone = make_milestone(
        action, "Réunir le comité", due_date=days(-40), done_on=days(-41)
    )
    indicator = make_indicator(action)
    Measurement.objects.create(
        indicator=indicator, date=days(-100), value=20000, source="Enquête", recorded_by=has_member
    )
    ProgressNote.objects.create(
        action=action, author=has_member, written_on=days(-20), done="Premier atelier."
    )
    return Scene(action, open_milestone, done_milestone, indicator, signed_in(has_member))


# Each edit: the view, its URL arguments and posted data (from the scene), and the id of the
# element the form targets (hx-target).
EDITS = {
    "status": (
        "edit-status",
        lambda s: [],
        lambda s: {"status": "at_risk", "version": s.action.version},
        "resume",
    ),
    "tick": (
        "edit-milestone-done",
        lambda s: [s.open_milestone.pk],
        lambda s: {"done": "on", "done_on": days(-1), "version": s.open_milestone.version},
        "jalons",
    ),
    "reopen": (
        "edit-milestone-done",
        lambda s: [s.done_milestone.pk],
        lambda s: {"version": s.done_milestone.version},
        "jalons",
    ),
    "reschedule": (
        "edit-milestone-reschedule",
        lambda s: [s.open_milestone.pk],
        lambda s: {"due_date": days(20), "version": s.open_milestone.version},
        "jalons",
    ),
    "add-milestone": (
        "edit-milestone-add",
        lambda s: [],
        lambda s: {"title": "Lancer l'appel à projets", "due_date": days(90)},
        "jalons",
    ),
    "measurement": (
        "edit-measurement",
        lambda s: [s.indicator.code],
        lambda s: {"date": days(-1), "value": "70 000", "source": "Enquête HAS", "comment": ""},
        "indicateurs",
    ),
    "note": (
        "edit-note",
        lambda s: [],
        lambda s: {"written_on": days(0), "done": "Consultation lancée.", "risks": ""},
        "points",
    ),
}

# The same edits with input each view refuses.
INVALID = {
    "status": {"status": "douze"},
    "tick": {"done": "on", "done_on": days(3)},
    "reschedule": {"due_date": "bientôt"},
    "add-milestone": {"title": "", "due_date": ""},
    "measurement": {"value": "douze", "source": ""},
    "note": {"done": "", "written_on": days(2)},
}


def test_the_helpers_find_an_element_and_swap_it_in_and_out_of_band():
    page = '<main><div id="a"><p>vieux<br>texte</p></div><div id="b">B</div></main>'
    answer = '<div id="a"><p>neuf</p></div>\n<div id="b" hx-swap-oob="true">B2</div>'

    assert {element_id: e.tag for element_id, e in parse(page).elements.items()} == {
        "a": "div",
        "b": "div",
    }
    assert swap(page, answer, "a") == (
        '<main><div id="a"><p>neuf</p></div><div id="b">B2</div></main>'
    )


@pytest.mark.parametrize("edit", EDITS)
def test_the_page_with_the_htmx_answer_applied_equals_a_fresh_page(scene, edit):
    name, args, data, target = EDITS[edit]
    # GIVEN the page as the member had it
    before = scene.page()

    # WHEN they make the edit with htmx
    response = scene.post(name, args(scene), data(scene), with_htmx=True)
    assert response.status_code == 200

    # THEN their page, once the answer is swapped in, is the page anyone would now get
    assert normalised(swap(before, response.content.decode(), target)) == normalised(scene.page())


@pytest.mark.parametrize("edit", INVALID)
def test_a_refused_edit_looks_the_same_with_htmx_and_without(scene, edit):
    name, args, data, target = EDITS[edit]
    posted = {**data(scene), **INVALID[edit]}
    before = scene.page()

    with_htmx = scene.post(name, args(scene), posted, with_htmx=True)
    without = scene.post(name, args(scene), posted, with_htmx=False)

    assert with_htmx.status_code == without.status_code == 422
    assert normalised(swap(before, with_htmx.content.decode(), target)) == normalised(
        without.content.decode()
    )


@pytest.mark.parametrize("edit", ["status", "tick", "reschedule"])
def test_a_conflict_looks_the_same_with_htmx_and_without(scene, edit):
    name, args, data, target = EDITS[edit]
    # GIVEN the page as the member had it, then a change by a colleague
    before = scene.page()
    posted = data(scene)
    camille = signed_in(colleague("HAS"))
    assert (
        camille.post(
            reverse(f"roadmap:{name}", args=[scene.action.slug, *args(scene)]),
            {
                **posted,
                **({"status": "late"} if edit == "status" else {"due_date": days(50)}),
            },
        ).status_code
        == 302
    )

    # WHEN the member posts from their page, with htmx and without
    with_htmx = scene.post(name, args(scene), posted, with_htmx=True)
    without = scene.post(name, args(scene), posted, with_htmx=False)

    # THEN both are refused, and the page with the answer applied shows what the other does
    assert with_htmx.status_code == without.status_code == 409
    assert normalised(swap(before, with_htmx.content.decode(), target)) == normalised(
        without.content.decode()
    )
