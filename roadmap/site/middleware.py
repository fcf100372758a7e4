"""The site's own middleware.

- `WriteLogMiddleware`: a structured log line for every write: who did what, when, and how it
  ended. Operators read these to answer « who changed this, and did it work? » without opening
  the database; the history tables hold the old → new values themselves.
- `DatabaseUnavailableMiddleware`: the 503 page when the database cannot be reached.
"""

import logging
import sys
import time

from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.utils.deprecation import MiddlewareMixin

from . import ops

logger = logging.getLogger("roadmap.writes")
logger_faults = logging.getLogger("roadmap.faults")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class WriteLogMiddleware(MiddlewareMixin):
    def process_request(self, request):
        request._write_started = time.monotonic()

    def process_response(self, request, response):
        if request.method in SAFE_METHODS:
            return response
        user = getattr(request, "user", None)
        started = getattr(request, "_write_started", time.monotonic())
        logger.info(
            "write",
            extra={
                "event": "write",
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "user": user.get_username() if user and user.is_authenticated else None,
                "htmx": bool(getattr(request, "htmx", False)),
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


class DatabaseUnavailableMiddleware:
    """An unreachable database answers the French 503 page with `Retry-After`, never a 500.

    A view, or a middleware after this one (a session read to log the user…), that needed the
    database raises `OperationalError` or `InterfaceError`; nothing was written (its
    transaction is gone with the connection). A view's error comes to `process_exception`; a
    later middleware's has already been turned into a 500 by Django, which says so with
    `got_request_exception`: the 500 is then replaced here. The next request connects again
    (settings: `conn_health_checks`), so the service comes back by itself, without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "_database_unavailable", None)
        if response.status_code == 500 and error is not None:
            return self.unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, ops.DATABASE_UNAVAILABLE):
            return None
        return self.unavailable(request, exception)

    @staticmethod
    def unavailable(request, error):
        logger_faults.warning(
            "database unreachable",
            extra={"event": "database_unreachable", "path": request.path, "error": str(error)},
        )
        return ops.unavailable(request)


@receiver(got_request_exception)
def _note_database_unavailable(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, ops.DATABASE_UNAVAILABLE):
        request._database_unavailable = error
