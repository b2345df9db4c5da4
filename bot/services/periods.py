"""Periods a practitioner can look back over, and the CLD registration year and cycle.

Pure date arithmetic, no storage: registration runs in cycles of three years from the
date the practitioner gives as the start of their current cycle; each year of a cycle
starts on that date's anniversary. Until they give it, "this year" is the last twelve
months and "this cycle" the last three years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.portfolio import Period
from prompts import t

CYCLE_YEARS = 3
# Button keys and the message keys of their labels, in the order offered.
PERIODS: dict[str, str] = {
    "3m": "periods.last_quarter",
    "12m": "periods.last_year",
    "cycle": "periods.this_cycle",
    "all": "periods.everything",
}


def add_years(day: date, years: int) -> date:
    """The same date ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or the month's last day)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Window:
    """Local dates, both included."""

    start: date
    end: date


def _whole_years(since: date, today: date) -> int:
    years = today.year - since.year
    return years - 1 if add_years(since, years) > today else years


def registration_year(today: date, cycle_start: date | None) -> Window:
    """The registration year containing ``today`` (the last 12 months if not known)."""
    if cycle_start is None or cycle_start > today:
        return Window(add_years(today, -1) + timedelta(days=1), today)
    years = _whole_years(cycle_start, today)
    # Both ends from the cycle's own start, so a 29 February start leaves no gap.
    start = add_years(cycle_start, years)
    return Window(start, add_years(cycle_start, years + 1) - timedelta(days=1))


def registration_cycle(today: date, cycle_start: date | None) -> Window:
    """The three-year cycle containing ``today`` (the last 3 years if not known); a cycle
    start given long ago rolls on, three years at a time."""
    if cycle_start is None or cycle_start > today:
        return Window(add_years(today, -CYCLE_YEARS) + timedelta(days=1), today)
    cycles = _whole_years(cycle_start, today) // CYCLE_YEARS
    start = add_years(cycle_start, cycles * CYCLE_YEARS)
    return Window(start, add_years(cycle_start, (cycles + 1) * CYCLE_YEARS) - timedelta(days=1))


def period(key: str, today: date, cycle_start: date | None) -> Period:
    """The period a button names, ending today; KeyError for an unknown key."""
    label = t(PERIODS[key])
    match key:
        case "3m":
            return Period(add_months(today, -3) + timedelta(days=1), today, label)
        case "12m":
            return Period(add_years(today, -1) + timedelta(days=1), today, label)
        case "cycle":
            cycle = registration_cycle(today, cycle_start)
            if cycle_start is None:
                label = t("periods.rolling_cycle")
            return Period(cycle.start, today, label)
    return Period(None, today, label)


def utc_bounds(start: date | None, end: date, timezone: str) -> tuple[datetime | None, datetime]:
    """[start, end] in local dates as a half-open UTC interval, for storage queries."""
    zone = ZoneInfo(timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    return (None if start is None else midnight(start)), midnight(end + timedelta(days=1))
