"""A council report from its opening to its reading, in real browsers.

An administrator opens the report of the June session; a member of the HAS and a member of the
DNS each update one of their actions and mark it « à jour pour la séance » (one with a decision
asked of the council); the administrator sees both ready and publishes; a reader finds the
report, reads what changed since the March session, compares with it through the form, and
downloads the PDF.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def update_and_mark_ready(page: Page, slug: str, decisions: str) -> None:
    # The member changes the action's status on its page…
    page.goto(f"/actions/{slug}/")
    page.get_by_label("Nouveau statut").select_option(label="En cours")
    page.get_by_role("button", name="Changer le statut").click()
    # The badge, not the form's list of statuses (whose « En cours » is there from the start):
    # the change is saved before the member goes on.
    expect(page.locator("#resume dd .fr-badge").first).to_have_text("En cours")
    # … then, on « Mes actions », marks it ready for the session.
    page.goto("/mes-actions/")
    item = page.locator(f"#seance-{slug}")
    expect(item).to_contain_text("Mise à jour, pas encore marquée à jour")
    item.get_by_label("Décisions demandées au Conseil").fill(decisions)
    item.get_by_role("button", name="Marquer à jour pour la séance").click()
    expect(page.locator(f"#seance-{slug}")).to_contain_text("À jour pour la séance")
    expect(page.locator("#annonce-seance")).to_contain_text("marquée à jour pour la séance")


def test_a_report_is_opened_prepared_published_read_compared_and_downloaded(
    roadmap, sign_in, administrator, has_member, dns_member, new_context, tmp_path
):
    call_command("publish_report", "--meeting-date", "2026-03-12")

    # An administrator opens the report of the June session.
    admin = sign_in(administrator)
    admin.goto("/rapports/")
    admin.get_by_role("link", name="Préparer le rapport de la prochaine séance").click()
    admin.get_by_label("Date de la séance").fill("2026-06-18")
    admin.get_by_label("Date limite des mises à jour").fill("2026-06-11")
    admin.get_by_role("button", name="Ouvrir le rapport").click()
    expect(admin.get_by_role("heading", level=2)).to_have_text(
        "Séance du Conseil du numérique en santé du 18 juin 2026"
    )
    expect(admin.locator("#avancement-seance")).to_contain_text("sur 17 à jour pour la séance")

    # Two members of different organisations update their actions and mark them ready.
    update_and_mark_ready(sign_in(has_member), "ia-2-4", "Valider le calendrier du guide.")
    update_and_mark_ready(sign_in(dns_member), "ia-4-1", "")

    # The administrator sees both, and publishes.
    admin.reload()
    expect(admin.locator("#avancement-seance")).to_contain_text(
        "2 actions sur 17 à jour pour la séance"
    )
    admin.get_by_role("button", name="Publier le rapport").click()
    expect(admin).to_have_url(re.compile(r"/rapports/seance-2026-06-18/$"))
    expect(admin.get_by_text("Rapport publié : il ne changera plus.")).to_be_visible()

    # A reader finds it, reads what changed since March and the decision asked.
    reader = new_context().new_page()
    reader.goto("/rapports/")
    reader.get_by_role(
        "link", name="Séance du Conseil du numérique en santé du 18 juin 2026"
    ).click()
    expect(reader.locator("#changements-titre")).to_have_text(
        re.compile(r"Ce qui a changé depuis la séance du 12\smars\s2026")
    )
    statuses = reader.locator("#changements-statuts")
    expect(statuses).to_contain_text("IA 2-4")
    expect(statuses).to_contain_text("IA 4-1")
    expect(reader.locator("#decisions")).to_contain_text("Valider le calendrier du guide.")

    # The reader compares with the March report through the form (no JavaScript needed).
    reader.get_by_label("Comparer avec le rapport de la séance du").select_option(
        "seance-2026-03-12"
    )
    reader.get_by_role("button", name="Comparer").click()
    expect(reader).to_have_url(re.compile(r"\?depuis=seance-2026-03-12$"))
    expect(reader.locator("#changements-statuts")).to_contain_text("Non renseigné → En cours")

    # And downloads the PDF.
    with reader.expect_download() as download:
        reader.get_by_role("link", name="Télécharger le PDF (A4)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "seance-2026-06-18.pdf"
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages
        ).split()
    )
    assert "Séance du Conseil du numérique en santé du 18 juin 2026" in text
    assert "Valider le calendrier du guide." in text
