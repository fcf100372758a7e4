"""Tests of the derived figures (roadmap.progress): docs/domain.md « Chiffres dérivés ».

Three layers:
- examples for every rule and edge case (no baseline, target equal to baseline, lower is better,
  no measurement, dates out of range, Decimal inputs, the three indicator kinds...);
- the seed roadmap's real numbers (500 000 learners over 5 years, 140 000 professionals a year,
  15 master programmes, 119 M€), computed exactly so a change of formula shows up at once;
- hypothesis properties over bounded finite numbers (|x| <= 1e12) and dates, compared with
  tolerance where floats are computed along different paths.

The module under test is pure, so nothing here needs Django or a database.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmap.progress import (
    ACADEMIC_YEAR,
    CONTRADICTION_DONE_OPEN,
    CONTRADICTION_IN_PROGRESS_OVERDUE,
    CUMULATIVE,
    HIGHER,
    LEVEL,
    LOWER,
    MAX_PERIODS,
    MONTH,
    PER_PERIOD,
    PERIODICITIES,
    QUARTER,
    STALE_AFTER_DAYS,
    YEAR,
    ActionProgress,
    IndicatorFigures,
    PeriodFigures,
    Point,
    Target,
    action_progress,
    action_progress_counts,
    contradictions,
    current_value,
    evaluate_indicator,
    evaluate_periods,
    forecast,
    headline_period,
    held_targets,
    indicator_progress,
    is_on_track,
    is_overdue,
    is_stale,
    period_containing,
    period_points,
    span,
    trajectory_knots,
    trajectory_through,
    trajectory_value,
)

# --- strategies ------------------------------------------------------------------------------

MAGNITUDE = 1e12

finite_floats = st.floats(
    min_value=-MAGNITUDE, max_value=MAGNITUDE, allow_nan=False, allow_infinity=False
)
decimals = st.decimals(
    min_value=Decimal(-(10**12)),
    max_value=Decimal(10**12),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
integers = st.integers(min_value=-(10**12), max_value=10**12)
numbers = st.one_of(finite_floats, decimals, integers)
optional_numbers = st.none() | numbers
directions = st.sampled_from([HIGHER, LOWER])
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
spans = st.integers(min_value=1, max_value=40 * 366)  # days from baseline date to target date
percentages = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


def close(a: float | None, b: float | Fraction | None, *, rel: float = 1e-9, abs_: float = 1e-9):
    """Float comparison with tolerance; ``None`` only equals ``None``."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, float(b), rel_tol=rel, abs_tol=abs_)


def evaluated(**given) -> IndicatorFigures:
    """`evaluate_indicator` of a level from 0 to 10 over START → END, measured never and
    evaluated at END, but for what `given` says."""
    arguments = {
        "kind": LEVEL,
        "direction": HIGHER,
        "baseline": 0,
        "baseline_date": START,
        "target": 10,
        "target_date": END,
        "points": [],
        "today": END,
        **given,
    }
    return evaluate_indicator(**arguments)


def mirrored(value):
    return None if value is None else -value


# --- current value ---------------------------------------------------------------------------

UNORDERED = [
    Point(date(2025, 3, 31), 20),
    Point(date(2025, 12, 31), 50),  # the latest, in the middle of the list
    Point(date(2025, 6, 30), 30),
]


def test_no_measurement_gives_no_current_value_whatever_the_kind():
    for kind in (CUMULATIVE, PER_PERIOD, LEVEL):
        assert current_value(kind, 10, []) is None


def test_cumulative_value_is_the_baseline_plus_every_measurement_dated_at_the_latest():
    assert current_value(CUMULATIVE, 5, UNORDERED) == (105.0, date(2025, 12, 31))


def test_cumulative_value_starts_from_zero_without_a_baseline():
    assert current_value(CUMULATIVE, None, UNORDERED) == (100.0, date(2025, 12, 31))


def test_per_period_value_is_the_latest_measurement_by_date_not_by_position():
    assert current_value(PER_PERIOD, 5, UNORDERED) == (50.0, date(2025, 12, 31))


def test_level_value_is_the_latest_measurement_by_date_not_by_position():
    assert current_value(LEVEL, 5, UNORDERED) == (50.0, date(2025, 12, 31))


def test_the_last_given_of_two_measurements_on_the_same_date_wins():
    points = [Point(date(2025, 1, 1), 1), Point(date(2025, 6, 1), 7), Point(date(2025, 6, 1), 9)]
    assert current_value(LEVEL, None, points) == (9.0, date(2025, 6, 1))


def test_current_value_accepts_decimals_and_returns_a_float():
    points = [Point(date(2025, 1, 1), Decimal("0.1")), Point(date(2025, 2, 1), Decimal("0.2"))]
    value, on = current_value(CUMULATIVE, Decimal("0.7"), points)
    assert isinstance(value, float)
    assert close(value, 1.0)
    assert on == date(2025, 2, 1)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        current_value("average", 0, UNORDERED)


# --- indicator progress ----------------------------------------------------------------------


def test_progress_is_the_share_of_the_way_from_baseline_to_target():
    assert indicator_progress(100, 300, 150) == 25.0


def test_progress_counts_from_zero_without_a_baseline():
    assert indicator_progress(None, 200, 50) == 25.0


def test_progress_is_unknown_without_a_current_value_or_a_target():
    assert indicator_progress(0, 100, None) is None
    assert indicator_progress(0, None, 50) is None


def test_progress_is_clamped_to_zero_when_going_the_wrong_way():
    assert indicator_progress(100, 200, 40) == 0.0


def test_progress_is_clamped_to_a_hundred_when_overshooting_the_target():
    assert indicator_progress(0, 200, 500) == 100.0


def test_lower_is_better_progress_counts_the_way_down():
    # e.g. a delay brought from 100 days down to 40: at 70 days, half the way is done.
    assert indicator_progress(100, 40, 70, LOWER) == 50.0
    assert indicator_progress(100, 40, 30, LOWER) == 100.0
    assert indicator_progress(100, 40, 120, LOWER) == 0.0


def test_target_equal_to_baseline_is_all_or_nothing_when_higher_is_better():
    assert indicator_progress(50, 50, 50, HIGHER) == 100.0
    assert indicator_progress(50, 50, 60, HIGHER) == 100.0
    assert indicator_progress(50, 50, 49, HIGHER) == 0.0


def test_target_equal_to_baseline_is_all_or_nothing_when_lower_is_better():
    assert indicator_progress(50, 50, 50, LOWER) == 100.0
    assert indicator_progress(50, 50, 40, LOWER) == 100.0
    assert indicator_progress(50, 50, 51, LOWER) == 0.0


def test_target_of_zero_without_a_baseline_compares_with_zero():
    assert indicator_progress(None, 0, 0, HIGHER) == 100.0
    assert indicator_progress(None, 0, 3, LOWER) == 0.0


def test_progress_accepts_decimals_and_returns_a_float():
    result = indicator_progress(Decimal("0.00"), Decimal("119000000.00"), Decimal("23800000.00"))
    assert isinstance(result, float)
    assert close(result, 20.0)


def test_a_tiny_gap_between_baseline_and_target_does_not_overflow_into_nan():
    assert indicator_progress(0.0, 5e-324, 1e12) == 100.0
    assert indicator_progress(0.0, 5e-324, -1e12) == 0.0


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        indicator_progress(0, 10, 5, "up")


# --- trajectory ------------------------------------------------------------------------------

START, END = date(2024, 1, 1), date(2024, 12, 31)  # 365 days apart (2024 is a leap year)


def test_trajectory_is_the_straight_line_from_baseline_to_target():
    middle = START + timedelta(days=73)
    assert close(trajectory_value(START, 100, END, 465, middle), 100 + 365 * 73 / 365)


def test_trajectory_is_the_baseline_before_the_baseline_date_and_the_target_after_the_target_date():
    assert trajectory_value(START, 100, END, 465, date(2023, 6, 1)) == 100.0
    assert trajectory_value(START, 100, END, 465, date(2030, 6, 1)) == 465.0


def test_trajectory_starts_from_zero_without_a_baseline():
    assert trajectory_value(START, None, END, 365, START + timedelta(days=10)) == 10.0


def test_trajectory_is_unknown_without_dates_or_target():
    assert trajectory_value(None, 0, END, 100, END) is None
    assert trajectory_value(START, 0, None, 100, END) is None
    assert trajectory_value(START, 0, END, None, END) is None


def test_trajectory_is_the_target_when_the_target_date_is_not_after_the_baseline_date():
    assert trajectory_value(END, 0, START, 100, date(2000, 1, 1)) == 100.0
    assert trajectory_value(START, 0, START, 100, START) == 100.0


def test_trajectory_goes_down_when_lower_is_better():
    assert close(trajectory_value(START, 365, END, 0, START + timedelta(days=65)), 300.0)


def test_trajectory_accepts_decimals_and_a_datetime():
    value = trajectory_value(
        START, Decimal("0.00"), END, Decimal("365.00"), datetime(2024, 1, 11, 23)
    )
    assert isinstance(value, float)
    assert close(value, 10.0)


# --- on track --------------------------------------------------------------------------------


def test_on_track_when_at_or_above_the_trajectory_if_higher_is_better():
    on = START + timedelta(days=73)  # trajectory: 73
    assert is_on_track(73, on, START, 0, END, 365) is True
    assert is_on_track(80, on, START, 0, END, 365) is True
    assert is_on_track(72, on, START, 0, END, 365) is False


def test_on_track_when_at_or_below_the_trajectory_if_lower_is_better():
    on = START + timedelta(days=65)  # trajectory: 300
    assert is_on_track(300, on, START, 365, END, 0, LOWER) is True
    assert is_on_track(250, on, START, 365, END, 0, LOWER) is True
    assert is_on_track(301, on, START, 365, END, 0, LOWER) is False


def test_on_track_is_unknown_without_a_current_value_or_a_trajectory():
    assert is_on_track(None, END, START, 0, END, 100) is None
    assert is_on_track(10, None, START, 0, END, 100) is None
    assert is_on_track(10, END, START, 0, None, 100) is None
    assert is_on_track(10, END, START, 0, END, None) is None


def test_a_measurement_before_the_baseline_date_is_held_against_the_baseline():
    assert is_on_track(5, date(2023, 12, 1), START, 5, END, 100) is True
    assert is_on_track(4, date(2023, 12, 1), START, 5, END, 100) is False


def test_after_the_target_date_on_track_means_the_target_is_reached():
    assert is_on_track(100, date(2026, 1, 1), START, 0, END, 100) is True
    assert is_on_track(99, date(2026, 1, 1), START, 0, END, 100) is False


# --- forecast --------------------------------------------------------------------------------


def test_forecast_extends_the_pace_since_the_baseline_to_the_target_date():
    # 73 gained in 73 days: 1 a day, so 365 over the 365 days to the target date.
    assert close(forecast(173, START + timedelta(days=73), START, 100, END), 465.0)


def test_forecast_starts_from_zero_without_a_baseline():
    assert close(forecast(73, START + timedelta(days=73), START, None, END), 365.0)


def test_forecast_follows_a_downward_pace_when_lower_is_better():
    assert close(forecast(300, START + timedelta(days=65), START, 365, END), 0.0)


def test_forecast_is_unknown_when_something_is_missing():
    assert forecast(None, END, START, 0, END) is None
    assert forecast(10, None, START, 0, END) is None
    assert forecast(10, END, None, 0, END) is None
    assert forecast(10, END, START, 0, None) is None


def test_forecast_is_unknown_when_the_measurement_is_not_after_the_baseline_date():
    assert forecast(10, START, START, 0, END) is None
    assert forecast(10, START - timedelta(days=1), START, 0, END) is None


def test_forecast_is_unknown_when_the_target_date_is_not_after_the_baseline_date():
    assert forecast(10, date(2025, 1, 1), END, 0, START) is None
    assert forecast(10, date(2025, 1, 1), START, 0, START) is None


def test_forecast_after_the_target_date_is_what_the_pace_gave_at_the_target_date():
    # 730 gained in 730 days: 1 a day, so 365 at the target date, 365 days after the baseline.
    assert close(forecast(730, START + timedelta(days=730), START, 0, END), 365.0)


def test_forecast_accepts_decimals_and_returns_a_float():
    result = forecast(Decimal("73.0"), START + timedelta(days=73), START, Decimal("0.00"), END)
    assert isinstance(result, float)
    assert close(result, 365.0)


# --- evaluate_indicator ----------------------------------------------------------------------


def test_an_indicator_without_measurement_only_shows_where_it_should_be_today():
    figures = evaluated(kind=CUMULATIVE, target=365, today=START + timedelta(days=100))
    assert figures == IndicatorFigures(
        current=None,
        current_date=None,
        progress=None,
        expected=100.0,
        on_track=None,
        forecast=None,
        target=365.0,
        next_target=Target(END, 365),
        next_progress=None,
        ended=False,
        reached=None,
    )


def test_an_indicator_whose_target_date_passed_expects_the_target():
    figures = evaluated(today=date(2027, 1, 1))
    assert figures.expected == 10.0


def test_an_indicator_measured_after_its_target_date_says_it_missed_the_target_without_forecast():
    figures = evaluated(points=[Point(date(2025, 12, 31), 8)], today=date(2026, 1, 15))
    assert figures.current == 8.0
    assert figures.current_date == date(2025, 12, 31)
    assert figures.progress == 80.0
    assert figures.expected == 10.0
    assert figures.on_track is False
    assert figures.forecast is None
    assert (figures.ended, figures.reached) == (True, False)
    assert (figures.next_target, figures.next_progress) == (None, None)


def test_an_indicator_that_met_its_target_says_so_once_the_target_date_has_passed():
    figures = evaluated(points=[Point(date(2024, 11, 30), 12)], today=END + timedelta(days=1))
    assert (figures.ended, figures.reached, figures.forecast) == (True, True, None)
    assert figures.progress == 100.0


def test_on_the_target_date_itself_the_indicator_has_not_ended_and_still_forecasts():
    figures = evaluated(points=[Point(START + timedelta(days=73), 2)], today=END)
    assert (figures.ended, figures.reached) == (False, None)
    assert figures.next_target == Target(END, 10)
    assert close(figures.forecast, 2 * 365 / 73)


def test_an_indicator_with_nothing_measured_after_its_target_date_has_no_verdict():
    figures = evaluated(today=END + timedelta(days=1))
    assert (figures.ended, figures.reached, figures.forecast) == (True, None, None)


def test_an_indicator_measured_before_its_baseline_date_has_no_forecast():
    figures = evaluated(baseline=2, points=[Point(date(2023, 11, 30), 3)], today=START)
    assert figures.expected == 2.0
    assert figures.on_track is True
    assert figures.forecast is None
    assert figures.progress == 12.5


def test_a_lower_is_better_indicator_is_evaluated_downward():
    figures = evaluated(
        direction=LOWER,
        baseline=365,
        target=0,
        points=[Point(START + timedelta(days=65), 280), Point(START + timedelta(days=10), 360)],
        today=date(2024, 6, 1),
    )
    assert figures.current == 280.0
    assert close(figures.progress, 85 / 365 * 100)
    assert close(figures.expected, 300.0)
    assert figures.on_track is True
    assert close(figures.forecast, 365 - 85 * 365 / 65)


def test_an_indicator_without_dates_still_has_a_progress():
    figures = evaluated(
        kind=PER_PERIOD,
        baseline=None,
        baseline_date=None,
        target=100,
        target_date=None,
        points=[Point(START, 40)],
    )
    assert figures.progress == 40.0
    assert figures.expected is None
    assert figures.on_track is None
    assert figures.forecast is None


def test_evaluate_indicator_refuses_an_unknown_direction_even_without_measurement():
    with pytest.raises(ValueError, match="direction"):
        evaluated(direction="down", target=1)


# --- the seed roadmap's real numbers ---------------------------------------------------------

SCHOOL_YEAR_2024 = date(2024, 9, 1)  # rentrée universitaire 2024/2025
FIVE_YEARS_LATER = date(2029, 9, 1)


def test_five_years_from_september_2024_last_1826_days_because_of_the_2028_leap_day():
    assert (FIVE_YEARS_LATER - SCHOOL_YEAR_2024).days == 5 * 365 + 1


def test_seed_500_000_learners_over_5_years_after_one_year_with_70_000_recorded():
    one_year_later = date(2025, 9, 1)
    figures = evaluated(
        kind=CUMULATIVE,
        baseline_date=SCHOOL_YEAR_2024,
        target=500_000,
        target_date=FIVE_YEARS_LATER,
        # Two batches of learners recorded out of order: they add up.
        points=[Point(one_year_later, 45_000), Point(date(2025, 2, 28), 25_000)],
        today=date(2025, 10, 15),
    )
    elapsed = (one_year_later - SCHOOL_YEAR_2024).days  # 365: no leap day in this first year
    total = (FIVE_YEARS_LATER - SCHOOL_YEAR_2024).days  # 1826
    assert figures.current == 70_000.0
    assert figures.current_date == one_year_later
    assert close(figures.progress, 14.0)
    expected = Fraction(500_000 * elapsed, total)  # 99 945.24…, a hair under 100 000
    assert close(figures.expected, expected)
    assert 99_900 < figures.expected < 100_000
    assert figures.on_track is False
    projected = Fraction(70_000 * total, elapsed)  # 350 191.78…
    assert close(figures.forecast, projected)
    assert math.isclose(figures.forecast, 350_000, rel_tol=0.001)


def test_seed_70_000_learners_a_year_from_2024_2025_is_held_per_year():
    figures = evaluated(
        kind=PER_PERIOD,
        baseline=None,
        baseline_date=None,
        target=70_000,
        target_date=date(2025, 8, 31),
        points=[Point(date(2025, 8, 31), 63_000)],
        today=date(2025, 9, 1),
    )
    assert close(figures.progress, 90.0)


def test_seed_140_000_professionals_a_year_holds_only_the_latest_year_against_the_target():
    figures = evaluated(
        kind=PER_PERIOD,
        baseline=None,  # the source gives no baseline nor date for this target
        baseline_date=None,
        target=140_000,
        target_date=None,
        points=[Point(date(2026, 12, 31), 120_000), Point(date(2025, 12, 31), 95_000)],
        today=date(2027, 1, 15),
    )
    assert figures.current == 120_000.0  # not 215 000: years do not add up
    assert figures.current_date == date(2026, 12, 31)
    assert close(figures.progress, 120_000 / 140_000 * 100)
    assert figures.expected is None
    assert figures.on_track is None
    assert figures.forecast is None


def test_seed_15_master_programmes_counts_the_latest_stock():
    figures = evaluated(
        baseline_date=date(2025, 2, 1),
        target=15,
        target_date=None,
        points=[
            Point(date(2025, 6, 30), 6),
            Point(date(2025, 12, 31), 9),
            Point(date(2025, 3, 31), 2),
        ],
        today=date(2026, 1, 10),
    )
    assert figures.current == 9.0  # the stock, not 6 + 9 + 2
    assert close(figures.progress, 60.0)


def test_seed_119_million_euros_adds_up_decimal_amounts():
    figures = evaluated(
        kind=CUMULATIVE,
        baseline=Decimal("0.00"),
        baseline_date=date(2025, 1, 1),
        target=Decimal("119000000.00"),
        target_date=date(2030, 1, 1),
        points=[
            Point(date(2025, 12, 31), Decimal("23800000.00")),
            Point(date(2025, 6, 30), Decimal("11900000.00")),
        ],
        today=date(2026, 1, 1),
    )
    assert figures.current == 35_700_000.0
    assert close(figures.progress, 30.0)
    assert isinstance(figures.progress, float)
    expected = Fraction(119_000_000 * 364, (date(2030, 1, 1) - date(2025, 1, 1)).days)
    assert close(figures.expected, expected)
    assert figures.on_track is True  # 30 % of the money after a fifth of the time


# --- action progress -------------------------------------------------------------------------


def test_action_progress_is_the_share_of_milestones_done():
    assert action_progress(1, 4, [10.0]) == 25.0


def test_action_progress_is_zero_not_unmeasured_when_no_milestone_is_done():
    assert action_progress(0, 3, []) == 0.0


def test_action_progress_uses_milestones_even_when_indicators_exist():
    assert action_progress(3, 3, [0.0, 0.0]) == 100.0


def test_action_without_milestone_takes_the_mean_of_its_measured_indicators():
    assert close(action_progress(0, 0, [20.0, None, 50.0]), 35.0)


def test_action_without_milestone_nor_measured_indicator_is_not_measured():
    assert action_progress(0, 0, []) is None
    assert action_progress(0, 0, [None, None]) is None


def test_inconsistent_milestone_counts_are_refused():
    for done, total in ((4, 3), (-1, 3), (0, -1)):
        with pytest.raises(ValueError, match="milestone"):
            action_progress(done, total, [])


# --- flags -----------------------------------------------------------------------------------

TODAY = date(2025, 6, 15)


def test_a_milestone_past_due_and_not_done_is_overdue():
    assert is_overdue(TODAY - timedelta(days=1), None, TODAY) is True


def test_a_milestone_due_today_is_not_overdue_yet():
    assert is_overdue(TODAY, None, TODAY) is False


def test_a_milestone_done_even_late_is_not_overdue():
    assert is_overdue(date(2025, 1, 1), date(2025, 3, 1), TODAY) is False


def test_a_milestone_without_due_date_is_never_overdue():
    assert is_overdue(None, None, TODAY) is False


def test_an_action_never_updated_is_stale():
    assert is_stale(None, TODAY) is True


def test_an_action_becomes_stale_on_the_ninetieth_day_without_update():
    assert STALE_AFTER_DAYS == 90
    assert is_stale(TODAY - timedelta(days=89), TODAY) is False
    assert is_stale(TODAY - timedelta(days=90), TODAY) is True
    assert is_stale(date(2025, 1, 1), date(2025, 4, 1)) is True  # 90 days, not a leap year


def test_staleness_counts_calendar_days_of_a_datetime():
    last = datetime(2025, 3, 17, 23, 59)  # 90 days before TODAY, late in the evening
    assert is_stale(last, TODAY) is True
    assert is_stale(last, datetime(2025, 6, 14, 0, 1)) is False


def test_an_update_in_the_future_is_not_stale():
    assert is_stale(TODAY + timedelta(days=3), TODAY) is False


def test_the_staleness_delay_can_be_changed():
    assert is_stale(TODAY - timedelta(days=30), TODAY, days=30) is True
    assert is_stale(TODAY - timedelta(days=29), TODAY, days=30) is False


def test_in_progress_with_overdue_milestones_is_a_contradiction():
    assert contradictions("in_progress", 1, 2) == [CONTRADICTION_IN_PROGRESS_OVERDUE]


def test_done_with_open_milestones_is_a_contradiction():
    assert contradictions("done", 0, 1) == [CONTRADICTION_DONE_OPEN]


def test_statuses_consistent_with_the_milestones_contradict_nothing():
    assert contradictions("in_progress", 0, 5) == []
    assert contradictions("done", 0, 0) == []
    assert contradictions("late", 3, 3) == []
    assert contradictions("at_risk", 3, 3) == []
    assert contradictions("not_started", 2, 2) == []
    assert contradictions(None, 3, 3) == []


# --- properties ------------------------------------------------------------------------------


@given(baseline=optional_numbers, target=optional_numbers, current=optional_numbers, d=directions)
def test_progress_is_always_between_0_and_100_or_unknown(baseline, target, current, d):
    result = indicator_progress(baseline, target, current, d)
    if current is None or target is None:
        assert result is None
    else:
        assert isinstance(result, float)
        assert 0.0 <= result <= 100.0


@given(baseline=optional_numbers, target=numbers, current=numbers, d=directions)
def test_mirroring_values_around_zero_and_flipping_direction_keeps_the_progress(
    baseline, target, current, d
):
    flipped = LOWER if d == HIGHER else HIGHER
    assert close(
        indicator_progress(mirrored(baseline), -target, -current, flipped),
        indicator_progress(baseline, target, current, d),
    )


@given(baseline=finite_floats, target=finite_floats, low=finite_floats, high=finite_floats)
def test_progress_never_decreases_as_the_current_value_moves_toward_the_target(
    baseline, target, low, high
):
    low, high = sorted((low, high))
    d = HIGHER if target >= baseline else LOWER
    nearer, farther = (high, low) if d == HIGHER else (low, high)
    assert indicator_progress(baseline, target, nearer, d) >= indicator_progress(
        baseline, target, farther, d
    )


@given(baseline=optional_numbers, target=numbers, start=dates, span=spans)
def test_trajectory_is_the_baseline_at_the_baseline_date_and_the_target_at_the_target_date(
    baseline, target, start, span
):
    end = start + timedelta(days=span)
    assert trajectory_value(start, baseline, end, target, start) == float(baseline or 0)
    assert trajectory_value(start, baseline, end, target, end) == float(target)


@given(
    baseline=optional_numbers,
    target=numbers,
    start=dates,
    span=spans,
    offsets=st.tuples(st.integers(-400, 40 * 366 + 400), st.integers(-400, 40 * 366 + 400)),
)
def test_trajectory_is_monotonic_and_stays_between_baseline_and_target(
    baseline, target, start, span, offsets
):
    end = start + timedelta(days=span)
    first, second = sorted(offsets)
    v1 = trajectory_value(start, baseline, end, target, start + timedelta(days=first))
    v2 = trajectory_value(start, baseline, end, target, start + timedelta(days=second))
    b, t = float(baseline or 0), float(target)
    assert v1 <= v2 if t >= b else v1 >= v2
    for value in (v1, v2):
        assert min(b, t) <= value <= max(b, t)


@given(
    current=numbers,
    baseline=optional_numbers,
    target=numbers,
    start=dates,
    span=spans,
    offset=st.integers(-400, 40 * 366 + 400),
    d=directions,
)
def test_on_track_means_at_or_beyond_the_trajectory_at_the_measurement_date(
    current, baseline, target, start, span, offset, d
):
    end = start + timedelta(days=span)
    on = start + timedelta(days=offset)
    expected = trajectory_value(start, baseline, end, target, on)
    on_track = is_on_track(current, on, start, baseline, end, target, d)
    assert on_track == (float(current) >= expected if d == HIGHER else float(current) <= expected)
    # Exactly on the line counts as on track, whichever way is better.
    assert is_on_track(expected, on, start, baseline, end, target, d) is True


@given(current=numbers, baseline=optional_numbers, start=dates, span=spans)
def test_forecast_is_the_current_value_when_measured_on_the_target_date(
    current, baseline, start, span
):
    end = start + timedelta(days=span)
    assert close(forecast(current, end, start, baseline, end), float(current))


@given(
    baseline=optional_numbers,
    target=numbers,
    start=dates,
    span=st.integers(min_value=2, max_value=40 * 366),
    data=st.data(),
)
def test_forecast_from_a_value_on_the_trajectory_is_the_target(baseline, target, start, span, data):
    offset = data.draw(st.integers(min_value=1, max_value=span - 1))
    end = start + timedelta(days=span)
    on = start + timedelta(days=offset)
    on_line = trajectory_value(start, baseline, end, target, on)
    scale = max(abs(float(baseline or 0)), abs(float(target)), 1.0)
    assert close(forecast(on_line, on, start, baseline, end), float(target), abs_=1e-6 * scale)


@given(
    counts=st.integers(min_value=0, max_value=1000).flatmap(
        lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
    ),
    progresses=st.lists(st.none() | percentages, max_size=20),
)
def test_action_progress_is_always_between_0_and_100_or_unmeasured(counts, progresses):
    done, total = counts
    result = action_progress(done, total, progresses)
    if total == 0 and all(p is None for p in progresses):
        assert result is None
    else:
        assert 0.0 <= result <= 100.0


@given(
    kind=st.sampled_from([CUMULATIVE, PER_PERIOD, LEVEL]),
    d=directions,
    baseline=optional_numbers,
    target=optional_numbers,
    start=dates,
    span=spans,
    points=st.lists(st.builds(Point, on=dates, value=numbers), max_size=6),
    today=dates,
)
def test_evaluated_figures_agree_with_each_other(
    kind, d, baseline, target, start, span, points, today
):
    end = start + timedelta(days=span)
    figures = evaluate_indicator(
        kind=kind,
        direction=d,
        baseline=baseline,
        baseline_date=start,
        target=target,
        target_date=end,
        points=points,
        today=today,
    )
    if not points:
        assert (figures.current, figures.progress, figures.on_track) == (None, None, None)
        assert figures.expected == trajectory_value(start, baseline, end, target, today)
        return
    assert figures.current_date == max(point.on for point in points)
    assert figures.expected == trajectory_value(start, baseline, end, target, figures.current_date)
    if target is None:
        assert (figures.progress, figures.expected, figures.on_track) == (None, None, None)
    else:
        assert 0.0 <= figures.progress <= 100.0
        assert figures.on_track == (
            figures.current >= figures.expected
            if d == HIGHER
            else figures.current <= figures.expected
        )
    # A forecast needs a pace (a value after the baseline date), a final target and a target
    # date not yet past.
    assert (figures.forecast is None) == (
        figures.current_date <= start or target is None or today > end
    )
    assert figures.ended == (today > end)
    if figures.ended and target is not None:
        assert figures.reached == (
            figures.current >= float(target) if d == HIGHER else figures.current <= float(target)
        )
    else:
        assert figures.reached is None


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periodicity", "day", "period"),
    [
        # an academic year runs from 1 September to 31 August
        (ACADEMIC_YEAR, date(2024, 9, 1), (date(2024, 9, 1), date(2025, 8, 31))),
        (ACADEMIC_YEAR, date(2025, 1, 15), (date(2024, 9, 1), date(2025, 8, 31))),
        (ACADEMIC_YEAR, date(2025, 8, 31), (date(2024, 9, 1), date(2025, 8, 31))),
        (ACADEMIC_YEAR, date(2025, 9, 1), (date(2025, 9, 1), date(2026, 8, 31))),
        (ACADEMIC_YEAR, date(2028, 2, 29), (date(2027, 9, 1), date(2028, 8, 31))),
        (YEAR, date(2025, 1, 1), (date(2025, 1, 1), date(2025, 12, 31))),
        (YEAR, date(2028, 12, 31), (date(2028, 1, 1), date(2028, 12, 31))),
        (QUARTER, date(2025, 1, 1), (date(2025, 1, 1), date(2025, 3, 31))),
        (QUARTER, date(2025, 3, 31), (date(2025, 1, 1), date(2025, 3, 31))),
        (QUARTER, date(2025, 4, 1), (date(2025, 4, 1), date(2025, 6, 30))),
        (QUARTER, date(2025, 9, 30), (date(2025, 7, 1), date(2025, 9, 30))),
        (QUARTER, date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (MONTH, date(2025, 1, 31), (date(2025, 1, 1), date(2025, 1, 31))),
        (MONTH, date(2027, 2, 14), (date(2027, 2, 1), date(2027, 2, 28))),
        (MONTH, date(2028, 2, 14), (date(2028, 2, 1), date(2028, 2, 29))),  # a leap year
        (MONTH, date(2100, 2, 1), (date(2100, 2, 1), date(2100, 2, 28))),  # 2100 is none
        (MONTH, date(2025, 12, 1), (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_a_date_belongs_to_the_period_that_contains_it(periodicity, day, period):
    assert period_containing(periodicity, day) == period


def test_a_period_contains_the_calendar_day_of_a_datetime():
    assert period_containing(QUARTER, datetime(2025, 3, 31, 23, 59)) == (
        date(2025, 1, 1),
        date(2025, 3, 31),
    )


def test_an_unknown_periodicity_is_refused():
    with pytest.raises(ValueError, match="periodicity"):
        period_containing("week", date(2025, 1, 1))


def test_a_span_of_five_academic_years_starts_with_the_year_of_its_first_date():
    periods = span(ACADEMIC_YEAR, date(2024, 10, 15), 5, date(2000, 1, 1))
    assert periods == [(date(y, 9, 1), date(y + 1, 8, 31)) for y in range(2024, 2029)]


def test_an_open_ended_span_runs_up_to_the_period_containing_its_last_day():
    assert span(QUARTER, date(2025, 1, 1), None, date(2025, 7, 1)) == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
    ]
    assert span(QUARTER, date(2025, 1, 1), None, date(2025, 6, 30)) == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
    ]


def test_an_open_ended_span_that_has_not_begun_has_its_first_period():
    assert span(YEAR, date(2030, 5, 1), None, date(2025, 1, 1)) == [
        (date(2030, 1, 1), date(2030, 12, 31))
    ]


def test_an_open_ended_span_never_lists_more_than_max_periods():
    assert MAX_PERIODS == 240
    open_ended = span(MONTH, date(2000, 1, 1), None, date(2100, 1, 1))
    assert len(open_ended) == MAX_PERIODS
    assert open_ended[-1] == (date(2019, 12, 1), date(2019, 12, 31))
    # a number of periods is the indicator's own: never cut
    assert len(span(MONTH, date(2000, 1, 1), 600, date(2000, 1, 1))) == 600


def test_a_span_has_at_least_one_period():
    with pytest.raises(ValueError, match="at least one period"):
        span(YEAR, date(2025, 1, 1), 0, date(2025, 1, 1))


@given(
    periodicity=st.sampled_from(PERIODICITIES),
    first=dates,
    count=st.none() | st.integers(min_value=1, max_value=300),
    until=dates,
)
def test_the_periods_of_a_span_follow_each_other_without_gap(periodicity, first, count, until):
    periods = span(periodicity, first, count, until)
    assert len(periods) == count if count is not None else 1 <= len(periods) <= MAX_PERIODS
    assert periods[0][0] <= first <= periods[0][1]
    for (_, end), (start, _) in itertools.pairwise(periods):
        assert start == end + timedelta(days=1)
    for start, end in periods:
        assert period_containing(periodicity, start) == (start, end)
        assert period_containing(periodicity, end) == (start, end)


# --- per-period indicators -------------------------------------------------------------------

YEAR_2024 = (date(2024, 9, 1), date(2025, 8, 31))
YEAR_2025 = (date(2025, 9, 1), date(2026, 8, 31))


def per_year(**given) -> IndicatorFigures:
    """The seed's « 70 000 learners a year »: each academic year of five from 2024/2025 from
    0 to 70 000, evaluated on 15 February 2026 (in 2025/2026), but for what `given` says."""
    arguments = {
        "kind": PER_PERIOD,
        "direction": HIGHER,
        "baseline": 0,
        "baseline_date": None,
        "target": 70_000,
        "target_date": date(2029, 8, 31),
        "points": [],
        "today": date(2026, 2, 15),
        "periodicity": ACADEMIC_YEAR,
        "periods_from": date(2024, 9, 1),
        "period_count": 5,
        **given,
    }
    return evaluate_indicator(**arguments)


TWO_YEARS = [
    Point(date(2025, 6, 30), 72_000),
    Point(date(2026, 1, 31), 35_000),
]


def test_each_academic_year_is_held_against_its_own_target_with_its_own_values():
    figures = per_year(points=TWO_YEARS)

    first, second, *future = figures.periods
    assert first == PeriodFigures(
        start=YEAR_2024[0],
        end=YEAR_2024[1],
        target=70_000.0,
        value=72_000.0,
        value_date=date(2025, 6, 30),
        progress=100.0,
        state="past",
        reached=True,
    )
    # the current year: its own line, from 0 on 31 August 2025 to 70 000 on 31 August 2026
    assert second == PeriodFigures(
        start=YEAR_2025[0],
        end=YEAR_2025[1],
        target=70_000.0,
        value=35_000.0,
        value_date=date(2026, 1, 31),
        progress=50.0,
        state="current",
        expected=pytest.approx(70_000 * 153 / 365),
        on_track=True,
        forecast=pytest.approx(35_000 * 365 / 153),
    )
    assert [(p.start, p.state, p.value, p.progress) for p in future] == [
        (date(2026, 9, 1), "future", None, None),
        (date(2027, 9, 1), "future", None, None),
        (date(2028, 9, 1), "future", None, None),
    ]
    # the indicator leads with the current year
    assert figures.period == second
    assert (figures.current, figures.current_date, figures.progress) == (
        35_000.0,
        date(2026, 1, 31),
        50.0,
    )
    assert figures.target == 70_000.0
    assert figures.next_target == Target(YEAR_2025[1], 70_000.0)
    assert figures.next_progress == 50.0
    assert (figures.ended, figures.reached, figures.on_track) == (False, None, True)
    assert figures.forecast == second.forecast


def test_a_year_s_value_is_its_latest_measurement_not_their_sum():
    figures = per_year(
        points=[
            Point(date(2025, 3, 31), 40_000),
            Point(date(2025, 8, 31), 65_000),
            Point(date(2024, 12, 31), 20_000),
        ]
    )
    assert (figures.periods[0].value, figures.periods[0].value_date) == (
        65_000.0,
        date(2025, 8, 31),
    )
    assert close(figures.periods[0].progress, 65_000 / 70_000 * 100)
    assert figures.periods[0].reached is False


def test_a_measurement_on_31_august_closes_a_year_and_one_on_1_september_opens_the_next():
    figures = per_year(points=[Point(date(2025, 8, 31), 1), Point(date(2025, 9, 1), 2)])
    assert [p.value for p in figures.periods[:2]] == [1.0, 2.0]


def test_a_period_s_own_target_overrides_the_recurring_one():
    figures = per_year(targets=[Target(date(2025, 10, 1), 80_000)], points=TWO_YEARS)
    assert [p.target for p in figures.periods] == [70_000.0, 80_000.0, 70_000.0, 70_000.0, 70_000]
    assert figures.target == 80_000.0
    assert figures.progress == 35_000 / 80_000 * 100
    assert figures.next_target == Target(YEAR_2025[1], 80_000.0)


def test_measurements_outside_the_span_count_in_no_period():
    figures = per_year(
        points=[Point(date(2024, 8, 31), 9_999), Point(date(2029, 9, 1), 9_999)],
        today=date(2026, 2, 15),
    )
    assert len(figures.periods) == 5
    assert all(p.value is None for p in figures.periods)
    assert figures.current is None


def test_once_the_span_is_over_a_per_period_indicator_says_whether_its_last_year_reached_it():
    figures = per_year(
        points=[*TWO_YEARS, Point(date(2029, 6, 30), 69_000)], today=date(2029, 9, 1)
    )
    assert all(p.state == "past" and p.forecast is None for p in figures.periods)
    assert figures.period == figures.periods[-1]
    assert (figures.ended, figures.reached, figures.on_track) == (True, False, False)
    assert figures.forecast is None
    assert (figures.next_target, figures.next_progress) == (None, None)
    assert [p.reached for p in figures.periods] == [True, False, None, None, False]


def test_before_its_span_begins_a_per_period_indicator_leads_with_its_first_period():
    figures = per_year(today=date(2024, 6, 1))
    assert {p.state for p in figures.periods} == {"future"}
    assert figures.period == figures.periods[0]
    assert figures.next_target == Target(YEAR_2024[1], 70_000.0)
    assert (figures.current, figures.forecast, figures.ended) == (None, None, False)


def test_an_open_ended_per_period_indicator_runs_up_to_today_and_never_ends():
    figures = per_year(period_count=None, target=140_000, today=date(2027, 10, 1))
    assert [p.start for p in figures.periods] == [date(y, 9, 1) for y in range(2024, 2028)]
    assert figures.periods[-1].state == "current"
    assert figures.ended is False


def test_a_lower_is_better_period_is_reached_at_or_under_its_target():
    figures = per_year(
        direction=LOWER,
        baseline=100,
        target=40,
        points=[Point(date(2025, 1, 1), 40), Point(date(2026, 1, 1), 70)],
        today=date(2026, 1, 2),
    )
    assert figures.periods[0].reached is True
    assert figures.periods[1].progress == 50.0


def test_a_per_period_indicator_without_periods_falls_back_to_its_latest_value():
    figures = per_year(periodicity=None, periods_from=None, points=TWO_YEARS)
    assert (figures.periods, figures.period) == ((), None)
    assert figures.current == 35_000.0


def test_headline_period_is_the_current_one_else_the_last_past_one_else_the_first():
    def period(state, year):
        return PeriodFigures(date(year, 1, 1), date(year, 12, 31), 1, None, None, None, state)

    assert headline_period([period("past", 1), period("current", 2), period("future", 3)]) == (
        period("current", 2)
    )
    assert headline_period([period("past", 1), period("past", 2)]) == period("past", 2)
    assert headline_period([period("future", 3), period("future", 4)]) == period("future", 3)
    assert headline_period([]) is None


def test_a_sum_adds_up_the_value_of_each_measured_period():
    periods = per_year(points=[*TWO_YEARS, Point(date(2025, 2, 1), 10)]).periods
    points = period_points(periods)
    assert points == [Point(date(2025, 6, 30), 72_000.0), Point(date(2026, 1, 31), 35_000.0)]
    total = evaluated(
        kind=CUMULATIVE,
        baseline_date=date(2024, 9, 1),
        target=500_000,
        target_date=date(2029, 8, 31),
        points=points,
        today=date(2026, 2, 15),
    )
    assert total.current == 107_000.0
    assert close(total.progress, 107_000 / 500_000 * 100)


# --- several dated targets -------------------------------------------------------------------

BY_2026 = Target(date(2026, 8, 31), 200_000)


def five_years(**given) -> IndicatorFigures:
    """500 000 learners from 1 September 2024 to 31 August 2029, with 200 000 due by
    31 August 2026, but for what `given` says."""
    return evaluated(
        **{
            "kind": CUMULATIVE,
            "baseline_date": date(2024, 9, 1),
            "target": 500_000,
            "target_date": date(2029, 8, 31),
            "targets": [BY_2026],
            "points": [Point(date(2025, 8, 31), 70_000)],
            "today": date(2025, 9, 15),
            **given,
        }
    )


def test_the_trajectory_runs_through_each_dated_target():
    figures = five_years()
    first_leg = (date(2026, 8, 31) - date(2024, 9, 1)).days  # 729 days
    assert close(figures.expected, 200_000 * 364 / first_leg)
    at_the_step = five_years(points=[Point(date(2026, 8, 31), 1)])
    assert at_the_step.expected == 200_000.0
    second_leg = (date(2029, 8, 31) - date(2026, 8, 31)).days
    later = five_years(points=[Point(date(2027, 8, 31), 1)], today=date(2027, 9, 1))
    assert close(later.expected, 200_000 + 300_000 * 365 / second_leg)


def test_progress_is_shown_against_the_next_target_and_against_the_final_one():
    figures = five_years()
    assert figures.next_target == BY_2026
    assert figures.next_progress == 35.0  # 70 000 of 200 000
    assert close(figures.progress, 14.0)  # 70 000 of 500 000
    assert figures.target == 500_000.0
    # the forecast is at the next target's date
    assert close(
        figures.forecast,
        forecast(70_000, date(2025, 8, 31), date(2024, 9, 1), 0, date(2026, 8, 31)),
    )


def test_once_a_dated_target_is_past_the_next_one_is_the_following_target():
    figures = five_years(today=date(2026, 9, 1))
    assert figures.next_target == Target(date(2029, 8, 31), 500_000)
    assert close(figures.next_progress, 14.0)
    assert figures.ended is False
    assert close(
        figures.forecast,
        forecast(70_000, date(2025, 8, 31), date(2024, 9, 1), 0, date(2029, 8, 31)),
    )


def test_a_target_due_today_is_still_the_next_one():
    assert five_years(today=date(2026, 8, 31)).next_target == BY_2026


def test_dated_targets_may_come_in_any_order():
    targets = [Target(date(2028, 8, 31), 400_000), BY_2026, Target(date(2027, 8, 31), 300_000)]
    figures = five_years(targets=targets, points=[Point(date(2027, 8, 31), 1)])
    assert figures.expected == 300_000.0
    assert five_years(targets=targets).next_target == BY_2026


def test_a_target_before_the_baseline_or_after_the_final_date_is_no_step_of_the_line():
    stray = [Target(date(2024, 1, 1), 999_999), Target(date(2030, 1, 1), 1)]
    assert five_years(targets=stray) == five_years(targets=[])


def test_an_undated_final_target_draws_the_line_as_far_as_the_last_dated_target_only():
    figures = five_years(target_date=None, points=[Point(date(2026, 8, 31), 1)])
    assert figures.expected == 200_000.0
    beyond = five_years(
        target_date=None, points=[Point(date(2026, 9, 1), 1)], today=date(2026, 9, 2)
    )
    assert beyond.expected is None
    assert beyond.on_track is None
    assert beyond.next_target == Target(None, 500_000)
    assert beyond.forecast is None


def test_trajectory_through_knots_is_flat_before_the_first_and_after_the_last():
    knots = [(date(2025, 1, 1), 0), (date(2025, 1, 11), 10), (date(2025, 1, 21), 30)]
    assert trajectory_through(knots, date(2024, 1, 1)) == 0.0
    assert trajectory_through(knots, date(2025, 1, 6)) == 5.0
    assert trajectory_through(knots, date(2025, 1, 16)) == 20.0
    assert trajectory_through(knots, date(2026, 1, 1)) == 30.0
    assert trajectory_through(knots[:1], date(2025, 1, 1)) is None
    assert trajectory_through([], date(2025, 1, 1)) is None


def test_of_two_knots_on_the_same_date_the_later_given_wins_on_that_date_and_after():
    knots = [(date(2025, 1, 1), 0), (date(2025, 1, 11), 10), (date(2025, 1, 11), 50)]
    knots.append((date(2025, 1, 21), 50))
    assert trajectory_through(knots, date(2025, 1, 11)) == 50.0
    assert trajectory_through(knots, date(2025, 1, 16)) == 50.0
    assert trajectory_through(knots, date(2025, 1, 6)) == 25.0


# --- action progress and its counts ----------------------------------------------------------


def test_action_progress_with_milestones_says_how_many_and_ignores_the_indicators():
    assert action_progress_counts(1, 1, [20.0, None]) == ActionProgress(
        100.0, "milestones", 1, 1, 2
    )


def test_action_progress_from_indicators_says_how_many_were_measured():
    assert action_progress_counts(0, 0, [20.0, None, 50.0]) == ActionProgress(
        35.0, "indicators", 2, 2, 3
    )


def test_action_progress_without_milestones_nor_measured_indicators_is_unmeasured():
    assert action_progress_counts(0, 0, [None]) == ActionProgress(None, None, 0, 0, 1)
    assert action_progress_counts(0, 0, []) == ActionProgress(None, None, 0, 0, 0)


def test_action_progress_counts_refuse_inconsistent_milestone_counts():
    with pytest.raises(ValueError, match="milestone"):
        action_progress_counts(2, 1, [])


# --- properties of periods and targets (issue « Done when ») ---------------------------------

day_offsets = st.lists(st.integers(min_value=1, max_value=20 * 366), min_size=1, max_size=6)


@given(
    baseline=optional_numbers,
    start=dates,
    offsets=day_offsets.map(lambda days: sorted(set(days))),
    values=st.lists(numbers, min_size=6, max_size=6),
    order=st.randoms(use_true_random=False),
    kind=st.sampled_from([CUMULATIVE, LEVEL]),
    d=directions,
)
def test_the_trajectory_passes_through_every_target(
    baseline, start, offsets, values, order, kind, d
):
    dated = [
        Target(start + timedelta(days=offset), value)
        for offset, value in zip(offsets, values, strict=False)
    ]
    *intermediate, final = dated
    shuffled = list(intermediate)
    order.shuffle(shuffled)
    knots = [(start, baseline or 0), *((t.on, t.value) for t in dated)]
    order.shuffle(knots)
    for target in dated:
        assert trajectory_through(knots, target.on) == float(target.value)
        figures = evaluate_indicator(
            kind=kind,
            direction=d,
            baseline=baseline,
            baseline_date=start,
            target=final.value,
            target_date=final.on,
            targets=shuffled,
            points=[],
            today=target.on,
        )
        assert figures.expected == float(target.value)
    assert trajectory_through(knots, start) == float(baseline or 0)


@given(
    kind=st.sampled_from([CUMULATIVE, PER_PERIOD, LEVEL]),
    d=directions,
    baseline=optional_numbers,
    target=numbers,
    start=dates,
    span_days=spans,
    targets=st.lists(st.builds(Target, on=dates, value=numbers), max_size=4),
    points=st.lists(st.builds(Point, on=dates, value=numbers), max_size=6),
    late=st.integers(min_value=1, max_value=10_000),
)
def test_no_forecast_once_the_final_target_date_is_past(
    kind, d, baseline, target, start, span_days, targets, points, late
):
    end = start + timedelta(days=span_days)
    figures = evaluate_indicator(
        kind=kind,
        direction=d,
        baseline=baseline,
        baseline_date=start,
        target=target,
        target_date=end,
        targets=targets,
        points=points,
        today=end + timedelta(days=late),
    )
    assert figures.forecast is None
    assert figures.ended is True
    assert figures.next_target is None


@given(
    periodicity=st.sampled_from(PERIODICITIES),
    first=dates,
    count=st.integers(min_value=1, max_value=12),
    d=directions,
    target=optional_numbers,
    points=st.lists(st.builds(Point, on=dates, value=numbers), max_size=8),
    late=st.integers(min_value=1, max_value=3000),
)
def test_no_forecast_in_any_period_once_the_span_has_ended(
    periodicity, first, count, d, target, points, late
):
    last_day = span(periodicity, first, count, first)[-1][1]
    figures = evaluate_indicator(
        kind=PER_PERIOD,
        direction=d,
        baseline=0,
        baseline_date=None,
        target=target,
        target_date=None,
        points=points,
        today=last_day + timedelta(days=late),
        periodicity=periodicity,
        periods_from=first,
        period_count=count,
    )
    assert figures.ended is True
    assert figures.forecast is None
    assert all(p.forecast is None and p.state == "past" for p in figures.periods)
    assert figures.reached == figures.periods[-1].reached


period_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(
    periodicity=st.sampled_from(PERIODICITIES),
    first=period_dates,
    count=st.none() | st.integers(min_value=1, max_value=30),
    d=directions,
    baseline=optional_numbers,
    target=optional_numbers,
    targets=st.lists(st.builds(Target, on=period_dates, value=numbers), max_size=4),
    own=st.lists(st.builds(Point, on=period_dates, value=numbers), max_size=5),
    others=st.lists(st.builds(Point, on=period_dates, value=numbers), max_size=8),
    today=period_dates,
    pick=st.integers(min_value=0, max_value=1000),
)
def test_a_period_s_progress_depends_on_that_period_s_values_only(
    periodicity, first, count, d, baseline, target, targets, own, others, today, pick
):
    def periods(points):
        return evaluate_periods(
            periodicity=periodicity,
            first_day=first,
            count=count,
            target=target,
            targets=targets,
            baseline=baseline,
            direction=d,
            points=points,
            today=today,
        )

    alone = periods([])
    chosen = alone[pick % len(alone)]
    inside = [
        Point(chosen.start + (p.on - chosen.start) % (chosen.end - chosen.start + ONE_DAY), p.value)
        for p in own
    ]
    outside = [p for p in others if not chosen.start <= p.on <= chosen.end]
    with_own = {p.start: p for p in periods(inside)}[chosen.start]
    # adding points outside the period, in any order, changes nothing in it
    mixed = outside[: len(outside) // 2] + inside + outside[len(outside) // 2 :]
    assert {p.start: p for p in periods(mixed)}[chosen.start] == with_own
    # and removing them all leaves it as it was, with nothing measured it is as if alone
    if not inside:
        assert with_own == chosen


ONE_DAY = timedelta(days=1)


@given(
    periodicity=st.none() | st.sampled_from(PERIODICITIES),
    kind=st.sampled_from([CUMULATIVE, PER_PERIOD, LEVEL]),
    first=period_dates,
    count=st.none() | st.integers(min_value=1, max_value=30),
    d=directions,
    baseline=optional_numbers,
    baseline_date=st.none() | period_dates,
    target=optional_numbers,
    target_date=st.none() | period_dates,
    targets=st.lists(st.builds(Target, on=st.none() | period_dates, value=numbers), max_size=4),
    points=st.lists(st.builds(Point, on=period_dates, value=numbers), max_size=8),
    today=period_dates,
)
def test_every_percentage_stays_between_0_and_100(
    periodicity,
    kind,
    first,
    count,
    d,
    baseline,
    baseline_date,
    target,
    target_date,
    targets,
    points,
    today,
):
    figures = evaluate_indicator(
        kind=PER_PERIOD if periodicity else kind,
        direction=d,
        baseline=baseline,
        baseline_date=baseline_date,
        target=target,
        target_date=target_date,
        targets=targets,
        points=points,
        today=today,
        periodicity=periodicity,
        periods_from=first if periodicity else None,
        period_count=count,
    )
    shares = [figures.progress, figures.next_progress, *(p.progress for p in figures.periods)]
    assert all(share is None or 0.0 <= share <= 100.0 for share in shares)
    if figures.progress is not None and figures.current is not None:
        assert figures.target is not None


def test_held_targets_are_the_steps_of_the_line_by_date_then_the_final_target():
    stray = [Target(date(2024, 1, 1), 1), Target(date(2030, 1, 1), 2), Target(None, 3)]
    later = Target(date(2027, 8, 31), 300_000)
    assert held_targets(date(2024, 9, 1), 500_000, date(2029, 8, 31), [later, BY_2026, *stray]) == [
        BY_2026,
        later,
        Target(date(2029, 8, 31), 500_000),
    ]
    assert held_targets(None, 500_000, None, [BY_2026]) == [BY_2026, Target(None, 500_000)]
    assert held_targets(None, None, None, []) == []


def test_the_knots_of_the_trajectory_start_at_the_baseline_and_need_a_dated_target_after_it():
    assert trajectory_knots(None, date(2024, 9, 1), 500_000, date(2029, 8, 31), [BY_2026]) == [
        (date(2024, 9, 1), 0.0),
        (date(2026, 8, 31), 200_000.0),
        (date(2029, 8, 31), 500_000.0),
    ]
    assert trajectory_knots(0, None, 500_000, date(2029, 8, 31)) == []
    assert trajectory_knots(0, date(2024, 9, 1), 500_000, None) == []
    assert trajectory_knots(0, date(2024, 9, 1), 500_000, date(2024, 9, 1)) == []
