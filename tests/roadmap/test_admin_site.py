"""Tests of the Django admin's frame: named after the service, with the app's admin styles on
every page, and forms whose every control has a name for screen readers. Its home page names
each section and model once: django-axes' section is « Sécurité des connexions », apart from the
roadmap's « Axes », with French model names that need no migration.

GIVEN an administrator (or nobody, on the sign-in page), WHEN they open an admin page, THEN its
header and title name « Administration — Feuille de route IA en santé » (in English too) and not
Django, and the page loads static/css/admin.css once (underlined breadcrumb links with enough
contrast). The form of an action names each control of its milestones and indicators, and
offers its partners as labelled checkboxes. The form of an indicator has its periods, its sum,
its interpretation, its retirement and its dated targets (kept with their history); a
measurement on a sum is refused; the roadmap and milestone forms have their interpretation.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Organisation
from roadmap.models import Action, Indicator, Measurement, Milestone, Target
from tests.support.builders import days, make_milestone

HEADER = "Administration — Feuille de route IA en santé"
STYLES = '<link rel="stylesheet" href="/static/css/admin.css">'


@pytest.fixture
def admin_client(client, administrator, roadmap):
    client.force_login(administrator)
    return client


def ia_2_1_form() -> str:
    action = Action.objects.get(code="IA 2-1")
    return f"/admin/roadmap/action/{action.pk}/change/"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/admin/", "Accueil de l’administration"),
        ("/admin/roadmap/action/", "Sélectionnez l’objet action à changer"),
        (ia_2_1_form, "Modification de action"),
        ("/admin/roadmap/importupload/", "Importer un classeur"),
        ("/admin/accounts/user/", "Sélectionnez l’objet utilisateur à changer"),
        ("/admin/axes/accessattempt/", "Sélectionnez l’objet tentative refusée à changer"),
    ],
)
def test_every_admin_page_is_named_after_the_service_and_has_the_app_s_styles(
    admin_client, url, title
):
    response = admin_client.get(url() if callable(url) else url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div id="site-name"><a href="/admin/">{HEADER}</a></div>' in html
    assert re.search(rf"<title>(.+ \| )?{re.escape(title)} \| {HEADER}</title>", html)
    assert html.count(STYLES) == 1
    assert "Django" not in re.sub(r'(href|src)="[^"]*"', "", html)


def test_the_admin_home_page_is_titled_as_such(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert "<h1>Accueil de l’administration</h1>" in html


def admin_index(html: str) -> dict[str, list[str]]:
    """The sections of the admin's home page (one per app), each with its models' names."""
    index = {}
    for section in re.findall(r'<div class="app-[\w-]+ module.*?</table>', html, re.S):
        name = re.search(r'class="section"[^>]*>([^<]+)</a>', section).group(1).strip()
        index[name] = re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', section)
    return index


def test_the_admin_home_page_names_each_section_and_model_once(admin_client):
    index = admin_index(admin_client.get("/admin/").content.decode())

    # django-axes' section under a French name of its own, apart from the roadmap's axes
    assert index["Sécurité des connexions"] == [
        "Journal des connexions",
        "Journal des échecs de connexion",
        "Tentatives refusées",
    ]
    assert "Axes" in index["Feuille de route"]
    assert "Axes" not in index
    # no name given twice, whatever the case (the admin writes the sections in capitals)
    names = [
        name.casefold() for name in [*index, *(m for models in index.values() for m in models)]
    ]
    assert len(names) == len(set(names)), names


def test_the_french_names_of_django_axes_need_no_migration(db):
    # Only the names shown change: django-axes' models keep the Meta its migrations declare.
    call_command("makemigrations", "axes", "--check", "--dry-run", stdout=StringIO())


def test_the_admin_sign_in_page_is_named_after_the_service(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    html = response.content.decode()

    assert f'<div id="site-name"><a href="/admin/">{HEADER}</a></div>' in html
    assert f"<title>Connexion | {HEADER}</title>" in html
    assert html.count(STYLES) == 1


def test_the_admin_is_named_in_english_too(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = admin_client.get("/admin/").content.decode()

    header = "Administration — AI in health roadmap"
    assert f'<div id="site-name"><a href="/admin/">{header}</a></div>' in html
    assert f"<title>Administration home | {header}</title>" in html
    assert "<h1>Administration home</h1>" in html


def test_the_admin_styles_underline_the_breadcrumb_links_in_a_contrasted_bar():
    css = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text("utf-8")

    breadcrumbs = re.search(r"div\.breadcrumbs \{([^}]*)\}", css).group(1)
    assert "background: #264b5d;" in breadcrumbs
    assert "color: #fff;" in breadcrumbs
    links = re.search(r"div\.breadcrumbs a:hover \{([^}]*)\}", css).group(1)
    assert "color: #fff;" in links
    assert "text-decoration: underline;" in links


def test_the_form_of_an_action_names_every_control_of_its_inlines(admin_client):
    action = Action.objects.get(code="IA 2-1")
    milestone = make_milestone(action, "Ouvrir les inscriptions", due_date=days(30))

    html = admin_client.get(ia_2_1_form()).content.decode()

    def aria_label(element_id: str) -> str:
        tag = re.search(rf'<(input|select)\b[^>]*\bid="{element_id}"[^>]*>', html).group(0)
        return re.search(r'aria-label="([^"]*)"', tag).group(1)

    assert [
        aria_label(f"id_milestones-0-{field}") for field in ("title", "due_date", "done_on")
    ] == ["Jalon", "Échéance", "Réalisé le"]
    assert aria_label("id_milestones-0-DELETE") == "Supprimer"
    assert f'value="{milestone.title}"' in html
    indicator_fields = ("code", "label", "unit", "kind", "target_value", "target_date")
    assert [aria_label(f"id_indicators-0-{field}") for field in indicator_fields] == [
        "Code",
        "Indicateur",
        "Unité",
        "Type",
        "Cible",
        "Date cible",
    ]
    assert aria_label("id_indicators-0-DELETE") == "Supprimer"


def test_the_form_of_an_action_offers_its_partners_as_labelled_checkboxes(admin_client):
    action = Action.objects.get(code="IA 4-1")

    html = admin_client.get(f"/admin/roadmap/action/{action.pk}/change/").content.decode()

    boxes = re.findall(
        r'<label for="(id_partners_\d+)"><input type="checkbox" name="partners" value="\d+"'
        r'[^>]*id="\1"[^>]*>\s*([^<]+?)\s*</label>',
        html,
    )
    checked = re.findall(r'<input type="checkbox" name="partners"[^>]*checked[^>]*>', html)
    assert [label for _id, label in boxes] == sorted(
        organisation.acronym for organisation in Organisation.objects.all()
    )
    assert len(checked) == action.partners.count() == 8
    assert "selectfilter" not in html


# --- periods, dated targets, sums, interpretations


def indicator_form_data(indicator, **changes) -> dict:
    """The indicator's admin form as it stands, with `changes`, and no inline row."""
    data = {
        "action": indicator.action_id,
        "code": indicator.code,
        "label": indicator.label,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "position": indicator.position,
        "baseline_value": indicator.baseline_value or "",
        "baseline_date": indicator.baseline_date or "",
        "target_value": indicator.target_value,
        "target_date": indicator.target_date or "",
        "source": indicator.source,
        "periodicity": indicator.periodicity,
        "periods_from": indicator.periods_from or "",
        "period_count": indicator.period_count or "",
        "summed_from": indicator.summed_from_id or "",
        "interpretation": indicator.interpretation,
        "retired_on": indicator.retired_on or "",
    }
    for prefix in ("targets", "measurements"):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    return data | changes


def test_the_form_of_an_indicator_has_its_periods_sum_interpretation_and_targets(admin_client):
    total = Indicator.objects.get(code="IA2-1-APP-5ANS")
    Target.objects.create(indicator=total, on=date(2027, 8, 31), value=280000, source="Avenant")

    html = admin_client.get(f"/admin/roadmap/indicator/{total.pk}/change/").content.decode()

    for legend in (
        "Périodes (indicateur par période)",
        "Somme (indicateur cumulatif)",
        "Interprétation et retrait",
    ):
        assert legend in html
    for field in ("periodicity", "periods_from", "period_count", "interpretation", "retired_on"):
        assert f'name="{field}"' in html
    sources = re.search(r'<select name="summed_from".*?</select>', html, re.S).group(0)
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', sources)
    assert [label.split(" – ")[0] for label in offered] == ["IA2-1-APP-AN", "IA2-1-PRO-AN"]
    assert "selected>IA2-1-APP-AN" in sources
    assert 'name="targets-0-value" value="280000.0000"' in html
    assert re.search(r'<textarea name="targets-0-source"[^>]*>\s*Avenant</textarea>', html)

    def aria_label(element_id: str) -> str:
        tag = re.search(rf'<(input|textarea)\b[^>]*\bid="{element_id}"[^>]*>', html).group(0)
        return re.search(r'aria-label="([^"]*)"', tag).group(1)

    assert [
        aria_label(f"id_targets-0-{field}") for field in ("on", "value", "source", "interpretation")
    ] == ["Date", "Valeur", "Source", "Interprétation"]


def test_a_target_added_in_the_admin_is_kept_with_its_history(admin_client, administrator):
    learners = Indicator.objects.get(code="IA2-1-APP-AN")
    data = indicator_form_data(
        learners,
        **{
            "targets-TOTAL_FORMS": 1,
            "targets-0-on": "2025-12-01",
            "targets-0-value": "75000",
            "targets-0-source": "Avenant",
            "targets-0-interpretation": "Relevée par l'avenant.",
            "interpretation": "Lu ainsi.",
        },
    )

    response = admin_client.post(f"/admin/roadmap/indicator/{learners.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    target = learners.targets.get()
    assert (target.on, target.value, target.source, target.interpretation) == (
        date(2025, 12, 1),
        75000,
        "Avenant",
        "Relevée par l'avenant.",
    )
    assert target.history.get().history_user == administrator
    learners.refresh_from_db()
    assert learners.interpretation == "Lu ainsi."
    assert learners.history.latest().history_user == administrator


@pytest.mark.parametrize(
    ("code", "changes", "message"),
    [
        (
            "IA2-1-APP-5ANS",
            {"periodicity": "year"},
            "Un indicateur par période a une périodicité et une première période\u202f; "
            "les autres types n&#x27;en ont pas.",
        ),
        ("IA2-1-MASTER-NUM", {"summed_from": "APP-AN"}, "Seul un indicateur cumulatif"),
    ],
)
def test_the_admin_refuses_an_indicator_that_breaks_the_period_or_sum_rules(
    admin_client, code, changes, message
):
    indicator = Indicator.objects.get(code=code)
    if "summed_from" in changes:
        changes = {"summed_from": Indicator.objects.get(code="IA2-1-APP-AN").pk}
    before = Indicator.objects.values().get(pk=indicator.pk)

    response = admin_client.post(
        f"/admin/roadmap/indicator/{indicator.pk}/change/",
        indicator_form_data(indicator, **changes),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Indicator.objects.values().get(pk=indicator.pk) == before


def test_the_admin_refuses_a_measurement_on_a_sum(admin_client):
    total = Indicator.objects.get(code="IA2-1-APP-5ANS")
    data = {
        "indicator": total.pk,
        "date": "2025-08-31",
        "value": "70000",
        "source": "DGOS",
        "comment": "",
    }

    response = admin_client.post("/admin/roadmap/measurement/add/", data)

    assert response.status_code == 200
    assert (
        "IA2-1-APP-5ANS est la somme de IA2-1-APP-AN\u00a0: saisissez les valeurs sur IA2-1-APP-AN."
        in response.content.decode()
    )
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/admin/roadmap/roadmap/{roadmap}/change/", ["interpretation", "demonstration"]),
        ("/admin/roadmap/milestone/{milestone}/change/", ["interpretation", "source"]),
    ],
)
def test_the_roadmap_and_milestone_forms_have_their_interpretation(admin_client, url, fields):
    milestone = Milestone.objects.filter(action=None).first()
    page = url.format(roadmap=milestone.roadmap_id, milestone=milestone.pk)

    html = admin_client.get(page).content.decode()

    for field in fields:
        assert f'name="{field}"' in html
    shown = (
        milestone.roadmap.interpretation if "roadmap/roadmap" in page else milestone.interpretation
    )
    assert escape(shown) in html
