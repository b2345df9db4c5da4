"""Rendering /history: the list of reflections (all, or those evidencing a competence or an
indicator, and the choice of that filter), one whole reflection, and deleting one.

A whole reflection can be longer than one Telegram message (4,096 characters, counted in
UTF-16 units), so it is split between answers, or inside a very long answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import HistoryEntry, HistoryFilter, HistoryPage, IndicatorCount
from bot.services.about_wording import about_line
from bot.services.history import ReflectionDetail
from bot.telegram import callback_data as cd
from bot.telegram.views import (
    EXCERPT_CHARS,
    KIND_KEYS,
    MESSAGE_CHARS,
    View,
    button,
    first_that_fits,
    local_time,
    shorten,
    shown_units,
    units,
)
from framework import Competence, Framework
from prompts import t
from storage import Reflection


def history(page: HistoryPage, timezone: str) -> View:
    """A page of the list, with buttons to open each reflection, page on and filter."""
    chosen = page.filter
    if not page.entries and chosen is None:
        return t("history.empty"), None
    if not page.entries:
        return t("history.filter_empty", label=filter_label(chosen)), InlineKeyboardMarkup(
            _filter_rows(page)
        )
    numbers = {"first": page.entries[0].number, "last": page.entries[-1].number}
    heading = (
        t("history.heading", **numbers, total=page.total)
        if chosen is None
        else t("history.heading_filtered", label=filter_label(chosen), **numbers, total=page.total)
    )
    # Five long entries can outgrow a message: their excerpts are then cut shorter.
    text = first_that_fits(
        "\n\n".join([heading, *(_entry(e, timezone, excerpt_chars) for e in page.entries)])
        for excerpt_chars in (EXCERPT_CHARS, EXCERPT_CHARS // 2, EXCERPT_CHARS // 4)
    )
    open_buttons = [
        button(t("history.open_button", number=e.number), cd.HistoryOpen(e.reflection.id))
        for e in page.entries
    ]
    rows = [open_buttons]
    by = chosen.key if chosen else None
    nav = []
    if page.has_newer:
        nav.append(button(t("history.newer_button"), cd.HistoryPageNav(page.page - 1, by)))
    if page.has_older:
        nav.append(button(t("history.older_button"), cd.HistoryPageNav(page.page + 1, by)))
    if nav:
        rows.append(nav)
    rows += _filter_rows(page)
    return text, InlineKeyboardMarkup(rows)


def _entry(entry: HistoryEntry, timezone: str, excerpt_chars: int) -> str:
    reflection = entry.reflection
    return t(
        "history.entry",
        number=entry.number,
        date=local_time(reflection.finished_at or reflection.started_at, timezone),
        kind=t(KIND_KEYS.get(reflection.kind, "kinds.guided")),
        about=_about(reflection),
        excerpt=escape(shorten(reflection.text, excerpt_chars)),
        tags=t("history.tags_line", ids=", ".join(entry.confirmed))
        if entry.confirmed
        else t("history.no_tags"),
    )


def _about(reflection: Reflection) -> str:
    """The line saying what a reflection is about, on a line of its own ('' if nothing)."""
    line = about_line(reflection)
    return "" if line is None else "\n" + line


def _filter_rows(page: HistoryPage) -> list[list[InlineKeyboardButton]]:
    """Under the list: choose a filter; on a filtered list, also narrow it to one
    indicator, or clear it."""
    if page.filter is None:
        return [[button(t("history.filter_button"), cd.HistoryFilterMenu(page.page))]]
    by = page.filter.key
    return [
        [
            button(t("history.filter_button"), cd.HistoryFilterMenu(page.page, by)),
            button(t("history.narrow_button"), cd.HistoryIndicatorMenu(page.page, by)),
        ],
        [button(t("history.clear_button"), cd.HistoryPageNav(0))],
    ]


def filter_label(chosen: HistoryFilter) -> str:
    """What a list is filtered by, e.g. "2.3 Short label" (HTML)."""
    if chosen.indicator is not None:
        indicator = chosen.indicator
        return t("history.filter_indicator", id=indicator.id, short=escape(indicator.short))
    competence = chosen.competence
    return t("history.filter_competence", number=competence.number, title=escape(competence.title))


def filter_menu(framework: Framework, action: cd.HistoryFilterMenu) -> View:
    """The competences to filter by, all reflections, and back to the list it came from."""
    rows = [
        [
            button(
                t("history.competence_button", number=c.number, title=c.title),
                cd.HistoryPageNav(0, str(c.number)),
            )
        ]
        for c in framework.competences
    ]
    rows.append(
        [
            button(t("history.clear_button"), cd.HistoryPageNav(0)),
            button(t("history.back_button"), cd.HistoryPageNav(action.page, action.by)),
        ]
    )
    return t("history.filter_heading"), InlineKeyboardMarkup(rows)


def indicator_menu(
    competence: Competence, counts: Sequence[IndicatorCount], action: cd.HistoryIndicatorMenu
) -> View:
    """A competence's indicators (each with how many reflections evidence it) to narrow a
    list to one, the whole competence, and back to the list it came from."""
    rows = [
        [
            button(
                t(
                    "history.indicator_button",
                    id=c.indicator.id,
                    short=c.indicator.short,
                    count=c.reflections,
                ),
                cd.HistoryPageNav(0, c.indicator.id),
            )
        ]
        for c in counts
    ]
    rows.append(
        [
            button(
                t("history.whole_competence_button", number=competence.number),
                cd.HistoryPageNav(0, str(competence.number)),
            ),
            button(t("history.back_button"), cd.HistoryPageNav(action.page, action.by)),
        ]
    )
    heading = t(
        "history.indicators_heading", number=competence.number, title=escape(competence.title)
    )
    lines = [
        t("history.indicator_line", id=c.indicator.id, text=escape(c.indicator.text))
        for c in counts
    ]
    # Very long indicators: the heading alone, as the buttons name them.
    text = first_that_fits([heading + "\n\n" + "\n".join(lines), heading])
    return text, InlineKeyboardMarkup(rows)


def filter_help(framework: Framework) -> View:
    """What can follow /history, said when something else did."""
    competences = framework.competences
    example = competences[min(1, len(competences) - 1)]
    return t(
        "history.filter_help",
        numbers=", ".join(str(c.number) for c in competences),
        competence=example.number,
        indicator=example.indicators[min(2, len(example.indicators) - 1)].id,
    ), InlineKeyboardMarkup([[button(t("history.filter_button"), cd.HistoryFilterMenu(0))]])


def reflection_detail(
    detail: ReflectionDetail,
    timezone: str,
    notes: Sequence[str] = (),
    share: list[InlineKeyboardButton] | None = None,
) -> list[View]:
    """A whole reflection as one or more messages (long ones are split between answers,
    or within a very long answer); the buttons go on the last. ``notes``: lines (HTML)
    shown under its indicators, e.g. that it is professional learning; ``share``: buttons
    to share it with supervisors, for a practitioner who has some."""
    reflection = detail.reflection
    blocks = [
        t(
            "history.detail_heading",
            kind=t(KIND_KEYS.get(reflection.kind, "kinds.guided")),
            date=local_time(reflection.finished_at or reflection.started_at, timezone),
        )
    ]
    if detail.set_name and reflection.kind != "note":
        blocks[0] += "\n" + t("history.detail_set", name=escape(detail.set_name))
    blocks[0] += _about(reflection)
    for item in detail.items:
        if item.question and reflection.kind != "note":
            blocks.append(t("history.detail_question", question=escape(item.question)))
        blocks.extend(split_plain(item.answer.text, MESSAGE_CHARS))
    blocks.append(
        t("history.tags_line", ids=", ".join(detail.confirmed))
        if detail.confirmed
        else t("history.no_tags")
    )
    if notes:
        blocks[-1] += "\n" + "\n".join(notes)
    rid = reflection.id
    markup = InlineKeyboardMarkup(
        [
            [
                button(t("history.tags_button"), cd.HistoryTags(rid)),
                button(t("history.edit_button"), cd.EditAnswer(rid, 0)),
            ],
            [
                button(t("learning.mark_button"), cd.LearningTap(rid)),
                button(t("learning.goal_button"), cd.GoalLink(rid)),
            ],
            *([share] if share else []),
            [
                button(t("history.delete_button"), cd.DeleteReflection(rid, "ask")),
                button(t("history.list_button"), cd.HistoryPageNav(0)),
            ],
        ]
    )
    pages = pack(blocks, MESSAGE_CHARS)
    return [(page, None) for page in pages[:-1]] + [(pages[-1], markup)]


def delete_confirm(detail: ReflectionDetail, timezone: str) -> View:
    reflection = detail.reflection
    date = local_time(reflection.finished_at or reflection.started_at, timezone)
    return t("history.delete_confirm", date=date), InlineKeyboardMarkup(
        [
            [button(t("history.delete_yes_button"), cd.DeleteReflection(reflection.id, "yes"))],
            [button(t("history.delete_no_button"), cd.DeleteReflection(reflection.id, "no"))],
        ]
    )


def _fitting(text: str, limit: int) -> int:
    """How many characters from the start of ``text`` fit in ``limit`` units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_plain(text: str, limit: int) -> list[str]:
    """Plain text cut at spaces (or hard, if need be) into pieces of at most ``limit``
    units, each escaped for HTML."""
    pieces = []
    while units(text) > limit:
        fit = _fitting(text, limit)
        cut = text.rfind(" ", 0, fit)
        cut = cut if cut > fit // 2 else fit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [escape(piece) for piece in (*pieces, text) if piece]


def pack(blocks: list[str], limit: int) -> list[str]:
    """Join blocks with blank lines into as few messages as show at most ``limit`` each."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if shown_units(joined) <= limit:
            current = joined
        else:
            pages.append(current)
            current = block
    pages.append(current)
    return [page for page in pages if page] or [""]
