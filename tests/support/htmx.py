"""What htmx does with an answer, so that a test can compare it with a fresh render of the page.

- `htmx_headers(action)`: the headers htmx sends when the action page posts one of its forms;
- `apply_htmx(page, answer, target_id)`: the page the user had, after htmx swapped the answer in;
- `swapped(answer)`: what an answer replaces, in band and out of band.

The templates use both out-of-band modes: `hx-swap-oob="true"` (the page's element of the same id
is replaced, as outerHTML: #resume, #historique, #derniere-mise-a-jour) and
`hx-swap-oob="innerHTML"` (only its content is: #annonce-filtres, #connexion,
#annonce-enregistrement).
"""

from __future__ import annotations

import re

from tests.support.html import located, markup, parse

OUT_OF_BAND_MODES = ("true", "outerHTML", "innerHTML")


def htmx_headers(action) -> dict:
    """The headers htmx sends when the action page posts one of its forms."""
    return {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_CURRENT_URL": f"http://testserver{action.get_absolute_url()}",
    }


def _outermost_out_of_band(answer: str):
    found = [element for element in parse(answer) if "hx-swap-oob" in element.attrs]
    return [
        element
        for element in found
        if not any(other.start < element.start < other.end for other in found)
    ]


def apply_htmx(page, answer, target_id: str) -> str:
    """`page` after htmx swapped `answer` into the element `target_id` (hx-swap="outerHTML").

    As htmx does: first the answer's out-of-band elements, wherever they are, go to the page's
    elements of the same id (`true`/`outerHTML`: the element replaced, without its hx-swap-oob
    attribute, which htmx removes; `innerHTML`: its content replaced), then what remains of the
    answer replaces the target.
    """
    page, answer = markup(page), markup(answer)
    for oob in reversed(_outermost_out_of_band(answer)):
        mode = oob.attrs["hx-swap-oob"]
        assert mode in OUT_OF_BAND_MODES, f"hx-swap-oob={mode!r}"
        target = located(page, oob.attrs["id"])
        if mode == "innerHTML":
            piece = answer[oob.inner_start : oob.inner_end]
            page = page[: target.inner_start] + piece + page[target.inner_end :]
        else:
            piece = re.sub(r'\s+hx-swap-oob="[^"]*"', "", answer[oob.start : oob.end], count=1)
            page = page[: target.start] + piece + page[target.end :]
        answer = answer[: oob.start] + answer[oob.end :]
    target = located(page, target_id)
    return page[: target.start] + answer.strip() + page[target.end :]


def swapped(answer) -> tuple[list[str], bool]:
    """What an HTMX answer replaces: the ids of the elements it swaps into its target, and
    whether it also swaps the summary box (#resume) out of band."""
    top = [element for element in parse(answer) if element.depth == 0]
    in_band = [e.attrs.get("id") for e in top if "hx-swap-oob" not in e.attrs]
    out_of_band = [e.attrs.get("id") for e in top if "hx-swap-oob" in e.attrs]
    return in_band, "resume" in out_of_band
