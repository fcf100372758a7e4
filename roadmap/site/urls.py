"""The site's URLs: what operators poll, the admin, sign-in, the language switch, then the roadmap
app's public pages (roadmap/urls.py, docs/contract.md)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_overrides

from . import bench, ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Sign-in and sign-out with ProConnect (accounts/urls.py), before Django's own views.
    path("accounts/", include(auth_overrides)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("roadmap.urls")),
]

# An unreachable database met in a middleware: the 503 page rather than « Erreur inattendue ».
handler500 = ops.server_error

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("bench/bare", bench.bare, name="bench-bare"))
