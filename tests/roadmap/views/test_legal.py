"""Tests of the pages every French State site must have (roadmap/views/legal.py): the
accessibility statement, the legal notice, the personal data page and the site map.

Each answers 200 in French and in English and says what it must, asserted in full; each is
linked from the footer of every kind of page (public, signed in, the admin-less member pages,
the sign-in pages, the error pages); the legal notice shows only what is configured and lists
the rest for administrators; the personal data page reads its durations from the settings, and
lists every cookie the service sets (checked against every cookie that a reader, a member and
an administrator ever receive); the site map lists every public page, the roadmap's axes and
actions, the signed-in person's own pages, in as many queries at two sizes.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from roadmap.models import Action, Axis
from roadmap.site import accessibility, legal
from tests.support.builders import grow_everything, signed_in
from tests.support.commands import run_manage
from tests.support.constants import PASSWORD
from tests.support.html import element, find, has_id, plain_text, text
from tests.support.html import text_of as html_text_of

PAGES = {
    "/accessibilite/": "Déclaration d'accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
    "/plan-du-site/": "Plan du site",
}
# The footer's links, as a French reader reads them.
FOOTER_LINKS = {
    "/plan-du-site/": "Plan du site",
    "/accessibilite/": "Accessibilité : non conforme",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
}
EVERY_FACT = {
    "LEGAL_PUBLISHER": "Délégation au numérique en santé (test)",
    "LEGAL_PUBLISHER_ADDRESS": "14 avenue Duquesne\n75007 Paris (test)",
    "LEGAL_PUBLICATION_DIRECTOR": "Prénom Nom (test)",
    "LEGAL_HOST": "Hébergeur de test SAS",
    "LEGAL_HOST_ADDRESS": "1 rue de l'Hébergement, 75000 Paris (test)",
    "LEGAL_HOST_PHONE": "01 23 45 67 89",
    "LEGAL_CONTACT_EMAIL": "contact@test.example",
    "LEGAL_DPO_EMAIL": "dpd@test.example",
    "LEGAL_ACCESSIBILITY_PLAN_URL": "https://test.example/schema-pluriannuel",
    "LEGAL_LOG_RETENTION_DAYS": 365,
}


def text_of(source, element_id: str) -> str:
    """The element's text as a person reads it: `html.text_of`, without the space that a tag
    leaves before punctuation (« <a>…</a>. »)."""
    return re.sub(r"\( ", "(", re.sub(r" ([.,)])", r"\1", html_text_of(source, element_id)))


def in_english(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def configure(settings, **facts) -> None:
    """Every LEGAL_ setting empty, then `facts`."""
    for name in legal.FACTS:
        setattr(settings, name, None if name == "LEGAL_LOG_RETENTION_DAYS" else "")
    for name, value in facts.items():
        setattr(settings, name, value)


@pytest.fixture
def unconfigured(settings):
    configure(settings)


@pytest.fixture
def configured(settings):
    configure(settings, **EVERY_FACT)


def footer_links(html: str) -> dict[str, str]:
    """The links of the footer's bottom list: address → text."""
    bottom = next(
        html[e.start : e.end]
        for e in find(html, lambda tag, attrs: attrs.get("class") == "fr-footer__bottom-list")
    )
    return {
        link.attrs["href"]: plain_text(bottom[link.inner_start : link.inner_end])
        for link in find(bottom, lambda tag, attrs: tag == "a")
    }


# --- Every page, in both languages ----------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_page_answers_in_french_and_english(client, roadmap, url, language):
    if language == "en":
        in_english(client)

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert "None" not in html
    # its title and heading (French until the integrator translates them), its breadcrumb
    assert text(element(html, "content")).count(PAGES[url]) >= 1 or language == "en"
    assert len(find(html, lambda tag, attrs: tag == "h1")) == 1
    assert 'class="fr-breadcrumb"' in html
    assert "<title>" in html
    assert footer_links(html).keys() == FOOTER_LINKS.keys()


@pytest.mark.parametrize("url", PAGES)
def test_each_page_answers_head_and_refuses_posts(client, roadmap, url):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", PAGES)
def test_each_page_answers_before_any_roadmap_is_loaded(client, no_roadmap, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "None" not in response.content.decode()


# --- The footer of every page ---------------------------------------------------------------


def assert_footer(response, current: str | None = None) -> None:
    html = response.content.decode()
    assert footer_links(html) == FOOTER_LINKS, response.request["PATH_INFO"]
    bottom = text(
        next(
            html[e.start : e.end]
            for e in find(html, lambda tag, attrs: attrs.get("class") == "fr-footer__bottom-list")
        )
    )
    # French typography: a no-break space before the colon
    assert "Accessibilité\u00a0: non conforme" in bottom
    marked = [
        e.attrs["href"]
        for e in find(html, lambda tag, attrs: tag == "a" and attrs.get("aria-current") == "page")
        if e.attrs.get("class") == "fr-footer__bottom-link"
    ]
    assert marked == ([current] if current else [])


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/axes/2/",
        "/actions/ia-2-1/",
        "/indicateurs/",
        "/methode/",
        "/journal/",
        "/donnees/",
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/jeton-invalide/",
    ],
)
def test_every_public_page_links_the_four_pages_from_its_footer(client, roadmap, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_footer(response)


def test_the_four_pages_link_each_other_and_mark_their_own(client, roadmap):
    for url in PAGES:
        assert_footer(client.get(url), current=url)


def test_the_error_pages_link_the_four_pages_too(client, roadmap, dns_member):
    missing = client.get("/actions/cette-action-n-existe-pas/")
    assert missing.status_code == 404
    assert_footer(missing)
    # a member refused an action of another organisation: the 403 page
    refused = signed_in(dns_member).post(
        reverse("roadmap:edit-pilots", args=["ia-2-4"]), {"lead": ""}
    )
    assert refused.status_code == 403
    assert_footer(refused)
    # the 500 page uses no template tag, so that it renders whatever failed: plain links
    broken = render_to_string("500.html")
    for url, label in FOOTER_LINKS.items():
        typeset = label.replace(" : ", "\u00a0: ")
        assert f'<a href="{url}">{typeset}</a>' in broken


def test_the_member_s_own_pages_link_the_four_pages(has_member, roadmap):
    member = signed_in(has_member)
    for url in (
        "/",
        "/mes-actions/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ):
        response = member.get(url)
        assert response.status_code == 200, url
        assert_footer(response)


def test_the_english_footer_has_the_same_four_links(client, roadmap):
    in_english(client)

    html = client.get("/").content.decode()

    assert '<html lang="en"' in html
    assert footer_links(html).keys() == FOOTER_LINKS.keys()


# --- The accessibility statement --------------------------------------------------------------


def test_the_statement_says_non_conforme_until_an_audit_and_why(client, roadmap):
    html = client.get("/accessibilite/").content.decode()

    assert accessibility.AUDITED_ON is None
    assert text_of(html, "etat-de-conformite") == (
        "État de conformité "
        "Le service est non conforme au référentiel général d'amélioration de "
        "l'accessibilité (RGAA). "
        "Aucun audit complet de conformité au RGAA n'a encore été réalisé. Tant qu'il n'y en a "
        "pas, le RGAA impose de déclarer le service « non conforme », quels que soient les "
        "résultats des vérifications automatiques décrites ci-dessous."
    )
    assert "<strong>non conforme</strong>" in element(html, "etat-de-conformite")


def test_the_statement_lists_the_automated_checks_their_widths_pages_and_date(client, roadmap):
    html = client.get("/accessibilite/").content.decode()

    assert text_of(html, "largeurs") == (
        "1280 × 800 pixels (ordinateur) 390 × 844 pixels (téléphone)"
    )
    assert accessibility.VIEWPORTS == ((1280, 800), (390, 844))
    listed = [text(item) for item in _items(element(html, "pages-verifiees"))]
    assert listed == [str(label) for _path, label in accessibility.CHECKED_PAGES]
    members = [text(item) for item in _items(element(html, "pages-membres-verifiees"))]
    assert members == [str(label) for _path, label in accessibility.CHECKED_MEMBER_PAGES]
    assert members[0] == "«\u202fMes actions\u202f»"
    date = accessibility.AXE_CHECKED_ON
    assert text_of(html, "date-des-verifications") == (
        "Dernières vérifications réussies : 2 décembre 2026."
    )
    assert f'<time datetime="{date.isoformat()}">' in element(html, "date-des-verifications")
    # the page's date is the statement's
    assert text_of(html, "derniere-mise-a-jour") == "Dernière mise à jour : 2 décembre 2026"
    checks = text_of(html, "verifications")
    assert "axe-core dans le navigateur Chromium" in checks
    assert "Aucune erreur grave ou critique n'y est admise." in checks
    assert "un outil automatique ne contrôle qu'une partie des critères du RGAA" in checks


def _items(html: str) -> list[str]:
    return [html[e.inner_start : e.inner_end] for e in find(html, lambda tag, _a: tag == "li")]


def test_the_statement_names_what_is_known_to_be_inaccessible(client, roadmap):
    html = client.get("/accessibilite/").content.decode()

    assert text_of(html, "contenus-non-accessibles") == (
        "Contenus non accessibles "
        "Faute d'audit, la liste des non-conformités au RGAA n'est pas établie. Sont connus à "
        "ce jour : "
        "l'administration du service, réservée aux administrateurs, est celle du cadriciel "
        "Django : elle ne suit pas le Système de design de l'État et n'est vérifiée qu'à la "
        "largeur d'un ordinateur ; "
        "les fichiers à télécharger (le classeur Excel, les fichiers CSV et JSON) n'ont pas été "
        "évalués. "
        "Aucune dérogation pour charge disproportionnée n'est invoquée."
    )


def test_the_statement_gives_the_recourse_to_the_defenseur_des_droits(client, roadmap):
    html = client.get("/accessibilite/").content.decode()

    recourse = element(html, "recours")
    assert plain_text(recourse) == (
        "Voies de recours "
        "Si vous avez signalé au service un défaut d'accessibilité qui vous empêche d'accéder à "
        "un contenu ou à une fonctionnalité, et que vous n'avez pas obtenu de réponse "
        "satisfaisante, vous pouvez saisir le Défenseur des droits : "
        "Écrire un message au Défenseur des droits "
        "Contacter le délégué du Défenseur des droits dans votre région "
        "Appeler le 09 69 39 00 00 "
        "Envoyer un courrier par la poste, gratuitement, sans timbre : Défenseur des droits, "
        "Libre réponse 71120, 75342 Paris CEDEX 07"
    )
    hrefs = [e.attrs["href"] for e in find(recourse, lambda tag, _a: tag == "a")]
    assert hrefs == [
        "https://formulaire.defenseurdesdroits.fr/",
        "https://www.defenseurdesdroits.fr/carte-des-delegues",
    ]


def test_the_statement_gives_the_plan_and_the_contact_once_configured(client, roadmap, configured):
    html = client.get("/accessibilite/").content.decode()

    assert text_of(html, "contact") == (
        "Retour d'information et contact "
        "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez à "
        "contact@test.example : nous vous orienterons vers une alternative accessible ou vous "
        "enverrons le contenu sous une autre forme."
    )
    assert 'href="mailto:contact@test.example"' in element(html, "contact")
    assert text_of(html, "plan") == (
        "Schéma pluriannuel et plan d'action "
        "Le schéma pluriannuel de mise en accessibilité de l'éditeur du service "
        "Pour ce service : "
        "à chaque modification, les vérifications automatiques ci-dessus, aux deux largeurs "
        "d'écran, et des parcours au clavier des formulaires de modification ; "
        "un audit complet de conformité au RGAA, dont le résultat remplacera l'état « non "
        "conforme » de cette déclaration ; "
        "la correction des non-conformités que l'audit relèvera, puis la mise à jour de cette "
        "déclaration."
    )
    assert 'href="https://test.example/schema-pluriannuel"' in element(html, "plan")


def test_the_statement_leaves_out_the_contact_and_plan_not_configured(
    client, roadmap, unconfigured
):
    html = client.get("/accessibilite/").content.decode()

    assert not has_id(html, "contact")
    assert "schéma pluriannuel de mise en accessibilité de l'éditeur" not in html
    assert text_of(html, "plan").startswith("Schéma pluriannuel et plan d'action Pour ce service")
    assert not has_id(html, "reglages-manquants")


# --- The legal notice -------------------------------------------------------------------------


def test_the_legal_notice_shows_every_configured_fact(client, roadmap, configured):
    html = client.get("/mentions-legales/").content.decode()

    assert text_of(html, "editeur") == (
        "Éditeur Délégation au numérique en santé (test) 14 avenue Duquesne 75007 Paris (test)"
    )
    assert "14 avenue Duquesne<br>75007 Paris (test)" in element(html, "editeur")
    assert text_of(html, "directeur-de-la-publication") == (
        "Directeur ou directrice de la publication Prénom Nom (test)"
    )
    assert text_of(html, "hebergement") == (
        "Hébergement Hébergeur de test SAS 1 rue de l'Hébergement, 75000 Paris (test) "
        "Téléphone : 01 23 45 67 89"
    )
    assert text_of(html, "contact") == "Contact contact@test.example"
    assert text_of(html, "reutilisation") == (
        "Réutilisation des données "
        "Les données de la feuille de route, publiées sur la page Données ouvertes, sont "
        "réutilisables librement sous la Licence Ouverte 2.0 (Etalab), en mentionnant leur "
        "source et la date de leur dernière mise à jour."
    )
    assert f'href="{legal.OPEN_LICENCE["url"]}"' in element(html, "reutilisation")
    assert (
        text_of(html, "voir-aussi") == "Voir aussi Déclaration d'accessibilité Données personnelles"
    )


def test_without_configuration_the_legal_notice_shows_no_empty_section(
    client, roadmap, unconfigured
):
    html = client.get("/mentions-legales/").content.decode()

    for section in ("editeur", "directeur-de-la-publication", "hebergement", "contact"):
        assert not has_id(html, section), section
    headings = [plain_text(h) for h in _headings(text_free(html))]
    assert headings == ["Mentions légales", "Réutilisation des données", "Voir aussi"]
    assert not has_id(html, "reglages-manquants")


def text_free(html: str) -> str:
    return element(html, "content")


def _headings(html: str) -> list[str]:
    return [
        html[e.inner_start : e.inner_end] for e in find(html, lambda tag, _a: tag in {"h1", "h2"})
    ]


def test_a_partly_configured_notice_shows_what_is_there_only(client, roadmap, settings):
    configure(settings, LEGAL_HOST="Hébergeur de test SAS")

    html = client.get("/mentions-legales/").content.decode()

    assert text_of(html, "hebergement") == "Hébergement Hébergeur de test SAS"
    assert "Téléphone" not in html
    assert not has_id(html, "editeur")


def test_administrators_see_what_is_missing_and_no_one_else_does(
    roadmap, settings, administrator, has_member
):
    configure(settings, LEGAL_HOST="Hébergeur de test SAS", LEGAL_CONTACT_EMAIL="c@test.example")

    html = signed_in(administrator).get("/mentions-legales/").content.decode()

    assert text_of(html, "reglages-manquants") == (
        "Informations manquantes (visible des seuls administrateurs) "
        "Ces informations ne sont pas configurées : la page les omet pour le public. Définissez "
        "ces variables d'environnement du service, puis redémarrez-le : "
        "Éditeur du service : LEGAL_PUBLISHER "
        "Adresse de l'éditeur : LEGAL_PUBLISHER_ADDRESS "
        "Directeur ou directrice de la publication : LEGAL_PUBLICATION_DIRECTOR "
        "Adresse de l'hébergeur : LEGAL_HOST_ADDRESS "
        "Téléphone de l'hébergeur : LEGAL_HOST_PHONE"
    )
    for someone in (signed_in(has_member), Client()):
        assert not has_id(someone.get("/mentions-legales/").content.decode(), "reglages-manquants")


def test_administrators_see_a_single_missing_fact_in_the_singular(roadmap, settings, administrator):
    configure(settings, **{**EVERY_FACT, "LEGAL_ACCESSIBILITY_PLAN_URL": ""})

    admin = signed_in(administrator)

    assert text_of(admin.get("/accessibilite/").content.decode(), "reglages-manquants") == (
        "Informations manquantes (visible des seuls administrateurs) "
        "Cette information n'est pas configurée : la page l'omet pour le public. Définissez "
        "cette variable d'environnement du service, puis redémarrez-le : "
        "Adresse du schéma pluriannuel de mise en accessibilité : LEGAL_ACCESSIBILITY_PLAN_URL"
    )
    # the other pages have all they need
    for url in ("/mentions-legales/", "/donnees-personnelles/"):
        assert not has_id(admin.get(url).content.decode(), "reglages-manquants"), url


def test_the_personal_data_page_lists_its_missing_facts_for_administrators(
    roadmap, unconfigured, administrator
):
    html = signed_in(administrator).get("/donnees-personnelles/").content.decode()

    missing = text_of(html, "reglages-manquants")
    for name in legal.PERSONAL_DATA_FACTS:
        assert f": {name}" in missing, name
    assert "LEGAL_HOST" not in missing


def test_the_legal_settings_are_read_from_the_environment():
    env = {name: "valeur de test" for name in legal.FACTS if name != "LEGAL_LOG_RETENTION_DAYS"}
    code = (
        "from django.conf import settings; "
        f"print([getattr(settings, n) for n in {sorted(env)!r}], "
        "settings.LEGAL_LOG_RETENTION_DAYS)"
    )

    result = run_manage("shell", "-c", code, **env, LEGAL_LOG_RETENTION_DAYS=" 180 ")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{['valeur de test'] * len(env)!r} 180"


def test_a_log_retention_that_is_not_a_number_of_days_stops_the_service():
    result = run_manage("check", LEGAL_LOG_RETENTION_DAYS="un an")

    assert result.returncode != 0
    assert "LEGAL_LOG_RETENTION_DAYS doit être un nombre entier de jours" in result.stderr


# --- The personal data page -------------------------------------------------------------------


def test_the_personal_data_page_says_what_is_kept_why_and_how_long(client, roadmap, configured):
    html = client.get("/donnees-personnelles/").content.decode()

    assert text_of(html, "responsable") == (
        "Responsable du traitement : Délégation au numérique en santé (test)."
    )
    kept = text_of(html, "donnees-gardees")
    for said in (
        "Les comptes Quoi : l'identifiant, le prénom, le nom, l'adresse électronique, "
        "l'organisation et le rôle de chaque membre de la task force et de chaque "
        "administrateur, son mot de passe sous une forme qui ne permet pas de le retrouver, la "
        "date de création du compte et celle de la dernière connexion. "
        "Pourquoi : réserver les modifications aux personnes invitées, et savoir qui les fait. "
        "Combien de temps : tant que le compte existe. Un administrateur le désactive au départ "
        "de la personne, ou le supprime à sa demande.",
        "Les noms dans l'historique et les points d'avancement Quoi : le nom de la personne "
        "qui a fait chaque modification (statut, jalon, indicateur, cible, mesure) ou signé "
        "chaque point d'avancement, avec sa date. Ces noms sont publics : ils figurent sur les "
        "pages des actions et dans le journal.",
        "Combien de temps : aussi longtemps que la feuille de route est publiée. L'historique "
        "n'est jamais effacé ; il reste quand un compte est désactivé.",
        "Les tentatives de connexion Quoi : pour chaque connexion refusée, l'identifiant "
        "saisi, l'adresse IP, le navigateur, la page, l'heure et le nombre d'échecs. "
        "Pourquoi : bloquer la connexion pendant 1 heure après 5 échecs pour un même "
        "identifiant depuis une même adresse, contre qui essaierait de deviner un mot de passe. "
        "Combien de temps : jusqu'à la connexion réussie suivante ; sinon, elles expirent après "
        "1 heure et sont effacées à la tentative suivante.",
        "Le journal des connexions Quoi : pour chaque connexion et déconnexion, l'identifiant, "
        "l'adresse IP, le navigateur, la date et l'heure. Pourquoi : la sécurité du service ; "
        "les administrateurs le consultent dans l'administration (« Sécurité des connexions »). "
        "Combien de temps : jusqu'à ce qu'un administrateur l'efface, dans l'administration ou "
        "par la commande axes_reset_logs ; le service ne l'efface pas de lui-même.",
        "Les sessions Quoi : la session d'une personne connectée, qui la relie à son compte. "
        "Pourquoi : garder la connexion d'une page à l'autre. "
        "Combien de temps : jusqu'à la déconnexion, au plus 2 semaines ; une session expirée "
        "sans déconnexion reste enregistrée, inutilisable, jusqu'à ce que la commande "
        "clearsessions l'efface.",
        "Les journaux du service Quoi : une ligne par modification envoyée au service : "
        "l'identifiant de la personne, l'adresse de la page, le résultat, l'heure et la durée, "
        "sans adresse IP. Pourquoi : savoir qui a changé quoi et si cela a marché, pour "
        "l'exploitation et la sécurité du service. "
        "Combien de temps : 365 jours, chez l'hébergeur du service.",
    ):
        assert said in kept, said
    assert text_of(html, "a-qui-ecrire") == (
        "Pour les exercer, écrivez au délégué à la protection des données : dpd@test.example."
    )
    rights = text_of(html, "droits")
    assert rights.startswith(
        "Vos droits Le règlement général sur la protection des données (RGPD) et la loi "
        "Informatique et libertés vous donnent le droit d'accéder aux données qui vous "
        "concernent, de les faire rectifier ou effacer, d'en limiter le traitement et de vous y "
        "opposer."
    )
    assert rights.endswith(
        "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une "
        "réclamation à la Commission nationale de l'informatique et des libertés (CNIL)."
    )
    assert 'href="https://www.cnil.fr/fr/adresser-une-plainte"' in element(html, "droits")


def test_the_durations_follow_the_settings(client, roadmap, settings, unconfigured):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.AXES_COOLOFF_TIME = 0.5
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_DISABLE_ACCESS_LOG = True

    html = client.get("/donnees-personnelles/").content.decode()

    kept = text_of(html, "donnees-gardees")
    assert "bloquer la connexion pendant 30 minutes après 1 échec pour un même" in kept
    assert "elles expirent après 30 minutes" in kept
    assert "jusqu'à la déconnexion, au plus 8 heures ;" in kept
    assert "Combien de temps : le temps que les garde l'hébergeur du service." in kept
    # without django-axes' sign-in journal, the page does not speak of it
    assert not has_id(html, "journal-des-connexions")
    # without a DPO, the service's contact; without either, no one to name
    assert not has_id(html, "a-qui-ecrire")
    assert not has_id(html, "responsable")


def test_without_a_dpo_the_rights_go_to_the_service_s_contact(client, roadmap, settings):
    configure(settings, LEGAL_CONTACT_EMAIL="contact@test.example")

    html = client.get("/donnees-personnelles/").content.decode()

    assert text_of(html, "a-qui-ecrire") == (
        "Pour les exercer, écrivez au service : contact@test.example."
    )


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1209600, "2 semaines"),
        (31449600, "52 semaines"),
        (86400, "1 jour"),
        (3 * 86400, "3 jours"),
        (3600, "1 heure"),
        (1800, "30 minutes"),
        (90, "90 secondes"),
    ],
)
def test_a_duration_is_said_in_its_largest_whole_unit(seconds, said):
    assert legal.duration(seconds) == said


def test_the_page_lists_only_the_cookies_the_service_needs_and_says_no_banner(client, roadmap):
    html = client.get("/donnees-personnelles/").content.decode()

    cookies = element(html, "cookies")
    assert text_of(html, "cookies").startswith(
        "Cookies Le service ne dépose que les cookies nécessaires à ce que vous lui demandez : "
        "aucun cookie de mesure d'audience, de publicité ou de réseau social, aucun contenu "
        "venu d'un autre site. Ces cookies sont dispensés de consentement (article 82 de la loi "
        "Informatique et libertés) : le service n'affiche donc aucun bandeau de cookies."
    )
    rows = [
        plain_text(row)
        for row in (
            cookies[e.inner_start : e.inner_end] for e in find(cookies, lambda tag, _a: tag == "tr")
        )
    ]
    assert rows == [
        "Nom Rôle Durée",
        "sessionid Garde la connexion d'une personne connectée ; aucun pour un lecteur. 2 semaines",
        "csrftoken Protège les formulaires (connexion, choix de la langue, modifications) "
        "contre leur envoi depuis un autre site. 52 semaines",
        "django_language Garde la langue choisie, français ou anglais, quand on en change. "
        "jusqu'à la fermeture du navigateur",
        "messages Porte le message de confirmation d'une modification jusqu'à son affichage. "
        "jusqu'à l'affichage du message",
    ]
    assert text_of(html, "cookies").endswith(
        "Le thème d'affichage choisi dans « Paramètres d'affichage » (clair, sombre ou celui du "
        "système) est gardé dans votre navigateur (stockage local, clé scheme), sans être "
        "envoyé au service."
    )
    # no consent banner anywhere
    assert "consentement" not in text(element(client.get("/").content.decode(), "footer"))


def test_no_cookie_but_those_listed_is_ever_set(roadmap, has_member, administrator, settings):
    listed = {cookie.name for cookie in legal.cookies()}
    received = set()

    def keep(response):
        received.update(response.cookies.keys())
        return response

    # A reader: every public page, a language change, a refused sign-in
    reader = Client()
    for url in ("/", "/actions/ia-2-4/", "/donnees/", "/accounts/login/", *PAGES):
        keep(reader.get(url))
    keep(reader.post("/i18n/setlang/", {"language": "en", "next": "/"}))
    keep(reader.post("/accounts/login/", {"username": "personne", "password": "mauvais"}))
    # A member signs in, changes a status (the confirmation message), signs out
    member = Client()
    keep(member.post("/accounts/login/", {"username": has_member.username, "password": PASSWORD}))
    action = Action.objects.get(code="IA 2-4")
    keep(
        member.post(
            reverse("roadmap:edit-status", args=[action.slug]),
            {"status": "in_progress", "version": action.version},
        )
    )
    keep(member.get(action.get_absolute_url()))
    keep(member.get("/mes-actions/"))
    keep(member.post("/accounts/logout/"))
    # An administrator in the admin
    admin = signed_in(administrator)
    keep(admin.get("/admin/"))
    keep(admin.get("/admin/roadmap/action/"))

    assert received, "no cookie seen: the walk did nothing"
    assert received <= listed, received - listed
    assert {"csrftoken", "django_language", "messages", "sessionid"} <= received


# --- The site map -----------------------------------------------------------------------------

PUBLIC_ROUTES = [
    "roadmap:dashboard",
    "roadmap:indicators",
    "roadmap:journal",
    "roadmap:journal-feed",
    "roadmap:method",
    "roadmap:reports",
    "roadmap:opendata",
    "roadmap:accessibility",
    "roadmap:legal-notice",
    "roadmap:personal-data",
    "roadmap:sitemap",
]


def links_of(html: str) -> list[str]:
    return [e.attrs["href"] for e in find(element(html, "content"), lambda t, _a: t == "a")]


def test_the_site_map_lists_every_public_page_axis_and_action(client, roadmap):
    html = client.get("/plan-du-site/").content.decode()

    links = links_of(html)
    for name in PUBLIC_ROUTES:
        assert reverse(name) in links, name
    for axis in Axis.objects.filter(roadmap=roadmap):
        assert axis.get_absolute_url() in links
    actions = Action.objects.filter(roadmap=roadmap).order_by("axis__number", "code")
    assert [url for url in links if url.startswith("/actions/")] == [
        action.get_absolute_url() for action in actions
    ]
    assert "IA 2-1 – " in text_of(html, "feuille-de-route")
    assert text_of(html, "votre-compte") == "Votre compte Se connecter Mot de passe oublié"
    assert reverse("roadmap:my-actions") not in links
    assert text_of(html, "a-propos") == (
        "À propos du service Déclaration d'accessibilité Mentions légales Données personnelles "
        "Plan du site"
    )


def test_the_site_map_lists_the_member_s_own_pages_when_signed_in(
    roadmap, has_member, administrator
):
    html = signed_in(has_member).get("/plan-du-site/").content.decode()

    assert text_of(html, "votre-compte") == "Votre compte Mes actions Changer de mot de passe"
    links = links_of(html)
    assert reverse("roadmap:my-actions") in links
    assert reverse("login") not in links

    html = signed_in(administrator).get("/plan-du-site/").content.decode()
    assert text_of(html, "votre-compte") == (
        "Votre compte Mes actions Changer de mot de passe À valider Préparer le rapport de la "
        "prochaine séance Invitations et comptes Administration"
    )
    for url in ("/a-valider/", "/rapports/preparation/", "/accounts/invitations/", "/admin/"):
        assert url in links_of(html), url


def test_the_site_map_without_a_roadmap_lists_the_pages(client, no_roadmap):
    html = client.get("/plan-du-site/").content.decode()

    assert reverse("roadmap:dashboard") in links_of(html)
    assert not [url for url in links_of(html) if url.startswith(("/axes/", "/actions/"))]


@pytest.mark.usefixtures("memory_cache")
@pytest.mark.parametrize("url", PAGES)
def test_each_page_takes_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, django_assert_max_num_queries, url
):
    # the data version, the roadmap, its axes (and, for the site map, their actions)
    with django_assert_max_num_queries(4) as small:
        assert client.get(url).status_code == 200

    grow_everything(roadmap)
    with django_assert_max_num_queries(4) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]
