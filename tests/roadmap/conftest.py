"""Fixtures of the roadmap app's tests: the edit tests' furnished action page and signed-in
members (tests/support/builders.py builds them)."""

from __future__ import annotations

import pytest

# Written for an empty database (the seed used to be loaded per test, on demand): until the module
# asks for `no_roadmap` itself, it gets it here.
_EMPTY_DATABASE_MODULES = {"tests.roadmap.test_generate_roadmap"}


@pytest.fixture(autouse=True)
def _empty_database_for_the_modules_written_for_one(request):
    if request.module.__name__ in _EMPTY_DATABASE_MODULES and (
        "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("no_roadmap")
