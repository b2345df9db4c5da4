"""Rendering /progress (a chart, hours, gaps) and /export (period, then format)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.portfolio import FORMATS, Period
from bot.services.periods import PERIODS
from bot.services.progress import Progress
from bot.telegram import callback_data as cd
from bot.telegram.learning_views import hours_lines
from bot.telegram.views import View, button
from framework import Competence
from framework.model import shorten
from prompts import t

GAP_IDS_SHOWN = 6  # per competence, in the overview; the rest are "and N more"
COMPETENCE_TITLE_CHARS = 36


def _period_rows(action: Callable[[str], cd.Action]) -> list[list[InlineKeyboardButton]]:
    buttons = [button(t(label), action(key)) for key, label in PERIODS.items()]
    return [buttons[:2], buttons[2:]]


def progress_periods() -> View:
    return t("progress.period_ask"), InlineKeyboardMarkup(
        _period_rows(lambda key: cd.ProgressTap(key, 0))  # type: ignore[arg-type]
    )


def progress_summary(progress: Progress, period_key: cd.PeriodKey) -> View:
    """Counts, hours and gaps under the chart, with a button per competence."""
    coverage = progress.coverage
    framework = coverage.framework
    evidenced = sum(1 for count in coverage.counts.values() if count)
    period = progress.period.heading()
    if progress.reflections == 0:
        text = t("progress.nothing", period=period)
    else:
        text = t(
            "progress.summary",
            period=escape(period),
            reflections=progress.reflections,
            evidenced=coverage.with_evidence,
            indicators=evidenced,
            all_indicators=len(framework.indicator_ids),
            hours=hours_lines(progress.hours),
        )
        gap_lines = [_gap_line(progress, c) for c in framework.competences]
        gap_lines = [line for line in gap_lines if line]
        if gap_lines:
            text += "\n\n" + t("progress.gaps_heading") + "\n" + "\n".join(gap_lines)
        else:
            text += "\n\n" + t("progress.no_gaps")
        text += "\n\n" + t("progress.competence_hint")
    numbers = [
        button(
            t("progress.competence_button", number=c.number),
            cd.ProgressTap(period_key, c.number),
        )
        for c in framework.competences
    ]
    rows = [numbers[:4], numbers[4:]] if progress.reflections else []
    rows.append([button(t("progress.period_button"), cd.ProgressTap(None))])
    return text, InlineKeyboardMarkup([r for r in rows if r])


def _gap_line(progress: Progress, competence: Competence) -> str:
    """What a competence has no evidence for yet ('' if nothing is missing)."""
    gaps = progress.coverage.gaps(competence.number)
    if not gaps:
        return ""
    title = escape(shorten(competence.title, COMPETENCE_TITLE_CHARS))
    if len(gaps) == len(competence.indicators):
        return t("progress.gaps_all", number=competence.number, title=title)
    shown = ", ".join(gaps[:GAP_IDS_SHOWN])
    if len(gaps) > GAP_IDS_SHOWN:
        shown += t("progress.gaps_more", count=len(gaps) - GAP_IDS_SHOWN)
    return t("progress.gaps_line", number=competence.number, title=title, ids=shown)


def competence_summary(progress: Progress, period_key: cd.PeriodKey, number: int) -> View:
    framework = progress.coverage.framework
    competence = framework.competence(number)
    text = t(
        "progress.competence_summary",
        number=number,
        title=escape(competence.title),
        period=escape(progress.period.heading()),
        reflections=progress.coverage.competence_count(number),
    )
    gaps = progress.coverage.gaps(number)
    if gaps:
        lines = "\n".join(
            t("progress.indicator_gap", id=i, short=escape(framework.indicator(i).short))
            for i in gaps
        )
        text += "\n\n" + t("progress.competence_gaps", lines=lines)
    return text, InlineKeyboardMarkup(
        [[button(t("progress.overview_button"), cd.ProgressTap(period_key, 0))]]
    )


def chart_caption(progress: Progress, number: int | None) -> str:
    if number is None:
        return t("progress.chart_caption", label=escape(progress.period.label))
    return t("progress.chart_caption_competence", number=number)


# ---- export


def export_periods() -> View:
    return t("export.period_ask"), InlineKeyboardMarkup(
        _period_rows(lambda key: cd.ExportTap(key))  # type: ignore[arg-type]
    )


def export_formats(period: Period, period_key: cd.PeriodKey) -> View:
    buttons = [
        button(f.name, cd.ExportTap(period_key, key))  # type: ignore[arg-type]
        for key, f in FORMATS.items()
    ]
    rows = [buttons[:3], buttons[3:], [button(t("export.period_button_back"), cd.ExportTap(None))]]
    text = t("export.format_ask", period=escape(period.heading()))
    return text, InlineKeyboardMarkup(rows)
