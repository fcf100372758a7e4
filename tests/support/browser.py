"""Helpers of the browser journeys (Playwright), shared by the tests of tests/browser/.

- `tab_to`: reach a control with the Tab key alone;
- `no_full_reload`: an edit swapped in place, the page never reloaded;
- `save_screenshot`: a picture kept in docs/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def tab_to(page: Page, target: Locator, *, limit: int = 250) -> None:
    """Press Tab until `target` has the focus, as someone without a mouse does.

    Fails when Tab never reaches it: the control is then out of the keyboard's reach.
    """
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} appuis sur Tab n'atteignent pas {target}")


@contextmanager
def no_full_reload(page: Page) -> Iterator[None]:
    """The page is never reloaded inside the block: a mark left on `window` survives, and the
    browser fires no `load` event. Wait for the edit's result inside the block."""
    page.evaluate("() => { window.sansRechargement = true; }")
    loads: list[Page] = []

    def loaded(loaded_page: Page) -> None:
        loads.append(loaded_page)

    page.on("load", loaded)
    try:
        yield
        assert page.evaluate("() => window.sansRechargement === true"), "la page a été rechargée"
        assert not loads, "la page a été rechargée"
    finally:
        page.remove_listener("load", loaded)


def save_screenshot(page: Page, name: str, *, height: int | None = None) -> bytes:
    """A screenshot kept as docs/screenshots/<name>.png: what the window shows, or the top
    `height` pixels of the page.

    Written when the file is missing or with UPDATE_SCREENSHOTS=1: the pages carry today's date,
    so rewriting them at every run would leave the committed pictures modified after each test.
    """
    options = {"type": "png", "scale": "css", "animations": "disabled", "caret": "hide"}
    if height is not None:
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
        options |= {"full_page": True, "clip": clip}
    picture = page.screenshot(**options)
    path = SCREENSHOTS / f"{name}.png"
    if not path.exists() or os.environ.get("UPDATE_SCREENSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(picture)
    return picture
