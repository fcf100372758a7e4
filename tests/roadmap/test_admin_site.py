"""Tests of the Django admin's frame: named after the service, with the app's admin styles on
every page, and forms whose every control has a name for screen readers.

GIVEN an administrator (or nobody, on the sign-in page), WHEN they open an admin page, THEN its
header and title name « Administration — Feuille de route IA en santé » (in English too) and not
Django, and the page loads static/css/admin.css once (underlined breadcrumb links with enough
contrast). The form of an action names each control of its milestones and indicators, and
offers its partners as labelled checkboxes.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from accounts.models import Organisation
from roadmap.models import Action
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
