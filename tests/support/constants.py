"""Constants of the tests: the password of every test user and the seed document."""

from __future__ import annotations

import json

from django.conf import settings

PASSWORD = "mot-de-passe-de-test-1234"
LOGIN_URL = "/accounts/login/"

# The seed roadmap (fixtures/), as `load_roadmap` reads it, and its actions with their axes.
SEED = json.loads((settings.BASE_DIR / "fixtures" / "ia-en-sante-2025.json").read_text("utf-8"))
SEED_ACTIONS = [(axis, action) for axis in SEED["axes"] for action in axis["actions"]]
SEED_SLUG = "ia-en-sante-2025"


def seed_indicator(code: str) -> dict:
    """The indicator `code` of the seed document."""
    return next(
        indicator
        for _, action in SEED_ACTIONS
        for indicator in action["indicators"]
        if indicator["code"] == code
    )


def login_redirect(next_url: str) -> str:
    """Where a page sends an anonymous visitor: the sign-in page, then back to `next_url`."""
    return f"{LOGIN_URL}?next={next_url}"
