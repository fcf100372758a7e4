"""App configuration for the roadmap."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = _("Feuille de route")

    def ready(self) -> None:
        from roadmap.caching import connect_signals

        connect_signals()
