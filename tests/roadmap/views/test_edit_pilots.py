"""Pilots designated in the app: POST /actions/<slug>/pilotes/, for administrators only, and the
dashboard's list of the actions still « Pilote à désigner », shown to administrators only.

As a plain form (redirect to the summary box, with a message) and with HTMX (the summary box);
for each kind of user; with bad input (the French message by the field, 422, nothing written);
with someone saving the action first (409, nothing lost); what the database and its history
hold afterwards; the page with the HTMX answer applied equal to a fresh render of it; and the
public cache never serving the administrators' list to a reader.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Organisation
from roadmap.models import Action
from tests.support.builders import furnished_scene, set_status, signed_in
from tests.support.constants import login_redirect
from tests.support.html import (
    element,
    field_error,
    french_datetime,
    has_id,
    normalised,
    open_accordions,
    plain_text,
    text_of,
)
from tests.support.htmx import apply_htmx, htmx_headers, swapped

SUMMARY = (["resume"], False)


def organisation(acronym: str) -> Organisation:
    return Organisation.objects.get(acronym=acronym)


def url(action) -> str:
    return reverse("roadmap:edit-pilots", args=[action.slug])


def designate(client, action, lead=None, partners=(), version=None, **headers):
    data = {
        "lead": organisation(lead).pk if lead else "",
        "partners": [organisation(acronym).pk for acronym in partners],
        "version": action.version if version is None else version,
    }
    return client.post(url(action), data, **headers)


def facts(response) -> str:
    """What the summary box says, without the administrators' form (its options name every
    organisation, « Pilote à désigner » included)."""
    return text_of(response, "resume").split(" Désigner le pilote et les partenaires")[0]


def pilots(action) -> tuple:
    """The action's lead, partners and version as the database holds them, and its history."""
    action = Action.objects.get(pk=action.pk)
    history = [
        (
            row.history_type,
            row.lead.acronym if row.lead_id else None,
            sorted(p.organisation.acronym for p in row.partners.all()),
            row.version,
            getattr(row.history_user, "username", None),
        )
        for row in action.history.order_by("history_id")
    ]
    return (
        action.lead.acronym if action.lead else None,
        sorted(action.partners.values_list("acronym", flat=True)),
        action.version,
        history,
    )


# --- Happy paths ------------------------------------------------------------------------------


def test_an_administrator_designates_the_lead_and_partners_of_an_action_without_pilot(
    client, ia_2_1, administrator
):
    before = pilots(ia_2_1)
    assert before[:2] == (None, [])
    client.force_login(administrator)

    response = designate(client, ia_2_1, "DGOS", ["DNS", "AIS"], follow=True)

    assert response.redirect_chain == [("/actions/ia-2-1/#resume", 302)]
    assert "Pilotes enregistrés : DGOS ; partenaires : AIS, DNS." in plain_text(response)
    assert facts(response).endswith(
        "Pilote Direction générale de l’offre de soins (DGOS) Partenaires Agence de l’innovation "
        "en santé (AIS) Délégation au numérique en santé (DNS)"
    )
    # One history row holds the new lead and partners together, signed by the administrator.
    assert pilots(ia_2_1) == (
        "DGOS",
        ["AIS", "DNS"],
        before[2] + 1,
        [*before[3], ("~", "DGOS", ["AIS", "DNS"], before[2] + 1, "administrateur")],
    )
    # The page's history tells it.
    assert "Partenaires" in text_of(response, "historique")


def test_with_htmx_it_answers_the_summary_box(client, ia_2_1, administrator):
    client.force_login(administrator)

    response = designate(client, ia_2_1, "DGOS", **htmx_headers(ia_2_1))

    assert response.status_code == 200
    assert swapped(response) == SUMMARY
    assert facts(response).endswith(
        "Pilote Direction générale de l’offre de soins (DGOS) Partenaires Aucun partenaire désigné"
    )
    assert pilots(ia_2_1)[:2] == ("DGOS", [])


def test_removing_the_lead_says_pilote_a_designer_again(client, action, administrator):
    assert action.lead.acronym == "HAS"
    client.force_login(administrator)

    response = designate(client, action, None, follow=True)

    assert facts(response).endswith("Pilote Pilote à désigner Partenaires Aucun partenaire désigné")
    assert pilots(action)[:2] == (None, [])


# --- Who may not ------------------------------------------------------------------------------


def test_it_rejects_get(client, ia_2_1, administrator):
    client.force_login(administrator)

    assert client.get(url(ia_2_1), {"lead": organisation("DGOS").pk}).status_code == 405
    assert pilots(ia_2_1)[:2] == (None, [])


def test_an_anonymous_user_is_sent_to_sign_in_and_nothing_changes(client, ia_2_1):
    plain = designate(client, ia_2_1, "DGOS")
    with_htmx = designate(client, ia_2_1, "DGOS", **htmx_headers(ia_2_1))

    assert plain["Location"] == login_redirect("/actions/ia-2-1/")
    assert with_htmx["HX-Redirect"] == login_redirect("/actions/ia-2-1/")
    assert pilots(ia_2_1)[:2] == (None, [])


@pytest.mark.parametrize("who", ["has_member", "dns_member", "reader"])
def test_nobody_but_an_administrator_designates_pilots(client, request, action, who):
    # The HAS's own member edits IA 2-4, but not who leads it.
    client.force_login(request.getfixturevalue(who))
    before = pilots(action)

    assert designate(client, action, "DNS", ["HAS"]).status_code == 403
    assert designate(client, action, "DNS", **htmx_headers(action)).status_code == 403
    assert pilots(action) == before


def test_a_member_reads_the_pilot_but_has_no_form_to_change_it(client, action, has_member):
    client.force_login(has_member)

    page = client.get(action.get_absolute_url())

    assert "Pilote HAS Partenaires Aucun partenaire désigné" in text_of(page, "resume")
    assert "Changer le statut" in text_of(page, "resume")
    assert "Désigner le pilote" not in plain_text(page)
    assert not has_id(page, "pilotes-envoyer")


# --- Bad input --------------------------------------------------------------------------------


def test_the_lead_cannot_also_be_a_partner(client, ia_2_1, administrator):
    client.force_login(administrator)
    before = pilots(ia_2_1)

    plain = designate(client, ia_2_1, "DGOS", ["DGOS", "DNS"])
    with_htmx = designate(client, ia_2_1, "DGOS", ["DGOS"], **htmx_headers(ia_2_1))

    assert plain.status_code == with_htmx.status_code == 422
    message = "Le pilote ne peut pas être aussi partenaire : décochez DGOS."
    assert field_error(plain, "id_pilots_partners") == message
    assert field_error(with_htmx, "id_pilots_partners") == message
    assert swapped(with_htmx) == SUMMARY
    # The form is open with what was chosen.
    assert open_accordions(with_htmx) == ["Désigner le pilote et les partenaires"]
    checked = [
        box.split('value="')[1].split('"')[0]
        for box in element(plain, "id_pilots_partners").split("<input")[1:]
        if " checked" in box.split(">")[0]
    ]
    assert checked == [str(organisation(acronym).pk) for acronym in ("DGOS", "DNS")]
    assert pilots(ia_2_1) == before


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("lead", {"lead": "999999"}, "Choisissez une organisation de la liste."),
        ("lead", {"lead": "HAS"}, "Choisissez une organisation de la liste."),
        ("partners", {"partners": ["999999"]}, "Choisissez des organisations de la liste."),
        ("partners", {"partners": ["douze"]}, "Choisissez des organisations de la liste."),
    ],
)
def test_an_organisation_that_does_not_exist_is_refused(
    client, ia_2_1, administrator, field, data, message
):
    client.force_login(administrator)
    before = pilots(ia_2_1)

    response = client.post(url(ia_2_1), {"version": ia_2_1.version, **data})

    assert response.status_code == 422
    assert field_error(response, f"id_pilots_{field}") == message
    assert pilots(ia_2_1) == before


def test_a_form_without_its_version_asks_to_reload(client, ia_2_1, administrator):
    client.force_login(administrator)

    response = client.post(url(ia_2_1), {"lead": organisation("DGOS").pk})

    assert response.status_code == 422
    assert "Ce formulaire est incomplet : rechargez la page et recommencez." in text_of(
        response, "resume"
    )
    assert pilots(ia_2_1)[:2] == (None, [])


# --- Someone saved first ----------------------------------------------------------------------


def test_someone_changed_the_action_first_nothing_is_lost(client, ia_2_1, administrator):
    # GIVEN the page as the administrator read it, then a colleague changes the pilots
    client.force_login(administrator)
    read_at = ia_2_1.version
    colleague = signed_in(
        type(administrator).objects.create_user(
            "secretariat",
            first_name="Dominique",
            last_name="Durand",
            role=administrator.role,
            organisation=administrator.organisation,
        )
    )
    assert designate(colleague, ia_2_1, "AIS", version=read_at).status_code == 302
    after_colleague = pilots(ia_2_1)

    # WHEN the administrator saves their own choice
    response = designate(client, ia_2_1, "DGOS", ["DNS"], version=read_at, **htmx_headers(ia_2_1))

    # THEN nothing of theirs is written; they are told who, when, and what the pilots are now
    assert response.status_code == 409
    changed_on = ia_2_1.history.latest("history_id").history_date
    box = text_of(response, "resume")
    assert (
        f"Dominique Durand a modifié les pilotes le {french_datetime(changed_on)} : ce sont "
        "maintenant AIS ; partenaires : aucun. Votre choix n'a pas été enregistré"
    ) in box
    # AND the status form says nothing of it: the conflict is about the pilots
    assert "a modifié le statut" not in box
    assert pilots(ia_2_1) == after_colleague
    # AND the open form keeps their choice, at the new version, to retry in one click
    assert f'<option value="{organisation("DGOS").pk}" selected>' in element(
        response, "id_pilots_lead"
    )
    assert "Réessayer" in box
    retry = designate(client, ia_2_1, "DGOS", ["DNS"], version=read_at + 1)
    assert retry.status_code == 302
    assert pilots(ia_2_1)[:2] == ("DGOS", ["DNS"])


def test_a_status_changed_in_between_makes_the_pilots_form_stale_too(
    client, action, administrator, has_member
):
    client.force_login(administrator)
    read_at = action.version
    set_status(action, "in_progress", has_member)

    response = designate(client, action, "DNS", version=read_at)

    assert response.status_code == 409
    assert pilots(action)[:2] == ("HAS", [])


# --- The page with the HTMX answer applied ----------------------------------------------------


def without_feedback(page: str) -> str:
    """`page` without what only the user who just saved sees (the live region's sentence, the
    ids of the buttons pressed), as tests/roadmap/views/test_edit_fragments.py compares."""
    page = re.sub(r'(id="annonce-enregistrement"[^>]*>)[^<]*(</p>)', r"\1\2", page)
    return re.sub(r' id="[a-z0-9-]+-envoyer"', "", page)


@pytest.fixture
def admin_scene(roadmap, administrator):
    return furnished_scene(roadmap, administrator)


def test_the_page_with_the_htmx_answer_applied_equals_a_fresh_page(admin_scene):
    scene = admin_scene
    before = scene.page()
    data = {
        "lead": organisation("DNS").pk,
        "partners": [organisation("HAS").pk],
        "version": scene.action.version,
    }

    response = scene.post("edit-pilots", [], data, with_htmx=True)

    assert response.status_code == 200
    after = apply_htmx(before, response.content.decode(), "resume")
    assert text_of(after, "annonce-enregistrement") == (
        "Pilotes enregistrés : DNS ; partenaires : HAS."
    )
    # The focus goes back to what opens the form again.
    assert plain_text(element(after, "pilotes-envoyer")) == "Désigner le pilote et les partenaires"
    assert normalised(without_feedback(after)) == normalised(without_feedback(scene.page()))


@pytest.mark.parametrize("stale", [False, True])
def test_a_refused_designation_looks_the_same_with_htmx_and_without(admin_scene, stale):
    scene = admin_scene
    before = scene.page()
    if stale:
        Action.objects.filter(pk=scene.action.pk).update(version=scene.action.version + 1)
        data = {"lead": organisation("DNS").pk, "version": scene.action.version}
    else:
        data = {"lead": organisation("DNS").pk, "partners": [organisation("DNS").pk]}
        data["version"] = scene.action.version

    with_htmx = scene.post("edit-pilots", [], data, with_htmx=True)
    without = scene.post("edit-pilots", [], data, with_htmx=False)

    assert with_htmx.status_code == without.status_code == (409 if stale else 422)
    assert normalised(apply_htmx(before, with_htmx.content.decode(), "resume")) == normalised(
        without.content.decode()
    )


# --- The dashboard's « Pilotes à désigner » ---------------------------------------------------


def without_lead() -> list[str]:
    return list(
        Action.objects.filter(lead=None)
        .order_by("axis__number", "code")
        .values_list("code", flat=True)
    )


def test_the_dashboard_lists_administrators_the_actions_without_pilot(client, administrator):
    codes = without_lead()
    assert "IA 2-1" in codes
    client.force_login(administrator)

    page = client.get("/")

    block = text_of(page, "pilotes-a-designer")
    assert block.startswith(
        f"Pilotes à désigner {len(codes)} actions n'ont pas encore de pilote : désignez-les "
        "depuis leur page."
    )
    ia_2_1 = Action.objects.get(code="IA 2-1")
    assert f"IA 2-1 {ia_2_1.title}" in block
    assert '<a href="/actions/ia-2-1/#resume">' in element(page, "pilotes-a-designer")
    listed = [
        line.split("</span>")[0].rsplit(">", 1)[-1]
        for line in element(page, "pilotes-a-designer").split('<span class="app-action-code">')[1:]
    ]
    assert listed == codes


def test_a_designated_action_leaves_the_list(client, administrator):
    client.force_login(administrator)
    ia_2_1 = Action.objects.get(code="IA 2-1")
    assert designate(client, ia_2_1, "DGOS").status_code == 302

    page = client.get("/")

    assert "IA 2-1" not in without_lead()
    assert "IA 2-1 " not in text_of(page, "pilotes-a-designer")


@pytest.mark.parametrize("who", ["has_member", "reader"])
def test_members_and_readers_signed_in_do_not_get_the_list(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert not has_id(client.get("/"), "pilotes-a-designer")


def test_the_public_cache_never_serves_the_administrators_list_to_a_reader(client, administrator):
    # GIVEN an anonymous reader's dashboard, cached, then an administrator's
    anonymous_first = client.get("/")
    admin = signed_in(administrator)
    admin_page = admin.get("/")
    # THEN the administrator sees the list, not from the cache (private to them)
    assert has_id(admin_page, "pilotes-a-designer")
    assert "private" in admin_page["Cache-Control"]
    # AND readers never do, before or after
    again = client.get("/")
    assert not has_id(anonymous_first, "pilotes-a-designer")
    assert not has_id(again, "pilotes-a-designer")
    assert "Pilotes à désigner" not in plain_text(again)


def test_a_reader_s_dashboard_still_says_pilote_a_designer_on_each_action_without_one(
    client, roadmap
):
    page = client.get("/")

    rows = " ".join(text_of(page, f"axe-{number}") for number in (1, 2, 3, 4))
    assert rows.count("Pilote à désigner") == len(without_lead())
    assert not has_id(page, "pilotes-a-designer")
