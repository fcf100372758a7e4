"""Tests of `/journal/` and its Atom feed: the latest progress notes and status changes."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from roadmap.journal import JOURNAL_SHOWN
from roadmap.models import Action, ProgressNote, Status
from tests.support.builders import colleague, note, set_status
from tests.support.html import element, text

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def camille(roadmap):
    return colleague("DGOS")


@pytest.fixture
def news(roadmap, camille):
    """A status change of IA 2-1, then a note on IA 4-2, then another status change of IA 2-1."""
    ia_2_1, ia_4_2 = Action.objects.get(code="IA 2-1"), Action.objects.get(code="IA 4-2")
    set_status(ia_2_1, Status.IN_PROGRESS, camille)
    written = note(
        ia_4_2,
        camille,
        done="Appel à projets lancé.",
        risks="Peu de candidatures <b>attendues</b>.",
        written_on=datetime.date(2026, 11, 2),
    )
    set_status(ia_2_1, Status.AT_RISK, camille)
    return written


def journal(client) -> str:
    response = client.get("/journal/")
    assert response.status_code == 200
    return response.content.decode()


def feed(client) -> ET.Element:
    response = client.get("/journal/atom.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, not untrusted input


def test_the_journal_lists_notes_and_status_changes_newest_first(client, news):
    html = journal(client)

    keys = re.findall(r'<li class="app-journal__entry[^"]*" id="([^"]+)"', html)
    entries = [text(element(html, key)) for key in keys]
    assert len(entries) == 3
    assert entries[0].startswith("IA 2-1 Statut\u00a0: En cours → devient À risque")
    assert entries[1].startswith("IA 4-2 Point d'avancement du 2\u00a0novembre\u00a02026")
    assert "Appel à projets lancé." in entries[1]
    assert "Publié par Camille Martin (DGOS) le" in entries[1]
    assert entries[2].startswith("IA 2-1 Statut\u00a0: Non renseigné → devient En cours")
    # AND a status reads as the badge the action's page gives it, the arrow hidden from screen
    # readers, which hear « devient »
    badges = re.findall(r'<span class="fr-badge fr-badge--sm ([^"]*)">([^<]+)</span>', html)
    assert badges == [
        ("fr-badge--info", "En cours"),
        ("fr-badge--warning", "À risque"),
        ("", "Non renseigné"),
        ("fr-badge--info", "En cours"),
    ]
    assert (
        html.count('<span aria-hidden="true">→</span><span class="fr-sr-only">devient</span>') == 2
    )
    assert f'href="/actions/ia-4-2/#point-{news.pk}"' in html
    assert 'href="/actions/ia-2-1/#historique"' in html


def test_the_journal_escapes_what_members_typed(client, news):
    html = journal(client)

    assert "<b>attendues</b>" not in html
    assert "&lt;b&gt;attendues&lt;/b&gt;" in html


def test_an_empty_journal_says_who_publishes_there(client, roadmap):
    html = journal(client)

    assert "Rien n'a encore été publié." in text(html)
    assert "app-journal__entry" not in html
    assert "Dernière mise à jour\u00a0: rien n'a encore été publié." in text(html)


def test_the_journal_advertises_its_feed(client, roadmap):
    html = journal(client)

    assert '<link rel="alternate" type="application/atom+xml" href="/journal/atom.xml"' in html
    assert 'href="/journal/atom.xml"' in element(html, "content")


def test_the_feed_holds_the_same_entries_as_the_journal(client, news):
    root = feed(client)

    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Journal de la feuille de route IA en santé"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "IA 2-1\u00a0: Statut\u00a0: En cours → À risque",
        "IA 4-2\u00a0: point d'avancement du 2\u00a0novembre\u00a02026",
        "IA 2-1\u00a0: Statut\u00a0: Non renseigné → En cours",
    ]
    second = entries[1]
    assert (
        second.find(f"{ATOM}link").get("href")
        == f"http://testserver/actions/ia-4-2/#point-{news.pk}"
    )
    assert second.find(f"{ATOM}author/{ATOM}name").text == "Camille Martin (DGOS)"
    summary = second.find(f"{ATOM}summary").text
    assert "<p>Ce qui a été fait\u00a0: Appel à projets lancé.</p>" in summary
    assert "&lt;b&gt;attendues&lt;/b&gt;" in summary
    # every entry has its own stable id
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == 3


def test_the_feed_of_an_empty_roadmap_is_a_valid_empty_feed(client, no_roadmap):
    root = feed(client)

    assert root.findall(f"{ATOM}entry") == []
    assert root.find(f"{ATOM}updated") is not None


def test_the_journal_keeps_the_latest_entries_only(client, roadmap, camille):
    action = Action.objects.get(code="IA 3-1")
    ProgressNote.objects.bulk_create(
        ProgressNote(
            action=action, author=camille, written_on=datetime.date(2026, 1, 1), done=f"N{i}"
        )
        for i in range(JOURNAL_SHOWN + 5)
    )

    assert journal(client).count('<li class="app-journal__entry') == JOURNAL_SHOWN
    assert len(feed(client).findall(f"{ATOM}entry")) == JOURNAL_SHOWN
