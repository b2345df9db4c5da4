"""Words shared by every format, so a PDF, a Word file and a Markdown file say the same."""

from __future__ import annotations

from datetime import date, datetime

from bot.portfolio.document import (
    Coverage,
    Goal,
    Hours,
    LearningActivity,
    Portfolio,
    PortfolioReflection,
    Verification,
)
from framework import Competence, Indicator
from framework.model import shorten
from prompts import t

TITLE = "Reflective practice portfolio"
RECORD_TITLE = "Professional learning record"
FRAMEWORK_NOTE = (
    "Confirmed indicators are the practitioner's own judgement that a reflection evidences "
    "an indicator. The framework is not a checklist: gaps are prompts, not failings."
)
OUTCOMES = {"achieved": "goals.status_achieved", "dropped": "goals.status_dropped"}


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
    known = h.cycle_start is not None  # else: the last 12 months and the last 3 years
    year = f"{'This registration year' if known else 'Last 12 months'}"
    year += f" ({day(h.year_start)} – {day(h.year_end)})"
    cycle = f"{'This registration cycle' if known else 'Last 3 years'}"
    cycle += f" ({day(h.cycle_from)} – {day(h.cycle_end)})"
    if h.weekly_hours is None:
        return [
            f"{year}: {hours(h.this_year)} of professional learning.",
            f"{cycle}: {hours(h.this_cycle)}.",
            "Average weekly CLD hours not recorded, so the hours required are not shown.",
        ]
    return [
        f"{year}: {hours(h.this_year)} of {hours(h.required_per_year or 0)}"
        f" required ({hours(h.weekly_hours)} a week).",
        f"{cycle}: {hours(h.this_cycle)} of {hours(h.required_per_cycle or 0)} required.",
    ]


def goal_status(goal: Goal) -> str:
    return status_of_goal(goal.set_on, goal.closed_on, goal.outcome)


def status_of_goal(set_on: date, closed_on: date | None, outcome: str | None) -> str:
    """Open, set on 1 Sep 2026 / Achieved on 3 Nov 2026"""
    if closed_on is None:
        return t("goals.status_open", date=day(set_on))
    return t(OUTCOMES.get(outcome or "", "goals.status_closed"), date=day(closed_on))


# Section headings, in print order, and what each says when it is empty. Every format
# (PDF, Word, Markdown) prints the same sections in the same order.
CHART_TITLE = "Reflections evidencing each competence"
COVERAGE_TITLE = "Coverage of the framework"
HOURS_TITLE = "Professional learning hours"
GOALS_TITLE = "Goals"
EVIDENCE_TITLE = "Reflections by competence and indicator"
OTHER_TITLE = "Other reflections"
RECORD_GOALS = "(a) Professional learning goals"
RECORD_ACTIVITIES = "(b) Professional learning activities"
RECORD_IMPACT = "(c) Reflection on the impact on practice"
RECORD_REVIEW = "(d) Review with a verifier"
NO_EVIDENCE = "No reflections with confirmed indicators in this period."
NO_OTHER = "No other reflections in this period."
NO_GOALS = "No goals recorded in this period."
NO_ACTIVITIES = "No professional learning recorded in this period."
NO_VERIFICATIONS = "No review with a verifier recorded yet. To fill in at the review:"
# The lines to fill in by hand when no review is recorded: who, when, and the discussion.
BLANK_REVIEW = (
    "Date: ____________  Verifier: ______________________  Signature: ______________________",
    "Note: " + "_" * 64,
    "_" * 70,
    "_" * 70,
    "_" * 70,
)
COVERAGE_HEADER = ("Competence", "Reflections", "Indicators evidenced")
ACTIVITY_HEADER = ("Date", "Activity", "Kind", "Hours")


def counted(number: int, noun: str) -> str:
    """1 reflection, 2 reflections"""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def chart_title(portfolio: Portfolio) -> str:
    """Reflections evidencing each competence · 3 Sep 2026 – 27 Nov 2026"""
    return f"{CHART_TITLE} · {portfolio.period.describe()}"


def framework_line(portfolio: Portfolio) -> str:
    return f"{portfolio.framework.name}, version {portfolio.framework.version}"


def summary_line(portfolio: Portfolio) -> str:
    """10 reflections, 18 confirmed indicators, 11 h of professional learning in this period."""
    return (
        f"{counted(len(portfolio.reflections), 'reflection')}, "
        f"{counted(portfolio.coverage.total, 'confirmed indicator')}, "
        f"{hours(portfolio.hours.in_period)} of professional learning in this period."
    )


def competence_heading(competence: Competence) -> str:
    return f"Competence {competence.number}: {competence.title}"


def indicator_heading(indicator: Indicator) -> str:
    """1.2 investigate internal views and information relating to the area…"""
    return f"{indicator.id} {indicator.text}"


def coverage_rows(coverage: Coverage) -> list[tuple[str, str, str]]:
    """The competence table's rows, below COVERAGE_HEADER: one per competence."""
    return [
        (
            competence_heading(competence),
            str(coverage.competence_count(competence.number)),
            f"{len(competence.indicators) - len(coverage.gaps(competence.number))}"
            f" of {len(competence.indicators)}",
        )
        for competence in coverage.framework.competences
    ]


def gap_lines(coverage: Coverage) -> list[str]:
    """ "Nothing yet for 6.2 <short>, 6.5 <short>", one line per competence with gaps."""
    lines = []
    for competence in coverage.framework.competences:
        gaps = coverage.gaps(competence.number)
        if gaps:
            named = ", ".join(f"{i} {coverage.framework.indicator(i).short}" for i in gaps)
            lines.append(f"Nothing yet for {named}")
    return lines


def period_hours_line(portfolio: Portfolio) -> str:
    return f"In this period ({portfolio.period.describe()}): {hours(portfolio.hours.in_period)}."


def goal_competences(goal: Goal) -> str:
    """ "Competences 2, 3", "Competence 4", or '' when the goal is linked to none."""
    if not goal.competences:
        return ""
    label = "Competence" if len(goal.competences) == 1 else "Competences"
    return f"{label} {', '.join(str(n) for n in goal.competences)}"


def goal_line(goal: Goal) -> str:
    """ "Open, set on 29 Aug 2026 · Competences 2, 3": the status and linked competences."""
    return " · ".join(part for part in (goal_status(goal), goal_competences(goal)) if part)


def goal_review(goal: Goal) -> str:
    """ "Review, 7 Nov 2026: <note>", or '' when there is no review note."""
    if not goal.review:
        return ""
    when = f", {day(goal.reviewed_on)}" if goal.reviewed_on else ""
    return f"Review{when}: {goal.review}"


def evidence(
    portfolio: Portfolio,
) -> list[tuple[Competence, list[tuple[Indicator, list[PortfolioReflection]]]]]:
    """``portfolio.by_indicator()`` grouped under its competences, framework order."""
    framework = portfolio.framework
    grouped: dict[int, list[tuple[Indicator, list[PortfolioReflection]]]] = {}
    for indicator_id, reflections in portfolio.by_indicator():
        indicator = framework.indicator(indicator_id)
        grouped.setdefault(indicator.competence, []).append((indicator, reflections))
    return [(framework.competence(number), items) for number, items in grouped.items()]


def printed_under(portfolio: Portfolio, reflection: PortfolioReflection) -> str | None:
    """The indicator a reflection is printed in full under: the first it evidences, in
    framework order (the order of ``by_indicator``). Under any later one it gets only
    ``reference_line``."""
    return next((i for i in reflection.confirmed if portfolio.framework.get_indicator(i)), None)


def reflection_heading(reflection: PortfolioReflection) -> str:
    """27 Nov 2026 · What? So what? Now what? · Tuesday youth club, session of 25 Nov 2026
    (the session's date is said when it is not the day written)."""
    about = reflection.session or ""
    held = reflection.session_date
    if held is not None and held != reflection.written_at.date():
        about = f"{about}, session of {day(held)}" if about else f"Session of {day(held)}"
    parts = [day(reflection.written_at), reflection.set_name, about]
    return " · ".join(p for p in parts if p)


def learning_line(activity: LearningActivity) -> str:
    """Professional learning: Course, 6.5 h"""
    return f"Professional learning: {activity.kind_label}, {hours(activity.hours)}"


def evidence_line(reflection: PortfolioReflection) -> str:
    return f"Evidence for: {', '.join(reflection.confirmed)}"


def reference_line(reflection: PortfolioReflection, under: str) -> str:
    """27 Nov 2026 — first words… (see 1.2): the reflection is printed in full `under` 1.2."""
    return f"{day(reflection.written_at)} — {shorten(reflection.text, 60)} (see {under})"


def activity_rows(portfolio: Portfolio) -> list[tuple[str, str, str, str]]:
    """The activity table's rows, below ACTIVITY_HEADER, oldest first."""
    return [(day(a.on), a.description, a.kind_label, hours(a.hours)) for a in portfolio.activities]


def activity_heading(activity: LearningActivity) -> str:
    """13 Oct 2026 · Course · 6.5 h — Trauma-informed practice, a one-day course…"""
    return (
        f"{day(activity.on)} · {activity.kind_label} · {hours(activity.hours)}"
        f" — {shorten(activity.description, 80)}"
    )


def total_line(portfolio: Portfolio) -> str:
    return f"Total: {hours(sum(a.hours for a in portfolio.activities))}"


def impact(portfolio: Portfolio, activity: LearningActivity) -> str:
    """What the practitioner wrote about the activity's impact, or, when they wrote
    nothing separately, the reflection's answers."""
    if activity.impact:
        return activity.impact
    reflection = next((r for r in portfolio.reflections if r.id == activity.reflection_id), None)
    return reflection.text if reflection else ""


def verification_line(verification: Verification) -> str:
    """27 Nov 2026 — Alison Reid (accepted by the practitioner)"""
    accepted = "accepted" if verification.accepted else "not yet accepted"
    return f"{day(verification.on)} — {verification.verifier} ({accepted} by the practitioner)"
