"""`load_roadmap` loads exactly what the source document says, and loading twice changes nothing.

Every value of the seed is either written in the source document, in one of the forms a French
text writes it (« 70 000 », « 119 millions », « 11 février 2025 », « 11/02/2025 »), or listed in
its object's `interpreted` with the rule used (`interpretation`), which the loaded row carries.
"""

import copy
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Organisation
from roadmap.models import (
    Action,
    Axis,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Target,
)
from tests.support.builders import colleague
from tests.support.constants import SEED, seed_indicator

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE_TEXT = (FIXTURES / "source" / "ia-en-sante-etat-des-lieux-2025.txt").read_text("utf-8")


def snapshot() -> dict:
    """Every row the seed touches, with its version, as plain values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (Organisation, Roadmap, Axis, Action, Milestone, Indicator, Target)
    } | {
        "partners": sorted(map(repr, Action.partners.through.objects.values_list())),
        "history": [
            Action.history.count(),
            Milestone.history.count(),
            Indicator.history.count(),
            Target.history.count(),
        ],
    }


# --- Literals of the source, or interpretations ---------------------------------------------------

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
# The values the honesty check reads, by kind of object: numbers, dates, and the period fields.
NUMBERS = ("target_value", "baseline_value", "value")
DATES = ("source_date", "due_date", "done_on", "baseline_date", "target_date", "periods_from", "on")
PERIOD_FIELDS = ("periodicity", "period_count", "summed_from", "period")
SPACES = re.compile(r"[ \u00a0\u202f]+")


def plain(text: str) -> str:
    """`text` with every kind of space as one plain space, and typographic apostrophes plain."""
    return SPACES.sub(" ", text).replace("’", "'")


def number_forms(value) -> list[str]:
    """How a French text writes `value`: « 70 000 », « 70000 », « 119 millions », « 2,5 »."""
    number = Decimal(str(value))
    if number != number.to_integral_value():
        return [format(number.normalize(), "f").replace(".", ",")]
    whole = int(number)
    forms = [f"{whole:,}".replace(",", " "), str(whole)]
    for size, word in ((1_000_000_000, "milliard"), (1_000_000, "million")):
        if whole and whole % size == 0:
            count = whole // size
            forms.append(f"{count} {word}{'s' if count > 1 else ''}")
    return forms


def date_forms(value: str) -> list[str]:
    """« 11 février 2025 », « 1er septembre 2024 », « 11/02/2025 »."""
    day = datetime.date.fromisoformat(value)
    ordinal = "1er" if day.day == 1 else str(day.day)
    return [f"{ordinal} {MONTHS[day.month - 1]} {day.year}", day.strftime("%d/%m/%Y")]


def literal_forms(name: str, value) -> list[str]:
    """The forms in which the source would state `value`; none for the period fields that no
    text states (a periodicity code, the indicator a sum adds up): those are always readings."""
    if name in NUMBERS:
        return number_forms(value)
    if name in DATES:
        return date_forms(value)
    if name in ("period_count", "period"):
        return [str(value)]
    return []


def is_literal(form: str, text: str) -> bool:
    """`form` stands in `text` as a whole: « 5 » is not the 5 of « 2025 » or of « 15 »."""
    pattern = r"(?<![\d,])" + re.escape(form) + r"(?![\d]|,\d| \d{3}\b)"
    return re.search(pattern, plain(text)) is not None


def seeded_objects(seed: dict) -> list[tuple[str, dict, str]]:
    """Each object of the seed with values to check, a name for it, and the text its values
    must be read in: its own source sentence when it has one, else the whole document."""
    objects = [("feuille de route", seed["roadmap"], SOURCE_TEXT)]
    for milestone in seed.get("milestones", []):
        objects.append((f"jalon « {milestone['title']} »", milestone, milestone.get("source")))
    for _axis, action in ((a, b) for a in seed["axes"] for b in a["actions"]):
        for milestone in action.get("milestones", []):
            objects.append((f"jalon « {milestone['title']} »", milestone, milestone.get("source")))
        for indicator in action.get("indicators", []):
            objects.append((indicator["code"], indicator, indicator.get("source")))
            for target in indicator.get("targets", []):
                name = f"cible du {target['on']} de {indicator['code']}"
                objects.append((name, target, target.get("source") or indicator.get("source")))
    return [(name, item, text or SOURCE_TEXT) for name, item, text in objects]


def unmarked_values(seed: dict) -> list[str]:
    """The seed's values that are neither literals of the source nor marked as interpreted."""
    found = []
    for name, item, text in seeded_objects(seed):
        interpreted = set(item.get("interpreted", [])) if item.get("interpretation") else set()
        for field_name in (*NUMBERS, *DATES, *PERIOD_FIELDS):
            value = item.get(field_name)
            if value is None or value == "" or field_name in interpreted:
                continue
            if not any(is_literal(form, text) for form in literal_forms(field_name, value)):
                found.append(f"{name}.{field_name} = {value!r}")
    return found


def quotations(text: str) -> list[str]:
    return re.findall(r"«\s*(.*?)\s*»", text)


def test_every_seeded_value_is_a_literal_of_the_source_or_carries_its_interpretation():
    assert unmarked_values(SEED) == []


def test_the_check_catches_an_invented_value_and_a_reading_without_its_rule():
    invented = copy.deepcopy(SEED)
    indicator = invented["axes"][1]["actions"][0]["indicators"][-1]  # IA2-1-INVEST, all literal
    indicator["baseline_value"] = 12_000_000
    indicator["target_date"] = "2027-12-31"
    invented["milestones"][1]["interpretation"] = ""  # « avant l'été 2025 », its rule lost
    invented["roadmap"]["source_date"] = "2025-02-12"

    assert unmarked_values(invented) == [
        "feuille de route.source_date = '2025-02-12'",
        "jalon « Publication de la feuille de route de l’IA en santé ».due_date = '2025-06-20'",
        "IA2-1-INVEST.baseline_value = 12000000",
        "IA2-1-INVEST.target_date = '2027-12-31'",
    ]
    # The literal forms the source uses are recognised, and only as whole numbers and dates.
    assert is_literal("119 millions", SOURCE_TEXT)
    assert is_literal("11 février 2025", SOURCE_TEXT)
    assert is_literal("15/12/2023", SOURCE_TEXT)
    assert not is_literal("0", SOURCE_TEXT)  # the zeros of « 70 000 » or « 2025 » are not a 0
    assert not is_literal("20 000", SOURCE_TEXT)  # not the tail of « 120 000 » or « 70 000 »


def test_each_interpretation_names_values_that_are_there_and_a_rule_for_them():
    for name, item, _text in seeded_objects(SEED):
        interpreted = item.get("interpreted", [])
        assert bool(interpreted) == bool(item.get("interpretation")), name
        for field_name in interpreted:
            assert field_name in (*NUMBERS, *DATES, *PERIOD_FIELDS), (name, field_name)
            assert item.get(field_name) not in (None, ""), (name, field_name)


def test_what_an_interpretation_quotes_is_written_in_the_source():
    source = plain(SOURCE_TEXT)
    for name, item, _text in seeded_objects(SEED):
        for quoted in quotations(item.get("interpretation", "")):
            position = 0
            # « 70 000 apprenants […] formés »: the parts either side of an ellipsis, in order.
            for part in plain(quoted).split("[…]"):
                found = source.find(part.strip(), position)
                assert found >= 0, (name, quoted)
                position = found + len(part.strip())


def test_the_interpretations_say_what_was_read_and_how():
    interpretations = {
        name: item.get("interpretation", "") for name, item, _ in seeded_objects(SEED)
    }
    assert (
        "20 juin 2025"
        in interpretations["jalon « Publication de la feuille de route de l’IA en santé »"]
    )
    assert "5 années de 2024/2025 à 2028/2029" in interpretations["IA2-1-APP-AN"]
    assert "chaque année part de 0" in interpretations["IA2-1-APP-AN"]
    assert "1er septembre 2024" in interpretations["IA2-1-APP-5ANS"]
    assert "31 août 2029" in interpretations["IA2-1-APP-5ANS"]
    assert "somme des apprenants formés chaque année" in interpretations["IA2-1-APP-5ANS"]
    assert "100\u202f%" in interpretations["IA2-1-EHESP-DIR"]
    assert "jusqu'à aujourd'hui" in interpretations["IA2-1-PRO-AN"]
    assert "plan Numérique en santé" in interpretations["feuille de route"]
    # The readings of the period are the model's: academic years, from 2024/2025, five of them.
    app = seed_indicator("IA2-1-APP-AN")
    assert (app["periodicity"], app["periods_from"], app["period_count"]) == (
        "academic_year",
        "2024-09-01",
        5,
    )
    assert seed_indicator("IA2-1-APP-5ANS")["summed_from"] == "IA2-1-APP-AN"
    assert seed_indicator("IA2-1-PRO-AN")["period_count"] is None  # open-ended


def test_the_loaded_rows_carry_the_interpretations(roadmap):
    assert roadmap.interpretation == SEED["roadmap"]["interpretation"]
    for item in SEED["milestones"]:
        milestone = Milestone.objects.get(roadmap=roadmap, action=None, title=item["title"])
        assert milestone.interpretation == item["interpretation"]
    marked = 0
    for _axis, action in ((a, b) for a in SEED["axes"] for b in a["actions"]):
        for item in action["indicators"]:
            indicator = Indicator.objects.get(roadmap=roadmap, code=item["code"])
            assert indicator.interpretation == item.get("interpretation", ""), item["code"]
            marked += bool(indicator.interpretation)
            for target in item.get("targets", []):
                row = indicator.targets.get(on=target["on"])
                assert row.interpretation == target.get("interpretation", "")
    assert marked == 8  # every indicator but the 119 M€, which the source states as it is


def test_the_seed_has_four_axes_and_seventeen_actions_with_their_source_titles(roadmap):
    assert list(roadmap.axes.values_list("number", "short_title")) == [
        (1, "Prévention"),
        (2, "Prise en charge"),
        (3, "Accès à la santé"),
        (4, "Cadre propice"),
    ]
    codes = list(Action.objects.filter(roadmap=roadmap).values_list("code", flat=True))
    assert codes == [
        f"IA {axis}-{n}"
        for axis, count in ((1, 3), (2, 5), (3, 4), (4, 5))
        for n in range(1, count + 1)
    ]
    for action in Action.objects.all():
        # Each title is quoted word for word from the document's list of actions.
        assert f"- {action.code} {action.title}\n" in SOURCE_TEXT
        assert action.slug == action.code.lower().replace(" ", "-")


def test_each_axis_title_comes_from_the_source(roadmap):
    for axis in roadmap.axes.all():
        line = next(
            line for line in SOURCE_TEXT.splitlines() if line.startswith(f"Axe {axis.number}")
        )
        assert axis.short_title in line
        # The source misprints « l'IA » as « I'IA » in axis 4; the seed corrects that one letter.
        assert axis.title == line.split(" - ")[-1].replace("de I'IA", "de l'IA")


def test_owners_are_set_exactly_where_the_document_names_them(roadmap):
    owners = {
        action.code: (
            action.lead and action.lead.acronym,
            sorted(o.acronym for o in action.partners.all()),
        )
        for action in Action.objects.select_related("lead").prefetch_related("partners")
    }
    named = {
        "IA 1-3": ("HDH", []),
        "IA 2-4": ("HAS", []),
        "IA 3-4": ("ARS", []),
        "IA 4-1": (None, sorted(["DNS", "DREES", "DGOS", "DGRI", "DGE", "AIS", "HDH", "CNAM"])),
        "IA 4-2": ("PariSanté Campus", []),
    }
    for code, owner in owners.items():
        assert owner == named.get(code, (None, [])), code


def test_ia_2_1_holds_the_training_targets_with_their_source_sentences(ia_2_1):
    targets = {
        indicator.code: (indicator.target_value, indicator.unit, indicator.kind)
        for indicator in ia_2_1.indicators.all()
    }
    assert targets == {
        "IA2-1-PRO-AN": (Decimal(140000), "professionnels", "per_period"),
        "IA2-1-APP-AN": (Decimal(70000), "apprenants", "per_period"),
        "IA2-1-APP-5ANS": (Decimal(500000), "apprenants", "cumulative"),
        "IA2-1-MASTER-NUM": (Decimal(15), "parcours", "level"),
        "IA2-1-MASTER-JUR": (Decimal(2), "parcours", "level"),
        "IA2-1-MASTER-REG": (Decimal(5), "masters", "level"),
        "IA2-1-EHESP-DIR": (Decimal(100), "%", "level"),
        "IA2-1-EHESP-MASTERS": (Decimal(5), "masters", "level"),
        "IA2-1-INVEST": (Decimal(119_000_000), "€", "cumulative"),
    }
    for indicator in ia_2_1.indicators.all():
        assert indicator.source, indicator.code
        assert indicator.source in SOURCE_TEXT, indicator.code
    five_years = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    assert (
        five_years.baseline_value,
        str(five_years.baseline_date),
        str(five_years.target_date),
    ) == (
        Decimal(0),
        "2024-09-01",
        "2029-08-31",
    )
    assert ia_2_1.objective.startswith("Former l'ensemble des professionnels")
    assert ia_2_1.framework == (
        "Stratégie d'accélération « Santé numérique », via l'AMI « Compétences et métiers "
        "d'avenir » de France 2030"
    )
    for text in (ia_2_1.objective, ia_2_1.framework, ia_2_1.description):
        for line in text.splitlines():
            assert line in SOURCE_TEXT


def test_the_seed_records_targets_only_no_measurement_status_or_note(roadmap):
    assert Measurement.objects.count() == 0
    assert ProgressNote.objects.count() == 0
    assert set(Action.objects.values_list("status", flat=True)) == {""}


def test_the_dated_milestones_of_the_document_belong_to_the_roadmap(roadmap):
    milestones = list(
        Milestone.objects.filter(roadmap=roadmap).values_list(
            "action", "title", "due_date", "done_on"
        )
    )
    assert [(m[0], m[1], str(m[2]), m[3] and str(m[3])) for m in milestones] == [
        # the team's own title, in French typography (« » quote the document's)
        (
            None,
            "Publication de l’état des lieux «\u202fIA en santé\u202f»",
            "2025-02-11",
            "2025-02-11",
        ),
        (None, "Publication de la feuille de route de l’IA en santé", "2025-06-20", None),
    ]
    for milestone in Milestone.objects.all():
        assert milestone.source in SOURCE_TEXT
        assert milestone.original_due_date == milestone.due_date


def test_every_organisation_of_the_seed_is_named_in_the_source(roadmap):
    for organisation in Organisation.objects.all():
        assert organisation.acronym in SOURCE_TEXT
        assert (
            organisation.name == ""
            or f"{organisation.name} ({organisation.acronym})" in SOURCE_TEXT
        )


def test_loading_twice_changes_nothing(roadmap, capsys):
    before = snapshot()
    call_command("load_roadmap")
    assert "rien n'a changé" in capsys.readouterr().out
    assert snapshot() == before


def test_loading_again_keeps_what_the_task_force_changed(ia_2_1):
    ia_2_1.status = "in_progress"
    ia_2_1.save()
    call_command("load_roadmap", verbosity=0)
    ia_2_1.refresh_from_db()
    assert ia_2_1.status == "in_progress"


def test_update_restores_source_fields_but_not_statuses(ia_2_1):
    ia_2_1.title = "Titre modifié par erreur"
    ia_2_1.status = "at_risk"
    ia_2_1.save()
    call_command("load_roadmap", "--update", verbosity=0)
    ia_2_1.refresh_from_db()
    assert ia_2_1.title.startswith("Des formations des professionnels aux usages de l'IA")
    assert ia_2_1.status == "at_risk"
    assert ia_2_1.history.first().history_change_reason == "load_roadmap"


def test_the_first_load_is_recorded_in_the_history(roadmap):
    assert Action.history.filter(history_type="+").count() == 17
    assert set(Action.history.values_list("history_change_reason", flat=True)) == {"load_roadmap"}


def test_a_missing_file_is_a_clear_error(no_roadmap):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("load_roadmap", "--file", "/nonexistent/roadmap.json")
    assert Roadmap.objects.count() == 0


def test_the_seed_file_and_the_document_agree_on_the_action_list():
    codes = [action["code"] for axis in SEED["axes"] for action in axis["actions"]]
    assert len(codes) == len(set(codes)) == 17


def test_update_never_takes_back_a_milestone_the_task_force_ticked_done(roadmap, capsys):
    milestone = Milestone.objects.get(
        roadmap=roadmap, action=None, title="Publication de la feuille de route de l’IA en santé"
    )
    milestone.done_on = datetime.date(2025, 7, 10)
    milestone._history_user = colleague("DNS")
    milestone.save()

    call_command("load_roadmap", "--update")
    assert "rien n'a changé" in capsys.readouterr().out
    milestone.refresh_from_db()
    assert milestone.done_on == datetime.date(2025, 7, 10)
    assert milestone.history.first().history_user.username == "camille"

    before = snapshot()
    call_command("load_roadmap", "--update")
    assert "rien n'a changé" in capsys.readouterr().out
    assert snapshot() == before


def test_update_keeps_a_designated_pilot_and_added_partners_but_restores_the_source_s(roadmap):
    dgos, has, hdh = (Organisation.objects.get(acronym=a) for a in ("DGOS", "HAS", "HDH"))
    ia_2_1, ia_1_3, ia_4_1 = (
        Action.objects.get(roadmap=roadmap, code=code) for code in ("IA 2-1", "IA 1-3", "IA 4-1")
    )
    ia_2_1.lead = dgos  # the source names no pilot: the task force designates one
    ia_2_1.save()
    ia_2_1.partners.add(has)
    ia_1_3.lead = has  # the source names the HDH
    ia_1_3.save()
    ia_4_1.partners.remove(hdh)  # one of the eight the source names

    call_command("load_roadmap", "--update", verbosity=0)

    ia_2_1.refresh_from_db()
    ia_1_3.refresh_from_db()
    assert (ia_2_1.lead, list(ia_2_1.partners.all())) == (dgos, [has])
    assert ia_1_3.lead == hdh
    assert hdh in ia_4_1.partners.all()
    assert ia_4_1.partners.count() == 8
    assert ia_4_1.history.first().history_change_reason == "load_roadmap"
    before = snapshot()
    call_command("load_roadmap", "--update", verbosity=0)
    assert snapshot() == before
