"""Rendering service results as Telegram messages: (HTML text, inline keyboard)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import QuestionStep, TagView
from bot.telegram import callback_data as cd
from framework import Framework
from prompts import QuestionSet, t

View = tuple[str, InlineKeyboardMarkup | None]
EVIDENCE_CHARS = 200
EXCERPT_CHARS = 160
KIND_KEYS = {"note": "kinds.note", "guided": "kinds.guided"}


def button(text: str, action: cd.Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cd.encode(action))


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y, %H:%M")


def consent(invitation: str | None = None) -> InlineKeyboardMarkup:
    """Agree or not; a supervision invitation the person came with rides along, to be
    shown once they agree (nothing is stored before that)."""
    return InlineKeyboardMarkup(
        [
            [button(t("welcome.agree_button"), cd.Consent(True, invitation))],
            [button(t("welcome.decline_button"), cd.Consent(False, invitation))],
        ]
    )


def choose_set(question_sets: Sequence[QuestionSet]) -> View:
    rows = [
        [button(t("reflect.set_button", name=s.name), cd.ChooseSet(s.id))] for s in question_sets
    ]
    lines = [t("reflect.choose"), ""]
    lines += [f"<b>{escape(s.name)}</b> – {escape(s.description)}" for s in question_sets]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def set_chosen(question_set: QuestionSet) -> str:
    """The start of a reflection: how many questions, and that a line or two is fine."""
    text = question_set.intro()
    if question_set.learning:
        text += "\n\n" + t("learning.learning_set_intro")
    return text


def open_reflection(name: str, started: str, reflection_id: int) -> View:
    return t("reflect.open_exists", name=escape(name), date=started), InlineKeyboardMarkup(
        [
            [button(t("reflect.resume_button"), cd.OpenChoice("resume", reflection_id))],
            [button(t("reflect.restart_button"), cd.OpenChoice("restart", reflection_id))],
            [button(t("reflect.discard_button"), cd.OpenChoice("discard", reflection_id))],
        ]
    )


def question(step: QuestionStep) -> View:
    name = escape(step.question_set.name)
    if step.total == 1:
        text = t("reflect.question_single", name=name, question=escape(step.question.text))
    else:
        text = t(
            "reflect.question",
            name=name,
            number=step.number,
            total=step.total,
            question=escape(step.question.text),
        )
    return f"{text}\n\n{t('reflect.controls_hint')}", None


def cancel_confirm(reflection_id: int, answered: int) -> View:
    return t("cancel.confirm", count=answered), InlineKeyboardMarkup(
        [
            [button(t("cancel.keep_button"), cd.CancelChoice("keep", reflection_id))],
            [button(t("cancel.drop_button"), cd.CancelChoice("drop", reflection_id))],
            [button(t("cancel.continue_button"), cd.CancelChoice("continue", reflection_id))],
        ]
    )


def note_offer(reflection_id: int, extended_chars: int | None = None) -> View:
    text = (
        t("note.offer")
        if extended_chars is None
        else t("note.extended", chars=f"{extended_chars:,}")
    )
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("note.save_button"), cd.NoteChoice("save", reflection_id)),
                button(t("note.drop_button"), cd.NoteChoice("drop", reflection_id)),
            ]
        ]
    )


def _mark(status: str | None) -> str:
    return {
        "confirmed": t("saved.confirmed_mark"),
        "rejected": t("saved.rejected_mark"),
    }.get(status or "", t("saved.open_mark"))


def tags(
    view: TagView, framework: Framework, *, heading: str | None = None, done: bool = False
) -> View:
    """The suggestions for a reflection: one full-width button each, showing its state
    and toggling its confirmation, and a row of ❌ buttons toggling rejection. ``done``:
    the final state, without buttons."""
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
        rows.append([button(label, cd.TagTap(rid, indicator.id, confirm))])
        if status == "rejected":
            unreject = t("saved.unreject_button", id=indicator.id)
            rejects.append(button(unreject, cd.TagTap(rid, indicator.id, "clear")))
        else:
            reject = t("saved.reject_button", id=indicator.id)
            rejects.append(button(reject, cd.TagTap(rid, indicator.id, "reject")))
    shown = bool(rows)
    if shown:
        lines.insert(2, t("saved.suggest_heading"))
    else:
        lines.append(t("saved.none_found"))
    picked = [framework.get_indicator(i) for i in view.picked]
    if any(picked):
        lines += ["", t("saved.picked_heading")]
        lines += [f"✅ <b>{i.id}</b> {escape(i.text)}" for i in picked if i is not None]
    if done:
        return "\n".join([*lines, "", t("saved.done")]), None
    lines += ["", t("saved.instructions") if shown else t("saved.instructions_none")]
    if shown:
        rows.append(rejects)
    actions = [button(t("saved.pick_button"), cd.TagAction(rid, "pick"))]
    if shown:
        actions.insert(0, button(t("saved.none_button"), cd.TagAction(rid, "none")))
    rows.append(actions)
    rows.append([button(t("saved.done_button"), cd.TagAction(rid, "done"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def competences(view: TagView, framework: Framework) -> View:
    rid = view.reflection.id
    rows = [
        [
            button(
                t("saved.competence_button", number=c.number, title=c.title),
                cd.PickCompetence(rid, c.number),
            )
        ]
        for c in framework.competences
    ]
    rows.append([button(t("saved.back_button"), cd.TagAction(rid, "back"))])
    return t("saved.competences_heading"), InlineKeyboardMarkup(rows)


def indicators(view: TagView, framework: Framework, number: int) -> View:
    rid = view.reflection.id
    competence = framework.competence(number)
    rows = [
        [
            button(
                t("saved.indicator_button", mark=_mark(view.status(i.id)), id=i.id, short=i.short),
                cd.TagTap(
                    rid, i.id, "clear" if view.status(i.id) == "confirmed" else "confirm", True
                ),
            )
        ]
        for i in competence.indicators
    ]
    rows.append([button(t("saved.back_button"), cd.TagAction(rid, "pick"))])
    lines = [
        t("saved.indicators_heading", number=competence.number, title=escape(competence.title)),
        "",
    ]
    lines += [
        f"{_mark(view.status(i.id))} <b>{i.id}</b> {escape(i.text)}" for i in competence.indicators
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)
