"""The input policy (`roadmap.inputs`) at the door: URLs, query strings, and what is posted to
the views that have no form of the task force's (the admin, sign-in, the language switch).

A URL or a query string holding a control character, or a posted text holding one (other than
tab and line breaks) or longer than a workbook cell, gets a French 400 page before any view
runs: nothing reaches the database, whose PostgreSQL refuses NUL with an error. The roadmap's
own views check their forms themselves, field by field, and answer 422 with the form.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from roadmap.inputs import (
    TEXT_MAX_CHARS,
    control_message,
    forbidden_character,
    length_message,
    normalise_text,
)

# The namespace of the views whose forms carry the policy themselves (roadmap.forms).
POLICED_NAMESPACE = "roadmap"


def _refused(request, message: str) -> HttpResponseBadRequest:
    html = render_to_string("input_refused.html", {"message": message}, request=request)
    return HttpResponseBadRequest(html)


def _url_problem(request) -> str | None:
    # The path as sent (percent-decoded by the server); a query string decoded the same way,
    # as bytes first, so that %00 or an invalid UTF-8 sequence is seen whatever the encoding.
    if code := forbidden_character(request.path_info, in_url=True):
        return _("L'adresse demandée contient un caractère de contrôle (%(code)s).") % {
            "code": code
        }
    query = request.META.get("QUERY_STRING", "")
    if query:
        decoded = unquote_to_bytes(query.replace("+", " ")).decode("utf-8", "replace")
        if code := forbidden_character(decoded, in_url=True):
            return _(
                "Les paramètres de l'adresse contiennent un caractère de contrôle (%(code)s)."
            ) % {"code": code}
    return None


def _posted_problem(request) -> str | None:
    for _key, values in request.POST.lists():
        for value in values:
            text = normalise_text(value)
            if code := forbidden_character(text):
                return str(control_message(code))
            if len(text) > TEXT_MAX_CHARS:
                return str(length_message(TEXT_MAX_CHARS, len(text)))
    return None


class InputPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if message := _url_problem(request):
            return _refused(request, message)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        match = request.resolver_match
        if match is not None and POLICED_NAMESPACE in match.namespaces:
            return None
        if message := _posted_problem(request):
            return _refused(request, message)
        return None
