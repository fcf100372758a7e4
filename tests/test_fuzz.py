"""Fuzzing every form and HTMX endpoint, the public pages' query strings and the workbook import
with generated hostile strings, numbers, dates and files (docs/contract.md, « Limites des
saisies »): never a 500, and the database unchanged whenever the answer is a 4xx.

The run is bounded and repeatable: a fixed seed and a few dozen examples per test (about a
minute in all). Before a release, run it longer:

    FUZZ_EXAMPLES=2000 .venv/bin/pytest -n 0 -p no:cacheprovider tests/test_fuzz.py

Each example runs in a transaction rolled back at its end, so that examples are independent.
"""

from __future__ import annotations

import os
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from roadmap.models import Action, ImportUpload
from tests.support.builders import make_indicator
from tests.support.files import (
    HEADERS,
    actions_xlsx_as_xml,
    csv_file,
    database_dump,
    entity_bomb_xlsx,
    xlsx_file,
)
from tests.support.html import parse
from tests.support.htmx import htmx_headers

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example saved between runs: the seed alone decides
)
SEED = 20261202

# Surrogates cannot be sent in a UTF-8 request body: every other character can.
any_character = st.characters(blacklist_categories=("Cs",))
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07",
    "\x1b[31m",
    "\x0b",
    "\x7f",
    "\x85",
    "\ufffe",
    "\r\n",
    "\r",
    "x" * 32_768,
    "é" * 600,
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2201-01-01",
    "2026-02-30",
    "31/12/2025",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-Infinity",
    "9" * 40,
    "70 000",
    "1\u202f234,5",
    "2147483648",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "🙂" * 10,
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(any_character, max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda day: day.isoformat()),
)


def post_forms(page: str) -> list[tuple[str, dict]]:
    """Each POST form of `page`: its action and its fields (name → value as the page gives)."""
    elements = parse(page)
    found = []
    for form in elements:
        if form.tag != "form" or form.attrs.get("method", "").lower() != "post":
            continue
        fields = {}
        for field in elements:
            inside = form.inner_start <= field.start < form.inner_end
            name = field.attrs.get("name")
            if inside and name and field.tag in {"input", "textarea", "select"}:
                fields.setdefault(name, field.attrs.get("value") or "")
        found.append((form.attrs["action"], fields))
    return found


@pytest.fixture
def forms_of_the_action(client, administrator, roadmap):
    """Every form an administrator sees on an action's page (the most forms of any page),
    with a per-period indicator of its own so that its target forms show too."""
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    make_indicator(action)
    client.force_login(administrator)
    page = client.get(reverse("roadmap:action", args=[action.slug])).content.decode()
    forms = post_forms(page)
    assert len(forms) >= 8, [url for url, _fields in forms]
    return action, forms


@FUZZ
@seed(SEED)
@given(data=st.data())
def test_forms_and_htmx_posts_never_answer_500(client, forms_of_the_action, data):
    action, forms = forms_of_the_action
    url, fields = data.draw(st.sampled_from(forms), label="form")
    posted = {
        name: data.draw(st.one_of(st.just(value), values), label=name)
        for name, value in fields.items()
        if name != "csrfmiddlewaretoken"
    }
    headers = htmx_headers(action) if data.draw(st.booleans(), label="htmx") else {}
    with transaction.atomic():
        before = database_dump()
        response = client.post(url, posted, **headers)
        assert response.status_code < 500, (url, posted)
        if 400 <= response.status_code < 500:
            assert database_dump() == before, (url, posted, response.status_code)
        transaction.set_rollback(True)


PAGES = ["/", "/indicateurs/", "/journal/", "/donnees/", "/actions/ia-2-4/", "/mes-actions/"]
query_keys = st.one_of(
    st.sampled_from(["axe", "statut", "organisation", "tri", "page", "q", "x"]),
    st.text(any_character, min_size=1, max_size=10),
)


@FUZZ
@seed(SEED)
@given(
    page=st.sampled_from(PAGES),
    query=st.dictionaries(query_keys, values, max_size=4),
    path_tail=st.one_of(st.just(""), st.text(string.printable + "\x00\x07é", max_size=8)),
)
def test_pages_with_hostile_urls_never_answer_500(
    client, administrator, roadmap, page, query, path_tail
):
    client.force_login(administrator)
    with transaction.atomic():
        before = database_dump()
        response = client.get(page + path_tail.replace("?", "").replace("#", ""), query)
        assert response.status_code < 500, (page, path_tail, query)
        assert database_dump() == before
        transaction.set_rollback(True)


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def hostile_files(draw):
    """A file the workbook import may receive: real workbooks and CSVs with hostile cells, in
    any of the encodings, with entities, or plain damaged bytes."""
    kind = draw(st.sampled_from(["xlsx", "xml", "csv", "bytes", "entities"]))
    cells = st.lists(values, min_size=1, max_size=9)
    if kind == "xlsx":
        rows = draw(st.lists(cells, max_size=3))
        clean = [[value.replace("\x00", "") for value in row] for row in rows]
        return "classeur.xlsx", xlsx_file({"Actions": clean, "Mesures": clean})
    if kind == "xml":
        rows = draw(st.lists(cells, max_size=3))
        return "classeur.xlsx", actions_xlsx_as_xml([[xml_text(v) for v in row] for row in rows])
    if kind == "csv":
        sheet = draw(st.sampled_from(list(HEADERS)))
        rows = draw(st.lists(cells, max_size=3))
        encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-16"]))
        try:
            content = csv_file(
                rows,
                header=HEADERS[sheet],
                delimiter=draw(st.sampled_from([";", ",", "\t"])),
                encoding=encoding,
                bom=draw(st.booleans()) and encoding == "utf-8",
            )
        except UnicodeEncodeError:
            content = csv_file(rows, header=HEADERS[sheet], encoding="utf-8")
        if draw(st.booleans()):  # one stray byte
            position = draw(st.integers(0, max(len(content) - 1, 0)))
            content = content[:position] + bytes([draw(st.integers(0, 255))]) + content[position:]
        return f"{sheet.lower()}.csv", content
    if kind == "entities":
        return "bombe.xlsx", entity_bomb_xlsx(levels=draw(st.integers(1, 9)))
    name = draw(st.sampled_from(["f.xlsx", "f.csv", "f.xls", "f"]))
    return name, draw(st.binary(max_size=2000))


@FUZZ
@seed(SEED)
@given(file=hostile_files())
def test_hostile_files_never_answer_500_and_a_refused_one_stores_nothing(
    client, administrator, roadmap, file
):
    name, content = file
    client.force_login(administrator)
    url = reverse("admin:roadmap_importupload_changelist")
    with transaction.atomic():
        before = database_dump()
        response = client.post(
            url, {"file": SimpleUploadedFile(name, content), "roadmap": roadmap.pk}
        )
        assert response.status_code in (200, 400), (name, response.status_code)
        if response.status_code == 400:
            assert not ImportUpload.objects.exists()
        # A preview writes nothing, whatever the file.
        assert database_dump() == before
        transaction.set_rollback(True)
