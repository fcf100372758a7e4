"""French typography on every page a person reads, in French and in English (the rules of
`roadmap.french`).

Every public page (the dashboard, each axis, each action, the indicators, the method, the
journal and its Atom feed, the open data page, a missing page), the sign-in page (empty and
with its error), the password reset page and « Mes actions » signed in are rendered on the seed
as loaded and on the demonstration year (`seed_demo --scenario`, real values on the pages), in
French and in English. The visible text (no <script>, <style>, attribute or URL) must have:

- no hand-made plural « (s) », in any language;
- in French text: « 1er » for the first of a month, never « 1 janvier »…« 1 décembre »; a narrow
  no-break space (U+202F) before « % », « ; », « ! » and « ? »;
- in French text, also a no-break space (U+00A0) before « : » and narrow ones inside « », but
  in the words the pages quote from the source document, kept as the document writes them (the
  seed's titles and quotations: `tests/roadmap/test_seed.py` checks they are word for word);
- in English text: no space before « % » (« 42% »).

Which text is French is what the page says: its `<html lang>`, or the `lang` of the nearest
element that has one (`{% source_lang %}` marks the source's own French inside English pages).
Each failure lists every fault once, with the text around it and the pages it is on. What
`seed_demo --scenario` prints (accounts, seed, demonstration year) follows the same rules, and a
no-break space before « : ».
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import translation

from roadmap.models import Action, Axis

NARROW = "\u202f"
SPACES = " \t\r\n\f\u00a0\u202f\u2009\u2007"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
URL = re.compile(r"\b(?:https?|mailto|ftp):\S+")
HIDDEN = frozenset(["script", "style", "template"])
VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)


# --- Reading a page's visible text, with the language of each character ---------------------


@dataclass
class Visible:
    """A page's visible text, and where each language starts in it."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def add(self, chunk: str, language: str) -> None:
        if not chunk:
            return
        if not self.languages or self.languages[-1] != language:
            self.starts.append(len(self.text))
            self.languages.append(language)
        self.text += chunk

    def language_at(self, index: int) -> str:
        return self.languages[bisect.bisect_right(self.starts, index) - 1]


class _Reader(HTMLParser):
    """Collects text outside scripts and styles, each piece with the language of its element."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", language)]
        self.hidden = 0
        self.visible = Visible()

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        language = dict(attrs).get("lang") or self.stack[-1][1]
        self.stack.append((tag, language.split("-")[0].lower()))
        if tag in HIDDEN:
            self.hidden += 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        # Close up to the matching element: HTML lets some end tags out (p, li, td…).
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                for closed, _language in self.stack[depth:]:
                    if closed in HIDDEN:
                        self.hidden -= 1
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self.hidden:
            self.visible.add(URL.sub(" ", data), self.stack[-1][1])


def visible_text(html: str) -> Visible:
    declared = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", html)
    reader = _Reader(declared.group(1) if declared else "fr")
    reader.feed(html)
    reader.close()
    return reader.visible


def feed_text(xml: str, language: str) -> Visible:
    """The texts an Atom reader shows: titles, subtitle and summaries (HTML, escaped)."""
    visible = Visible()
    for element in re.findall(r"<(?:title|subtitle|summary)[^>]*>(.*?)</", xml, flags=re.S):
        html = unescape(element)
        visible.add(unescape(re.sub(r"<[^>]+>", " ", URL.sub(" ", html))) + "\n", language)
    return visible


# --- The rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    languages: tuple[str, ...]
    in_quotations: bool = True  # also in the source document's own words


RULES = (
    Rule("« (s) » : pluriel fait à la main (ngettext)", re.compile(r"\([sS]\)"), ("fr", "en")),
    Rule(
        "« 1 » suivi d'un mois : « 1er » en français",
        re.compile(rf"(?<![\d,.])1[{SPACES}]+(?:{MONTHS})\b", re.IGNORECASE),
        ("fr",),
    ),
    Rule(
        "« % » sans espace fine insécable (U+202F) avant",
        re.compile(rf"\d(?:[{SPACES.replace(NARROW, '')}])?%"),
        ("fr",),
    ),
    Rule(
        "« ; », « ! » ou « ? » sans espace fine insécable (U+202F) avant",
        re.compile(rf"(?<!{NARROW})[;!?]"),
        ("fr",),
    ),
    Rule(
        "« : » sans espace insécable (U+00A0) avant",
        re.compile(r"(?<![\u00a0\u202f]):(?=\s|$)"),
        ("fr",),
        in_quotations=False,
    ),
    Rule(
        "« » sans espaces fines insécables (U+202F) à l'intérieur",
        re.compile(rf"«(?!{NARROW})|(?<!{NARROW})»"),
        ("fr",),
        in_quotations=False,
    ),
    Rule("« % » précédé d'une espace en anglais", re.compile(rf"\d[{SPACES}]%"), ("en",)),
)


SOURCE = (Path(settings.BASE_DIR) / "fixtures" / "source").glob("*.txt")
SOURCE_TEXT = "\n".join(path.read_text("utf-8") for path in SOURCE)


def quotations() -> list[str]:
    """The lines of the source document that the stored texts quote word for word (titles,
    descriptions, quoted sentences), longest first."""
    quoted = set()
    for model in apps.get_app_config("roadmap").get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*fields):
            for value in row:
                for line in str(value or "").splitlines():
                    if len(line.strip()) > 8 and line.strip() in SOURCE_TEXT:
                        quoted.add(line.strip())
    return sorted(quoted, key=len, reverse=True)


def quoted_spans(text: str, quoted: list[str]) -> list[tuple[int, int]]:
    spans = []
    for line in quoted:
        start = text.find(line)
        while start != -1:
            spans.append((start, start + len(line)))
            start = text.find(line, start + 1)
    return spans


def offences(page: str, visible: Visible, quoted: list[str] = ()) -> list[str]:
    """« page — rule : …text around… », for each fault of `page`; `quoted` are the source's
    own words, which some rules spare."""
    found = []
    spans = quoted_spans(visible.text, list(quoted))
    for rule in RULES:
        for match in rule.pattern.finditer(visible.text):
            if visible.language_at(match.start()) not in rule.languages:
                continue
            if not rule.in_quotations and any(a <= match.start() < b for a, b in spans):
                continue
            around = visible.text[max(0, match.start() - 50) : match.end() + 30]
            around = re.sub(r"[ \t\r\n\f]+", " ", around)  # no-break spaces kept
            found.append(f"{page} — {rule.name} : …{around!r}…")
    return found


def report(found: list[str]) -> str:
    """The faults once each, with the pages they are on (the same partial is on many pages)."""
    pages: dict[str, list[str]] = {}
    for offence in found:
        page, fault = offence.split(" — ", 1)
        pages.setdefault(fault, []).append(page)
    return "\n".join(
        f"{fault}\n    {len(where)} × : {', '.join(where[:4])}" + ("…" if len(where) > 4 else "")
        for fault, where in pages.items()
    )


# --- The pages ---------------------------------------------------------------------------------


@pytest.fixture(params=["semence", "demonstration"])
def state(request, roadmap, settings, monkeypatch) -> str:
    """The seed as loaded, or the seed with the demonstration year played on it."""
    if request.param == "demonstration":
        settings.DEBUG = True  # the demonstration is for local development only
        monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")
        call_command("seed_demo", "--scenario", verbosity=0, stdout=_Discard())
        settings.DEBUG = False  # the pages then, as in production (a 404 is the site's own)
    return request.param


class _Discard:
    def write(self, text):
        pass

    def flush(self):
        pass


def public_pages() -> list[str]:
    return [
        reverse("roadmap:dashboard"),
        *(reverse("roadmap:axis", args=[number]) for number in _axis_numbers()),
        *(reverse("roadmap:action", args=[slug]) for slug in _action_slugs()),
        reverse("roadmap:indicators"),
        reverse("roadmap:method"),
        reverse("roadmap:journal"),
        reverse("roadmap:opendata"),
        reverse("roadmap:accessibility"),
        reverse("roadmap:legal-notice"),
        reverse("roadmap:personal-data"),
        reverse("roadmap:sitemap"),
        reverse("login"),
        reverse("password_reset"),
    ]


def _axis_numbers() -> list[int]:
    return list(Axis.objects.order_by("number").values_list("number", flat=True))


def _action_slugs() -> list[str]:
    return list(Action.objects.order_by("code").values_list("slug", flat=True))


def rendered(client, language: str, has_member) -> list[tuple[str, Visible]]:
    """Every page of the list, as a reader in `language` reads it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = []
    for url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((url, visible_text(response.content.decode())))
    missing = client.get("/actions/action-inexistante/")
    assert missing.status_code == 404
    pages.append(("404", visible_text(missing.content.decode())))
    refused = client.post(reverse("login"), {"username": "personne", "password": "mauvais"})
    assert refused.status_code == 200
    pages.append(("connexion refusée", visible_text(refused.content.decode())))
    feed = client.get(reverse("roadmap:journal-feed"))
    assert feed.status_code == 200
    pages.append((reverse("roadmap:journal-feed"), feed_text(feed.content.decode(), language)))
    client.force_login(has_member)
    mine = client.get(reverse("roadmap:my-actions"))
    assert mine.status_code == 200
    pages.append((reverse("roadmap:my-actions"), visible_text(mine.content.decode())))
    client.logout()
    return pages


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_writes_french_typography(client, state, language, has_member):
    pages = rendered(client, language, has_member)
    # The pages were read in the language asked: the rules then apply to what they say.
    declared = {url: visible.languages[0] for url, visible in pages if visible.languages}
    assert {url for url, declared in declared.items() if declared != language} == set()

    quoted = quotations()
    found = [offence for url, visible in pages for offence in offences(url, visible, quoted)]

    assert found == [], f"{len(found)} fautes de typographie :\n" + report(found)


# --- The rules themselves ------------------------------------------------------------------


def test_the_rules_catch_each_fault_and_spare_what_is_right():
    faulty = visible_text(
        '<html lang="fr"><body><p>1 septembre 2025 ; 100 % (s) Vraiment ? Oui !</p>'
        '<p lang="en">42 % done</p></body></html>'
    )
    right = visible_text(
        f'<html lang="fr"><body><p>1er septembre 2025{NARROW}; 100{NARROW}% Vraiment{NARROW}?'
        f' 21 janvier <a href="/?a=1;b">lien</a> https://exemple.fr/?x=1;y</p>'
        '<script>if (a !== b) { x = "50 %"; }</script><p lang="en">42% done</p></body></html>'
    )

    assert [offence.split(" : ")[0] for offence in offences("page", faulty)] == [
        "page — « (s) »",
        "page — « 1 » suivi d'un mois",
        "page — « % » sans espace fine insécable (U+202F) avant",
        "page — « ; », « ! » ou « ? » sans espace fine insécable (U+202F) avant",
        "page — « ; », « ! » ou « ? » sans espace fine insécable (U+202F) avant",
        "page — « ; », « ! » ou « ? » sans espace fine insécable (U+202F) avant",
        "page — « % » précédé d'une espace en anglais",
    ]
    assert offences("page", right) == []


# --- What the commands print --------------------------------------------------------------


def test_the_commands_print_french_typography(no_roadmap, settings, monkeypatch, capsys):
    settings.DEBUG = True  # the demonstration is for local development only
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")

    # The accounts, the seed, then the year played; in French, as from a shell (no request
    # has chosen a language there: the site's, French).
    with translation.override(settings.LANGUAGE_CODE):
        call_command("seed_demo", "--scenario")

    out = capsys.readouterr().out
    printed = Visible()
    printed.add(out, "fr")
    assert offences("seed_demo --scenario", printed) == []
    # a no-break space before « : », never a plain one, and the counts through ngettext
    assert re.findall(r".{12} :", out) == []
    assert "Comptes de démonstration prêts\u00a0:" in out
    assert "Mot de passe\u00a0: celui de la variable DEMO_PASSWORD." in out
    assert re.search("Créés\u00a0: .*17 actions, 4 axes, 1 feuille de route, ", out)
    assert "jouée (données fictives, signées admin, dns et has)\u00a0: " in out
    assert "1 feuilles" not in out
