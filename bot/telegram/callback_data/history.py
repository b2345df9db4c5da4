"""Buttons of /history: its pages (all reflections, or those evidencing a competence or an
indicator), choosing that filter, opening a reflection or its tags, deleting one, editing an
answer, and /forget's confirmation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.telegram.callback_data.fields import NUMBER, Groups, Rule

# A filter as typed after /history: a competence ("3") or an indicator ("2.3").
FILTER = r"(\d{1,2}(?:\.\d{1,2})?)"


@dataclass(frozen=True)
class HistoryPageNav:
    """A page of /history; ``by``: only reflections evidencing that competence or
    indicator (None: all of them)."""

    page: int
    by: str | None = None


@dataclass(frozen=True)
class HistoryFilterMenu:
    """The competences to filter /history by, tapped on that page of that list."""

    page: int
    by: str | None = None


@dataclass(frozen=True)
class HistoryIndicatorMenu:
    """The indicators of the competence a filtered list is of, to narrow it to one."""

    page: int
    by: str


@dataclass(frozen=True)
class HistoryTags:
    reflection_id: int


@dataclass(frozen=True)
class HistoryOpen:
    reflection_id: int


@dataclass(frozen=True)
class DeleteReflection:
    reflection_id: int
    step: Literal["ask", "yes", "no"]


@dataclass(frozen=True)
class EditAnswer:
    """Choose an answer of a reflection to rewrite (answer_id 0: show the choice)."""

    reflection_id: int
    answer_id: int


@dataclass(frozen=True)
class ForgetChoice:
    """Delete everything, or not; ``shown`` is when the confirmation was shown (epoch s)."""

    confirm: bool
    shown: int


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them."""
    match action:
        case HistoryPageNav(page, by):
            return f"hp:{page}" + (f":{by}" if by is not None else "")
        case HistoryFilterMenu(page, by):
            return f"hf:{page}" + (f":{by}" if by is not None else "")
        case HistoryIndicatorMenu(page, by):
            return f"hn:{page}:{by}"
        case HistoryTags(rid):
            return f"ht:{rid}"
        case HistoryOpen(rid):
            return f"ho:{rid}"
        case DeleteReflection(rid, step):
            return f"dr:{rid}:{step}"
        case EditAnswer(rid, answer_id):
            return f"ea:{rid}:{answer_id}"
        case ForgetChoice(confirm, shown):
            return f"fg:{'yes' if confirm else 'no'}:{shown}"
    return None


# Kinds carrying a filter, which could be written with one no button can carry.
PARSED_BACK = {HistoryPageNav, HistoryFilterMenu, HistoryIndicatorMenu}


def _page(groups: Groups) -> HistoryPageNav:
    return HistoryPageNav(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _filter_menu(groups: Groups) -> HistoryFilterMenu:
    return HistoryFilterMenu(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _indicator_menu(groups: Groups) -> HistoryIndicatorMenu:
    return HistoryIndicatorMenu(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _tags(groups: Groups) -> HistoryTags:
    return HistoryTags(int(groups[0]))  # type: ignore[arg-type]


def _open(groups: Groups) -> HistoryOpen:
    return HistoryOpen(int(groups[0]))  # type: ignore[arg-type]


def _delete(groups: Groups) -> DeleteReflection:
    return DeleteReflection(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _edit(groups: Groups) -> EditAnswer:
    return EditAnswer(int(groups[0]), int(groups[1]))  # type: ignore[arg-type]


def _forget(groups: Groups) -> ForgetChoice:
    return ForgetChoice(groups[0] == "yes", int(groups[1]))  # type: ignore[arg-type]


PATTERNS: list[Rule] = [
    (re.compile(rf"hp:(\d{{1,6}})(?::{FILTER})?"), _page),
    (re.compile(rf"hf:(\d{{1,6}})(?::{FILTER})?"), _filter_menu),
    (re.compile(rf"hn:(\d{{1,6}}):{FILTER}"), _indicator_menu),
    (re.compile(rf"ht:{NUMBER}"), _tags),
    (re.compile(rf"ho:{NUMBER}"), _open),
    (re.compile(rf"dr:{NUMBER}:(ask|yes|no)"), _delete),
    (re.compile(rf"ea:{NUMBER}:{NUMBER}"), _edit),
    (re.compile(rf"fg:(yes|no):{NUMBER}"), _forget),
]
