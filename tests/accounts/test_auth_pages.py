"""Signing in and out, changing one's password, and resetting it by email, in French.

`/accounts/login/`, `/accounts/logout/` (POST only), `/accounts/password_change/` (signed in)
and `/accounts/password_reset/` with its emailed link. A wrong password or an unknown account
gets the same answer, so that the pages never reveal who has an account.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Organisation, Role, User
from tests.support.constants import PASSWORD
from tests.support.html import field_error, normalised, plain_text

NEW_PASSWORD = "un-nouveau-mot-de-passe-2025"
WRONG_CREDENTIALS = (
    "Saisissez un nom d’utilisateur et un mot de passe valides. Remarquez que chacun de ces "
    "champs est sensible à la casse (différenciation des majuscules/minuscules)."
)


@pytest.fixture
def member(db) -> User:
    has, _ = Organisation.objects.get_or_create(acronym="HAS")
    return User.objects.create_user(
        "camille",
        email="camille.martin@has-sante.fr",
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=has,
        first_name="Camille",
        last_name="Martin",
    )


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Signing in -------------------------------------------------------------------------------


def test_the_login_page_is_in_french(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    page = plain_text(response)
    assert "Connexion à la feuille de route IA en santé" in page
    assert "Identifiant Mot de passe" in page
    assert (
        '<a class="fr-link" href="/accounts/password_reset/">Mot de passe oublié\u202f?</a>' in html
    )


def test_a_member_signs_in_and_lands_on_the_dashboard(client, member):
    response = client.post("/accounts/login/", {"username": "camille", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(member.pk)


def test_signing_in_goes_back_to_the_page_asked_for(client, member):
    response = client.post(
        "/accounts/login/",
        {"username": "camille", "password": PASSWORD, "next": "/mes-actions/"},
    )

    assert response["Location"] == "/mes-actions/"


def test_signing_in_never_sends_anyone_to_another_site(client, member):
    response = client.post(
        "/accounts/login/",
        {"username": "camille", "password": PASSWORD, "next": "https://hameconnage.example/"},
    )

    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_in_french_and_opens_no_session(client, member):
    response = client.post("/accounts/login/", {"username": "camille", "password": "mauvais"})

    assert response.status_code == 200
    assert f"La connexion a échoué {WRONG_CREDENTIALS}" in plain_text(response)
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("username", ["inconnu", "desactive"])
def test_an_unknown_or_disabled_account_gets_the_same_answer_as_a_wrong_password(
    client, member, username
):
    User.objects.create_user("desactive", password=PASSWORD, is_active=False)

    wrong_password = client.post("/accounts/login/", {"username": "camille", "password": "x"})
    other = client.post("/accounts/login/", {"username": username, "password": PASSWORD})

    assert other.status_code == wrong_password.status_code == 200
    assert normalised(other.content.decode().replace(username, "…")) == normalised(
        wrong_password.content.decode().replace("camille", "…")
    )
    assert signed_in_user_id(client) is None


def test_an_empty_form_says_which_fields_are_missing(client, db):
    response = client.post("/accounts/login/", {"username": "", "password": ""})

    assert response.status_code == 200
    assert "Veuillez corriger les champs signalés ci-dessous." in plain_text(response)
    assert "Ce champ est obligatoire." in plain_text(response)


# --- Signing out ------------------------------------------------------------------------------


def test_signed_in_pages_offer_a_sign_out_button_that_posts(client, member):
    client.force_login(member)

    html = client.get("/").content.decode()

    assert '<form method="post" action="/accounts/logout/"' in html
    assert "Se déconnecter" in html


def test_signing_out_with_a_link_is_refused(client, member):
    client.force_login(member)

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(member.pk)


def test_signing_out_ends_the_session(client, member):
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None


# --- Changing one's password ------------------------------------------------------------------


def test_changing_the_password_requires_signing_in(client, db):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_a_member_changes_their_password_and_stays_signed_in(client, member):
    client.force_login(member)
    assert "Changer de mot de passe" in plain_text(client.get("/accounts/password_change/"))

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/password_change/done/", 302)]
    assert "Votre mot de passe a été changé." in plain_text(response)
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.check_password(PASSWORD)
    assert signed_in_user_id(client) == str(member.pk)
    assert client.get("/mes-actions/").status_code == 200


def test_a_wrong_current_password_is_refused_next_to_the_field(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert field_error(response, "id_old_password") == (
        "Votre ancien mot de passe est incorrect. Veuillez le rectifier."
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_new_password_too_short_is_refused_in_french(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "court-42", "new_password2": "court-42"},
    )

    assert response.status_code == 200
    assert field_error(response, "id_new_password2") == (
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


# --- Resetting a forgotten password -----------------------------------------------------------


def ask_for_a_link(client, email: str):
    return client.post("/accounts/password_reset/", {"email": email}, follow=True)


def test_the_reset_page_is_in_french(client, db):
    response = client.get("/accounts/password_reset/")

    assert response.status_code == 200
    assert "Mot de passe oublié" in plain_text(response)
    assert "Recevoir le lien" in plain_text(response)


def test_a_member_resets_their_password_with_the_emailed_link(client, member, mailoutbox):
    # WHEN they ask for a link with their address, in another case
    response = ask_for_a_link(client, "Camille.Martin@has-sante.fr")

    # THEN they are told to check their email, and a French email is sent to them
    assert response.redirect_chain == [("/accounts/password_reset/done/", 302)]
    assert "Courriel envoyé" in plain_text(response)
    [email] = mailoutbox
    assert email.to == ["camille.martin@has-sante.fr"]
    assert email.subject == "Feuille de route IA en santé\u00a0: nouveau mot de passe"
    assert email.body.startswith("Bonjour,")
    assert "«\u202fcamille\u202f»" in email.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    # WHEN they follow the link and choose a new password
    form = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in plain_text(form)
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    # THEN the new password is saved, and replaces the old one
    assert done.redirect_chain == [("/accounts/reset/done/", 302)]
    assert "Votre nouveau mot de passe est enregistré." in plain_text(done)
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.check_password(PASSWORD)
    signed_in = client.post("/accounts/login/", {"username": "camille", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    # AND the link cannot be used twice
    client.post("/accounts/logout/")
    again = client.get(link, follow=True)
    assert "Ce lien n'est plus valable : il a déjà servi ou il a expiré." in plain_text(again)


def test_an_unknown_address_gets_the_same_page_and_no_email(client, member, mailoutbox):
    known = ask_for_a_link(client, "camille.martin@has-sante.fr")
    mailoutbox.clear()

    unknown = ask_for_a_link(client, "personne@example.fr")

    assert (
        unknown.redirect_chain == known.redirect_chain == [("/accounts/password_reset/done/", 302)]
    )
    assert normalised(unknown.content.decode()) == normalised(known.content.decode())
    assert mailoutbox == []


def test_a_forged_reset_link_is_refused(client, member):
    response = client.get("/accounts/reset/MQ/pas-un-jeton/", follow=True)

    assert response.status_code == 200
    assert "Ce lien n'est plus valable" in plain_text(response)
    assert "Enregistrer le mot de passe" not in plain_text(response)
