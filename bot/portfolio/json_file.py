"""The portfolio as JSON: everything in it, for another program or a later import.

Dates and times are ISO 8601 (times with the practitioner's UTC offset); text is UTF-8,
not escaped, so it stays readable. The framework's competences and indicators are
included, so a confirmed id can be read without ReflectBot.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.portfolio.document import (
    Goal,
    Hours,
    LearningActivity,
    Portfolio,
    PortfolioReflection,
    Verification,
)
from framework import Framework

FORMAT = "reflectbot-portfolio"
VERSION = 1


def render(portfolio: Portfolio) -> bytes:
    text = json.dumps(as_data(portfolio), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8", errors="replace")


def as_data(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as JSON-ready dicts and lists."""
    period = portfolio.period
    coverage = portfolio.coverage
    return {
        "format": FORMAT,
        "version": VERSION,
        "practitioner": portfolio.practitioner,
        "timezone": portfolio.timezone,
        "made_at": portfolio.made_at.isoformat(),
        "period": {"start": _iso(period.start), "end": _iso(period.end), "label": period.label},
        "framework": _framework(portfolio.framework),
        "coverage": {
            "by_competence": {str(n): count for n, count in coverage.by_competence.items()},
            "by_indicator": dict(coverage.counts),
            "gaps": list(coverage.gaps()),
        },
        "hours": _hours(portfolio.hours),
        "goals": [_goal(goal) for goal in portfolio.goals],
        "reflections": [_reflection(portfolio, r) for r in portfolio.reflections],
        "activities": [_activity(activity) for activity in portfolio.activities],
        "verifications": [_verification(v) for v in portfolio.verifications],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _framework(framework: Framework) -> dict[str, Any]:
    return {
        "name": framework.name,
        "version": framework.version,
        "source": framework.source,
        "competences": [
            {
                "number": competence.number,
                "title": competence.title,
                "indicators": [
                    {"id": i.id, "text": i.text, "short": i.short} for i in competence.indicators
                ],
            }
            for competence in framework.competences
        ],
    }


def _hours(hours: Hours) -> dict[str, Any]:
    return {
        "weekly_hours": hours.weekly_hours,
        "cycle_start": _iso(hours.cycle_start),
        "year_start": _iso(hours.year_start),
        "year_end": _iso(hours.year_end),
        "cycle_end": _iso(hours.cycle_end),
        "this_year": hours.this_year,
        "this_cycle": hours.this_cycle,
        "in_period": hours.in_period,
        "required_per_year": hours.required_per_year,
        "required_per_cycle": hours.required_per_cycle,
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.id,
        "text": goal.text,
        "competences": list(goal.competences),
        "set_on": _iso(goal.set_on),
        "closed_on": _iso(goal.closed_on),
        "outcome": goal.outcome,
        "review": goal.review,
        "reviewed_on": _iso(goal.reviewed_on),
    }


def _reflection(portfolio: Portfolio, reflection: PortfolioReflection) -> dict[str, Any]:
    framework = portfolio.framework
    return {
        "id": reflection.id,
        "written_at": reflection.written_at.isoformat(),
        "set_name": reflection.set_name,
        "kind": reflection.kind,
        "session": reflection.session,
        "session_date": reflection.session_date.isoformat() if reflection.session_date else None,
        "items": [{"question": item.question, "answer": item.answer} for item in reflection.items],
        "confirmed": [
            {"id": i, "text": indicator.text if (indicator := framework.get_indicator(i)) else ""}
            for i in reflection.confirmed
        ],
        "learning": _activity(reflection.learning) if reflection.learning else None,
        "goal_id": reflection.goal_id,
    }


def _activity(activity: LearningActivity) -> dict[str, Any]:
    return {
        "reflection_id": activity.reflection_id,
        "on": _iso(activity.on),
        "kind": activity.kind,
        "kind_label": activity.kind_label,
        "hours": activity.hours,
        "description": activity.description,
        "impact": activity.impact,
        "goal_id": activity.goal_id,
    }


def _verification(verification: Verification) -> dict[str, Any]:
    return {
        "on": _iso(verification.on),
        "verifier": verification.verifier,
        "note": verification.note,
        "accepted": verification.accepted,
    }
