"""Kept for tests/roadmap/test_two_servers.py only, until it imports tests.support.html itself:
the HTML helpers of the tests live in tests/support/html.py."""

from tests.support.html import element, text

__all__ = ["element", "text"]
