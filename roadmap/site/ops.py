"""For operators: a health check that load balancers and monitoring can poll, and the answers
given when the database cannot be reached (docs/contract.md, « Base de données injoignable »).

- `healthz`: 200 when the app can reach its database, 503 otherwise; served over plain HTTP
  too (settings.SECURE_REDIRECT_EXEMPT), since load balancers probe the app servers directly.
- `unavailable`: the French 503 page, with `Retry-After`, for a request that needed the
  database while it was unreachable (roadmap.site.middleware turns the error into it). Anonymous
  readers of public pages get the last saved copy instead, where there is one (roadmap.caching).
- `server_error`: the 500 handler; an unreachable database met outside a view (in a
  middleware) still gets the 503 page, never « Erreur inattendue ».
"""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# What an unreachable database raises (refused or lost connection, server shutting down,
# unknown host): a state that passes, unlike a bad query or a refused value.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@never_cache
@require_safe
def healthz(request):
    """200 when the app can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def unavailable(request=None) -> HttpResponse:
    """The French 503 page: rendered without the database (no context processor, no user)."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


def server_error(request):
    """handler500: the 503 page when the error was the database being unreachable."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
