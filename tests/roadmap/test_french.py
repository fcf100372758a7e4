"""Tests of roadmap.french, the one module of French values: numbers and dates read as French
spreadsheets and people write them, labels matched and sorted whatever their case or accents,
numbers written without their storage's zeros, in plain digits or with French grouping.

The spreadsheet import's own cases (tests/roadmap/spreadsheets/test_writing.py), the edit form's
(tests/roadmap/views/test_edit_measurements.py) and the pages' (tests/roadmap/views/test_public.py)
check the same functions through their callers.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from roadmap import french

NBSP, NNBSP = "\u00a0", "\u202f"


# --- reading numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("70 000", Decimal("70000")),
        (f"70{NBSP}000", Decimal("70000")),
        (f"70{NNBSP}000", Decimal("70000")),
        ("70\u2009000", Decimal("70000")),  # thin space
        ("1 234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        (",5", Decimal("0.5")),
        ("+3", Decimal("3")),
        ("\u221212", Decimal("-12")),
        ("   ", None),
        (Decimal("12.5"), Decimal("12.5")),
        (7, Decimal(7)),
        (0.1 + 0.2, Decimal("0.3")),
        (1.23456789, Decimal("1.23456789")),  # real extra decimals are kept, for validation
    ],
)
def test_parse_decimal_reads_french_numbers(text, expected):
    assert french.parse_decimal(text) == expected


@pytest.mark.parametrize(
    "value",
    ["1.234,5", "70.000,5", "1e5", "NaN", "douze", float("inf"), Decimal("NaN"), False],
)
def test_parse_decimal_refuses_with_a_french_message(value):
    with pytest.raises(ValueError, match="Nombre attendu"):
        french.parse_decimal(value)


# --- reading dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("31-12-2025", date(2025, 12, 31)),
        ("2025-12-31T00:00", date(2025, 12, 31)),
        (datetime(2025, 12, 31, 0, 0), date(2025, 12, 31)),
        ("  ", None),
    ],
)
def test_parse_date_reads_french_and_iso_dates(value, expected):
    assert french.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("30/02/2025", "n'existe pas"),
        ("2025/12/31", "Date attendue"),
        (45657.0, "Date attendue"),
        (date(1899, 12, 31), "Année hors limites"),
        ("01/01/2201", "Année hors limites"),
    ],
)
def test_parse_date_refuses_with_a_french_message(value, message):
    with pytest.raises(ValueError, match=message):
        french.parse_date(value)


# --- labels


def test_fold_ignores_case_accents_spaces_and_punctuation():
    assert french.fold("Réalisé le") == "realisele"
    assert french.fold(" À RISQUE ! ") == french.fold("a risque") == "arisque"
    assert french.fold(12) == "12"


def test_sortable_ignores_case_and_accents_but_keeps_spaces():
    assert french.sortable("Évaluation des SI") == "evaluation des si"
    labels = ["Formation", "Évaluation", "accès", "Accès aux soins", "Accessibilité"]
    assert sorted(labels, key=french.sortable) == [
        "accès",
        "Accès aux soins",
        "Accessibilité",
        "Évaluation",
        "Formation",
    ]


# --- writing numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (Decimal("70000.0000"), 70000),
        (Decimal("1234.5000"), Decimal("1234.5")),
        (Decimal("1E+2"), 100),
        (12, 12),
        (3.0, 3),  # a computed figure
        (0.1 + 0.2, 0.3),  # float noise hidden by rounding to ten decimals
    ],
)
def test_plain_number_drops_the_storages_zeros(value, expected):
    number = french.plain_number(value)
    assert number == expected
    assert type(number) is type(expected)


def test_number_text_is_plain_digits_never_scientific():
    assert french.number_text(Decimal("70000.0000")) == "70000"
    assert french.number_text(Decimal("0.0000100")) == "0.00001"
    assert french.number_text(Decimal("1234567.5"), grouping=True) == "1,234,567.5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100000, f"100{NNBSP}000"),  # the synthetic roadmap's titles
        (Decimal("1234.5000"), f"1{NNBSP}234,5"),
        (Decimal("-0.25"), "-0,25"),
    ],
)
def test_grouped_number_is_french_typography_whatever_the_language(value, expected):
    with translation.override("en"):
        assert french.grouped_number(value) == expected


def test_date_text_is_day_first():
    assert french.date_text(date(2025, 1, 2)) == "02/01/2025"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("140000.0000"), 2, f"140{NBSP}000"),
        (Decimal("1234.5"), 2, f"1{NBSP}234,5"),
        (Decimal("2.345"), 2, "2,35"),  # rounded half up
        (Decimal("100"), 0, "100"),  # never 1E+2
        ("12.5", 0, "13"),
        (None, 2, ""),
        ("n/a", 2, ""),
        (Decimal("NaN"), 2, ""),
    ],
)
def test_format_number_in_french(value, decimals, expected):
    with translation.override("fr"):
        assert french.format_number(value, decimals) == expected


def test_format_quantity_keeps_the_unit_on_the_line():
    with translation.override("fr"):
        assert french.format_quantity(119000000, "€") == f"119{NBSP}000{NBSP}000{NBSP}€"
        assert french.format_quantity(15) == "15"
        assert french.format_quantity(None, "€") == ""


def test_to_decimal_never_raises():
    assert french.to_decimal("1.5") == Decimal("1.5")
    assert french.to_decimal(2) == Decimal(2)
    assert french.to_decimal("") is None
    assert french.to_decimal("abc") is None
    assert french.to_decimal(float("inf")) is None


# --- Periods


@pytest.mark.parametrize(
    ("periodicity", "start", "label"),
    [
        ("academic_year", date(2024, 9, 1), "2024/2025"),
        ("academic_year", date(2025, 8, 31), "2024/2025"),
        ("year", date(2025, 1, 1), "2025"),
        ("quarter", date(2025, 1, 1), "T1 2025"),
        ("quarter", date(2025, 10, 1), "T4 2025"),
        ("month", date(2025, 1, 1), "janvier 2025"),
        ("month", date(2028, 12, 1), "décembre 2028"),
    ],
)
def test_a_period_is_named_as_people_in_france_name_it(periodicity, start, label):
    with translation.override("fr"):
        assert french.period_label(periodicity, start) == label


def test_a_month_is_named_in_the_reader_s_language():
    with translation.override("en"):
        assert french.period_label("month", date(2025, 1, 1)) == "January 2025"


def test_an_unknown_periodicity_has_no_name():
    with pytest.raises(ValueError, match="periodicity"):
        french.period_label("week", date(2025, 1, 1))


# --- dates in words, percentages and typography


@pytest.mark.parametrize(
    ("value", "format_name", "expected"),
    [
        (date(2025, 9, 1), None, "1er\u00a0septembre\u00a02025"),
        (date(2025, 7, 1), "DATE_FORMAT", "1er\u00a0juillet\u00a02025"),
        (date(2026, 8, 31), "DATE_FORMAT", "31\u00a0août\u00a02026"),
        (date(2025, 4, 11), "DATE_FORMAT", "11\u00a0avril\u00a02025"),  # a 1 that is not the first
        (date(2025, 9, 1), "SHORT_DATE_FORMAT", "01/09/2025"),
        (date(2025, 9, 1), "j F", "1er\u00a0septembre"),
        (date(2025, 9, 1), r"\j\o\u\r j", "jour 1er"),  # an escaped « j » stays a letter
        (datetime(2025, 12, 1, 9, 30), "DATETIME_FORMAT", "1er\u00a0décembre\u00a02025 09:30"),
    ],
)
def test_format_date_says_1er_for_the_first_of_a_month_in_french(value, format_name, expected):
    with translation.override("fr"):
        assert french.format_date(value, format_name) == expected


def test_format_date_in_english_has_no_french_ordinal():
    with translation.override("en"):
        assert french.format_date(date(2025, 9, 1)) == "Sept.\u00a01, 2025"
        assert french.format_date(date(2025, 9, 1), "SHORT_DATE_FORMAT") == "09/01/2025"


def test_the_pages_date_filter_is_french_dates_in_every_template():
    template = engines["django"].from_string('{{ day|date:"DATE_FORMAT" }} · {{ day|date }}')
    with translation.override("fr"):
        assert template.render({"day": date(2025, 9, 1)}) == (
            "1er\u00a0septembre\u00a02025 · 1er\u00a0septembre\u00a02025"
        )
    with translation.override("en"):
        assert (
            template.render({"day": date(2025, 9, 1)}) == "Sept.\u00a01, 2025 · Sept.\u00a01, 2025"
        )
    assert template.render({"day": None}) == " · "


def test_format_percent_has_a_narrow_no_break_space_in_french_and_none_in_english():
    with translation.override("fr"):
        assert french.format_percent(Decimal("99.6")) == f"100{NNBSP}%"
        assert french.format_percent(0) == f"0{NNBSP}%"
        assert french.format_percent(None) == ""
    with translation.override("en"):
        assert french.format_percent(Decimal("42.4")) == "42%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Créés : 4 axes ; voilà !", f"Créés{NBSP}: 4 axes{NNBSP}; voilà{NNBSP}!"),
        ("Vraiment ? 100 %", f"Vraiment{NNBSP}? 100{NNBSP}%"),
        ("Le fichier « vide.xlsx »", f"Le fichier «{NNBSP}vide.xlsx{NNBSP}»"),
        (f"Déjà{NBSP}: 42%", f"Déjà{NBSP}: 42{NNBSP}%"),
        ("à 10:30, sur https://exemple.fr/?a=1;b", "à 10:30, sur https://exemple.fr/?a=1;b"),
    ],
)
def test_typography_writes_french_spaces_in_french(text, expected):
    with translation.override("fr"):
        assert french.typography(text) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Fichier : %(file)s", f"Fichier{NBSP}: %(file)s"),
        ("%(value)s %% de la cible", f"%(value)s{NNBSP}%% de la cible"),
        ("%(count)d%% ; « %(title)s »", f"%(count)d{NNBSP}%%{NNBSP}; «{NNBSP}%(title)s{NNBSP}»"),
        (
            'Voir <a href="/?page=2;x">la suite</a> !',
            f'Voir <a href="/?page=2;x">la suite</a>{NNBSP}!',
        ),
        ("Un espace&nbsp;: là", f"Un espace&nbsp;{NBSP}: là"),
        ("Taux (%) : {name}", f"Taux (%){NBSP}: {{name}}"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        (": en tête ; ", f": en tête{NNBSP}; "),
    ],
)
def test_typeset_sets_a_message_of_the_catalogue_and_leaves_its_placeholders(message, expected):
    assert french.typeset(message, message=True) == expected
    # the same again changes nothing, in whichever language is active
    with translation.override("en"):
        assert french.typeset(expected, message=True) == expected


def test_typography_leaves_english_alone():
    with translation.override("en"):
        assert french.typography("Created: 4 axes; done!") == "Created: 4 axes; done!"


def test_a_quantity_in_percent_writes_its_sign_as_a_percentage_does():
    with translation.override("fr"):
        assert french.format_quantity(100, "%") == f"100{NNBSP}%"
        assert french.format_quantity(15, "parcours") == f"15{NBSP}parcours"
    with translation.override("en"):
        assert french.format_quantity(100, "%") == "100%"
