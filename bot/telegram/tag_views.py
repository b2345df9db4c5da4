"""Rendering the tag editor: a reflection's suggestions with their confirm and reject
buttons, what it is about, and the picker of any indicator by competence.

A tag editor opened from /history (``past``) names the reflection in its heading, and
every one of its buttons says so, so the heading stays after a tap. Whatever is tagged,
the message stays within Telegram's limit: indicators tagged besides the suggestions are
listed in full, else by their short labels, else by number only.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import TagView
from bot.services.about import About
from bot.services.about_wording import about_line
from bot.telegram import about_views
from bot.telegram import callback_data as cd
from bot.telegram.views import (
    EXCERPT_CHARS,
    View,
    button,
    first_that_fits,
    local_time,
    shorten,
)
from framework import Framework, Indicator
from prompts import t
from storage import Reflection

EVIDENCE_CHARS = 200


def past_heading(reflection: Reflection, timezone: str) -> str:
    """A heading naming a past reflection, for its tag editor opened from /history."""
    return t(
        "history.reflection_heading",
        date=local_time(reflection.finished_at or reflection.started_at, timezone),
        excerpt=escape(shorten(reflection.text, EXCERPT_CHARS)),
    )


def _mark(status: str | None) -> str:
    return {
        "confirmed": t("saved.confirmed_mark"),
        "rejected": t("saved.rejected_mark"),
    }.get(status or "", t("saved.open_mark"))


# How the indicators tagged besides the suggestions are listed, longest first.
_PICKED_STYLES: list[Callable[[list[Indicator]], list[str]]] = [
    lambda picked: [f"✅ <b>{i.id}</b> {escape(i.text)}" for i in picked],
    lambda picked: [f"✅ <b>{i.id}</b> {escape(i.short)}" for i in picked],
    lambda picked: ["✅ " + ", ".join(f"<b>{i.id}</b>" for i in picked)],
]


def tags(
    view: TagView,
    framework: Framework,
    *,
    heading: str | None = None,
    about: About | None = None,
    past: bool = False,
    done: bool = False,
) -> View:
    """The suggestions for a reflection: one full-width button each, showing its state
    and toggling its confirmation, and a row of ❌ buttons toggling rejection; what the
    reflection is about, with a row to say so. ``done``: the final state, without buttons."""
    rid = view.reflection.id
    lines = [heading or t("saved.heading"), ""]
    rows: list[list[InlineKeyboardButton]] = []
    rejects: list[InlineKeyboardButton] = []
    for suggestion in view.suggestions:
        indicator = framework.get_indicator(suggestion.indicator_id)
        if indicator is None:  # the framework changed since this was suggested
            continue
        status = view.status(indicator.id)
        lines.append(
            t(
                "saved.suggestion_line",
                mark=_mark(status),
                id=indicator.id,
                text=escape(indicator.text),
            )
        )
        if suggestion.evidence:
            evidence = escape(shorten(suggestion.evidence, EVIDENCE_CHARS))
            lines.append(t("saved.evidence_line", evidence=evidence))
        label = t(
            "saved.indicator_button", mark=_mark(status), id=indicator.id, short=indicator.short
        )
        confirm = "clear" if status == "confirmed" else "confirm"
        rows.append([button(label, cd.TagTap(rid, indicator.id, confirm, past=past))])
        if status == "rejected":
            unreject = t("saved.unreject_button", id=indicator.id)
            rejects.append(button(unreject, cd.TagTap(rid, indicator.id, "clear", past=past)))
        else:
            reject = t("saved.reject_button", id=indicator.id)
            rejects.append(button(reject, cd.TagTap(rid, indicator.id, "reject", past=past)))
    shown = bool(rows)
    if shown:
        lines.insert(2, t("saved.suggest_heading"))
    else:
        lines.append(t("saved.none_found"))
    ending = []
    if about is not None and (line := about_line(about.reflection)):
        ending += ["", line]
    if done:
        ending += ["", t("saved.done")]
    else:
        ending += ["", t("saved.instructions") if shown else t("saved.instructions_none")]
    text = _fitted(lines, _picked(view, framework), ending)
    if done:
        return text, None
    if shown:
        rows.append(rejects)
    actions = [button(t("saved.pick_button"), cd.TagAction(rid, "pick", past))]
    if shown:
        actions.insert(0, button(t("saved.none_button"), cd.TagAction(rid, "none", past)))
    rows.append(actions)
    if about is not None:
        rows.append(about_views.tag_editor_row(about, past))
    rows.append([button(t("saved.done_button"), cd.TagAction(rid, "done", past))])
    return text, InlineKeyboardMarkup(rows)


def _picked(view: TagView, framework: Framework) -> list[Indicator]:
    found = (framework.get_indicator(i) for i in view.picked)
    return [i for i in found if i is not None]


def _fitted(lines: list[str], picked: list[Indicator], ending: list[str]) -> str:
    """The message with the picked indicators in the longest style that fits."""
    if not picked:
        return "\n".join([*lines, *ending])
    return first_that_fits(
        "\n".join([*lines, "", t("saved.picked_heading"), *style(picked), *ending])
        for style in _PICKED_STYLES
    )


def competences(view: TagView, framework: Framework, past: bool = False) -> View:
    rid = view.reflection.id
    rows = [
        [
            button(
                t("saved.competence_button", number=c.number, title=c.title),
                cd.PickCompetence(rid, c.number, past),
            )
        ]
        for c in framework.competences
    ]
    rows.append([button(t("saved.back_button"), cd.TagAction(rid, "back", past))])
    return t("saved.competences_heading"), InlineKeyboardMarkup(rows)


def indicators(view: TagView, framework: Framework, number: int, past: bool = False) -> View:
    rid = view.reflection.id
    competence = framework.competence(number)
    rows = [
        [
            button(
                t("saved.indicator_button", mark=_mark(view.status(i.id)), id=i.id, short=i.short),
                cd.TagTap(
                    rid,
                    i.id,
                    "clear" if view.status(i.id) == "confirmed" else "confirm",
                    True,
                    past,
                ),
            )
        ]
        for i in competence.indicators
    ]
    rows.append([button(t("saved.back_button"), cd.TagAction(rid, "pick", past))])
    lines = [
        t("saved.indicators_heading", number=competence.number, title=escape(competence.title)),
        "",
    ]
    lines += [
        f"{_mark(view.status(i.id))} <b>{i.id}</b> {escape(i.text)}" for i in competence.indicators
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)
