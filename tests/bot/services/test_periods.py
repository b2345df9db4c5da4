"""Registration years and cycles, the periods offered on buttons, and local dates as UTC
bounds: pure date arithmetic."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.portfolio import Period
from bot.services import periods
from bot.services.periods import (
    Window,
    add_months,
    add_years,
    registration_cycle,
    registration_year,
    utc_bounds,
)

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2025, 4, 1), 1, date(2026, 4, 1)),
        (date(2025, 4, 1), -3, date(2022, 4, 1)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), 0, date(2024, 2, 29)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 11, 23), -3, date(2026, 8, 23)),
        (date(2026, 11, 23), -12, date(2025, 11, 23)),
        (date(2026, 2, 28), 0, date(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# -- the registration year and cycle ----------------------------------------------------------


@pytest.mark.parametrize("cycle_start", [None, date(2026, 11, 24), date(2030, 1, 1)])
def test_without_a_cycle_start_in_the_past_the_year_and_cycle_end_today(cycle_start):
    assert registration_year(TODAY, cycle_start) == Window(date(2025, 11, 24), TODAY)
    assert registration_cycle(TODAY, cycle_start) == Window(date(2023, 11, 24), TODAY)


def test_a_cycle_starting_today():
    assert registration_year(TODAY, TODAY) == Window(TODAY, date(2027, 11, 22))
    assert registration_cycle(TODAY, TODAY) == Window(TODAY, date(2029, 11, 22))


@pytest.mark.parametrize(
    ("today", "year", "cycle"),
    [
        # the day before the first anniversary: still the first year
        (
            date(2026, 3, 31),
            Window(date(2025, 4, 1), date(2026, 3, 31)),
            Window(date(2025, 4, 1), date(2028, 3, 31)),
        ),
        # the anniversary: the second year
        (
            date(2026, 4, 1),
            Window(date(2026, 4, 1), date(2027, 3, 31)),
            Window(date(2025, 4, 1), date(2028, 3, 31)),
        ),
        (
            TODAY,
            Window(date(2026, 4, 1), date(2027, 3, 31)),
            Window(date(2025, 4, 1), date(2028, 3, 31)),
        ),
        # the cycle's last day
        (
            date(2028, 3, 31),
            Window(date(2027, 4, 1), date(2028, 3, 31)),
            Window(date(2025, 4, 1), date(2028, 3, 31)),
        ),
        # three years on, a new cycle begins by itself
        (
            date(2028, 4, 1),
            Window(date(2028, 4, 1), date(2029, 3, 31)),
            Window(date(2028, 4, 1), date(2031, 3, 31)),
        ),
        (
            date(2035, 6, 1),
            Window(date(2035, 4, 1), date(2036, 3, 31)),
            Window(date(2034, 4, 1), date(2037, 3, 31)),
        ),
    ],
)
def test_years_and_cycles_from_a_cycle_start(today, year, cycle):
    cycle_start = date(2025, 4, 1)
    assert registration_year(today, cycle_start) == year
    assert registration_cycle(today, cycle_start) == cycle


def test_a_cycle_started_more_than_three_years_ago_rolls_on():
    assert registration_cycle(TODAY, date(2022, 4, 1)) == Window(
        date(2025, 4, 1), date(2028, 3, 31)
    )
    # six years to the day: the third cycle starts today
    assert registration_cycle(TODAY, date(2020, 11, 23)) == Window(TODAY, date(2029, 11, 22))
    # six years less a day: the second cycle's last day
    assert registration_cycle(TODAY, date(2020, 11, 24)) == Window(date(2023, 11, 24), TODAY)


def test_a_cycle_starting_on_29_february_in_ordinary_years():
    leap = date(2024, 2, 29)
    assert registration_year(date(2025, 2, 27), leap) == Window(leap, date(2025, 2, 27))
    assert registration_year(date(2025, 2, 28), leap) == Window(
        date(2025, 2, 28), date(2026, 2, 27)
    )
    assert registration_cycle(date(2027, 2, 28), leap) == Window(
        date(2027, 2, 28), date(2030, 2, 27)
    )


def test_on_28_february_of_a_leap_year_the_year_from_29_february_has_not_ended():
    """From 29 Feb 2024, the fourth registration year runs 28 Feb 2027 to 28 Feb 2028 (the
    next one starts on 29 Feb 2028): 28 Feb 2028 belongs to it."""
    assert registration_year(date(2028, 2, 28), date(2024, 2, 29)) == Window(
        date(2027, 2, 28), date(2028, 2, 28)
    )
    assert registration_year(date(2028, 2, 29), date(2024, 2, 29)) == Window(
        date(2028, 2, 29), date(2029, 2, 27)
    )
    assert registration_cycle(date(2028, 2, 28), date(2016, 2, 29)) == Window(
        date(2025, 2, 28), date(2028, 2, 28)
    )


def every_day(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("cycle_start", [date(2024, 2, 29), date(2016, 2, 29)])
def test_the_year_and_cycle_always_contain_today_even_from_29_february(cycle_start):
    """Every day from the start for 16 years lies in the year and cycle given for it."""
    for today in every_day(cycle_start, add_years(cycle_start, 16)):
        year = registration_year(today, cycle_start)
        cycle = registration_cycle(today, cycle_start)
        assert year.start <= today <= year.end, (today, year)
        assert cycle.start <= today <= cycle.end, (today, cycle)


@pytest.mark.parametrize("cycle_start", [date(2025, 4, 1), date(2024, 2, 29), date(2023, 1, 31)])
def test_years_follow_each_other_without_gaps_or_overlaps(cycle_start):
    """The day after a year ends is the first day of the next one, for 12 years."""
    today = cycle_start
    for _ in range(12):
        year = registration_year(today, cycle_start)
        assert year.start == today
        today = year.end + timedelta(days=1)


# -- periods offered on buttons ----------------------------------------------------------------


def test_the_periods_offered_in_order():
    assert list(periods.PERIODS) == ["3m", "12m", "cycle", "all"]


def test_last_three_and_twelve_months():
    assert periods.period("3m", TODAY, None) == Period(date(2026, 8, 24), TODAY, "Last 3 months")
    assert periods.period("12m", TODAY, None) == Period(date(2025, 11, 24), TODAY, "Last 12 months")
    assert periods.period("3m", date(2026, 5, 31), None).start == date(2026, 3, 1)


def test_this_cycle_is_the_registration_cycle_up_to_today():
    cycle = periods.period("cycle", TODAY, date(2025, 4, 1))
    assert cycle == Period(date(2025, 4, 1), TODAY, "This registration cycle")
    unknown = periods.period("cycle", TODAY, None)
    assert unknown == Period(date(2023, 11, 24), TODAY, "Last 3 years")


def test_everything_has_no_start():
    assert periods.period("all", TODAY, date(2025, 4, 1)) == Period(None, TODAY, "Everything")


def test_an_unknown_period_is_a_key_error():
    with pytest.raises(KeyError):
        periods.period("6m", TODAY, None)


# -- local dates as UTC bounds ------------------------------------------------------------------


def test_utc_bounds_of_local_dates_in_summer_and_winter():
    assert utc_bounds(date(2026, 7, 1), date(2026, 7, 31), "Europe/London") == (
        datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 31, 23, 0, tzinfo=UTC),
    )
    assert utc_bounds(date(2026, 1, 1), date(2026, 1, 31), "Europe/London") == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
    )
    assert utc_bounds(None, date(2026, 1, 31), "America/New_York") == (
        None,
        datetime(2026, 2, 1, 5, 0, tzinfo=UTC),
    )


def inside(moment: datetime, bounds: tuple[datetime | None, datetime]) -> bool:
    start, end = bounds
    return (start is None or start <= moment) and moment < end


def test_a_period_ending_on_the_day_the_clocks_go_back():
    """British Summer Time ends at 02:00 on Sunday 25 October 2026: the period's last
    evening is in GMT, its first morning in BST."""
    bounds = utc_bounds(date(2026, 10, 1), date(2026, 10, 25), "Europe/London")
    assert bounds == (
        datetime(2026, 9, 30, 23, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 0, 0, tzinfo=UTC),
    )
    assert inside(datetime(2026, 10, 25, 23, 30, tzinfo=LONDON), bounds)
    assert not inside(datetime(2026, 10, 26, 0, 10, tzinfo=LONDON), bounds)
    assert inside(datetime(2026, 10, 1, 0, 10, tzinfo=LONDON), bounds)
    assert not inside(datetime(2026, 9, 30, 23, 50, tzinfo=LONDON), bounds)


def test_a_period_ending_the_day_before_the_clocks_go_forward():
    """BST starts at 01:00 UTC on Sunday 29 March 2026."""
    bounds = utc_bounds(date(2026, 3, 1), date(2026, 3, 28), "Europe/London")
    assert bounds[1] == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert inside(datetime(2026, 3, 28, 23, 59, tzinfo=LONDON), bounds)
    assert not inside(datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), bounds)
    after = utc_bounds(date(2026, 3, 30), date(2026, 3, 30), "Europe/London")
    assert after == (
        datetime(2026, 3, 29, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 23, 0, tzinfo=UTC),
    )


def test_utc_bounds_are_aware_utc_datetimes():
    start, end = utc_bounds(date(2026, 7, 1), date(2026, 7, 1), "Asia/Kolkata")
    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert end - start == timedelta(days=1)
    assert start == datetime(2026, 6, 30, 18, 30, tzinfo=UTC)
