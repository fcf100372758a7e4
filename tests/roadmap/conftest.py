"""Fixtures of the roadmap app's tests: the action the edit tests change (IA 2-4, led by the
HAS), a colleague of its member, and the furnished action page (tests/support/builders.py)."""

from __future__ import annotations

import pytest

from accounts.models import User
from roadmap.models import Action
from tests.support.builders import Scene, colleague, furnished_scene


@pytest.fixture
def action(roadmap) -> Action:
    """IA 2-4, led by the HAS; its status is not set yet, as in the source document."""
    return Action.objects.get(roadmap=roadmap, code="IA 2-4")


@pytest.fixture
def camille(action) -> User:
    """Camille Martin, another member of the HAS, who changes IA 2-4 while our member (the
    `has_member` fixture) has its page open."""
    return colleague("HAS")


@pytest.fixture
def scene(roadmap, has_member) -> Scene:
    """IA 2-4 with something in every section, its HAS member signed in."""
    return furnished_scene(roadmap, has_member)
