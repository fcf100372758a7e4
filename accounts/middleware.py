"""Lets the sign-out form of every page lead to ProConnect's end-session page.

The Content Security Policy allows forms to submit to the site only (`form-action 'self'`), and
browsers apply it to the redirects that follow a submission too: signing out of ProConnect (the
sign-out form, then a redirect to the provider) would be blocked. While ProConnect is configured,
each page's policy also allows the provider's origin, and nothing else.
"""

from urllib.parse import urlsplit

from . import proconnect


class ProConnectFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if proconnect.is_configured():
            parts = urlsplit(proconnect.issuer())
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [
                *update.get("form-action", []),
                f"{parts.scheme}://{parts.netloc}",
            ]
            response._csp_update = update
        return response
