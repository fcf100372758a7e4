"""Tests of `/methode/`: every rule in plain French, and a worked example computed by the app.

The example's figures are compared with `roadmap.progress` called here directly: the page must
show what the rules compute, not numbers written into a template.
"""

from __future__ import annotations

import datetime
import re

import pytest

from roadmap import method, progress
from roadmap.models import Indicator, Milestone, Roadmap, Target
from roadmap.templatetags.roadmap_tags import number, percent
from tests.support.html import NBSP, element, text

NNBSP = "\u202f"  # inside « » and before ; and %, in French typography

START = datetime.date(2024, 9, 1)
END = datetime.date(2029, 8, 31)
YEAR_ONE = datetime.date(2025, 8, 31)


@pytest.fixture
def page(client, db) -> str:
    response = client.get("/methode/")
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_the_page_explains_every_rule(page):
    for section, words in (
        ("valeur-actuelle", ["cumulatif", "par période", "niveau"]),
        ("avancement-indicateur", ["borné entre 0", "valeur initiale"]),
        ("trajectoire", ["ligne droite", "dans la trajectoire", "hors trajectoire"]),
        ("prevision", ["date cible", "rythme"]),
        ("avancement-action", ["jalons réalisés", "Non mesuré"]),
        ("points-attention", ["Jalon en retard", "Sans mise à jour", "Statut contradictoire"]),
        ("periodes", ["la période qui contient sa date", "mesure la plus récente", "propre cible"]),
        ("cibles-datees", ["passe alors par chacune", "vers la prochaine cible", "cible finale"]),
        ("apres-date-cible", ["plus de prévision", "atteinte ou non", "avec quelle valeur"]),
        ("sommes", ["somme des périodes", "mesuré à part", "summed_from"]),
        ("mise-a-jour", ["faite par une personne", "Pas encore mis à jour", "last_update"]),
        ("interpretations", ["la règle suivie", "interpretation"]),
    ):
        content = text(element(page, section))
        for word in words:
            assert word in content, (section, word)


def test_the_worked_example_shows_what_roadmap_progress_computes(page):
    expected = progress.trajectory_value(START, 0, END, 500_000, YEAR_ONE)
    achieved = progress.indicator_progress(0, 500_000, 70_000)
    forecast = progress.forecast(70_000, YEAR_ONE, START, 0, END)
    on_track = progress.is_on_track(70_000, YEAR_ONE, START, 0, END, 500_000)

    example = text(element(page, "exemple"))

    assert (
        f"({number(500_000)} − 0) × 364 ÷ {number(1825)} = {number(expected, 0)} apprenants"
        in example
    )
    assert f"= {percent(achieved)}" in example
    assert on_track is False
    assert "l'indicateur est hors trajectoire" in example
    assert (
        f"= {number(forecast, 0)} apprenants seraient formés au 31\u00a0août\u00a02029" in example
    )
    # the same figures, for the record, as a reader would say them
    assert (number(expected, 0), percent(achieved), number(forecast, 0)) == (
        "99\u00a0726",
        "14\u202f%",
        "350\u00a0962",
    )


def test_the_worked_example_has_its_chart_and_data_table(page):
    assert 'id="graphique-exemple"' in page
    table = text(element(page, "graphique-exemple-donnees"))
    assert "31\u00a0août\u00a02025" in table


def test_the_other_rules_are_shown_at_work_on_the_seed_s_targets(page):
    content = text(page)

    assert f"donne un avancement de {number(63_000)} ÷ {number(70_000)} = {percent(90)}" in content
    assert f"6 ÷ 15 = {percent(40)}" in content
    assert f"2 jalons réalisés sur 5 donnent {percent(40)}" in content
    assert (
        "Un jalon dû le 30\u00a0juin\u00a02025 et non réalisé est en retard à partir du "
        "1er\u00a0juillet\u00a02025" in content
    )
    assert f"depuis {progress.STALE_AFTER_DAYS} jours" in content
    assert "est signalée à partir du 1er\u00a0avril\u00a02025" in content


def test_the_worked_example_is_computed_not_written():
    example = method.worked_example(label="x", source="y")

    assert example.expected == progress.trajectory_value(START, 0, END, 500_000, YEAR_ONE)
    assert example.progress == progress.indicator_progress(0, 500_000, 70_000)
    assert example.forecast == progress.forecast(70_000, YEAR_ONE, START, 0, END)
    assert example.chart.figures.forecast == example.forecast
    assert progress.is_stale(example.last_update, example.stale_from)
    assert not progress.is_stale(
        example.last_update, example.stale_from - datetime.timedelta(days=1)
    )
    assert progress.is_overdue(example.milestone_due, None, example.overdue_from)
    assert not progress.is_overdue(
        example.milestone_due, None, example.overdue_from - datetime.timedelta(days=1)
    )


def test_the_page_says_when_the_rules_last_changed(page):
    assert "Dernière mise à jour\u00a0: 1er\u00a0décembre\u00a02026" in text(page)


def rows_of(html: str, ident: str) -> list[str]:
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", element(html, ident), flags=re.S)]


def test_the_periods_are_shown_at_work_on_two_academic_years(page):
    periods = text(element(page, "periodes"))

    assert (
        f"2024/2025\u00a0: {number(72_000)} apprenants pour une cible de {number(70_000)}, soit "
        f"{percent(100)} (un dépassement compte pour 100{NNBSP}%)\u00a0: cible atteinte." in periods
    )
    assert (
        f"2025/2026\u00a0: {number(30_000)} apprenants mesurés au 31\u00a0janvier\u00a02026, puis "
        f"{number(63_000)} au 31\u00a0août\u00a02026{NNBSP}; la valeur de l'année est la plus "
        "récente, "
        f"{number(63_000)} pour une cible de {number(70_000)}, soit {percent(90)}\u00a0: cible non "
        "atteinte." in periods
    )
    assert "Au 15\u00a0septembre\u00a02026, la période en cours est la troisième année" in periods
    # the bars, and the table that carries their data
    assert 'id="periodes-exemple-periodes"' in page
    target = f"70{NBSP}000{NBSP}apprenants"
    assert rows_of(page, "periodes-exemple-periodes-donnees") == [
        "Période Valeur Cible Avancement État",
        f"2024/2025 72{NBSP}000{NBSP}apprenants {target} 100{NNBSP}% Cible atteinte",
        f"2025/2026 63{NBSP}000{NBSP}apprenants {target} 90{NNBSP}% Cible non atteinte",
        f"2026/2027 Non mesuré {target} Non calculable En cours",
        f"2027/2028 À venir {target} Non calculable À venir",
        f"2028/2029 À venir {target} Non calculable À venir",
    ]


def test_several_dated_targets_are_shown_at_work(page):
    figures = progress.evaluate_indicator(
        **method.LEARNERS,
        targets=[method.STEP],
        points=[progress.Point(YEAR_ONE, 70_000)],
        today=YEAR_ONE,
    )

    assert text(element(page, "cibles-datees")).endswith(
        "Exemple (une supposition\u00a0: la source ne fixe pas d'étape)\u00a0: "
        f"{number(200_000)} apprenants au 31\u00a0août\u00a02026 sur le chemin des "
        f"{number(500_000)}. "
        f"Trajectoire au 31\u00a0août\u00a02025\u00a0: 0 + ({number(200_000)} − 0) × 364 ÷ 729 = "
        f"{number(figures.expected, 0)} apprenants. "
        f"Avancement\u00a0: {number(70_000)} ÷ {number(200_000)} = "
        f"{percent(figures.next_progress)} "
        f"vers la prochaine cible, et {number(70_000)} ÷ {number(500_000)} = "
        f"{percent(figures.progress)} vers la cible finale."
    )
    assert (number(figures.expected, 0), percent(figures.next_progress)) == (
        f"99{NBSP}863",
        f"35{NNBSP}%",
    )


def test_after_the_target_date_the_page_shows_a_verdict_not_a_forecast(page):
    ended = progress.evaluate_indicator(
        **method.LEARNERS, points=[progress.Point(END, 480_000)], today=END.replace(day=1, month=9)
    )

    assert (ended.forecast, ended.reached) == (None, False)
    assert text(element(page, "apres-date-cible")).endswith(
        f"Exemple\u00a0: {number(480_000)} apprenants formés au 31\u00a0août\u00a02029. Le "
        "1er\u00a0septembre\u00a02029, la "
        f"page dit «{NNBSP}Cible non atteinte\u00a0: {number(480_000)} pour "
        f"{number(500_000)}{NNBSP}» "
        f"({percent(96)}), sans prévision."
    )


def test_the_sum_of_the_years_and_what_the_open_data_says_of_it(page):
    assert text(element(page, "sommes")).endswith(
        f"La semence lit «{NNBSP}500 000 sur 5 ans{NNBSP}» comme la somme des apprenants formés "
        f"chaque année universitaire (l'indicateur «{NNBSP}par an{NNBSP}»)\u00a0: avec les deux "
        f"années "
        f"ci-dessus, {number(72_000)} + {number(63_000)} = {number(135_000)} apprenants, soit "
        f"{percent(27)} des {number(500_000)}. Les données ouvertes le disent\u00a0: un tel "
        f"indicateur "
        "y porte summed_from , le code de l'indicateur qu'il additionne (vide quand il est mesuré "
        "à part)."
    )


def test_action_progress_is_shown_with_its_counts_never_mixed(page):
    assert text(element(page, "avancement-action")).endswith(
        "Un seul pourcentage est montré pour une action, toujours avec les comptes sur lesquels "
        f"il repose\u00a0: «{NNBSP}{percent(40)} · 2 sur 5 jalons réalisés{NNBSP}» quand elle a "
        f"des "
        "jalons, "
        "même si elle a aussi 2 indicateurs, qui ne comptent alors pas"
        f"{NNBSP}; sinon «{NNBSP}{percent(52)} · moyenne de 2 indicateurs mesurés sur "
        f"3{NNBSP}». Jalons et indicateurs ne sont jamais mélangés dans un même pourcentage, et "
        f"un seul jalon réalisé sur un seul se lit «{NNBSP}100{NNBSP}% · 1 sur 1 jalon "
        f"réalisé{NNBSP}», "
        f"pas «{NNBSP}terminé{NNBSP}»."
    )


def test_every_interpretation_of_the_roadmap_is_listed_next_to_its_value(client, roadmap):
    yearly = Indicator.objects.get(code="IA2-1-APP-AN")
    Target.objects.create(
        indicator=yearly,
        on=datetime.date(2026, 3, 1),
        value=80_000,
        source="DGOS",
        interpretation="Lu comme la cible de 2025/2026.",
    )
    Target.objects.create(indicator=yearly, on=datetime.date(2027, 3, 1), value=75_000)
    retired = Indicator.objects.get(code="IA2-1-MASTER-JUR")
    retired.retired_on = datetime.date(2026, 1, 1)
    retired.save()

    html = client.get("/methode/").content.decode().replace("&#x27;", "'")

    rows = rows_of(html, "interpretations-liste")
    assert rows[0] == "Objet Valeur interprétée Règle suivie"
    milestones = Milestone.objects.filter(roadmap=roadmap, action=None).order_by("due_date")
    indicators = Indicator.objects.filter(retired_on=None).exclude(interpretation="")
    expected_rules = [
        Roadmap.objects.get().interpretation,
        *(m.interpretation for m in milestones),
    ]
    for indicator in indicators.order_by("position", "code"):
        expected_rules.append(indicator.interpretation)
        if indicator == yearly:
            expected_rules.append("Lu comme la cible de 2025/2026.")
    assert [row.endswith(rule) for row, rule in zip(rows[1:], expected_rules, strict=True)] == (
        [True] * len(expected_rules)
    )
    assert rows[1].startswith("Feuille de route Période\u00a0: 2023-2027 ")
    assert rows[3].startswith(
        "Jalon de la feuille de route\u00a0: Publication de la feuille de route de l’IA en santé "
        "Échéance\u00a0: 20\u00a0juin\u00a02025 L'échéance «\u202favant l’été 2025\u202f»"
    )
    apprentices = next(row for row in rows if row.startswith("Indicateur IA2-1-APP-AN\u00a0"))
    assert apprentices.startswith(
        "Indicateur IA2-1-APP-AN\u00a0: Apprenants professionnels de santé et médico-sociaux "
        "formés "
        f"par an, dès la rentrée universitaire 2024/2025 Valeur initiale\u00a0: 0{NBSP}apprenants "
        f"Cible\u00a0: 70{NBSP}000{NBSP}apprenants, au 31\u00a0août\u00a02029 Périodes\u00a0: "
        f"Année "
        "universitaire "
        "(septembre à août), 5 périodes à partir du 1er\u00a0septembre\u00a02024 "
    )
    assert (
        "Cible datée de l'indicateur IA2-1-APP-AN\u00a0: Apprenants professionnels de santé et "
        f"médico-sociaux formés par an, dès la rentrée universitaire 2024/2025 "
        f"80{NBSP}000{NBSP}apprenants au 1er\u00a0mars\u00a02026 Lu comme la cible de 2025/2026."
    ) in rows
    total = next(row for row in rows if row.startswith("Indicateur IA2-1-APP-5ANS\u00a0"))
    assert "Somme des périodes de l'indicateur IA2-1-APP-AN «" in total
    # neither the retired indicator nor a target read literally
    assert not any("IA2-1-MASTER-JUR" in row or "75" + NBSP + "000" in row for row in rows)


def test_without_any_interpretation_the_page_says_so(client, roadmap):
    Roadmap.objects.update(interpretation="")
    Milestone.objects.update(interpretation="")
    Indicator.objects.update(interpretation="")

    html = client.get("/methode/").content.decode().replace("&#x27;", "'")

    assert 'id="interpretations-liste"' not in html
    assert (
        "Aucune valeur de la feuille de route courante n'est une interprétation de sa source."
        in text(element(html, "interpretations"))
    )


def test_the_page_refuses_posts_and_writes_nothing(client, roadmap):
    before = list(Indicator.objects.values_list("pk", "version"))

    assert client.post("/methode/").status_code == 405
    assert list(Indicator.objects.values_list("pk", "version")) == before


def test_the_examples_are_computed_by_the_rules():
    example = method.worked_example(label="x", source="y")

    yearly = progress.evaluate_indicator(
        **method.YEARLY,
        points=[
            progress.Point(YEAR_ONE, 72_000),
            progress.Point(datetime.date(2026, 1, 31), 30_000),
            progress.Point(datetime.date(2026, 8, 31), 63_000),
        ],
        today=datetime.date(2026, 9, 15),
    )
    assert example.periods.figures == yearly
    assert [bar.period for bar in example.periods.chart.bars] == list(yearly.periods)
    assert example.periods.total.current == 135_000
    assert example.targets.ended.forecast is None
    assert example.milestone_counts == progress.ActionProgress(40.0, "milestones", 2, 5, 2)
    assert example.indicator_counts.basis == "indicators"
    assert (example.indicator_counts.total, example.indicator_counts.count) == (2, 3)
