"""Reviewers deciding on the same proposal at the same moment, against a live server on
PostgreSQL (docs/domain.md « Relecture »).

Several administrators publish or return the same proposed value at once, each at the version
they read: exactly one decision is written, every other reviewer gets a 409 and nothing of
theirs is written, and the history holds the proposal and the one decision, signed by its
reviewer. SQLite has no row locks, so these run on PostgreSQL only, as tests/roadmap/
test_concurrency.py does.
"""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement, ProgressNote, ReviewState
from tests.support.concurrency import Browser, all_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (see .ci/run)"
    ),
]

REVIEWERS = 6


@pytest.fixture
def reviewers(live_server, roadmap):
    users = [
        User.objects.create_user(f"relecteur-{n}", password="x" * 20, role=Role.ADMINISTRATOR)
        for n in range(REVIEWERS)
    ]
    browsers = [Browser(live_server, user) for user in users]
    for browser in browsers:
        browser.get("/a-valider/")
    return browsers


@pytest.fixture
def member(roadmap):
    return User.objects.create_user(
        "membre-has",
        password="x" * 20,
        role=Role.MEMBER,
        organisation=Organisation.objects.get(acronym="HAS"),
    )


def propose(member) -> Measurement:
    """A value the HAS member proposes on IA 2-4, through the edit view."""
    action = Action.objects.get(code="IA 2-4")
    indicator = action.indicators.create(
        code="IA2-4-GUIDES", label="Guides", unit="guides", kind="level", target_value=3
    )
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/actions/{action.slug}/indicateurs/{indicator.code}/mesures/",
        {"date": "2025-06-30", "value": "2", "source": "Relevé HAS"},
    )
    assert response.status_code == 302
    return Measurement.objects.get(indicator=indicator)


def decisions(n: int) -> tuple[str, str]:
    """Half the reviewers publish, half return with a comment of their own."""
    return ("publish", "") if n % 2 == 0 else ("return", f"Source à préciser ({n}).")


def test_simultaneous_decisions_on_one_proposal_write_exactly_one(reviewers, member):
    measurement = propose(member)
    item = f"mesure-{measurement.pk}:{measurement.version}"

    wanted = [decisions(n) for n in range(REVIEWERS)]

    codes = all_at_once(
        [
            lambda b=browser, d=decision: b.post(
                "/a-valider/", {"item": item, "decision": d[0], "comment": d[1]}
            )
            for browser, decision in zip(reviewers, wanted, strict=True)
        ]
    )

    assert sorted(codes) == [200] + [409] * (REVIEWERS - 1), codes
    winner = codes.index(200)
    decision, comment = decisions(winner)
    state = ReviewState.PUBLISHED if decision == "publish" else ReviewState.RETURNED
    measurement.refresh_from_db()
    assert (
        measurement.review_state,
        measurement.reviewed_by.username,
        measurement.review_comment,
        measurement.version,
    ) == (state, reviewers[winner].username, comment, 2)
    # The history: the proposal, then the one decision, signed by the reviewer who made it
    assert [
        (r.history_type, r.review_state, r.review_comment, r.history_user.username)
        for r in measurement.history.select_related("history_user").order_by("history_id")
    ] == [
        ("+", ReviewState.PROPOSED, "", "membre-has"),
        ("~", state, comment, reviewers[winner].username),
    ]


def test_simultaneous_decisions_on_one_indicator_change_write_exactly_one(reviewers, member):
    action = Action.objects.get(code="IA 2-4")
    indicator = action.indicators.create(
        code="IA2-4-GUIDES", label="Guides", unit="guides", kind="level", target_value=3
    )
    client = Client()
    client.force_login(member)
    definition = {"label": "Guides", "unit": "guides", "kind": "level", "direction": "higher"}
    response = client.post(
        f"/actions/{action.slug}/indicateurs/{indicator.code}/modifier/",
        {**definition, "target_value": "5", "version": indicator.version},
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    item = f"indicateur-{indicator.pk}:{indicator.version}"
    wanted = [decisions(n) for n in range(REVIEWERS)]

    codes = all_at_once(
        [
            lambda b=browser, d=decision: b.post(
                "/a-valider/", {"item": item, "decision": d[0], "comment": d[1]}
            )
            for browser, decision in zip(reviewers, wanted, strict=True)
        ]
    )

    assert sorted(codes) == [200] + [409] * (REVIEWERS - 1), codes
    winner = codes.index(200)
    decision, comment = decisions(winner)
    state = ReviewState.PUBLISHED if decision == "publish" else ReviewState.RETURNED
    indicator = Indicator.objects.get(pk=indicator.pk)
    # Published, the change is applied once; returned, it is kept for its author.
    target = 5 if decision == "publish" else 3
    kept = None if decision == "publish" else {"target_value": "5"}
    assert (
        indicator.review_state,
        indicator.reviewed_by.username,
        indicator.review_comment,
        indicator.target_value,
        indicator.proposed_values,
        indicator.version,
    ) == (state, reviewers[winner].username, comment, target, kept, 3)
    assert [
        (r.review_state, r.history_user.username if r.history_user else None)
        for r in indicator.history.select_related("history_user").order_by("history_id")
    ] == [
        (ReviewState.PUBLISHED, None),
        (ReviewState.PROPOSED, "membre-has"),
        (state, reviewers[winner].username),
    ]


def test_overlapping_selections_never_write_half_of_a_decision(reviewers, member):
    measurement = propose(member)
    action = Action.objects.get(code="IA 2-4")
    client = Client()
    client.force_login(member)
    client.post(
        f"/actions/{action.slug}/points/",
        {"written_on": "2025-06-30", "done": "Guide relu.", "risks": "", "next_steps": ""},
    )
    note = ProgressNote.objects.get(action=action)
    both = [f"mesure-{measurement.pk}:{measurement.version}", f"point-{note.pk}:{note.version}"]
    only_note = [both[1]]

    codes = all_at_once(
        [
            lambda b=browser, n=n: b.post(
                "/a-valider/",
                {"item": both if n % 2 == 0 else only_note, "decision": "publish"},
            )
            for n, browser in enumerate(reviewers)
        ]
    )

    assert sorted(codes) == [200] + [409] * (REVIEWERS - 1), codes
    winner = codes.index(200)
    measurement.refresh_from_db()
    note.refresh_from_db()
    assert note.review_state == ReviewState.PUBLISHED
    assert note.reviewed_by.username == reviewers[winner].username
    # The value is published only when the winner's selection held it: never half a decision
    expected = ReviewState.PUBLISHED if winner % 2 == 0 else ReviewState.PROPOSED
    assert measurement.review_state == expected
    assert note.history.count() == 2
    assert measurement.history.count() == (2 if winner % 2 == 0 else 1)
