"""Tests of the English version: French by default, English on request through the header's
language switch (Django's set_language), every message of the catalogue translated, and dates
and numbers written the way the reader's language writes them."""

from __future__ import annotations

import ast
import gettext
import re

import pytest
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation
from django.utils.html import escape

from roadmap.french import typeset
from roadmap.models import Axis, Measurement
from roadmap.progress import period_containing
from tests.support.builders import days, make_milestone
from tests.support.html import element, text

CATALOGUES = settings.BASE_DIR / "locale"


def in_english(client):
    response = client.post("/i18n/setlang/", {"language": "en"}, headers={"Referer": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_pages_are_in_french_by_default(client, roadmap):
    html = client.get("/").content.decode()

    assert '<html lang="fr"' in html
    assert "Tableau de bord" in html
    # the seed as loaded: no person has updated anything yet
    assert text(element(html, "derniere-mise-a-jour")) == "Pas encore mis à jour"


def test_the_header_offers_english_through_set_language(client, roadmap):
    html = client.get("/").content.decode()

    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', html, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<button type="submit" name="language" value="en" lang="en"' in form
    assert ">English</button>" in form
    assert 'title="Afficher le site en anglais"' in form


def test_switching_to_english_returns_to_the_page_being_read(client, roadmap):
    response = client.post(
        "/i18n/setlang/", {"language": "en"}, headers={"Referer": "/indicateurs/?tri=avancement"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/indicateurs/?tri=avancement"


@pytest.mark.parametrize(
    ("url", "english"),
    [
        ("/", ["Headline targets", "The actions, axis by axis", "Not updated yet", "17 actions."]),
        ("/axes/2/", ["Axis 2 – Prise en charge", "5 actions", "Next milestone"]),
        ("/actions/ia-2-1/", ["At a glance", "Lead to be named", "History of changes"]),
        ("/indicateurs/", ["Indicators against their targets", "Target date", "Charts"]),
        (
            "/methode/",
            ["Worked example: learners trained", "off track", "Points needing attention"],
        ),
        ("/donnees/", ["Open data", "The roadmap as JSON", "Main fields of the JSON"]),
        ("/journal/", ["Journal of the roadmap", "Nothing has been published yet."]),
    ],
)
def test_every_page_is_translated(client, roadmap, url, english):
    in_english(client)

    html = client.get(url).content.decode()

    assert '<html lang="en"' in html
    content = text(element(html, "content"))
    for words in english:
        assert words in content, words
    assert "Dernière mise à jour" not in html
    assert "Pas encore mis à jour" not in html
    assert "<title>" in html and "AI in health roadmap</title>" in html
    # and the header offers French back
    assert '<button type="submit" name="language" value="fr" lang="fr"' in html
    assert ">Français</button>" in html


def test_numbers_and_dates_follow_the_reader_s_language(client, ia_2_1):
    # GIVEN learners of this academic year, which the five years' total adds up
    on = period_containing("academic_year", timezone.localdate())[0]
    Measurement.objects.create(
        indicator=ia_2_1.indicators.get(code="IA2-1-APP-AN"),
        date=on,
        value="35000.5",
        source="DGOS",
    )
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")

    french = text(element(client.get("/").content.decode(), f"cible-{total.pk}"))
    in_english(client)
    english = text(element(client.get("/").content.decode(), f"cible-{total.pk}"))

    assert "35\u00a0000,5\u00a0apprenants" in french
    assert "au 31\u00a0août\u00a02029" in french
    assert "35,000.5\u00a0apprenants" in english
    assert "by Aug.\u00a031, 2029" in english
    assert f"On Sept.\u00a01, {on.year}, source: DGOS" in english
    # the first of the month is « 1er » in French, and has no French ordinal in English
    assert f"Au 1er\u00a0septembre\u00a0{on.year}, source\u00a0: DGOS" in french
    assert f"1er\u00a0septembre\u00a0{on.year}" not in english


def test_percentages_have_a_narrow_no_break_space_in_french_and_none_in_english(client, ia_2_1):
    # GIVEN half of this academic year's learners
    on = period_containing("academic_year", timezone.localdate())[0]
    Measurement.objects.create(
        indicator=ia_2_1.indicators.get(code="IA2-1-APP-AN"), date=on, value=35000, source="DGOS"
    )
    learners = ia_2_1.indicators.get(code="IA2-1-APP-AN")

    french = text(element(client.get("/").content.decode(), f"cible-{learners.pk}"))
    in_english(client)
    english = text(element(client.get("/").content.decode(), f"cible-{learners.pk}"))

    assert "50\u202f%" in french
    assert "50%" in english
    assert " %" not in english and "\u00a0%" not in english and "\u202f%" not in english


def test_the_source_s_french_is_marked_french_in_english_pages(client, roadmap):
    axis = Axis.objects.get(number=2)
    template = engines["django"].from_string(
        "{% load roadmap_tags %}<p{% source_lang %}>x</p>{{ axis|axis_heading }}"
    )
    with translation.override("fr"):
        assert template.render({"axis": axis}) == "<p>x</p>Axe 2 – Prise en charge"
    with translation.override("en"):
        assert template.render({"axis": axis}) == (
            '<p lang="fr">x</p>Axis 2 – <span lang="fr">Prise en charge</span>'
        )
    # and the header's menu of axes says so on an English page
    in_english(client)
    html = client.get("/").content.decode()
    assert 'Axis 2 – <span lang="fr">Prise en charge</span></a>' in html


def test_the_history_and_the_feed_are_told_in_english(client, ia_2_1):
    from tests.support.builders import colleague, set_status

    set_status(ia_2_1, "in_progress", colleague())
    in_english(client)

    history = text(element(client.get("/actions/ia-2-1/").content.decode(), "historique"))
    feed = client.get("/journal/atom.xml").content.decode()

    assert "Status: Not set → In progress, by Camille Martin (DGOS) on" in history
    assert "Action created (loading of the source document), on" in history
    assert "IA 2-1: Status: Not set → In progress" in feed.replace("IA 2-1 : ", "IA 2-1: ")


def test_french_counts_zero_as_singular(client, no_roadmap):
    from roadmap.models import Axis, Roadmap

    roadmap = Roadmap.objects.create(
        title="Vide", slug="vide", source_title="Document", source_date="2025-01-01"
    )
    Axis.objects.create(roadmap=roadmap, number=1, short_title="Axe", title="Axe")

    assert text(element(client.get("/").content.decode(), "annonce-filtres")) == "0 action."


# --- The catalogues ------------------------------------------------------------------------------


# A field of an entry and its first line of text.
FIELD = r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$"


def po_entries(path) -> list[dict]:
    """msgctxt, msgid, msgid_plural, msgstr(s) and flags of each entry of a .po file."""
    entries = []
    for block in path.read_text("utf-8").split("\n\n"):
        entry, field = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line
            ):
                field = match.group(1)
                entry[field] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and field:
                entry[field] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_has_its_english_translation_and_none_is_fuzzy():
    entries = po_entries(CATALOGUES / "en" / "LC_MESSAGES" / "django.po")

    assert len(entries) > 500
    untranslated = [
        e["msgid"]
        for e in entries
        if not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_compiled_catalogue_is_up_to_date_with_its_source(language):
    path = CATALOGUES / language / "LC_MESSAGES"
    with (path / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    for entry in po_entries(path / "django.po"):
        # An empty translation (in French, a message typography leaves as is) is the message.
        if "msgid_plural" in entry:
            assert catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 2) == (
                entry["msgstr[1]"] or entry["msgid_plural"]
            )
        elif "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], entry["msgid"]) == (
                entry["msgstr"] or entry["msgid"]
            )
        else:
            assert catalogue.gettext(entry["msgid"]) == (entry["msgstr"] or entry["msgid"])


def test_the_french_catalogue_sets_each_message_in_french_typography():
    # The messages are written with plain spaces; French pages read them typeset
    # (`manage.py typeset_catalogue`, run by `make messages`).
    entries = po_entries(CATALOGUES / "fr" / "LC_MESSAGES" / "django.po")
    english = po_entries(CATALOGUES / "en" / "LC_MESSAGES" / "django.po")

    assert {(e.get("msgctxt"), e["msgid"]) for e in entries} == {
        (e.get("msgctxt"), e["msgid"]) for e in english
    }
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    for entry in entries:
        # A plural has both its forms (French counts 0 as singular); any other message only
        # what typography changes, so that elsewhere Django's own French answers (« anglais »).
        if "msgid_plural" in entry:
            assert entry["msgstr[0]"] == typeset(entry["msgid"], message=True)
            assert entry["msgstr[1]"] == typeset(entry["msgid_plural"], message=True)
        elif typeset(entry["msgid"], message=True) == entry["msgid"]:
            assert entry["msgstr"] == "", entry["msgid"]
        else:
            assert entry["msgstr"] == typeset(entry["msgid"], message=True), entry["msgid"]
    by_message = {e["msgid"]: e for e in entries}
    assert by_message["Fichier introuvable : %(file)s"]["msgstr"] == (
        "Fichier introuvable\u00a0: %(file)s"
    )


def test_a_french_page_reads_the_typeset_message_and_an_english_one_its_translation(
    client, roadmap
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = text(client.get("/accessibilite/").content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text(client.get("/accessibilite/").content.decode())

    assert "Dernière mise à jour\u00a0: " in french
    assert "Dernière mise à jour :" not in french
    assert "Last updated: " in english


def test_the_placeholders_of_each_translation_are_those_of_its_message():
    def placeholders(message: str) -> list[str]:
        return sorted(re.findall(r"%\([a-z_]+\)[sd]|%%", message))

    for entry in po_entries(CATALOGUES / "en" / "LC_MESSAGES" / "django.po"):
        if "msgid_plural" in entry:
            assert placeholders(entry["msgstr[1]"]) == placeholders(entry["msgid_plural"])
        else:
            assert placeholders(entry["msgstr"]) == placeholders(entry["msgid"]), entry["msgid"]


def french_texts(html: str) -> list[str]:
    """The text of each element marked `lang="fr"` within the page's <body>."""
    body = html[html.index("<body") :]
    return [
        text(inner)
        for _, inner in re.findall(r'<(\w+)\b[^>]*\blang="fr"[^>]*>(.*?)</\1>', body, re.S)
    ]


def test_the_action_s_own_french_is_marked_french_on_its_english_page(client, ia_2_1):
    indicator = ia_2_1.indicators.exclude(source="").first()
    milestone = make_milestone(ia_2_1, "Former les premières équipes", due_date=days(30))
    assert indicator
    in_english(client)

    response = client.get(ia_2_1.get_absolute_url())

    html = response.content.decode()
    title = re.escape(escape(ia_2_1.title))
    assert re.search(r'<h1 [^>]*>.*?<span lang="fr">' + title + "</span></h1>", html, re.S)
    marked = french_texts(html)
    for words in (ia_2_1.title, indicator.label, milestone.title, indicator.source):
        assert text(words) in marked, words


def test_a_french_page_marks_nothing_french_besides_its_root(client, ia_2_1):
    make_milestone(ia_2_1, "Former les premières équipes", due_date=days(30))
    for url in ("/", ia_2_1.get_absolute_url(), Axis.objects.get(number=2).get_absolute_url()):
        html = client.get(url).content.decode()

        assert '<html lang="fr"' in html
        # the language switcher's own « Français » is the only other French mark
        marks = re.findall(r'<[^>]*\blang="fr"[^>]*>', html[html.index("<body") :])
        assert [mark for mark in marks if 'name="language" value="fr"' not in mark] == [], url


def test_an_indicator_s_label_in_a_member_s_form_is_marked_french_on_an_english_page(
    client, administrator, ia_2_1
):
    # GIVEN an administrator, who may edit every action, reading IA 2-1 in English
    assert ia_2_1.indicators.exists()
    client.force_login(administrator)
    in_english(client)

    html = client.get(ia_2_1.get_absolute_url()).content.decode()

    # THEN the summary of each indicator's measurement form holds the label as French
    for indicator in ia_2_1.indicators.all():
        summary = f'<summary class="fr-accordion__btn" lang="fr">{escape(indicator.label)}'
        assert summary + "</summary>" in html, indicator.label
