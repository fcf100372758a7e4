"""Fixtures of the browser tests: the system's Chromium, driven by Playwright, on a live server.

- Chromium is Debian's `/usr/bin/chromium` (browsers cannot be downloaded here): without it the
  tests marked `browser` are skipped with the reason, except in CI (`CI=true`), where they fail.
- The server is pytest-django's `live_server`, on the test database (transactional: the server's
  requests see what the test wrote, and the other way round); on SQLite the in-memory database
  is shared with the server's thread.
- `sign_in(user)` opens a page in a browser context of its own, signed in through the session
  cookie of `Client.force_login` (the login form itself is a journey of its own).
- Helpers for the journeys: `tab_to` (reach a control with the Tab key alone), `no_full_reload`
  (an edit swapped in place, the page never reloaded) and `save_screenshot` (docs/screenshots/).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserType, Locator, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# As the machine's probe starts it: no sandbox as root, and no call home (this network is closed,
# and Chromium would otherwise retry its background connections during the tests).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_present() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture starts a browser: skip without Chromium, or fail in CI."""
    if item.get_closest_marker("browser") is None or chromium_present():
        return
    if in_ci():
        pytest.fail(
            f"Chromium absent ({CHROMIUM}) alors que CI=true : les tests navigateur ne doivent "
            "pas être ignorés en CI (apt-get install chromium).",
            pytrace=False,
        )
    pytest.skip(
        f"Chromium absent ({CHROMIUM}) : tests navigateur ignorés (apt-get install chromium)"
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line that counts the browser tests, so that CI's log says they ran."""
    outcomes = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in outcomes:
        for report in terminalreporter.stats.get(outcome, []):
            keywords = getattr(report, "keywords", {})
            if "browser" in keywords and (outcome != "passed" or report.when == "call"):
                outcomes[outcome] += 1
    errors = sum(
        1 for report in terminalreporter.stats.get("error", []) if "browser" in report.keywords
    )
    if any(outcomes.values()) or errors:
        terminalreporter.write_line(
            f"Tests navigateur (Chromium) : {outcomes['passed']} réussi(s), "
            f"{outcomes['failed']} échoué(s), {errors} en erreur, {outcomes['skipped']} ignoré(s)."
        )


# --- Playwright, overriding pytest-playwright's fixtures of the same names


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts) -> Iterator[Playwright]:
    """Playwright for this package only, not for the rest of the session.

    Its synchronous API keeps an asyncio loop marked as running in the main thread for as long
    as it is started, and Django then refuses the ORM in that thread (SynchronousOnlyOperation).
    Nothing asynchronous runs in between the test's own calls, so the ORM is safe here: Django is
    told so while the browser tests run, and Playwright stops before the other tests.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    started = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(started)
    try:
        yield started
    finally:
        started.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args: dict, browser_type: BrowserType) -> Callable:
    def launch(**kwargs) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages are opened by path (`page.goto("/")`) on the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(base_url: str) -> dict:
    return {
        "base_url": base_url,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": VIEWPORT,
        "accept_downloads": True,
    }


# --- Signed-in browsers


@pytest.fixture
def sign_in(new_context, live_server) -> Callable[..., Page]:
    """`sign_in(user, **context_options)`: a page in a browser context of its own, signed in."""

    def open_page(user, **context_options) -> Page:
        client = Client()
        client.force_login(user)
        context = new_context(**context_options)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    return open_page


# --- Helpers of the journeys


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
