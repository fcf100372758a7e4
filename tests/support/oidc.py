"""A real OpenID Connect provider on the loopback, in place of ProConnect.

`oidc_provider(redirect_uris, post_logout_uris)` starts tests/support/oidc_provider/provider.mjs
(npm's oidc-provider, run by node; `npm ci` there installs it, as `make test` does) on a free
port, waits for its discovery document, yields it, and stops it. `use_provider(settings, p)`
configures the app with its issuer and client, as PROCONNECT_* do in production.

`sign_in_at_provider(url, email)` plays a person at the provider's own pages with an HTTP client
(its login form, then its redirects), and returns the address the provider sends the browser
back to: the app's callback with `code` and `state`, for the tests that then present it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.support.servers import ServerError, answers, free_port, wait_until_answering

HERE = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "feuille-de-route-ia-sante"
CLIENT_SECRET = "secret-du-fournisseur-de-test"


@dataclass(frozen=True)
class Provider:
    issuer: str

    def fault(self, name: str) -> None:
        """Make the provider misbehave from now on (see provider.mjs); `none` to stop."""
        request = urllib.request.Request(f"{self.issuer}/test-faults/{name}", method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200


def node() -> str:
    found = shutil.which("node")
    if not found:
        raise ServerError("node est introuvable : il fait tourner le fournisseur OpenID Connect.")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise ServerError(f"oidc-provider n'est pas installé : lancez `npm ci --prefix {HERE}`.")
    return found


@contextlib.contextmanager
def oidc_provider(redirect_uris: list[str], post_logout_uris: list[str]) -> Iterator[Provider]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": ",".join(redirect_uris),
        "OIDC_POST_LOGOUT_REDIRECT_URI": ",".join(post_logout_uris),
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [node(), str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(
            process,
            lambda: answers(f"{issuer}/.well-known/openid-configuration"),
            timeout=30,
            name="oidc-provider",
        )
        yield Provider(issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def use_provider(settings, provider: Provider) -> None:
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_ISSUER = provider.issuer


def sign_in_at_provider(authorize_url: str, email: str) -> str:
    """Follow the provider's pages as a browser would, typing `email` on its login form;
    return the callback address it redirects to (not followed)."""
    with requests.Session() as browser:
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code in {302, 303}:
                url = urljoin(url, response.headers["Location"])
                if "code=" in url or "error=" in url:
                    return url
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form, f"no form on the provider's page {url}"
            posted = browser.post(
                urljoin(url, form.group(1)),
                data={"prompt": "login", "login": email, "password": "peu-importe"},
                allow_redirects=False,
                timeout=10,
            )
            url = urljoin(url, posted.headers["Location"])
            if "code=" in url or "error=" in url:
                return url
    raise AssertionError("the provider never sent the browser back")
