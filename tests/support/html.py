"""Read HTML as a reader does, with the standard library's `html.parser` (no lxml, no html5lib).

One rule for no-break spaces: `text` keeps them (the pages write « 140 000 » and « 12 % » with
them, and `french` says so in an expected string), `plain_text` folds them into plain spaces (for
an assertion about the words only). Both remove the tags (a tag separates words), drop scripts
and styles, and collapse whitespace. Each takes markup or a test client's response.

- `element(html, id)`: the outer markup of the one element with that id;
- `elements(html, tag)`: the outer markup of every `tag`;
- `has_id`, `attributes_of`, `form_value`, `text_of`: about the element with an id;
- `field_error`: the error under a form field, checked to be tied to it for screen readers;
- `tables_without_rows`: the tables a reader must never see;
- `normalised` and `assert_same_page`: two renders of one state, compared;
- `french`, `french_date`, `french_datetime`: an expected string as the pages write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from django.utils import timezone, translation

from roadmap.french import format_date

NBSP = "\u00a0"
NNBSP = "\u202f"  # before « % », « ; », « ! », « ? » and inside « » in French

VOID_ELEMENTS = frozenset(
    [
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
    ]
)
# Elements whose end tag HTML lets an author leave out: closing their parent closes them.
OPTIONAL_END_TAGS = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "optgroup",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    ]
)


def french(text: str) -> str:
    """« 140 000 », « 12 % » as the pages write them: thousands and units held by no-break
    spaces, a narrow one before « % »."""
    return text.replace(" ", NBSP).replace(f"{NBSP}%", f"{NNBSP}%")


def french_date(value) -> str:
    """`value` as the pages write a day: « 28 novembre 2026 », « 1er décembre 2026 », its
    no-break spaces folded as `plain_text` folds them (`format_date` gives them)."""
    with translation.override("fr"):
        return " ".join(format_date(value, "DATE_FORMAT").split())


def written_date(value) -> str:
    """`value` as the HTML writes a day, its no-break spaces kept: « 1er\u00a0décembre\u00a02026 »
    (a day never parted from its month nor its year at the end of a line)."""
    with translation.override("fr"):
        return format_date(value, "DATE_FORMAT")


def french_datetime(value) -> str:
    """`value` as the pages write a moment: « 28 novembre 2026 21:56 », folded as
    `french_date`."""
    with translation.override("fr"):
        return " ".join(format_date(timezone.localtime(value), "DATETIME_FORMAT").split())


def markup(source) -> str:
    """The HTML of `source`: a string, or a test client's response."""
    return source.content.decode() if hasattr(source, "content") else source


@dataclass(frozen=True)
class Element:
    """Where an element is in its source: [start, end), its content [inner_start, inner_end)."""

    tag: str
    attrs: dict = field(compare=False)
    start: int
    inner_start: int
    inner_end: int
    end: int
    depth: int  # 0 for an element at the top of a fragment


class _Parser(HTMLParser):
    """Records where every element starts and ends in the source text."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        # HTMLParser counts lines by "\n" only (str.splitlines would also split on \u2028…).
        self.line_offsets = [0] + [match.end() for match in re.finditer("\n", source)]
        self.open: list[tuple[str, dict, int, int]] = []
        self.elements: list[Element] = []

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_offsets[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._here()
        start_end = start + len(self.get_starttag_text())
        if tag in VOID_ELEMENTS:
            self._record(tag, dict(attrs), start, start_end, start_end, start_end)
        else:
            self.open.append((tag, dict(attrs), start, start_end))

    def handle_startendtag(self, tag, attrs):
        # <circle … /> in SVG: an element without content, not an opening tag.
        start = self._here()
        end = start + len(self.get_starttag_text())
        self._record(tag, dict(attrs), start, end, end, end)

    def handle_endtag(self, tag):
        if tag not in (open_tag for open_tag, *_ in self.open):
            return  # a stray end tag (or a void element's): browsers ignore it too
        inner_end = self._here()
        end = self.source.index(">", inner_end) + 1
        while self.open:
            open_tag, attrs, start, start_end = self.open.pop()
            if open_tag == tag:
                self._record(tag, attrs, start, start_end, inner_end, end)
                return
            # Closed by its parent's end tag, as a browser does with an unclosed <p>: only an
            # element whose end tag is optional may be left open.
            assert open_tag in OPTIONAL_END_TAGS, f"<{open_tag}> closed by </{tag}>"
            self._record(open_tag, attrs, start, start_end, inner_end, inner_end)

    def _record(self, tag, attrs, start, inner_start, inner_end, end):
        self.elements.append(
            Element(tag, attrs, start, inner_start, inner_end, end, depth=len(self.open))
        )


def parse(source) -> list[Element]:
    """Every element of `source`, in the order of their start tags."""
    source = markup(source)
    parser = _Parser(source)
    parser.feed(source)
    parser.close()
    return sorted(parser.elements, key=lambda element: element.start)


def find(source, wanted) -> list[Element]:
    """The elements of `source` for which `wanted(tag, attributes)` is true."""
    return [element for element in parse(source) if wanted(element.tag, element.attrs)]


def top_level(source) -> list[Element]:
    """The elements at the top of a fragment (an HTMX answer)."""
    return [element for element in parse(source) if element.depth == 0]


def located(source, element_id: str) -> Element:
    """The one element of `source` whose id is `element_id`."""
    found = find(source, lambda tag, attrs: attrs.get("id") == element_id)
    assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
    return found[0]


def element(source, element_id: str) -> str:
    """The outer HTML of the one element whose id is `element_id`."""
    source = markup(source)
    found = located(source, element_id)
    return source[found.start : found.end]


def elements(source, tag: str) -> list[str]:
    """The outer HTML of every `tag` element of `source`, in document order."""
    source = markup(source)
    return [source[e.start : e.end] for e in find(source, lambda t, attrs: t == tag)]


def has_id(source, element_id: str) -> bool:
    return bool(find(source, lambda tag, attrs: attrs.get("id") == element_id))


def attributes_of(source, element_id: str) -> dict:
    return located(source, element_id).attrs


def form_fields(source, action: str) -> dict | None:
    """The inputs of the form that posts to `action` (name → value, unchecked boxes left out), or
    None when the page has no such form."""
    elements = parse(source)
    form = next((e for e in elements if e.tag == "form" and e.attrs.get("action") == action), None)
    if form is None:
        return None
    return {
        e.attrs["name"]: e.attrs.get("value") or ""
        for e in elements
        if e.tag == "input"
        and form.inner_start <= e.start < form.inner_end
        and e.attrs.get("name")
        and (e.attrs.get("type") not in {"checkbox", "radio"} or "checked" in e.attrs)
    }


def form_value(source, element_id: str):
    """The `value` of the input with `element_id` (a hidden version, a date…)."""
    return attributes_of(source, element_id).get("value")


def text(source) -> str:
    """The text of `source`, tags removed and whitespace collapsed; no-break spaces are kept,
    and a space that only stands for a tag beside one goes (« <strong>Cible</strong>\u00a0: »
    reads « Cible\u00a0: », as a browser shows it)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", markup(source), flags=re.S)
    collapsed = re.sub(r"[ \t\r\n\f]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ?([\u00a0\u202f]) ?", r"\1", collapsed).strip()


def plain_text(source) -> str:
    """`text`, with every no-break (or other Unicode) space folded into one plain space."""
    return " ".join(text(source).split())


def text_of(source, element_id: str) -> str:
    """The `plain_text` of the element with `element_id`."""
    return plain_text(element(source, element_id))


def open_accordions(source) -> list[str]:
    """The summaries of the accordions (components/form_disclosure.html) that `source` shows
    open, in document order: a DSFR accordion on <details>, whose summary is its button."""
    source = markup(source)
    found = []
    for details in find(
        source, lambda tag, attrs: tag == "details" and "fr-accordion" in attrs.get("class", "")
    ):
        summary = find(source[details.start : details.end], lambda tag, attrs: tag == "summary")[0]
        assert "fr-accordion__btn" in summary.attrs.get("class", "").split()
        if "open" in details.attrs:
            inner = source[details.start : details.end]
            found.append(plain_text(inner[summary.inner_start : summary.inner_end]))
    return found


def field_error(response, field_id: str) -> str:
    """The error shown under the field `field_id`, checked to be tied to it for screen readers."""
    source = markup(response)
    field_attributes = attributes_of(source, field_id)
    assert field_attributes.get("aria-invalid") == "true", f"{field_id} is not marked invalid"
    assert field_attributes.get("aria-describedby") == f"{field_id}-error"
    return text_of(source, f"{field_id}-error")


def tables_without_rows(source) -> list[str]:
    """The tables of `source` whose body has no row: a reader must never see one."""
    empty = []
    for table in elements(source, "table"):
        bodies = elements(table, "tbody")
        if not bodies or not any(elements(body, "tr") for body in bodies):
            empty.append(table[:200])
    return empty


def normalised(page) -> str:
    """`page` without what differs between two renders of the same state: CSRF tokens, CSP
    nonces, the random ids django-dsfr gives its breadcrumb; whitespace between two tags goes,
    any other run of it is one space (text that reads differently stays different)."""
    page = markup(page)
    page = re.sub(r'(name="csrfmiddlewaretoken" value=)"[^"]*"', r'\1"…"', page)
    page = re.sub(r'nonce="[^"]*"', 'nonce="…"', page)
    page = re.sub(r"breadcrumb-[a-z]{16}\b", "breadcrumb-…", page)
    page = re.sub(r">\s+<", "><", page)
    page = re.sub(r"\s+", " ", page).strip()
    # One tag a line, so that a failed comparison shows the lines that differ.
    return page.replace("><", ">\n<")


def assert_same_page(first, second) -> None:
    """The two renders are the same page, but for what `normalised` blanks out."""
    first, second = normalised(first), normalised(second)
    if first != second:
        at = next(
            (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
            min(len(first), len(second)),
        )
        raise AssertionError(
            f"the pages differ at {at}:\n{first[at - 200 : at + 200]}\n---\n"
            f"{second[at - 200 : at + 200]}"
        )
