"""Rendering /progress (a chart, hours, gaps) and /export (period, then format)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.portfolio import FORMATS, Period
from bot.portfolio.wording import hours
from bot.services.periods import PERIODS
from bot.services.progress import Progress
from bot.telegram import callback_data as cd
from bot.telegram.learning_views import requirement
from bot.telegram.views import View, button
from prompts import t

GAP_IDS_SHOWN = 6  # per competence, in the overview; the rest are "and N more"


def _period_rows(action: Callable[[str], cd.Action]) -> list[list[InlineKeyboardButton]]:
    buttons = [button(label, action(key)) for key, label in PERIODS.items()]
    return [buttons[:2], buttons[2:]]


def progress_periods() -> View:
    return t("progress.period_ask"), InlineKeyboardMarkup(
        _period_rows(lambda key: cd.ProgressTap(key, 0))  # type: ignore[arg-type]
    )


def _cycle_line(progress: Progress) -> str:
    h = progress.hours
    if h.required_per_cycle is None:
        return t("progress.cycle_line_unset", done=hours(h.this_cycle))
    return t("progress.cycle_line", done=hours(h.this_cycle), required=hours(h.required_per_cycle))


def progress_summary(progress: Progress, period_key: cd.PeriodKey) -> View:
    """Counts, hours and gaps under the chart, with a button per competence."""
    coverage = progress.coverage
    framework = coverage.framework
    evidenced = sum(1 for count in coverage.counts.values() if count)
    dates = progress.period.describe()
    if progress.reflections == 0:
        text = t("progress.nothing", dates=dates)
    else:
        text = t(
            "progress.summary",
            label=escape(progress.period.label),
            dates=dates,
            reflections=progress.reflections,
            evidenced=coverage.with_evidence,
            indicators=evidenced,
            all_indicators=len(framework.indicator_ids),
            year=requirement(progress.hours),
            cycle=_cycle_line(progress),
        )
        gap_lines = []
        for competence in framework.competences:
            gaps = coverage.gaps(competence.number)
            if not gaps:
                continue
            shown = ", ".join(gaps[:GAP_IDS_SHOWN])
            more = len(gaps) - GAP_IDS_SHOWN
            if more > 0:
                shown += t("progress.gaps_more", count=more)
            gap_lines.append(t("progress.gaps_line", number=competence.number, ids=shown))
        if gap_lines:
            text += "\n\n" + t("progress.gaps_heading") + "\n" + "\n".join(gap_lines)
        else:
            text += "\n\n" + t("progress.no_gaps")
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


def competence_summary(progress: Progress, period_key: cd.PeriodKey, number: int) -> View:
    framework = progress.coverage.framework
    competence = framework.competence(number)
    text = t(
        "progress.competence_summary",
        number=number,
        title=escape(competence.title),
        dates=progress.period.describe(),
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
    text = t("export.format_ask", label=escape(period.label), dates=period.describe())
    return text, InlineKeyboardMarkup(rows)
