"""Template context shared by every page."""

from django.apps import apps
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject

from . import accessibility as statement


def csp_nonce(request):
    """The Content-Security-Policy nonce, for the script tags of every page.

    Turned into a string here on purpose: django-csp's lazy nonce is falsy until first read,
    so the DSFR's `{% if nonce %}` would otherwise leave its scripts without one. Reading it
    also makes the middleware add it to the header. django-htmx reads it as `csp_nonce`.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}


def csrf(request):
    """The CSRF token, one per request rather than one per template rendered.

    Replaces Django's own processor (listed after it, so it wins): every form of a page then
    holds the same token, which the public cache (`roadmap.caching`) can find and swap for the
    next reader's own.
    """

    def token() -> str:
        if not hasattr(request, "_page_csrf_token"):
            request._page_csrf_token = get_token(request)
        return request._page_csrf_token

    return {"csrf_token": SimpleLazyObject(token)}


def demonstration(request):
    """Whether the current roadmap holds demonstration data (`seed_demo --scenario`), for the
    notice of every page (templates/partials/demonstration_notice.html).

    A callable, so that the template reads it only on a page that has no `roadmap` of its own
    (sign-in, errors): the page views put the current roadmap in their context, and the notice
    reads its flag there without a query. The model is looked up by name: this floor imports no
    model (docs/architecture.md).
    """

    def played() -> bool:
        roadmap = apps.get_model("roadmap", "Roadmap").objects.current()
        return bool(roadmap and roadmap.demonstration)

    return {"demonstration_data": played}


def accessibility(request):
    """The accessibility statement's compliance state, for the footer of every page
    (« Accessibilité : non conforme », templates/partials/footer_legal_links.html), from the
    one place that states it (roadmap/site/accessibility.py)."""
    return {"accessibility_compliance": statement.COMPLIANCE}
