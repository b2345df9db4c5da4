"""Buttons of the evidence a practitioner keeps: professional learning, /goals, /progress and
/export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.telegram.callback_data.fields import NUMBER, Groups, Rule

LearningKind = Literal["training", "course", "reading", "shadowing", "peer", "supervision", "other"]
LEARNING_KIND_NAMES: tuple[str, ...] = LearningKind.__args__  # type: ignore[attr-defined]
PeriodKey = Literal["3m", "12m", "cycle", "all"]
FormatKey = Literal["pdf", "docx", "csv", "json", "md"]
GoalStep = Literal[
    "list", "closed", "new", "open", "comp", "review", "achieved", "dropped", "reopen", "toggle"
]
MAX_QUARTERS = 2000  # 500 hours
_GOAL_STEPS = frozenset(GoalStep.__args__) - {"toggle"}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LearningTap:
    """Mark a reflection as professional learning: with no kind, the kinds to choose
    from; with a kind, the hours to choose from, or ``quarters`` of an hour to record
    (-1: ask for them typed); ``remove``: not professional learning after all."""

    reflection_id: int
    kind: LearningKind | None = None
    quarters: int = 0
    remove: bool = False


@dataclass(frozen=True)
class GoalLink:
    """Link a reflection to a goal (``goal_id`` 0: to none); None: the goals to choose."""

    reflection_id: int
    goal_id: int | None = None


@dataclass(frozen=True)
class GoalTap:
    """/goals: the list (``goal_id`` 0), closed goals, a new goal, one goal, its
    competences (``toggle`` one of them: ``competence``), a review note, close or reopen."""

    goal_id: int
    step: GoalStep
    competence: int = 0


@dataclass(frozen=True)
class ProgressTap:
    """/progress over a period: every competence (0) or the indicators of one; no
    period: the periods to choose from."""

    period: PeriodKey | None
    competence: int = 0


@dataclass(frozen=True)
class ExportTap:
    """/export: a period chosen (then the formats), or a period and a format (the file);
    no period: the periods to choose from."""

    period: PeriodKey | None
    format: FormatKey | None = None


# Every kind here has open values (a kind's name, hours, a competence's number): their
# payloads are parsed back before they go on a button.
PARSED_BACK = {LearningTap, GoalLink, GoalTap, ProgressTap, ExportTap}


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them; raises
    ValueError for one of them that no button can carry (such as a removal with hours)."""
    if type(action) not in PARSED_BACK:
        return None
    match action:
        case LearningTap(rid, None, 0, False):
            return f"pl:{rid}"
        case LearningTap(rid, None, 0, True):
            return f"pl:{rid}:-"
        case LearningTap(rid, str() as kind, -1, False):
            return f"pl:{rid}:{kind}:t"
        case LearningTap(rid, str() as kind, 0, False):
            return f"pl:{rid}:{kind}"
        case LearningTap(rid, str() as kind, quarters, False):
            return f"pl:{rid}:{kind}:{quarters}"
        case GoalLink(rid, None):
            return f"gk:{rid}"
        case GoalLink(rid, goal_id):
            return f"gk:{rid}:{goal_id}"
        case GoalTap(goal_id, "toggle", number):
            return f"gl:{goal_id}:c{number}"
        case GoalTap(goal_id, step, 0):
            return f"gl:{goal_id}:{step}"
        case ProgressTap(None, 0):
            return "pg:menu"
        case ProgressTap(str() as period, number):
            return f"pg:{period}:{number}"
        case ExportTap(None, None):
            return "ex:menu"
        case ExportTap(str() as period, None):
            return f"ex:{period}"
        case ExportTap(str() as period, str() as chosen):
            return f"ex:{period}:{chosen}"
    raise ValueError(f"not a well-formed action: {action!r}")


def _learning(groups: Groups) -> LearningTap | None:
    rid, learning_kind, amount = int(groups[0]), groups[1], groups[2]  # type: ignore[arg-type]
    if learning_kind is None:
        return LearningTap(rid)
    if learning_kind == "-":
        return LearningTap(rid, remove=True) if amount is None else None
    if learning_kind not in LEARNING_KIND_NAMES:
        return None
    if amount is None:
        return LearningTap(rid, learning_kind)  # type: ignore[arg-type]
    quarters = -1 if amount == "t" else int(amount)
    if quarters == 0 or quarters > MAX_QUARTERS:
        return None
    return LearningTap(rid, learning_kind, quarters)  # type: ignore[arg-type]


def _goal_link(groups: Groups) -> GoalLink:
    rid, goal_id = groups
    return GoalLink(int(rid), None if goal_id is None else int(goal_id))  # type: ignore[arg-type]


def _goal(groups: Groups) -> GoalTap | None:
    goal_id, step, number = int(groups[0]), groups[1], groups[2]  # type: ignore[arg-type]
    if number is not None:
        return GoalTap(goal_id, "toggle", int(number)) if 1 <= int(number) <= 99 else None
    return GoalTap(goal_id, step) if step in _GOAL_STEPS else None  # type: ignore[arg-type]


def _progress(groups: Groups) -> ProgressTap:
    period, competence = groups
    if period is None:
        return ProgressTap(None)
    return ProgressTap(period, int(competence))  # type: ignore[arg-type]


def _export(groups: Groups) -> ExportTap:
    return ExportTap(groups[0], groups[1])  # type: ignore[arg-type]


PATTERNS: list[Rule] = [
    (re.compile(rf"pl:{NUMBER}(?::(-|[a-z]{{1,12}})(?::(\d{{1,4}}|t))?)?"), _learning),
    (re.compile(rf"gk:{NUMBER}(?::{NUMBER})?"), _goal_link),
    (re.compile(rf"gl:{NUMBER}:(?:([a-z]{{3,8}})|c(\d{{1,2}}))"), _goal),
    (re.compile(r"pg:(?:menu|(3m|12m|cycle|all):(\d{1,2}))"), _progress),
    (re.compile(r"ex:(?:menu|(3m|12m|cycle|all)(?::(pdf|docx|csv|json|md))?)"), _export),
]
