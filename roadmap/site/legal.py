"""What the pages every French State site must have say about the service itself
(docs/contract.md « Les pages obligatoires »): the facts of the legal notice, the open-data
licence, the cookies the service sets and how long it keeps personal data.

Nothing here is made up. The publisher, the host and the contacts are facts about an
organisation that only whoever deploys the service knows: they are settings read from the
environment (`LEGAL_*`, roadmap/site/settings.py), not rows of the database, so that the pages
read no table for them, they are set once with the rest of the deployment and tested like any
setting. A fact left empty is left out of the public pages; `missing` names it, and the pages
list it for administrators. Durations (sessions, sign-in lock-outs, cookies) are read from the
settings that rule them, so that the pages say what the service does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The open data's licence (docs/contract.md « Données ouvertes en JSON », `roadmap.license`):
# a proper name, never translated.
OPEN_LICENCE = {
    "name": "Licence Ouverte 2.0 (Etalab)",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass(frozen=True)
class Fact:
    """One configurable fact of the legal pages: its setting, what it is, its value ("" when
    not configured)."""

    setting: str
    label: str
    value: str


# Every fact a deployment sets, in the order the pages show them.
FACTS = {
    "LEGAL_PUBLISHER": _("Éditeur du service"),
    "LEGAL_PUBLISHER_ADDRESS": _("Adresse de l'éditeur"),
    "LEGAL_PUBLICATION_DIRECTOR": _("Directeur ou directrice de la publication"),
    "LEGAL_HOST": _("Hébergeur"),
    "LEGAL_HOST_ADDRESS": _("Adresse de l'hébergeur"),
    "LEGAL_HOST_PHONE": _("Téléphone de l'hébergeur"),
    "LEGAL_CONTACT_EMAIL": _("Adresse électronique de contact du service"),
    "LEGAL_DPO_EMAIL": _("Adresse électronique du délégué à la protection des données"),
    "LEGAL_ACCESSIBILITY_PLAN_URL": _("Adresse du schéma pluriannuel de mise en accessibilité"),
    "LEGAL_LOG_RETENTION_DAYS": _("Durée de conservation des journaux par l'hébergeur, en jours"),
}
# The facts each page rests on, by page.
LEGAL_NOTICE_FACTS = (
    "LEGAL_PUBLISHER",
    "LEGAL_PUBLISHER_ADDRESS",
    "LEGAL_PUBLICATION_DIRECTOR",
    "LEGAL_HOST",
    "LEGAL_HOST_ADDRESS",
    "LEGAL_HOST_PHONE",
    "LEGAL_CONTACT_EMAIL",
)
ACCESSIBILITY_FACTS = ("LEGAL_CONTACT_EMAIL", "LEGAL_ACCESSIBILITY_PLAN_URL")
PERSONAL_DATA_FACTS = (
    "LEGAL_PUBLISHER",
    "LEGAL_DPO_EMAIL",
    "LEGAL_CONTACT_EMAIL",
    "LEGAL_LOG_RETENTION_DAYS",
)


def fact(setting: str) -> Fact:
    value = getattr(settings, setting, None)
    return Fact(setting, FACTS[setting], "" if value is None else str(value).strip())


def facts(settings_names) -> dict[str, Fact]:
    """The facts named, by setting (configured or not)."""
    return {name: fact(name) for name in settings_names}


def missing(settings_names) -> list[Fact]:
    """The facts named that are not configured, for the administrators' notice."""
    return [found for found in map(fact, settings_names) if not found.value]


# --- Durations, read from the settings that rule them

_UNITS = (
    (7 * 24 * 3600, lambda n: ngettext("%(count)d semaine", "%(count)d semaines", n)),
    (24 * 3600, lambda n: ngettext("%(count)d jour", "%(count)d jours", n)),
    (3600, lambda n: ngettext("%(count)d heure", "%(count)d heures", n)),
    (60, lambda n: ngettext("%(count)d minute", "%(count)d minutes", n)),
)


def duration(seconds: float) -> str:
    """`seconds` in the largest whole unit a reader says: « 2 semaines », « 1 heure »."""
    seconds = round(seconds)
    for size, words in _UNITS:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return words(count) % {"count": count}
    return ngettext("%(count)d seconde", "%(count)d secondes", seconds) % {"count": seconds}


def days(count: int) -> str:
    return ngettext("%(count)d jour", "%(count)d jours", count) % {"count": count}


@dataclass(frozen=True)
class Cookie:
    """A cookie the service sets: its name, why, and for how long."""

    name: str
    purpose: str
    lifetime: str


def _lifetime(age: int | None) -> str:
    return str(_("jusqu'à la fermeture du navigateur")) if age is None else duration(age)


def cookies() -> list[Cookie]:
    """Every cookie the service sets, each needed for a service the person asked for (signing
    in, sending a form, choosing the language, reading the confirmation of a change): no
    consent is needed for them, so the service asks none (no banner). tests/roadmap/views/
    test_legal.py checks that no other cookie is ever set."""
    session_age = None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else settings.SESSION_COOKIE_AGE
    return [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            str(_("Garde la connexion d'une personne connectée ; aucun pour un lecteur.")),
            _lifetime(session_age),
        ),
        Cookie(
            settings.CSRF_COOKIE_NAME,
            str(
                _(
                    "Protège les formulaires (connexion, choix de la langue, modifications) "
                    "contre leur envoi depuis un autre site."
                )
            ),
            _lifetime(settings.CSRF_COOKIE_AGE),
        ),
        Cookie(
            settings.LANGUAGE_COOKIE_NAME,
            str(_("Garde la langue choisie, français ou anglais, quand on en change.")),
            _lifetime(settings.LANGUAGE_COOKIE_AGE),
        ),
        Cookie(
            CookieStorage.cookie_name,
            str(_("Porte le message de confirmation d'une modification jusqu'à son affichage.")),
            str(_("jusqu'à l'affichage du message")),
        ),
    ]


@dataclass(frozen=True)
class Retention:
    """How long the service keeps what it keeps, from its settings."""

    session: str
    lockout: str
    lockout_failures: int
    access_log: bool
    log_days: str


def retention() -> Retention:
    return Retention(
        session=_lifetime(settings.SESSION_COOKIE_AGE),
        lockout=duration(float(settings.AXES_COOLOFF_TIME) * 3600),
        lockout_failures=settings.AXES_FAILURE_LIMIT,
        access_log=not getattr(settings, "AXES_DISABLE_ACCESS_LOG", False),
        log_days=days(settings.LEGAL_LOG_RETENTION_DAYS)
        if settings.LEGAL_LOG_RETENTION_DAYS is not None
        else "",
    )
