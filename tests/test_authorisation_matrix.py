"""Who may do what, URL by URL and method by method: the whole app in one table.

Every route of the app has a row: for an anonymous reader, a member of the organisation that
leads the action (HAS, IA 2-4), a member of another organisation (DNS) and an administrator,
the status code of each HTTP method. Designating an action's pilots is for administrators
only: the lead's own member is refused too. Every refused write leaves the database exactly as it
was. A new route without a row makes `test_every_route_has_a_row` fail.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Organisation
from roadmap.models import (
    Action,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Report,
    Target,
)
from roadmap.reports import open_report, publish

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
USERS = ("anonymous", "owner", "other", "administrator")
READ = {"GET": 200, "HEAD": 200}


@dataclass
class Row:
    """Expected status per method and user; methods not listed answer 405 to everyone."""

    url: str | None = None
    statuses: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def expected(self, method, user):
        by_user = self.statuses.get(method, 405)
        return by_user if isinstance(by_user, int) else by_user[user]


def everyone(status):
    return dict.fromkeys(USERS, status)


PUBLIC = Row(statuses=READ)
SIGNED_IN_ONLY = {"anonymous": 302, "owner": 200, "other": 200, "administrator": 200}
# Views that require signing in before checking the method.
SIGN_IN_FIRST = {"anonymous": 302, "owner": 405, "other": 405, "administrator": 405}
EDIT = {"anonymous": 302, "owner": 302, "other": 403, "administrator": 302}
ADMINISTRATORS_ONLY = {"anonymous": 302, "owner": 403, "other": 403, "administrator": 302}


# The council reports of `_council_reports`, by their slugs.
PUBLISHED_REPORT = "seance-2026-03-12"
REPORT_IN_PREPARATION = "seance-2026-06-18"
# The accounts pages: administrators only, signing in first, then the method.
ADMINISTRATORS_PAGE = {"anonymous": 302, "owner": 403, "other": 403, "administrator": 200}
ADMINISTRATORS_FIRST = {"anonymous": 302, "owner": 403, "other": 403, "administrator": 405}
# The invitation and the account the accounts rows act on (`invitation_and_person`).
ADMINISTRATORS_POST = {
    method: ADMINISTRATORS_ONLY if method == "POST" else ADMINISTRATORS_FIRST for method in METHODS
}
MATRIX_INVITATION = 4242
MATRIX_PERSON = 4243
MATRIX_TOKEN = "jeton-de-la-matrice"


def matrix(action, milestone, indicator, target):
    slug = action.slug
    code = indicator.code
    return {
        # Public pages and open data.
        "roadmap:dashboard": PUBLIC,
        "roadmap:axis": Row(reverse("roadmap:axis", args=[2]), READ),
        "roadmap:action": Row(reverse("roadmap:action", args=[slug]), READ),
        "roadmap:indicators": PUBLIC,
        "roadmap:method": PUBLIC,
        "roadmap:journal": PUBLIC,
        "roadmap:journal-feed": PUBLIC,
        "roadmap:opendata": PUBLIC,
        "roadmap:opendata-json": PUBLIC,
        "roadmap:opendata-schema": PUBLIC,
        "roadmap:opendata-xlsx": PUBLIC,
        "roadmap:opendata-csv": Row(reverse("roadmap:opendata-csv", args=["actions"]), READ),
        "healthz": PUBLIC,
        # The pages every French State site must have.
        "roadmap:accessibility": PUBLIC,
        "roadmap:legal-notice": PUBLIC,
        "roadmap:personal-data": PUBLIC,
        "roadmap:sitemap": PUBLIC,
        # The task force's edits: POST only, by the owning organisation or an administrator.
        "roadmap:edit-status": Row(
            reverse("roadmap:edit-status", args=[slug]),
            {"POST": EDIT},
            {"status": "in_progress", "version": action.version},
        ),
        "roadmap:edit-milestone-add": Row(
            reverse("roadmap:edit-milestone-add", args=[slug]),
            {"POST": EDIT},
            {"title": "Jalon de la matrice", "due_date": "2026-06-30"},
        ),
        "roadmap:edit-milestone-done": Row(
            reverse("roadmap:edit-milestone-done", args=[slug, milestone.pk]),
            {"POST": EDIT},
            {"done": "on", "done_on": "2025-06-01", "version": milestone.version},
        ),
        "roadmap:edit-milestone-reschedule": Row(
            reverse("roadmap:edit-milestone-reschedule", args=[slug, milestone.pk]),
            {"POST": EDIT},
            {"due_date": "2026-12-31", "version": milestone.version},
        ),
        "roadmap:edit-measurement": Row(
            reverse("roadmap:edit-measurement", args=[slug, indicator.code]),
            {"POST": EDIT},
            {"date": "2025-06-30", "value": "12", "source": "Matrice", "comment": ""},
        ),
        "roadmap:edit-note": Row(
            reverse("roadmap:edit-note", args=[slug]),
            {"POST": EDIT},
            {"written_on": "2025-06-30", "done": "Fait.", "risks": "", "next_steps": ""},
        ),
        # The indicators a member keeps, and their dated targets.
        "roadmap:edit-indicator-add": Row(
            reverse("roadmap:edit-indicator-add", args=[slug]),
            {"POST": EDIT},
            {
                "label": "Indicateur de la matrice",
                "code": "IA2-4-MATRICE",
                "unit": "guides",
                "kind": "level",
                "direction": "higher",
                "target_value": "3",
            },
        ),
        "roadmap:edit-indicator": Row(
            reverse("roadmap:edit-indicator", args=[slug, code]),
            {"POST": EDIT},
            {
                "label": "Guides publiés et diffusés",
                "unit": "guides",
                "kind": "level",
                "direction": "higher",
                "target_value": "4",
                "version": indicator.version,
            },
        ),
        "roadmap:edit-indicator-retire": Row(
            reverse("roadmap:edit-indicator-retire", args=[slug, code]),
            {"POST": EDIT},
            {"retired_on": "2025-06-30", "version": indicator.version},
        ),
        "roadmap:edit-indicator-restore": Row(
            reverse("roadmap:edit-indicator-restore", args=[slug, code]),
            {"POST": EDIT},
            {"version": indicator.version},
        ),
        "roadmap:edit-target-add": Row(
            reverse("roadmap:edit-target-add", args=[slug, code]),
            {"POST": EDIT},
            {"on": "2025-12-31", "value": "2", "source": "Matrice"},
        ),
        "roadmap:edit-target": Row(
            reverse("roadmap:edit-target", args=[slug, code, target.pk]),
            {"POST": EDIT},
            {"on": "2025-09-30", "value": "2", "version": target.version},
        ),
        "roadmap:edit-target-remove": Row(
            reverse("roadmap:edit-target-remove", args=[slug, code, target.pk]),
            {"POST": EDIT},
            {"version": target.version},
        ),
        # Who leads and partners the action: administrators only.
        "roadmap:edit-pilots": Row(
            reverse("roadmap:edit-pilots", args=[slug]),
            {"POST": ADMINISTRATORS_ONLY},
            {"lead": action.lead_id or "", "version": action.version},
        ),
        "roadmap:my-actions": Row(statuses={"GET": SIGNED_IN_ONLY, "HEAD": SIGNED_IN_ONLY}),
        # Council reports (`_council_reports`: one published, one in preparation): read by
        # everyone; prepared and published by administrators; actions marked ready by their
        # pilots. Opening a report while one is in preparation is a conflict.
        "roadmap:reports": PUBLIC,
        "roadmap:report": Row(reverse("roadmap:report", args=[PUBLISHED_REPORT]), READ),
        "roadmap:report-pdf": Row(reverse("roadmap:report-pdf", args=[PUBLISHED_REPORT]), READ),
        "roadmap:report-xlsx": Row(reverse("roadmap:report-xlsx", args=[PUBLISHED_REPORT]), READ),
        "roadmap:report-json": Row(reverse("roadmap:report-json", args=[PUBLISHED_REPORT]), READ),
        "roadmap:report-preparation": Row(
            statuses={
                "GET": {**ADMINISTRATORS_ONLY, "administrator": 200},
                "HEAD": {**ADMINISTRATORS_ONLY, "administrator": 200},
                "POST": {**ADMINISTRATORS_ONLY, "administrator": 409},
            },
            data={"meeting_date": "2027-01-14"},
        ),
        "roadmap:report-publish": Row(
            reverse("roadmap:report-publish", args=[REPORT_IN_PREPARATION]),
            {"POST": ADMINISTRATORS_ONLY},
            {"version": 1},
        ),
        "roadmap:edit-session-ready": Row(
            reverse("roadmap:edit-session-ready", args=[slug]),
            {"POST": EDIT},
            {f"seance-{slug}-decisions": "Décision de la matrice"},
        ),
        # Review before publication: the queue is the administrators'; corrections of what
        # awaits review are edits of the action (see `review_rows`).
        **review_rows(action, indicator),
        # Accounts (django.contrib.auth) and the language switch.
        # Django's form views treat PUT like POST (with an empty form: nothing is written).
        "login": Row(
            statuses={**READ, "POST": everyone(200), "PUT": everyone(200)},
            data={"username": "personne", "password": "mauvais"},
        ),
        "logout": Row(statuses={"POST": everyone(302)}),
        "password_change": Row(
            statuses={
                **dict.fromkeys(("GET", "HEAD", "POST", "PUT"), SIGNED_IN_ONLY),
                "PATCH": SIGN_IN_FIRST,
                "DELETE": SIGN_IN_FIRST,
            },
            data={"old_password": "mauvais"},
        ),
        "password_change_done": Row(
            statuses={
                "GET": SIGNED_IN_ONLY,
                "HEAD": SIGNED_IN_ONLY,
                # Signing in comes first: anonymous people are sent to the sign-in page.
                **{method: SIGN_IN_FIRST for method in ("POST", "PUT", "PATCH", "DELETE")},
            }
        ),
        "password_reset": Row(
            statuses={**READ, "POST": everyone(302), "PUT": everyone(200)},
            data={"email": "personne@example.org"},
        ),
        "password_reset_done": PUBLIC,
        "password_reset_confirm": Row(
            reverse("password_reset_confirm", args=["MQ", "jeton-invalide"]),
            # An invalid link shows its French explanation, whatever the method.
            dict.fromkeys(METHODS, everyone(200)),
        ),
        "password_reset_complete": PUBLIC,
        # Django's language switch redirects whatever the method; only POST changes the language.
        "set_language": Row(
            statuses=dict.fromkeys(METHODS, everyone(302)),
            data={"language": "en", "next": "/"},
        ),
        # ProConnect: nothing answers while it is not configured (tests/accounts/test_proconnect.py
        # covers it configured, against a real provider).
        "accounts:proconnect-login": Row(statuses=dict.fromkeys(METHODS, everyone(404))),
        "accounts:proconnect-callback": Row(statuses=dict.fromkeys(METHODS, everyone(404))),
        # Invitations and accounts: administrators only; sign in first, then the method.
        "accounts:invitations": Row(
            statuses={
                "GET": ADMINISTRATORS_PAGE,
                "HEAD": ADMINISTRATORS_PAGE,
                "POST": ADMINISTRATORS_ONLY,
                **dict.fromkeys(("PUT", "PATCH", "DELETE"), ADMINISTRATORS_FIRST),
            },
            data={
                "email": "matrice@example.org",
                "organisation": action.lead_id or "",
                "role": "member",
            },
        ),
        "accounts:invitation-resend": Row(
            reverse("accounts:invitation-resend", args=[MATRIX_INVITATION]),
            ADMINISTRATORS_POST,
        ),
        "accounts:invitation-revoke": Row(
            reverse("accounts:invitation-revoke", args=[MATRIX_INVITATION]),
            ADMINISTRATORS_POST,
        ),
        "accounts:person-active": Row(
            reverse("accounts:person-active", args=[MATRIX_PERSON]),
            ADMINISTRATORS_POST,
            {"active": "0"},
        ),
        # The invited person's page: anyone with the link; a bad password writes nothing (422).
        "accounts:invitation-accept": Row(
            reverse("accounts:invitation-accept", args=[MATRIX_TOKEN]),
            {**READ, "POST": everyone(422)},
            {"password1": "un-mot-de-passe-solide", "password2": "un-autre-mot-de-passe"},
        ),
    }


REVIEWERS_ONLY = {"anonymous": 302, "owner": 403, "other": 403, "administrator": 200}
# The owner proposed the value: the administrator publishes it (and is sent back to the queue).
PUBLISH = {"anonymous": 302, "owner": 403, "other": 403, "administrator": 302}


def review_rows(action, indicator) -> dict:
    """The rows of the review routes, on the proposals of `proposals` (none before the
    database is there: only the route names count then)."""
    slug = action.slug
    proposed = returned = note = None
    if indicator.pk is not None:
        proposed = Measurement.objects.filter(indicator=indicator, review_state="proposed").first()
        returned = Measurement.objects.filter(indicator=indicator, review_state="returned").first()
        note = ProgressNote.objects.filter(action=action, review_state="returned").first()
    return {
        "roadmap:review": Row(
            reverse("roadmap:review"),
            {"GET": REVIEWERS_ONLY, "HEAD": REVIEWERS_ONLY, "POST": PUBLISH},
            {"item": f"mesure-{proposed.pk}:{proposed.version}", "decision": "publish"}
            if proposed
            else {},
        ),
        "roadmap:edit-measurement-correct": Row(
            reverse(
                "roadmap:edit-measurement-correct", args=[slug, returned.pk if returned else 1]
            ),
            {"POST": EDIT},
            {
                "date": "2025-05-31",
                "value": "7",
                "source": "Matrice corrigée",
                "comment": "",
                "version": returned.version if returned else 1,
            },
        ),
        "roadmap:edit-note-correct": Row(
            reverse("roadmap:edit-note-correct", args=[slug, note.pk if note else 1]),
            {"POST": EDIT},
            {
                "written_on": "2025-06-30",
                "done": "Corrigé.",
                "risks": "",
                "next_steps": "",
                "version": note.version if note else 1,
            },
        ),
    }


@pytest.fixture(autouse=True)
def proposals(targets, people):
    """On IA 2-4: a value its HAS member proposed, one and a note an administrator returned."""
    action, _milestone, indicator, _target = targets
    owner, administrator = people["owner"], people["administrator"]
    proposed = {"review_state": "proposed", "proposed_by": owner}
    Measurement.objects.create(
        indicator=indicator, date="2025-04-30", value=5, source="Matrice", **proposed
    )
    returned = {**proposed, "review_state": "returned", "reviewed_by": administrator}
    Measurement.objects.create(
        indicator=indicator, date="2025-05-31", value=6, source="Matrice", **returned
    )
    ProgressNote.objects.create(
        action=action, author=owner, written_on="2025-06-01", done="À revoir.", **returned
    )


def test_a_reviewer_never_publishes_their_own_proposal(client, targets, people):
    _action, _milestone, indicator, _target = targets
    administrator = people["administrator"]
    own = Measurement.objects.create(
        indicator=indicator,
        date="2025-03-31",
        value=4,
        source="Matrice",
        review_state="proposed",
        proposed_by=administrator,
    )
    client.force_login(administrator)
    before = database_state()

    response = client.post(
        reverse("roadmap:review"), {"item": f"mesure-{own.pk}:{own.version}", "decision": "publish"}
    )

    assert response.status_code == 403
    assert database_state() == before


def test_a_member_never_publishes_even_what_they_may_edit(client, targets, people):
    _action, _milestone, indicator, _target = targets
    proposed = Measurement.objects.get(indicator=indicator, review_state="proposed")
    for user in ("owner", "other"):
        client.force_login(people[user])
        before = database_state()

        for decision in ("publish", "return"):
            response = client.post(
                reverse("roadmap:review"),
                {
                    "item": f"mesure-{proposed.pk}:{proposed.version}",
                    "decision": decision,
                    "comment": "Non.",
                },
            )
            assert response.status_code == 403, (user, decision)
        assert database_state() == before


def _proposed_indicator(indicator, by):
    """A change to `indicator`'s definition proposed by `by`, awaiting review."""
    Indicator.objects.filter(pk=indicator.pk).update(
        review_state="proposed", proposed_values={"target_value": "1"}, proposed_by=by
    )
    indicator.refresh_from_db()
    return f"indicateur-{indicator.pk}:{indicator.version}"


def test_a_reviewer_never_publishes_their_own_indicator_proposal(client, targets, people):
    _action, _milestone, indicator, _target = targets
    administrator = people["administrator"]
    own = _proposed_indicator(indicator, administrator)
    client.force_login(administrator)
    before = database_state()

    response = client.post(reverse("roadmap:review"), {"item": own, "decision": "publish"})

    assert response.status_code == 403
    assert database_state() == before


def test_a_member_never_publishes_an_indicator_even_one_they_may_edit(client, targets, people):
    _action, _milestone, indicator, _target = targets
    proposed = _proposed_indicator(indicator, people["owner"])
    for user in ("owner", "other"):
        client.force_login(people[user])
        before = database_state()

        for decision in ("publish", "return"):
            response = client.post(
                reverse("roadmap:review"),
                {"item": proposed, "decision": decision, "comment": "Non."},
            )
            assert response.status_code == 403, (user, decision)
        assert database_state() == before


def route_names(patterns=None, namespace=""):
    """The names of every route of the app, outside the Django admin."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def database_state():
    """Every row of every table of the app, to prove a refused write changed nothing."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for app in ("accounts", "roadmap")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def targets(roadmap):
    action = Action.objects.get(code="IA 2-4")  # led by the HAS
    milestone = Milestone.objects.create(action=action, title="Guide publié", due_date="2025-12-31")
    indicator = Indicator.objects.create(
        action=action,
        code="IA2-4-GUIDES",
        label="Guides publiés",
        unit="guides",
        kind="level",
        target_value=3,
    )
    target = Target.objects.create(indicator=indicator, on="2025-06-30", value=1)
    return action, milestone, indicator, target


@pytest.fixture(autouse=True)
def _council_reports(roadmap):
    """A published council report, and the next one in preparation (version 1)."""
    published = open_report(roadmap, "Séance de mars", datetime.date(2026, 3, 12), None, None)
    publish(published, published.version, None)
    # Its PDF as publication stores it (rendering one for every row would take seconds each):
    # the PDF address serves these bytes.
    Report.objects.filter(pk=published.pk).update(pdf=b"%PDF-1.7\n%%EOF\n")
    open_report(roadmap, "Séance de juin", datetime.date(2026, 6, 18), None, None)


@pytest.fixture(autouse=True)
def invitation_and_person(roadmap):
    """A pending invitation and a member's account, at known ids, for the accounts rows."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Invitation, User

    has = Organisation.objects.get(acronym="HAS")
    Invitation.objects.create(
        pk=MATRIX_INVITATION,
        email="invitee@example.org",
        organisation=has,
        role="member",
        token_hash=Invitation.hash_token(MATRIX_TOKEN),
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    User.objects.create_user(
        "membre-de-la-matrice", pk=MATRIX_PERSON, role="member", organisation=has
    )


@pytest.fixture
def people(has_member, dns_member, administrator):
    return {"owner": has_member, "other": dns_member, "administrator": administrator}


def test_every_route_has_a_row(targets):
    assert route_names() == set(matrix(*targets)), "add the new route to the matrix"


ROUTES = sorted(
    matrix(
        Action(slug="ia-2-4", version=1),
        Milestone(pk=1, version=1),
        Indicator(code="X"),
        Target(pk=1, version=1),
    )
)


@pytest.mark.parametrize("name", ROUTES)
def test_who_may_do_what(client, targets, people, name):
    row = matrix(*targets)[name]
    url = row.url or reverse(name)
    for user in USERS:
        for method in METHODS:
            # Each attempt starts from the same database: whatever it writes is rolled back.
            with transaction.atomic():
                client.logout()
                if user != "anonymous":
                    client.force_login(people[user])
                expected = row.expected(method, user)
                before = database_state() if method not in {"GET", "HEAD"} else None

                response = client.generic(
                    method,
                    url,
                    data=urlencode(row.data if method == "POST" else {}),
                    content_type="application/x-www-form-urlencoded",
                )

                assert response.status_code == expected, f"{method} {url} as {user}"
                refused = expected >= 400 or (user == "anonymous" and expected == 302)
                if before is not None and refused:
                    assert database_state() == before, f"{method} {url} as {user} wrote"
                transaction.set_rollback(True)


def test_the_admin_is_for_administrators_only(client, people):
    for user, expected in (("owner", 302), ("other", 302), ("administrator", 200)):
        client.force_login(people[user])
        assert client.get("/admin/").status_code == expected, user
        assert client.get("/admin/roadmap/importupload/").status_code == expected, user
    client.logout()
    assert client.get("/admin/").status_code == 302
    assert Organisation.objects.filter(acronym="HAS").exists()
