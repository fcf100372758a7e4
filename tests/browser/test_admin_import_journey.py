"""An administrator, in Chromium, imports a French workbook from the admin's « Imports de
classeurs » page: a first file with one bad row is refused, with an error that names its sheet,
row, column and value, and nothing is written; the fixed file is uploaded, previewed and confirmed
with the keyboard alone (the preview says first that nothing is written yet, and shows each new
row's values and the changed status, old → new), and the new values show on the public pages
(the five-year total adds up the learners of each academic year: it is not measured on its own).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from roadmap import progress
from roadmap.models import Measurement
from tests.support.browser import save_screenshot, tab_to
from tests.support.files import xlsx_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "suivi-ia-2-1.xlsx"
PER_YEAR = "Apprenants professionnels de santé et médico-sociaux formés par an"
OVER_5_YEARS = "Apprenants professionnels de santé et médico-sociaux formés sur 5 ans"
SOURCE = "Remontée des universités (donnée de test)"
BAD_VALUE = "trente-cinq mille"
# In the current academic year, which the pages lead with; not its first day (« 1er »).
MEASURED_ON = progress.period_containing("academic_year", timezone.localdate())[0] + timedelta(14)


def workbook(ia_2_1, professionals) -> dict:
    """IA 2-1 « En cours » and two measurements, as an administrator fills them in French Excel."""
    action = [ia_2_1.code, 2, ia_2_1.title, ia_2_1.description, "En cours", "", "", None, None]
    content = xlsx_file(
        {
            "Actions": [action],
            "Mesures": [
                ["IA2-1-APP-AN", MEASURED_ON, 35000, SOURCE, ""],
                ["IA2-1-PRO-AN", MEASURED_ON, professionals, SOURCE, "Professionnels"],
            ],
        }
    )
    return {"name": FILENAME, "mimeType": XLSX, "buffer": content}


def summary(new: int, changed: int) -> str:
    # French counts 0 and 1 in the singular.
    new_rows = f"{new} nouvelle" if new <= 1 else f"{new} nouvelles"
    changed_rows = f"{changed} modifiée" if changed <= 1 else f"{changed} modifiées"
    return f"{new_rows}, {changed_rows}, 0 inchangée, 0 erreur."


def test_an_administrator_fixes_a_refused_workbook_then_imports_it(sign_in, administrator, ia_2_1):
    page = sign_in(administrator)
    # Listening from the start has Chromium hand file choosers to Playwright before any key is
    # pressed (a listener added just before the key races with it).
    page.on("filechooser", lambda chooser: None)

    # WHEN the administrator opens the workbook import from the admin's home page
    page.goto("/admin/")
    page.get_by_role("link", name="Imports de classeurs").first.click()
    expect(page.get_by_role("heading", name="Importer un classeur")).to_be_visible()

    # AND uploads a workbook whose second measurement is written in words
    page.get_by_label("Fichier à importer").set_input_files(workbook(ia_2_1, BAD_VALUE))
    page.get_by_role("button", name="Prévisualiser l’import").click()

    # THEN the error names the sheet, the row, the column and the value, and nothing is written
    expect(page.get_by_text("1 erreur : rien n’a été importé.")).to_be_visible()
    errors = page.get_by_role("table", name="Erreurs")
    error = errors.get_by_role("row").filter(has_text=BAD_VALUE)
    expect(error.get_by_role("cell")).to_have_text(
        ["Mesures", "3", "Valeur", f"« {BAD_VALUE} »", re.compile(r".+")]
    )
    expect(page.get_by_role("button", name="Confirmer l’import")).to_have_count(0)
    assert not Measurement.objects.exists()

    # WHEN they fix the value (as a French number) and upload the file again, with the keyboard
    tab_to(page, page.get_by_label("Fichier à importer"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(workbook(ia_2_1, "35 000"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Feuille de route")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Prévisualiser l’import"))
    page.keyboard.press("Enter")

    # THEN the preview says first that nothing is written yet
    expect(
        page.get_by_text("Aperçu : rien n’est encore écrit dans la feuille de route.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=f"Fichier « {FILENAME} »")).to_be_visible()
    expect(page.get_by_role("table", name="Erreurs")).to_have_count(0)
    # AND it lists the status changed, old → new, « (vide) » for the status not yet declared
    expect(page.get_by_text(summary(new=0, changed=1))).to_be_visible()  # Actions
    changes = page.get_by_role("table", name="Lignes modifiées de la feuille Actions")
    change = changes.get_by_role("row").filter(has_text="Statut")
    expect(change.get_by_role("rowheader")).to_have_text(f"Ligne 2 : {ia_2_1.code}")
    expect(change.get_by_role("cell")).to_have_text(["Statut", "(vide)", "En cours"])
    # AND the two new measurements with the values read, the French way
    expect(page.get_by_text(summary(new=2, changed=0))).to_be_visible()  # Mesures
    when = MEASURED_ON.strftime("%d/%m/%Y")
    expect(page.get_by_role("listitem").filter(has_text="Ligne 2 : ")).to_have_text(
        f"Ligne 2 : IA2-1-APP-AN au {when} : 35 000 apprenants, source « {SOURCE} »"
    )
    expect(page.get_by_role("listitem").filter(has_text="Ligne 3 : ")).to_have_text(
        f"Ligne 3 : IA2-1-PRO-AN au {when} : 35 000 professionnels, source « {SOURCE} », "
        "commentaire « Professionnels »"
    )
    expect(page.get_by_text("Rien n'est encore écrit.")).to_be_visible()
    assert not Measurement.objects.exists()
    save_screenshot(page, "import-apercu")

    # WHEN they confirm, with the keyboard too
    tab_to(page, page.get_by_role("button", name="Confirmer l’import"))
    page.keyboard.press("Enter")

    # THEN the import is done
    expect(page.get_by_text(f"Import du fichier « {FILENAME} » terminé.")).to_be_visible()
    assert Measurement.objects.count() == 2
    ia_2_1.refresh_from_db()
    assert ia_2_1.status == "in_progress"

    # AND the public pages show the new values with their source
    page.goto("/")
    targets = page.get_by_role("region", name="Les cibles phares")
    per_year = targets.get_by_role("article", name=re.compile(f"^{PER_YEAR}"))
    expect(per_year).to_contain_text(re.compile(r"35\s000\sapprenants"))
    expect(per_year).to_contain_text(f"source : {SOURCE}")
    expect(targets.get_by_role("article", name=OVER_5_YEARS)).to_contain_text(
        re.compile(r"35\s000\sapprenants")
    )
    actions = page.get_by_role("region", name="Les actions, axe par axe")
    expect(actions.get_by_role("row", name=re.compile(r"^IA 2-1 "))).to_contain_text("En cours")
    per_year.get_by_role("link", name="Détail dans l'action IA 2-1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-1")
    expect(indicators.get_by_role("row").filter(has_text=OVER_5_YEARS)).to_contain_text(
        re.compile(r"35\s000\sapprenants")
    )
    history = page.get_by_role("region", name="Historique des modifications")
    expect(history).to_contain_text(f"Mesure du {date_format(MEASURED_ON, 'j F Y')}")
