"""`apply_htmx` does what htmx does with an answer: out-of-band swaps in both of the modes the
templates use, wherever they are in the answer, then the target swapped."""

from __future__ import annotations

import pytest

from tests.support.html import parse
from tests.support.htmx import apply_htmx, swapped

PAGE = (
    '<main><div id="a"><p>vieux<br>texte</p></div><div id="b">B</div>'
    '<p id="c" role="status"></p></main>'
)


def test_the_helpers_find_an_element_and_swap_it_in_and_out_of_band():
    answer = (
        '<div id="a"><p>neuf</p></div>\n<div id="b" hx-swap-oob="true">B2</div>\n'
        '<p id="c" hx-swap-oob="innerHTML">Enregistré.</p>'
    )

    assert {e.attrs["id"]: e.tag for e in parse(PAGE) if "id" in e.attrs} == {
        "a": "div",
        "b": "div",
        "c": "p",
    }
    assert apply_htmx(PAGE, answer, "a") == (
        '<main><div id="a"><p>neuf</p></div><div id="b">B2</div>'
        '<p id="c" role="status">Enregistré.</p></main>'
    )


def test_an_out_of_band_element_inside_the_answer_is_swapped_too():
    # As the dashboard's filters answer: the live region sits inside the swapped section.
    answer = '<div id="a"><p>neuf</p><p id="c" hx-swap-oob="innerHTML">3 actions.</p></div>'

    assert apply_htmx(PAGE, answer, "a") == (
        '<main><div id="a"><p>neuf</p></div><div id="b">B</div>'
        '<p id="c" role="status">3 actions.</p></main>'
    )


def test_outer_html_keeps_the_answer_s_attributes_but_hx_swap_oob():
    answer = '<div id="a"></div><div class="neuf" id="b" hx-swap-oob="outerHTML">B3</div>'

    assert '<div class="neuf" id="b">B3</div>' in apply_htmx(PAGE, answer, "a")


def test_a_mode_the_helper_does_not_know_is_refused():
    with pytest.raises(AssertionError, match="beforeend"):
        apply_htmx(PAGE, '<div id="a"></div><p id="c" hx-swap-oob="beforeend">x</p>', "a")


def test_swapped_tells_the_target_s_elements_from_the_summary_box():
    answer = '<div id="a"></div><div id="x"></div><div id="resume" hx-swap-oob="true"></div>'

    assert swapped(answer) == (["a", "x"], True)
    assert swapped('<div id="a"></div>') == (["a"], False)
