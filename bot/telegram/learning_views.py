"""Rendering professional learning: marking a reflection (kind, hours), goals (/goals,
linking a reflection to one), and the registration details in /settings."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.portfolio import LEARNING_KINDS, Hours
from bot.portfolio.document import learning_kind_label
from bot.portfolio.wording import day, hours, status_of_goal
from bot.services.learning import GoalSummary
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button
from framework import Framework
from prompts import t
from storage import LearningGoal, LearningMark, Registration

# Hours offered on buttons, in quarters of an hour.
HOUR_CHOICES = (2, 4, 6, 8, 12, 16)
DAY_QUARTERS = 28  # a day's training: 7 hours


def _rows(buttons: Sequence, width: int) -> list[list]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def kind_menu(reflection_id: int, mark: LearningMark | None) -> View:
    """What kind of learning it was (and, if already marked, a way to unmark it)."""
    kinds = [
        button(learning_kind_label(kind), cd.LearningTap(reflection_id, kind))  # type: ignore[arg-type]
        for kind in LEARNING_KINDS
    ]
    rows = _rows(kinds, 3)
    if mark is None:
        text = t("learning.kind_ask")
    else:
        text = t(
            "learning.kind_ask_marked", kind=learning_kind_label(mark.kind), hours=hours(mark.hours)
        )
        rows.append(
            [button(t("learning.remove_button"), cd.LearningTap(reflection_id, remove=True))]
        )
    return text, InlineKeyboardMarkup(rows)


def hours_menu(reflection_id: int, kind: cd.LearningKind) -> View:
    choices = [button(hours(q / 4), cd.LearningTap(reflection_id, kind, q)) for q in HOUR_CHOICES]
    rows = _rows(choices, 3)
    rows.append(
        [
            button(t("learning.day_button"), cd.LearningTap(reflection_id, kind, DAY_QUARTERS)),
            button(t("learning.hours_type_button"), cd.LearningTap(reflection_id, kind, -1)),
        ]
    )
    return t("learning.hours_ask", kind=learning_kind_label(kind)), InlineKeyboardMarkup(rows)


def hours_typed_ask() -> str:
    return "\n\n".join([t("learning.hours_typed_ask"), t("settings.cancel_hint")])


def hours_lines(summary: Hours, *, year_only: bool = False) -> str:
    """Professional learning this registration year (and cycle) against the requirement;
    the last 12 months (and 3 years) until the cycle's start is known."""
    known = summary.cycle_start is not None
    periods = [
        (
            t("learning.this_year" if known else "learning.rolling_year"),
            summary.this_year,
            summary.required_per_year,
        ),
        (
            t("learning.this_cycle" if known else "learning.rolling_cycle"),
            summary.this_cycle,
            summary.required_per_cycle,
        ),
    ]
    lines = [
        t("learning.hours_line_unset", period=period, done=hours(done))
        if required is None
        else t("learning.hours_line", period=period, done=hours(done), required=hours(required))
        for period, done, required in periods[: 1 if year_only else 2]
    ]
    if summary.required_per_year is None:
        lines.append(t("learning.hours_unset_hint"))
    return "\n".join(lines)


def marked(mark: LearningMark, summary: Hours, has_goals: bool) -> View:
    text = t(
        "learning.marked",
        kind=learning_kind_label(mark.kind),
        hours=hours(mark.hours),
        requirement=hours_lines(summary, year_only=True),
    )
    if not has_goals:
        return text, None
    return text, InlineKeyboardMarkup(
        [[button(t("learning.goal_button"), cd.GoalLink(mark.reflection_id))]]
    )


def reflection_notes(mark: LearningMark | None, goal: LearningGoal | None) -> list[str]:
    """Lines under a whole reflection in /history: learning, and the goal it serves."""
    notes = []
    if mark is not None:
        notes.append(
            t("learning.note_line", kind=learning_kind_label(mark.kind), hours=hours(mark.hours))
        )
    if goal is not None:
        notes.append(t("goals.note_line", text=escape(goal.text)))
    return notes


# ---- goals


def goal_link_menu(reflection_id: int, goals: Sequence[LearningGoal], current: int | None) -> View:
    if not goals:
        return t("goals.link_no_goals"), None
    rows = [
        [
            button(
                ("✓ " if goal.id == current else "") + _short(goal.text, 60),
                cd.GoalLink(reflection_id, goal.id),
            )
        ]
        for goal in goals
    ]
    rows.append([button(t("goals.link_none_button"), cd.GoalLink(reflection_id, 0))])
    return t("goals.link_ask"), InlineKeyboardMarkup(rows)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _competences(goal: LearningGoal) -> str:
    return ", ".join(str(n) for n in goal.competences)


def _progress(summary: GoalSummary) -> str:
    return t("goals.progress", reflections=summary.reflections, hours=hours(summary.hours))


def goals_list(summaries: Sequence[GoalSummary]) -> View:
    """Open goals with what was done towards each; closed ones a tap away."""
    open_ones = [s for s in summaries if s.goal.closed_at is None]
    closed = len(summaries) - len(open_ones)
    lines = [t("goals.intro"), ""]
    if not open_ones:
        lines.append(t("goals.none"))
    for number, summary in enumerate(open_ones, start=1):
        goal = summary.goal
        lines.append(
            t(
                "goals.line",
                number=number,
                text=escape(goal.text),
                progress=_progress(summary),
                competences=t("goals.competences", numbers=_competences(goal))
                if goal.competences
                else "",
            )
        )
    buttons = [
        button(t("goals.open_button", number=n), cd.GoalTap(s.goal.id, "open"))
        for n, s in enumerate(open_ones, start=1)
    ]
    rows = _rows(buttons, 5)
    last = [button(t("goals.new_button"), cd.GoalTap(0, "new"))]
    if closed:
        last.append(button(t("goals.closed_button", count=closed), cd.GoalTap(0, "closed")))
    rows.append(last)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def status(goal: LearningGoal, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    closed = None if goal.closed_at is None else goal.closed_at.astimezone(zone).date()
    return status_of_goal(goal.created_at.astimezone(zone).date(), closed, goal.outcome)


def closed_goals(summaries: Sequence[GoalSummary], timezone: str) -> View:
    closed = [s for s in summaries if s.goal.closed_at is not None]
    lines = [t("goals.closed_heading"), ""]
    if not closed:
        lines.append(t("goals.closed_none"))
    for number, summary in enumerate(closed, start=1):
        lines.append(
            t(
                "goals.closed_line",
                number=number,
                text=escape(summary.goal.text),
                status=status(summary.goal, timezone),
            )
        )
    buttons = [
        button(t("goals.open_button", number=n), cd.GoalTap(s.goal.id, "open"))
        for n, s in enumerate(closed, start=1)
    ]
    rows = _rows(buttons, 5)
    rows.append([button(t("goals.list_button"), cd.GoalTap(0, "list"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def goal_detail(summary: GoalSummary, timezone: str, note: str = "") -> View:
    goal = summary.goal
    review = ""
    if goal.review and goal.reviewed_at is not None:
        reviewed = day(goal.reviewed_at.astimezone(ZoneInfo(timezone)))
        review = t("goals.review_line", date=reviewed, note=escape(goal.review))
    text = t(
        "goals.detail",
        text=escape(goal.text),
        status=status(goal, timezone),
        progress=_progress(summary),
        competences_line=t("goals.competences_line", numbers=_competences(goal))
        if goal.competences
        else "",
        review=review,
    )
    if note:
        text = f"{note}\n\n{text}"
    gid = goal.id
    if goal.closed_at is None:
        rows = [
            [
                button(t("goals.competences_button"), cd.GoalTap(gid, "comp")),
                button(t("goals.review_button"), cd.GoalTap(gid, "review")),
            ],
            [
                button(t("goals.achieved_button"), cd.GoalTap(gid, "achieved")),
                button(t("goals.dropped_button"), cd.GoalTap(gid, "dropped")),
            ],
        ]
    else:
        rows = [[button(t("goals.reopen_button"), cd.GoalTap(gid, "reopen"))]]
    rows.append([button(t("goals.list_button"), cd.GoalTap(0, "list"))])
    return text, InlineKeyboardMarkup(rows)


def competences_menu(goal: LearningGoal, framework: Framework) -> View:
    buttons = [
        button(
            ("✓ " if c.number in goal.competences else "") + f"{c.number} {_short(c.title, 28)}",
            cd.GoalTap(goal.id, "toggle", c.number),
        )
        for c in framework.competences
    ]
    rows = [[b] for b in buttons]
    rows.append([button(t("goals.competences_done_button"), cd.GoalTap(goal.id, "open"))])
    return t("goals.competences_ask"), InlineKeyboardMarkup(rows)


def typed_ask(key: str) -> View:
    return "\n\n".join([t(key), t("settings.cancel_hint")]), InlineKeyboardMarkup(
        [[button(t("settings.back_button"), cd.GoalTap(0, "list"))]]
    )


# ---- registration (in /settings)


def registration_line(details: Registration) -> str:
    return t(
        "learning.settings_line",
        weekly=_weekly(details),
        cycle=t("learning.cycle_set", date=day(details.cycle_start))
        if details.cycle_start
        else t("learning.cycle_unset"),
    )


def _weekly(details: Registration) -> str:
    if details.weekly_hours is None:
        return t("learning.weekly_unset")
    return t("learning.weekly_set", hours=hours(details.weekly_hours))


def registration_menu(details: Registration, summary: Hours) -> View:
    text = t(
        "learning.settings_menu",
        weekly=_weekly(details),
        cycle=day(details.cycle_start) if details.cycle_start else t("learning.cycle_unset"),
        hours=hours_lines(summary),
    )
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("learning.weekly_hours_button"), cd.SettingsAsk("weekly_hours")),
                button(t("learning.cycle_start_button"), cd.SettingsAsk("cycle_start")),
            ],
            [button(t("settings.back_button"), cd.SettingsMenu("home"))],
        ]
    )
