"""Template helpers for the edit forms of the action page."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or None: the forms of one milestone or indicator, looked up by key."""
    if not mapping:
        return None
    return mapping.get(key)
