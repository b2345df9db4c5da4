"""Words shared by every format, so a PDF, a Word file and a Markdown file say the same."""

from __future__ import annotations

from datetime import date, datetime

from bot.portfolio.document import Goal, Hours, Portfolio

TITLE = "Reflective practice portfolio"
RECORD_TITLE = "Professional learning record"
FRAMEWORK_NOTE = (
    "Confirmed indicators are the practitioner's own judgement that a reflection evidences "
    "an indicator. The framework is not a checklist: gaps are prompts, not failings."
)
OUTCOMES = {"achieved": "Achieved", "dropped": "Closed without finishing"}


def day(value: date | datetime) -> str:
    """27 Nov 2026"""
    return f"{value.day} {value:%b %Y}"


def hours(value: float) -> str:
    """6.5 h, 3 h"""
    return f"{value:g} h" if value != int(value) else f"{int(value)} h"


def made_line(portfolio: Portfolio) -> str:
    return f"Made on {day(portfolio.made_at)} at {portfolio.made_at:%H:%M} with ReflectBot"


def requirement_lines(h: Hours) -> list[str]:
    """PL hours against the requirement, one line each for the year and the cycle."""
    year = f"{day(h.year_start)} – {day(h.year_end)}"
    cycle_start = h.cycle_start or h.year_start
    cycle = f"{day(cycle_start)} – {day(h.cycle_end)}"
    if h.weekly_hours is None:
        return [
            f"This year ({year}): {hours(h.this_year)} of professional learning.",
            f"This registration cycle ({cycle}): {hours(h.this_cycle)}.",
            "Set your average weekly CLD hours in /settings to see the requirement.",
        ]
    return [
        f"This year ({year}): {hours(h.this_year)} of {hours(h.required_per_year or 0)}"
        f" required ({hours(h.weekly_hours)} a week).",
        f"This registration cycle ({cycle}): {hours(h.this_cycle)} of"
        f" {hours(h.required_per_cycle or 0)} required.",
    ]


def goal_status(goal: Goal) -> str:
    if goal.open:
        return f"Open, set on {day(goal.set_on)}"
    outcome = OUTCOMES.get(goal.outcome, "Closed")
    return f"{outcome} on {day(goal.closed_on)}" if goal.closed_on else outcome
