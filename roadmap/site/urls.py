"""The site's URLs: what operators poll, the admin, sign-in, the language switch, then the roadmap
app's public pages (roadmap/urls.py, docs/contract.md)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import SignInForm

from . import bench, ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Sign-in with the username's length checked before authentication (accounts/forms.py).
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("roadmap.urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("bench/bare", bench.bare, name="bench-bare"))
