"""Fixtures of the browser tests: the system's Chromium, driven by Playwright, on a live server.

- Chromium is Debian's `/usr/bin/chromium` (browsers cannot be downloaded here): without it the
  tests marked `browser` are skipped with the reason, except in CI (`CI=true`), where they fail.
- The server is pytest-django's `live_server`, on the test database (transactional: the server's
  requests see what the test wrote, and the other way round); on SQLite the in-memory database
  is shared with the server's thread.
- `sign_in(user)` opens a page in a browser context of its own, signed in through the session
  cookie of `Client.force_login` (the login form itself is a journey of its own).
- The helpers of the journeys (`tab_to`, `no_full_reload`, `save_screenshot`) live in
  tests/support/browser.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserType, Page, Playwright, sync_playwright

from tests.support.browser import VIEWPORT

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
