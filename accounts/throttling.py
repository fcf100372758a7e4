"""django-axes, the sign-in throttling, under French names of its own in the admin.

django-axes' app is labelled « axes », which the admin showed as « Axes » (or « AXES ») right
beside the roadmap's own « Axes », the axes of a roadmap. `ThrottlingConfig`, the app
configuration INSTALLED_APPS names for django-axes, calls the app « Sécurité des connexions » and
its models by what an administrator finds there: the refused attempts (and the sign-ins they
block, which the admin unlocks by deleting them), the log of each failure, the log of sign-ins.

Only the names shown change, without forking django-axes: its models keep their declared Meta,
which is what migrations read (`Options.original_attrs`), so no migration follows.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _

# Model name: (singular, plural), as the admin shows them (it capitalises the first letter).
MODEL_NAMES = {
    "accessattempt": (_("tentative refusée"), _("tentatives refusées")),
    "accessfailurelog": (_("échec de connexion"), _("journal des échecs de connexion")),
    "accesslog": (_("connexion"), _("journal des connexions")),
    "accessattemptexpiration": (_("expiration d’un blocage"), _("expirations des blocages")),
}


class ThrottlingConfig(AxesConfig):
    verbose_name = _("Sécurité des connexions")

    def ready(self):
        super().ready()
        for model_name, (singular, plural) in MODEL_NAMES.items():
            options = self.get_model(model_name)._meta
            options.verbose_name = singular
            options.verbose_name_plural = plural
