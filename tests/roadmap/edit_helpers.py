"""Shared set-up of the tests of the task force's edits.

Rows to edit (a milestone, an indicator), a colleague with a name, the HTMX headers, the history
of a row as plain tuples, and a small reader of HTML built on the standard library's
`html.parser`: find an element by its id, read its text, replace it as htmx does, and normalise
a page so that two renders of it can be compared.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote
from tests.conftest import PASSWORD

# Hashing a password the real way takes about a second; tests need no such strength.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/accounts/login/"


def today() -> datetime.date:
    return timezone.localdate()


def days(count: int) -> datetime.date:
    """The date `count` days from today (in the past when negative)."""
    return today() + datetime.timedelta(days=count)


def noon(count: int) -> datetime.datetime:
    """Noon, local time, `count` days from today: a moment whose number of calendar days from
    now no clock change and no late or early hour of the test run can shift."""
    return timezone.make_aware(datetime.datetime.combine(days(count), datetime.time(12)))


def french_datetime(value: datetime.datetime) -> str:
    """`value` as the pages write a moment: « 28 novembre 2026 21:56 »."""
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def french_date(value: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(value, "DATE_FORMAT")


def htmx(action: Action) -> dict:
    """The headers htmx sends when the action page posts one of its forms."""
    return {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_CURRENT_URL": f"http://testserver{action.get_absolute_url()}",
    }


def login_redirect(next_url: str) -> str:
    return f"{LOGIN_URL}?next={next_url}"


def colleague(acronym: str, username: str = "camille") -> User:
    """Another task-force member of `acronym`, named Camille Martin."""
    return User.objects.create_user(
        username,
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=Organisation.objects.get(acronym=acronym),
        first_name="Camille",
        last_name="Martin",
    )


def signed_in(user: User) -> Client:
    """A browser of its own, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def make_milestone(action: Action, title: str = "Publier le référentiel", **fields) -> Milestone:
    fields.setdefault("due_date", days(30))
    return Milestone.objects.create(action=action, title=title, **fields)


def make_indicator(action: Action, code: str = "IA2-4-PROS", **fields) -> Indicator:
    """An indicator going from 0 to 140 000 professionals over two years, half of it elapsed."""
    values = {
        "label": "Professionnels informés des recommandations",
        "unit": "professionnels",
        "kind": "cumulative",
        "baseline_value": Decimal(0),
        "baseline_date": days(-365),
        "target_value": Decimal(140000),
        "target_date": days(365),
        **fields,
    }
    return Indicator.objects.create(action=action, code=code, **values)


def history_of(obj, *fields: str) -> list[tuple]:
    """Every history row of `obj`, oldest first: (type, *fields, username of who saved)."""
    return [
        (
            record.history_type,
            *(getattr(record, field) for field in fields),
            record.history_user.username if record.history_user else None,
        )
        for record in obj.history.select_related("history_user").order_by("history_id")
    ]


# --- Reading HTML --------------------------------------------------------------------------------

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
class Element:
    tag: str
    attrs: dict
    start: int  # offset of its start tag in the document
    end: int  # offset just past its end tag
    depth: int  # 0 for an element at the top of a fragment


class _ElementFinder(HTMLParser):
    """Records where each element with an id starts and ends in the source text."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_offsets = [0]
        for line in source.splitlines(keepends=True):
            self.line_offsets.append(self.line_offsets[-1] + len(line))
        self.open: list[tuple[str, dict, int]] = []
        self.elements: dict[str, Element] = {}
        self.top_level: list[Element] = []

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_offsets[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._here()
        if tag in VOID_ELEMENTS:
            self._record(tag, dict(attrs), start, start + len(self.get_starttag_text()))
        else:
            self.open.append((tag, dict(attrs), start))

    def handle_startendtag(self, tag, attrs):
        start = self._here()
        self._record(tag, dict(attrs), start, start + len(self.get_starttag_text()))

    def handle_endtag(self, tag):
        if tag not in (open_tag for open_tag, _attrs, _start in self.open):
            return  # a stray end tag: browsers ignore it too
        end = self.source.index(">", self._here()) + 1
        # Close up to the matching start tag (like a browser with an unclosed <p>).
        while self.open:
            open_tag, attrs, start = self.open.pop()
            self._record(open_tag, attrs, start, end)
            if open_tag == tag:
                break

    def _record(self, tag, attrs, start, end):
        element = Element(tag, attrs, start, end, len(self.open))
        if element.depth == 0:
            self.top_level.append(element)
        if attrs.get("id"):
            self.elements.setdefault(attrs["id"], element)


def parse(source: str) -> _ElementFinder:
    finder = _ElementFinder(source)
    finder.feed(source)
    finder.close()
    return finder


def outer_html(source: str, element_id: str) -> str:
    """The markup of the element with `element_id`, from its start tag to its end tag."""
    element = parse(source).elements.get(element_id)
    assert element is not None, f"no element with id={element_id!r}"
    return source[element.start : element.end]


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text(source) -> str:
    """The text of an HTML document, fragment or response, whitespace collapsed."""
    if hasattr(source, "content"):
        source = source.content.decode()
    extractor = _TextExtractor()
    extractor.feed(source)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def text_of(source, element_id: str) -> str:
    """The text of the element with `element_id`."""
    if hasattr(source, "content"):
        source = source.content.decode()
    return text(outer_html(source, element_id))


def attributes_of(source, element_id: str) -> dict:
    if hasattr(source, "content"):
        source = source.content.decode()
    element = parse(source).elements.get(element_id)
    assert element is not None, f"no element with id={element_id!r}"
    return element.attrs


def field_error(response, field_id: str) -> str:
    """The error shown under the field `field_id`, checked to be tied to it for screen readers."""
    source = response.content.decode()
    field = attributes_of(source, field_id)
    assert field.get("aria-invalid") == "true", f"{field_id} is not marked invalid"
    assert field.get("aria-describedby") == f"{field_id}-error"
    return text_of(source, f"{field_id}-error")


def form_value(source, element_id: str):
    """The `value` of the input with `element_id` (a hidden version, a date…)."""
    return attributes_of(source, element_id).get("value")


def swap(page: str, fragment: str, target_id: str) -> str:
    """`page` after htmx swapped `fragment` in: outerHTML into `target_id`, then out of band.

    The fragment's elements marked hx-swap-oob="true" replace the page's element with the same
    id, without their hx-swap-oob attribute (htmx removes it); those marked
    hx-swap-oob="innerHTML" replace only its content. The rest replaces the target.
    """
    found = parse(fragment)
    in_band, out_of_band = [], []
    for element in found.top_level:
        piece = fragment[element.start : element.end]
        if "hx-swap-oob" in element.attrs:
            if element.attrs["hx-swap-oob"] == "innerHTML":
                inner = piece[piece.index(">") + 1 : piece.rindex("</")]
                out_of_band.append((element.attrs["id"], inner, _replace_content))
            else:
                piece = re.sub(r'\s+hx-swap-oob="[^"]*"', "", piece, count=1)
                out_of_band.append((element.attrs["id"], piece, _replace))
        else:
            in_band.append(piece)
    page = _replace(page, target_id, "".join(in_band))
    for element_id, piece, replace in out_of_band:
        page = replace(page, element_id, piece)
    return page


def _replace(page: str, element_id: str, markup: str) -> str:
    element = parse(page).elements.get(element_id)
    assert element is not None, f"no element with id={element_id!r} in the page"
    return page[: element.start] + markup + page[element.end :]


def _replace_content(page: str, element_id: str, markup: str) -> str:
    element = parse(page).elements.get(element_id)
    assert element is not None, f"no element with id={element_id!r} in the page"
    inner_start = page.index(">", element.start) + 1
    inner_end = page.rindex("</", element.start, element.end)
    return page[:inner_start] + markup + page[inner_end:]


def normalised(page: str) -> str:
    """`page` without what differs between two renders of the same state: CSRF tokens, CSP
    nonces, the random ids django-dsfr gives its breadcrumb, and whitespace."""
    page = re.sub(r'(name="csrfmiddlewaretoken" value=)"[^"]*"', r'\1"…"', page)
    page = re.sub(r'nonce="[^"]*"', 'nonce="…"', page)
    page = re.sub(r"breadcrumb-[a-z]{16}\b", "breadcrumb-…", page)
    page = re.sub(r">\s+", ">", page)
    page = re.sub(r"\s+<", "<", page)
    page = re.sub(r"\s+", " ", page).strip()
    # One tag a line, so that a failed comparison shows the lines that differ.
    return page.replace("><", ">\n<")


def swapped(response) -> tuple[list[str], bool]:
    """What an HTMX answer replaces: the ids of the elements it swaps into its target, and
    whether it also swaps the summary box (#resume) out of band."""
    top = parse(response.content.decode()).top_level
    in_band = [e.attrs.get("id") for e in top if "hx-swap-oob" not in e.attrs]
    out_of_band = [e.attrs.get("id") for e in top if "hx-swap-oob" in e.attrs]
    return in_band, "resume" in out_of_band


@dataclass
class Scene:
    """IA 2-4 with something in every section, and a member of the HAS on its page."""

    action: Action
    open_milestone: Milestone
    done_milestone: Milestone
    indicator: Indicator
    member: User
    client: Client

    def page(self) -> str:
        response = self.client.get(self.action.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def post(self, name: str, args: list, data: dict, *, with_htmx: bool = False):
        url = reverse(f"roadmap:{name}", args=[self.action.slug, *args])
        headers = htmx(self.action) if with_htmx else {}
        return self.client.post(url, data, **headers)


def furnished_scene(roadmap, member: User) -> Scene:
    """IA 2-4 of `roadmap` with an open and a done milestone, a measured indicator and a
    note, and `member` (of the HAS) signed in."""
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    open_milestone = make_milestone(action, "Publier le référentiel", due_date=days(-5))
    done_milestone = make_milestone(
        action, "Réunir le comité", due_date=days(-40), done_on=days(-41)
    )
    indicator = make_indicator(action)
    Measurement.objects.create(
        indicator=indicator, date=days(-100), value=20000, source="Enquête", recorded_by=member
    )
    ProgressNote.objects.create(
        action=action, author=member, written_on=days(-20), done="Premier atelier."
    )
    return Scene(action, open_milestone, done_milestone, indicator, member, signed_in(member))
