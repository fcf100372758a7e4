"""Template context shared by every page."""


def csp_nonce(request):
    """The Content-Security-Policy nonce, for the script tags of every page.

    Turned into a string here on purpose: django-csp's lazy nonce is falsy until first read,
    so the DSFR's `{% if nonce %}` would otherwise leave its scripts without one. Reading it
    also makes the middleware add it to the header. django-htmx reads it as `csp_nonce`.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}
