"""Rendering what a reflection is about: the line under its tags, the one-tap row in its
tag editor, and the chooser of names and dates."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.about import About, NameOffered
from bot.services.about_wording import about_line, day_text
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button, shorten
from prompts import t

BUTTON_NAME_CHARS = 24  # a name on a button, cut to fit half a phone's width
ONE_TAP_NAMES = 2  # names offered in the tag editor itself
DAYS_PER_ROW = 4


def _choose(about: About, offered: NameOffered, past: bool) -> cd.AboutTap:
    rid = about.reflection.id
    if offered.session_id is not None:
        return cd.AboutTap(rid, "session", offered.session_id, past=past)
    return cd.AboutTap(rid, "named", offered.reflection_id, past=past)


def _name_button(about: About, offered: NameOffered, past: bool) -> InlineKeyboardButton:
    chosen = about.name is not None and offered.name.casefold() == about.name.casefold()
    label = t(
        "about.name_button",
        mark=t("about.chosen_mark") if chosen else t("about.place_mark"),
        name=shorten(offered.name, BUTTON_NAME_CHARS),
    )
    return button(label, _choose(about, offered, past))


def tag_editor_row(about: About, past: bool) -> list[InlineKeyboardButton]:
    """In the tag editor: nothing recorded yet, the likeliest names in one tap and a way
    to the rest; else one button to change it."""
    rid = about.reflection.id
    more = cd.AboutTap(rid, "open", past=past)
    if about.name is not None or about.day is not None:
        return [button(t("about.change_button"), more)]
    row = [_name_button(about, o, past) for o in about.offered[:ONE_TAP_NAMES]]
    return [*row, button(t("about.more_button" if row else "about.ask_button"), more)]


def chooser(about: About, past: bool) -> View:
    """Every name offered, the last week's days, typing either, and clearing both."""
    rid = about.reflection.id
    lines = [t("about.chooser_heading"), "", t("about.chooser_help")]
    now = about_line(about.reflection)
    if now is not None:
        lines += ["", now]
    rows = [[_name_button(about, o, past)] for o in about.offered]
    days = [
        button(
            t(
                "about.day_button",
                mark=t("about.chosen_mark") if day == about.day else "",
                day=f"{day:%a} {day.day}",
            ).strip(),
            cd.AboutTap(rid, "day", day=day, past=past),
        )
        for day in about.days
    ]
    rows += [days[i : i + DAYS_PER_ROW] for i in range(0, len(days), DAYS_PER_ROW)]
    rows.append(
        [
            button(t("about.type_name_button"), cd.AboutTap(rid, "name", past=past)),
            button(t("about.type_date_button"), cd.AboutTap(rid, "date", past=past)),
        ]
    )
    if now is not None:
        rows.append([button(t("about.clear_button"), cd.AboutTap(rid, "clear", past=past))])
    rows.append([button(t("saved.back_button"), cd.AboutTap(rid, "back", past=past))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def ask_date(about: About) -> str:
    return t("about.ask_date", written=day_text(about.written))
