"""Helpers for the tests of the reader pages: read HTML like a browser would, and grow a roadmap.

- `element(html, id)`: the markup of one element, found by its id with the standard library's
  HTML parser (no lxml, no html5lib), so an assertion is about that element and nothing else;
- `apply_htmx(page, response, target)`: what htmx does with an answer (out-of-band swaps, then
  the target swapped), to compare with a fresh render of the page;
- `same_page(a, b)`: equality of two renders, blind to what differs on every render by design
  (CSRF tokens, CSP nonces, the DSFR's random ids) and to whitespace between tags;
- `tables_without_rows`, `text`: what a reader sees;
- `grow_everything`: a roadmap ten times the seed, with notes and status changes too.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from django.utils import timezone

from accounts.models import Organisation, Role, User
from roadmap.models import Action, ProgressNote, Roadmap, Status
from tests.roadmap.test_public_pages import grow

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(frozen=True)
class Span:
    """Where an element is: [start, end), and its inner markup [inner_start, inner_end)."""

    start: int
    inner_start: int
    inner_end: int
    end: int


class _Finder(HTMLParser):
    def __init__(self, html: str, wanted):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.wanted = wanted  # a predicate on (tag, attributes)
        self.lines = [0]
        for match in re.finditer("\n", html):
            self.lines.append(match.end())
        self.spans: list[Span] = []
        self.open: list[tuple[str, int, int] | None] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self.position()
        start_end = start + len(self.get_starttag_text())
        if tag in VOID_ELEMENTS:
            if self.wanted(tag, dict(attrs)):
                self.spans.append(Span(start, start_end, start_end, start_end))
            return
        self.open.append((tag, start, start_end) if self.wanted(tag, dict(attrs)) else None)

    def handle_startendtag(self, tag, attrs):
        # <circle … /> in SVG: an element without content, not an opening tag.
        start = self.position()
        if self.wanted(tag, dict(attrs)):
            end = start + len(self.get_starttag_text())
            self.spans.append(Span(start, end, end, end))

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or not self.open:
            return
        opened = self.open.pop()
        if opened is not None:
            assert opened[0] == tag, f"<{opened[0]}> closed by </{tag}>"
            inner_end = self.position()
            end = self.html.index(">", inner_end) + 1
            self.spans.append(Span(opened[1], opened[2], inner_end, end))


def find(html: str, wanted) -> list[Span]:
    finder = _Finder(html, wanted)
    finder.feed(html)
    finder.close()
    return sorted(finder.spans, key=lambda span: span.start)


def span_of(html: str, element_id: str) -> Span:
    spans = find(html, lambda tag, attrs: attrs.get("id") == element_id)
    assert len(spans) == 1, f"{len(spans)} elements with id={element_id!r}"
    return spans[0]


def element(html: str, element_id: str) -> str:
    """The outer HTML of the one element whose id is `element_id`."""
    span = span_of(html, element_id)
    return html[span.start : span.end]


def elements(html: str, tag: str) -> list[str]:
    return [html[s.start : s.end] for s in find(html, lambda t, attrs: t == tag)]


def has_id(html: str, element_id: str) -> bool:
    return bool(find(html, lambda tag, attrs: attrs.get("id") == element_id))


def apply_htmx(page: str, answer: str, target_id: str) -> str:
    """`page` after htmx swapped `answer` into the element `target_id` (hx-swap="outerHTML").

    As htmx does: the answer's out-of-band elements (`hx-swap-oob="innerHTML"`) replace the
    content of the page's elements of the same id, then what remains replaces the target.
    """
    for oob in reversed(find(answer, lambda tag, attrs: "hx-swap-oob" in attrs)):
        start_tag = answer[oob.start : oob.inner_start]
        assert 'hx-swap-oob="innerHTML"' in start_tag, start_tag
        oob_id = re.search(r'\bid="([^"]+)"', start_tag).group(1)
        target = span_of(page, oob_id)
        page = (
            page[: target.inner_start]
            + answer[oob.inner_start : oob.inner_end]
            + page[target.inner_end :]
        )
        answer = answer[: oob.start] + answer[oob.end :]
    target = span_of(page, target_id)
    return page[: target.start] + answer.strip() + page[target.end :]


def normalise(html: str) -> str:
    """What differs between two renders of the same page by design, blanked out."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r"breadcrumb-[a-z]{16}", "breadcrumb-x", html)
    html = re.sub(r">\s+<", "><", html)
    return re.sub(r"\s+", " ", html).strip()


def assert_same_page(first: str, second: str) -> None:
    first, second = normalise(first), normalise(second)
    if first != second:
        at = next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
        raise AssertionError(
            f"the pages differ at {at}:\n{first[at - 200 : at + 200]}\n---\n"
            f"{second[at - 200 : at + 200]}"
        )


def text(html: str) -> str:
    """The text of `html`, tags removed and whitespace collapsed (no-break spaces are kept)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n\f]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def tables_without_rows(html: str) -> list[str]:
    """The tables of `html` whose body has no row: a reader must never see one."""
    empty = []
    for table in elements(html, "table"):
        bodies = elements(table, "tbody")
        if not bodies or not any(elements(body, "tr") for body in bodies):
            empty.append(table[:200])
    return empty


# --- Data ---------------------------------------------------------------------------------------


def member(organisation: str = "DGOS", username: str = "camille") -> User:
    return User.objects.create_user(
        username,
        password="mot-de-passe-de-test-1234",
        first_name="Camille",
        last_name="Martin",
        role=Role.MEMBER,
        organisation=Organisation.objects.get_or_create(acronym=organisation)[0],
    )


def set_status(action: Action, status: str, user: User | None = None) -> None:
    """Change an action's status as the edit views do: a save signed by `user`."""
    action.refresh_from_db()
    action.status = status
    action._history_user = user
    action.save()


def note(action: Action, author: User, done: str = "Travaux lancés.", **fields) -> ProgressNote:
    fields.setdefault("written_on", timezone.localdate())
    return ProgressNote.objects.create(action=action, author=author, done=done, **fields)


def grow_everything(roadmap: Roadmap, factor: int = 10) -> None:
    """`grow` the roadmap `factor` times, and give each action a note and two status changes, so
    that the journal and the history have `factor` times more to show too."""
    grow(roadmap, factor)
    author = User.objects.filter(role=Role.MEMBER).first() or member(username="auteur-10x")
    for action in Action.objects.filter(roadmap=roadmap):
        note(action, author, written_on=timezone.localdate() - datetime.timedelta(days=3))
        set_status(action, Status.IN_PROGRESS, author)
        set_status(action, Status.AT_RISK, author)
