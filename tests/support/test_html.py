"""The HTML helpers of the tests read markup as a browser does, with one rule for no-break
spaces: `text` keeps them, `plain_text` folds them."""

from __future__ import annotations

import datetime

import pytest

from tests.support.html import (
    NBSP,
    assert_same_page,
    attributes_of,
    element,
    elements,
    french,
    french_date,
    has_id,
    normalised,
    parse,
    plain_text,
    tables_without_rows,
    text,
    text_of,
)

PAGE = (
    '<main id="m"><div id="a"><div id="b">intérieur</div>après</div>'
    '<p id="p">sans fin</main><svg><circle id="c" /></svg>'
    '<input id="i" value="3"><script>var x = "<b>";</script>'
)


def test_an_element_is_found_by_its_id_whole_and_alone():
    assert element(PAGE, "a") == '<div id="a"><div id="b">intérieur</div>après</div>'
    assert element(PAGE, "c") == '<circle id="c" />'
    assert element(PAGE, "i") == '<input id="i" value="3">'
    assert has_id(PAGE, "b") and not has_id(PAGE, "z")
    assert attributes_of(PAGE, "i") == {"id": "i", "value": "3"}


def test_an_unclosed_paragraph_ends_where_its_parent_does_as_in_a_browser():
    assert element(PAGE, "p") == '<p id="p">sans fin'
    assert element(PAGE, "m").endswith("sans fin</main>")
    assert [e.depth for e in parse(PAGE) if e.attrs.get("id") in {"m", "a", "b"}] == [0, 1, 2]


def test_an_element_that_must_be_closed_and_is_not_is_an_error():
    with pytest.raises(AssertionError, match="<span> closed by </div>"):
        element('<div id="d"><span>ouvert</div>', "d")


def test_an_id_given_twice_or_missing_is_an_error():
    with pytest.raises(AssertionError, match="2 elements"):
        element('<p id="x"></p><p id="x"></p>', "x")
    with pytest.raises(AssertionError, match="0 elements"):
        element("<p></p>", "x")


def test_text_keeps_no_break_spaces_and_plain_text_folds_them():
    html = f"<p>140{NBSP}000 <b>professionnels</b>,\n 12&#8239;%</p><style>p {{}}</style>"

    assert text(html) == f"140{NBSP}000 professionnels , 12\u202f%"
    assert text(html) == french("140 000") + " professionnels , " + french("12 %")
    assert plain_text(html) == "140 000 professionnels , 12 %"
    assert text_of(f'<div id="t"> a{NBSP} <i>b</i></div>', "t") == "a b"
    # A tag beside a no-break space is no space of its own: the reader sees none.
    assert text(f"<p><strong>Cible</strong>{NBSP}: «\u202f<q>Former</q>\u202f»</p>") == (
        f"Cible{NBSP}: «\u202fFormer\u202f»"
    )


def test_text_is_what_a_reader_sees_without_scripts():
    assert text(PAGE) == "intérieur après sans fin"


def test_elements_and_tables_without_rows():
    html = (
        '<table id="full"><tbody><tr><td>1</td></tr></tbody></table>'
        '<table id="empty"><tbody></tbody></table><table id="none"></table>'
    )

    assert len(elements(html, "table")) == 3
    assert [table[:17] for table in tables_without_rows(html)] == [
        '<table id="empty"',
        '<table id="none">',
    ]


def test_two_renders_of_the_same_state_are_the_same_page():
    first = (
        '<form><input name="csrfmiddlewaretoken" value="abc"> <script nonce="n1"></script>'
        '<nav id="breadcrumb-abcdefghijklmnop">x  y</nav> </form>'
    )
    second = (
        '<form>\n  <input name="csrfmiddlewaretoken" value="xyz"><script nonce="n2"></script>'
        '<nav id="breadcrumb-ponmlkjihgfedcba">x\ny</nav>\n</form>'
    )

    assert normalised(first) == normalised(second)
    assert_same_page(first, second)
    with pytest.raises(AssertionError, match="the pages differ"):
        assert_same_page(first, second.replace(">x\ny<", ">x y <"))


def test_dates_are_written_as_the_pages_write_them():
    assert french_date(datetime.date(2026, 11, 28)) == "28 novembre 2026"
