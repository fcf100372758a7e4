"""The README shows the service: its « Captures d'écran » section has the pictures the browser
tests take (docs/screenshots/), each with a French text alternative that says what it shows."""

import re

from django.conf import settings


def section(title: str) -> str:
    readme = (settings.BASE_DIR / "README.md").read_text("utf-8")
    assert f"\n## {title}\n" in readme, f"le README n'a pas de section « {title} »"
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_shows_the_screenshots_with_a_french_text_alternative():
    images = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", section("Captures d'écran"))

    assert [path for _alt, path in images] == [
        "docs/screenshots/tableau-de-bord.png",
        "docs/screenshots/tableau-de-bord-mobile.png",
        "docs/screenshots/action-ia-2-1.png",
        "docs/screenshots/action-ia-2-1-mobile.png",
        "docs/screenshots/import-apercu.png",
    ]
    for path in (path for _alt, path in images):
        assert (settings.BASE_DIR / path).read_bytes().startswith(b"\x89PNG"), path
    alternatives = [alt for alt, _path in images]
    for alt, subject in zip(
        alternatives,
        (
            "Premier écran du tableau de bord",
            "Premier écran du tableau de bord sur un téléphone",
            "Page de l'action IA 2-1",
            "La même vue à 390 px",
            "Aperçu de l'import du classeur",
        ),
        strict=True,
    ):
        assert alt.startswith(subject)
        assert len(alt.split()) >= 25, f"texte de remplacement trop court : {alt}"
