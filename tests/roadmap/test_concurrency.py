"""Many people saving the same thing at the same moment, against a live server on PostgreSQL.

Every request either saves or is told why not (409 conflict, 422 already recorded); none
fails with a 500, exactly one change wins, and the history holds exactly the saved changes.
SQLite serialises writers on one file and has no row locks, so these run on PostgreSQL only.
The same holds for the indicators members keep and the pilots administrators designate.
"""

from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement
from tests.support.concurrency import Browser, all_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (see .ci/run)"
    ),
]

WRITERS = 8


@pytest.fixture
def browsers(live_server, roadmap):
    users = [
        User.objects.create_user(f"admin-{n}", password="x" * 20, role=Role.ADMINISTRATOR)
        for n in range(WRITERS)
    ]
    return [Browser(live_server, user) for user in users]


def test_simultaneous_status_changes_save_exactly_one(browsers):
    action = Action.objects.get(code="IA 2-1")
    for browser in browsers:
        browser.get(action.get_absolute_url())
    statuses = ["in_progress", "at_risk", "late", "done", "not_started", "abandoned"]
    wanted = [statuses[n % len(statuses)] for n in range(WRITERS)]
    history_before = action.history.count()

    codes = all_at_once(
        [
            lambda b=browser, s=status: b.post(
                f"/actions/{action.slug}/statut/", {"status": s, "version": action.version}
            )
            for browser, status in zip(browsers, wanted, strict=True)
        ]
    )

    assert sorted(codes) == [200] + [409] * (WRITERS - 1), codes
    winner = wanted[codes.index(200)]
    action.refresh_from_db()
    assert (action.status, action.version) == (winner, 2)
    assert action.history.count() == history_before + 1
    latest = action.history.first()
    assert (latest.status, latest.history_user.username) == (
        winner,
        browsers[codes.index(200)].username,
    )


def test_simultaneous_values_for_the_same_date_keep_exactly_one(browsers):
    action = Action.objects.get(code="IA 2-1")
    indicator = action.indicators.get(code="IA2-1-APP-AN")
    for browser in browsers:
        browser.get(action.get_absolute_url())

    codes = all_at_once(
        [
            lambda b=browser, n=n: b.post(
                f"/actions/{action.slug}/indicateurs/{indicator.code}/mesures/",
                {"date": "2025-08-31", "value": str(60000 + n), "source": f"Enquête {n}"},
            )
            for n, browser in enumerate(browsers)
        ]
    )

    assert codes.count(200) == 1, codes
    assert set(codes) <= {200, 409, 422}, codes
    (measurement,) = Measurement.objects.filter(indicator=indicator)
    winner = codes.index(200)
    assert (measurement.value, measurement.source) == (Decimal(60000 + winner), f"Enquête {winner}")
    assert Measurement.history.filter(indicator_id=indicator.pk).count() == 1


def test_simultaneous_ticks_of_one_milestone_record_one_change(browsers, roadmap):
    action = Action.objects.get(code="IA 2-1")
    milestone = action.milestones.create(title="Premier bilan", due_date="2025-12-31")
    for browser in browsers:
        browser.get(action.get_absolute_url())

    codes = all_at_once(
        [
            lambda b=browser: b.post(
                f"/actions/{action.slug}/jalons/{milestone.pk}/realisation/",
                {"done": "on", "done_on": "2025-10-01", "version": milestone.version},
            )
            for browser in browsers
        ]
    )

    assert sorted(codes) == [200] + [409] * (WRITERS - 1), codes
    milestone.refresh_from_db()
    assert (str(milestone.done_on), milestone.version) == ("2025-10-01", 2)
    assert milestone.history.count() == 2  # created, then ticked once


def test_simultaneous_changes_of_an_indicator_save_exactly_one(browsers):
    action = Action.objects.get(code="IA 2-1")
    indicator = action.indicators.get(code="IA2-1-MASTER-NUM")
    for browser in browsers:
        browser.get(action.get_absolute_url())
    history_before = indicator.history.count()

    codes = all_at_once(
        [
            lambda b=browser, n=n: b.post(
                f"/actions/{action.slug}/indicateurs/{indicator.code}/modifier/",
                {
                    "label": f"Parcours de masters {n}",
                    "unit": "parcours",
                    "kind": "level",
                    "direction": "higher",
                    "target_value": str(15 + n),
                    "version": indicator.version,
                },
            )
            for n, browser in enumerate(browsers)
        ]
    )

    assert sorted(codes) == [200] + [409] * (WRITERS - 1), codes
    winner = codes.index(200)
    indicator.refresh_from_db()
    assert (indicator.label, indicator.target_value, indicator.version) == (
        f"Parcours de masters {winner}",
        Decimal(15 + winner),
        2,
    )
    assert indicator.history.count() == history_before + 1
    assert indicator.history.first().history_user.username == browsers[winner].username


def test_simultaneous_new_indicators_of_one_code_keep_exactly_one(browsers):
    action = Action.objects.get(code="IA 4-1")
    for browser in browsers:
        browser.get(action.get_absolute_url())

    codes = all_at_once(
        [
            lambda b=browser, n=n: b.post(
                f"/actions/{action.slug}/indicateurs/ajouter/",
                {
                    "label": f"Indicateur {n}",
                    "code": "IA4-1-1",
                    "unit": "projets",
                    "kind": "level",
                    "direction": "higher",
                    "target_value": "10",
                },
            )
            for n, browser in enumerate(browsers)
        ]
    )

    assert codes.count(200) == 1, codes
    assert set(codes) <= {200, 409, 422}, codes
    (indicator,) = Indicator.objects.filter(code="IA4-1-1")
    assert indicator.label == f"Indicateur {codes.index(200)}"
    assert Indicator.history.filter(code="IA4-1-1").count() == 1


def test_simultaneous_designations_of_pilots_save_exactly_one(browsers):
    action = Action.objects.get(code="IA 2-1")
    organisations = list(Organisation.objects.order_by("acronym")[:WRITERS])
    for browser in browsers:
        browser.get(action.get_absolute_url())

    codes = all_at_once(
        [
            lambda b=browser, o=organisation: b.post(
                f"/actions/{action.slug}/pilotes/", {"lead": o.pk, "version": action.version}
            )
            for browser, organisation in zip(browsers, organisations, strict=True)
        ]
    )

    assert sorted(codes) == [200] + [409] * (WRITERS - 1), codes
    action.refresh_from_db()
    assert (action.lead, action.version) == (organisations[codes.index(200)], 2)
