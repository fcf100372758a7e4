"""French typography in every template, without a `{% load %}`: a builtin library
(settings.TEMPLATES, OPTIONS « builtins ») loaded after Django's own filters, so that its `date`
replaces theirs.

Django's French date format, « j F Y », writes « 1 septembre 2025 »; French typography writes
« 1er septembre 2025 ». The `date` filter here is Django's with that one difference
(`roadmap.french.format_date`): every `|date:"DATE_FORMAT"` of the pages, the admin's included,
says « 1er » in French, and nothing else changes (« 01/09/2025 », « Sept. 1, 2025 »).
"""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as format_time

from roadmap import french

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Format a date according to the given format, « 1er » for the first of a month in
    French."""
    if value in (None, ""):
        return ""
    try:
        return french.format_date(value, arg)
    except AttributeError:
        try:
            return format_time(value, arg)
        except AttributeError:
            return ""
