"""An invitation in Chromium: an administrator invites a person from the app; the email arrives
at a real SMTP server on the loopback (aiosmtpd); the person follows its link, chooses a
password and lands signed in as a member of the right organisation; the link then no longer
works; an expired link says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation, Organisation, User
from tests.support.mail import smtp_server, text_and_html, use_smtp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un-mot-de-passe-solide-2026"


@pytest.fixture
def smtp(settings, live_server):
    with smtp_server() as server:
        use_smtp(settings, server)
        settings.SITE_URL = live_server.url
        yield server


def link_in(message) -> str:
    text, _ = text_and_html(message)
    return re.search(r"(http://\S+/accounts/invitation/[^/\s]+/)", text).group(1)


def test_an_invited_person_opens_their_account_from_the_email(
    sign_in, new_context, administrator, roadmap, smtp
):
    has = Organisation.objects.get(acronym="HAS")
    # WHEN the administrator invites a person from the app
    page = sign_in(administrator)
    page.goto("/")
    page.get_by_role("link", name="Invitations et comptes").click()
    page.get_by_label("Adresse électronique").fill("nora.pilote@has-sante.fr")
    page.get_by_label("Organisation").select_option(label="HAS")
    page.get_by_label("Rôle").select_option(label="Membre de la task force")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à nora.pilote@has-sante.fr.")).to_be_visible()
    expect(page.locator('tr[data-invitation="nora.pilote@has-sante.fr"]')).to_contain_text(
        "En attente"
    )

    # THEN the email arrives, and the person follows its link in their own browser
    [message] = smtp.mailbox.messages
    assert message["To"] == "nora.pilote@has-sante.fr"
    link = link_in(message)
    person = new_context().new_page()
    person.goto(link)
    expect(person.get_by_role("heading", level=1)).to_have_text("Accepter l'invitation")
    person.get_by_label("Prénom (facultatif)", exact=True).fill("Nora")
    person.get_by_label("Nom (facultatif)", exact=True).fill("Pilote")
    person.locator("#id_password1").fill(PASSWORD)
    person.locator("#id_password2").fill(PASSWORD)
    person.get_by_role("button", name="Créer mon compte").click()

    # AND lands signed in, as a member of the HAS
    expect(person.locator(".app-header-user").first).to_have_text("Nora Pilote")
    expect(person.get_by_text("votre compte est ouvert")).to_be_visible()
    user = User.objects.get(email="nora.pilote@has-sante.fr")
    assert (user.organisation, user.is_member) == (has, True)
    person.get_by_role("link", name="Mes actions").click()
    expect(person.get_by_role("heading", level=1)).to_contain_text("Mes actions")

    # AND the link no longer works
    response = person.goto(link)
    assert response.status == 410
    expect(person.get_by_role("heading", level=1)).to_have_text(
        "Ce lien d'invitation ne fonctionne plus"
    )
    expect(person.get_by_role("alert")).to_contain_text("Il a déjà servi")


def test_an_expired_link_says_so(sign_in, new_context, administrator, roadmap, smtp):
    page = sign_in(administrator)
    page.goto("/accounts/invitations/")
    page.get_by_label("Adresse électronique").fill("tard@has-sante.fr")
    page.get_by_label("Organisation").select_option(label="HAS")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à tard@has-sante.fr.")).to_be_visible()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(hours=1))

    person = new_context().new_page()
    response = person.goto(link_in(smtp.mailbox.messages[0]))
    assert response.status == 410
    expect(person.get_by_role("alert")).to_contain_text("Il a expiré le")
    expect(person.locator("#id_password1")).to_have_count(0)
    page.reload()
    expect(page.locator('tr[data-invitation="tard@has-sante.fr"]')).to_contain_text("Expirée")
    assert not User.objects.filter(email="tard@has-sante.fr").exists()
