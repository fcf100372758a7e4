"""A structured log line for every write: who did what, when, and how it ended.

Operators read these to answer « who changed this, and did it work? » without opening the
database; the history tables hold the old → new values themselves.
"""

import logging
import time

from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger("roadmap.writes")

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
