"""URLs: the public contract of DESIGN.md §3 (French, stable), the admin and sign-in."""

from django.contrib import admin
from django.urls import include, path

from .views import public

app_patterns = (
    [
        path("", public.dashboard, name="dashboard"),
        path("axes/<int:number>/", public.axis_detail, name="axis"),
        path("actions/<slug:slug>/", public.action_detail, name="action"),
    ],
    "roadmap",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(app_patterns)),
]
