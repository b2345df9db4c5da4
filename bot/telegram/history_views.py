"""Rendering /history: the list of reflections, one whole reflection, and deleting one.

A whole reflection can be longer than one Telegram message (4,096 characters, counted in
UTF-16 units), so it is split between answers, or inside a very long answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import HistoryPage, TagView
from bot.services.history import ReflectionDetail
from bot.telegram import callback_data as cd
from bot.telegram.views import EXCERPT_CHARS, KIND_KEYS, View, button, local_time, shorten
from prompts import t

# Telegram's limit: 4,096 characters of what a message shows (after HTML is parsed),
# counted in UTF-16 units; a little room is kept.
MESSAGE_CHARS = 4000
_TAG = re.compile(r"<[^>]+>")


def history(page: HistoryPage, timezone: str) -> View:
    if not page.entries:
        return t("history.empty"), None
    lines = [
        t(
            "history.heading",
            first=page.entries[0].number,
            last=page.entries[-1].number,
            total=page.total,
        ),
        "",
    ]
    open_buttons = []
    for entry in page.entries:
        reflection = entry.reflection
        moment = reflection.finished_at or reflection.started_at
        tags_line = (
            t("history.tags_line", ids=", ".join(entry.confirmed))
            if entry.confirmed
            else t("history.no_tags")
        )
        lines.append(
            t(
                "history.entry",
                number=entry.number,
                date=local_time(moment, timezone),
                kind=t(KIND_KEYS.get(reflection.kind, "kinds.guided")),
                excerpt=escape(shorten(reflection.text, EXCERPT_CHARS)),
                tags=tags_line,
            )
        )
        lines.append("")
        open_buttons.append(
            button(t("history.open_button", number=entry.number), cd.HistoryOpen(reflection.id))
        )
    rows = [open_buttons]
    nav = []
    if page.has_newer:
        nav.append(button(t("history.newer_button"), cd.HistoryPageNav(page.page - 1)))
    if page.has_older:
        nav.append(button(t("history.older_button"), cd.HistoryPageNav(page.page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines).rstrip(), InlineKeyboardMarkup(rows)


def reflection_heading(view: TagView, timezone: str) -> str:
    """A heading naming a past reflection, for its tag editor opened from /history."""
    reflection = view.reflection
    return t(
        "history.reflection_heading",
        date=local_time(reflection.finished_at or reflection.started_at, timezone),
        excerpt=escape(shorten(reflection.text, EXCERPT_CHARS)),
    )


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


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _shown_units(html: str) -> int:
    """Length of what an HTML message shows, which is what Telegram's limit applies to."""
    return _units(unescape(_TAG.sub("", html)))


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
    while _units(text) > limit:
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
        if _shown_units(joined) <= limit:
            current = joined
        else:
            pages.append(current)
            current = block
    pages.append(current)
    return [page for page in pages if page] or [""]
