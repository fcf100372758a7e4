"""The benchmark's baseline: a constant answer through the app's own middleware and server.

Routed only when BENCH_ENDPOINTS is set (`make bench`), never in production.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def bare(request):
    return HttpResponse("ok", content_type="text/plain")
