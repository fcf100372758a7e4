"""django-axes, the sign-in throttling: the client's address it counts failures by, and French
names of its own in the admin.

**The client's address** (`client_ip`). Failures are counted per username *and* address
(settings.AXES_LOCKOUT_PARAMETERS), so one client's wrong passwords never lock another client
out of the same account. Behind a reverse proxy every connection comes from the proxy: the
client's address is then the one the proxy wrote in `X-Forwarded-For`. That header is read only
when the connection comes from one of settings.TRUSTED_PROXIES, and from its right end, past
the trusted proxies' own addresses: what a client writes in it itself is on the left, and is
never believed (else anyone could pick their address, and lock out anyone else's).

django-axes' app is labelled « axes », which the admin showed as « Axes » (or « AXES ») right
beside the roadmap's own « Axes », the axes of a roadmap. `ThrottlingConfig`, the app
configuration INSTALLED_APPS names for django-axes, calls the app « Sécurité des connexions » and
its models by what an administrator finds there: the refused attempts (and the sign-ins they
block, which the admin unlocks by deleting them), the log of each failure, the log of sign-ins.

Only the names shown change, without forking django-axes: its models keep their declared Meta,
which is what migrations read (`Options.original_attrs`), so no migration follows.
"""

import ipaddress

from axes.apps import AppConfig as AxesConfig
from django.conf import settings
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


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").split("]")[0])
    except ValueError:
        return None


def _trusted(address, networks: list) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the client that sent `request`, as the trusted proxies saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES]
    peer = _address(remote)
    if peer is None or not _trusted(peer, networks):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    # From the right: each trusted proxy appended the address it got the connection from.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: the hops left of it cannot be told apart from a forgery.
            break
        if not _trusted(address, networks):
            return str(address)
    return remote
