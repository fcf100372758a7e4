"""Invitations: the administrators' page, the email through a real SMTP server on the loopback
(aiosmtpd, tests/support/mail.py), the link (single use, 7 days), resending, revoking,
deactivating, and `manage.py invite`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Organisation, Role, User
from tests.support.constants import PASSWORD
from tests.support.html import plain_text
from tests.support.mail import smtp_server, text_and_html, use_smtp

NEW_PASSWORD = "un-mot-de-passe-solide-2026"


@pytest.fixture
def smtp(settings):
    with smtp_server() as server:
        use_smtp(settings, server)
        settings.SITE_URL = "https://feuille-de-route.example.gouv.fr"
        settings.DEFAULT_FROM_EMAIL = "ne-pas-repondre@example.gouv.fr"
        yield server


@pytest.fixture
def has(db):
    return Organisation.objects.get_or_create(
        acronym="HAS", defaults={"name": "Haute Autorité de santé"}
    )[0]


def invite(client, administrator, has, email="nouvelle.pilote@has-sante.fr", role="member"):
    client.force_login(administrator)
    return client.post(
        reverse("accounts:invitations"), {"email": email, "organisation": has.pk, "role": role}
    )


def link_in(message) -> str:
    text, _ = text_and_html(message)
    return re.search(
        r"https://feuille-de-route\.example\.gouv\.fr(/accounts/invitation/[^/\s]+/)", text
    ).group(1)


def test_an_administrator_invites_and_the_email_arrives(client, administrator, has, smtp):
    response = invite(client, administrator, has)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:invitations")

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.role) == (
        "nouvelle.pilote@has-sante.fr",
        has,
        Role.MEMBER,
    )
    assert invitation.invited_by == administrator
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert invitation.state == "pending"

    [message] = smtp.mailbox.messages
    assert smtp.mailbox.envelopes == [
        ("ne-pas-repondre@example.gouv.fr", ["nouvelle.pilote@has-sante.fr"])
    ]
    assert message["Subject"] == "Invitation à la feuille de route IA en santé"
    assert message["To"] == "nouvelle.pilote@has-sante.fr"
    text, html = text_and_html(message)
    assert (
        "administrateur vous invite à rejoindre la feuille de route IA en santé pour "
        f"{has.display_name}, avec le rôle «\u202fmembre de la task force\u202f»." in text in text
    )
    assert "Ce lien fonctionne une seule fois, pendant 7 jours" in text
    link = link_in(message)
    assert f'href="https://feuille-de-route.example.gouv.fr{link}"' in html
    assert "Accepter l&#x27;invitation" in html or "Accepter l'invitation" in html
    # Only the hash of the token is kept.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(Invitation.objects.values_list())
    assert Invitation.objects.for_token(token) == invitation

    page = plain_text(client.get(reverse("accounts:invitations")))
    assert "Invitation envoyée à nouvelle.pilote@has-sante.fr." in page
    assert "En attente" in page


def test_the_link_opens_the_account_once(client, administrator, has, smtp):
    invite(client, administrator, has)
    link = link_in(smtp.mailbox.messages[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert f"pour {has.display_name}, avec le rôle « membre de la task force »." in plain_text(page)

    weak = client.post(link, {"password1": "court", "password2": "court"})
    assert weak.status_code == 422
    assert "Ce mot de passe est trop court" in plain_text(weak)
    assert not User.objects.filter(email="nouvelle.pilote@has-sante.fr").exists()

    response = client.post(
        link,
        {
            "first_name": "Nora",
            "last_name": "Pilote",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.pilote@has-sante.fr")
    assert (user.username, user.organisation, user.role, user.is_member) == (
        "nouvelle.pilote@has-sante.fr",
        has,
        Role.MEMBER,
        True,
    )
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation = Invitation.objects.get()
    assert invitation.state == "accepted"
    assert invitation.user == user

    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "Il a déjà servi" in plain_text(again)
    assert (
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 410
    )
    assert User.objects.filter(email__iexact="nouvelle.pilote@has-sante.fr").count() == 1


def test_an_expired_link_says_so(client, administrator, has, smtp):
    invite(client, administrator, has)
    link = link_in(smtp.mailbox.messages[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "Il a expiré le" in plain_text(response)
    assert (
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 410
    )
    assert not User.objects.filter(email="nouvelle.pilote@has-sante.fr").exists()
    client.force_login(administrator)
    assert "Expirée" in plain_text(client.get(reverse("accounts:invitations")))


def test_resending_makes_a_new_link_and_the_old_one_stops(client, administrator, has, smtp):
    invite(client, administrator, has)
    old = link_in(smtp.mailbox.messages[0])
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))

    response = client.post(reverse("accounts:invitation-resend", args=[invitation.pk]))
    assert response.status_code == 302
    new = link_in(smtp.mailbox.messages[1])
    assert new != old
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert invitation.state == "pending"
    assert invitation.expires_at > timezone.now() + timedelta(days=6)

    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_stops_the_link(client, administrator, has, smtp):
    invite(client, administrator, has)
    link = link_in(smtp.mailbox.messages[0])
    invitation = Invitation.objects.get()
    assert (
        client.post(reverse("accounts:invitation-revoke", args=[invitation.pk])).status_code == 302
    )
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    # Sending a revoked invitation again is refused.
    response = client.post(reverse("accounts:invitation-resend", args=[invitation.pk]))
    assert response.status_code == 409
    assert len(smtp.mailbox.messages) == 1
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "L'invitation a été révoquée" in plain_text(response)


def test_bad_input_and_conflicts_write_nothing(client, administrator, has, has_member, smtp):
    client.force_login(administrator)
    url = reverse("accounts:invitations")
    bad = client.post(url, {"email": "pas-une-adresse", "organisation": "", "role": "reader"})
    assert bad.status_code == 422
    page = plain_text(bad)
    assert "Saisissez une adresse de courriel valide." in page
    assert "Ce champ est obligatoire." in page
    assert "Sélectionnez un choix valide. reader n’en fait pas partie." in page

    has_member.email = "deja@has-sante.fr"
    has_member.save()
    taken = client.post(
        url, {"email": "Deja@has-sante.fr", "organisation": has.pk, "role": "member"}
    )
    assert taken.status_code == 409
    assert "Un compte actif existe déjà pour l'adresse Deja@has-sante.fr." in plain_text(taken)

    assert invite(client, administrator, has).status_code == 302
    twice = invite(client, administrator, has)
    assert twice.status_code == 409
    assert "Une invitation attend déjà une réponse" in plain_text(twice)
    assert Invitation.objects.count() == 1
    assert len(smtp.mailbox.messages) == 1


def test_an_unreachable_relay_records_nothing(client, administrator, has, settings):
    with smtp_server() as server:
        use_smtp(settings, server)
    # The server is stopped: its port answers no more.
    response = invite(client, administrator, has)
    assert response.status_code == 503
    assert "Le courriel n'a pas pu être envoyé" in plain_text(response)
    assert Invitation.objects.count() == 0


def test_only_administrators_manage_invitations(client, administrator, has, has_member, smtp):
    url = reverse("accounts:invitations")
    assert client.get(url).status_code == 302
    client.force_login(has_member)
    assert client.get(url).status_code == 403
    assert invite(client, has_member, has).status_code == 403
    assert Invitation.objects.count() == 0


def test_deactivating_keeps_the_account_and_its_history(client, administrator, has_member):
    client.force_login(administrator)
    url = reverse("accounts:person-active", args=[has_member.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    has_member.refresh_from_db()
    assert not has_member.is_active
    assert User.objects.filter(pk=has_member.pk).exists()
    client.logout()
    assert not client.login(username=has_member.username, password=PASSWORD)

    client.force_login(administrator)
    assert client.post(url, {"active": "peut-être"}).status_code == 422
    assert (
        client.post(
            reverse("accounts:person-active", args=[administrator.pk]), {"active": "0"}
        ).status_code
        == 409
    )
    assert client.post(url, {"active": "1"}).status_code == 302
    has_member.refresh_from_db()
    assert has_member.is_active


def test_a_deactivated_person_invited_again_gets_their_account_back(
    client, administrator, has, has_member, smtp
):
    has_member.email = "retour@has-sante.fr"
    has_member.is_active = False
    has_member.save()
    invite(client, administrator, has, email="retour@has-sante.fr", role="administrator")
    link = link_in(smtp.mailbox.messages[0])
    client.logout()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    has_member.refresh_from_db()
    assert (has_member.is_active, has_member.role, has_member.is_administrator) == (
        True,
        Role.ADMINISTRATOR,
        True,
    )
    assert User.objects.filter(email="retour@has-sante.fr").count() == 1


def test_the_page_reads_a_bounded_number_of_queries(
    client, administrator, has, django_assert_num_queries
):
    def add(count):
        for number in range(count):
            Invitation.objects.create(
                email=f"personne{Invitation.objects.count()}-{number}@has-sante.fr",
                organisation=has,
                role=Role.MEMBER,
                invited_by=administrator,
                token_hash=f"{Invitation.objects.count()}-{number}",
                sent_at=timezone.now(),
                expires_at=timezone.now() + timedelta(days=7),
            )

    client.force_login(administrator)
    add(2)
    client.get(reverse("accounts:invitations"))
    with django_assert_num_queries(6) as small:
        client.get(reverse("accounts:invitations"))
    add(20)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("accounts:invitations"))


def test_the_invite_command_sends_the_email(has, smtp):
    call_command("invite", "agent@has-sante.fr", "--organisation", "has", "--role", "administrator")
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.organisation, invitation.invited_by) == (
        Role.ADMINISTRATOR,
        has,
        None,
    )
    [message] = smtp.mailbox.messages
    assert message["To"] == "agent@has-sante.fr"
    assert (
        f"pour {has.display_name}, avec le rôle «\u202fadministrateur\u202f»."
        in text_and_html(message)[0]
    )
    assert link_in(message).startswith("/accounts/invitation/")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["pas-une-adresse", "--organisation", "HAS", "--role", "member"],
            "Adresse électronique invalide\u00a0: pas-une-adresse",
        ),
        (
            ["agent@has-sante.fr", "--organisation", "XYZ", "--role", "member"],
            "Organisation inconnue\u00a0: XYZ",
        ),
    ],
)
def test_the_invite_command_refuses_bad_input(has, smtp, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("invite", *arguments)
    assert Invitation.objects.count() == 0
    assert smtp.mailbox.messages == []


def test_the_invite_command_needs_the_site_url(has, smtp, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL doit être défini"):
        call_command("invite", "agent@has-sante.fr", "--organisation", "HAS", "--role", "member")
    assert Invitation.objects.count() == 0
