"""Bar charts of confirmed evidence, as PNG bytes: one bar per competence, or per indicator
of one competence, each bar as long as the number of reflections evidencing it.

Drawn with matplotlib's object API (a ``Figure`` on its own Agg canvas, no pyplot), which
keeps no global state, so the bot can draw charts in worker threads.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from bot.portfolio.document import Coverage
from framework.model import shorten

WIDTH_INCHES = 8.0
DPI = 150  # 1200 px wide: sharp on a phone and in an A4 PDF
LABEL_LIMIT = 40  # characters of a competence or indicator label

BAR = "#1f5f6b"  # the portfolio's accent colour
TEXT = "#212529"
MUTED = "#6c757d"


def competence_chart(coverage: Coverage, title: str) -> bytes:
    """Reflections evidencing each competence (each counted once per competence)."""
    bars = [
        (f"{c.number} {shorten(c.title, LABEL_LIMIT)}", coverage.competence_count(c.number))
        for c in coverage.framework.competences
    ]
    return _bar_chart(bars, title)


def indicator_chart(coverage: Coverage, number: int, title: str) -> bytes:
    """Reflections evidencing each indicator of one competence; KeyError if there is no
    competence with that number."""
    indicators = coverage.framework.competence(number).indicators
    bars = [
        (f"{i.id} {shorten(i.short, LABEL_LIMIT)}", coverage.counts.get(i.id, 0))
        for i in indicators
    ]
    return _bar_chart(bars, title)


def _bar_chart(bars: list[tuple[str, int]], title: str) -> bytes:
    """Horizontal bars, top to bottom in the order given, the count at the end of each
    bar and "none yet" where there is none."""
    height = 1.0 + 0.42 * len(bars)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    axes = figure.add_subplot()
    labels = [label for label, _ in bars]
    counts = [count for _, count in bars]
    positions = range(len(bars))
    axes.barh(positions, counts, height=0.62, color=BAR, zorder=2)
    axes.set_yticks(list(positions), labels=labels, fontsize=10, color=TEXT)
    axes.invert_yaxis()  # the first competence on top
    highest = max(counts, default=0)
    axes.set_xlim(0, max(highest, 1) * 1.12)
    offset = max(highest, 1) * 0.012
    for position, count in zip(positions, counts, strict=True):
        if count:
            axes.text(count + offset, position, str(count), va="center", fontsize=10, color=TEXT)
        else:
            axes.text(offset, position, "none yet", va="center", fontsize=9, color=MUTED)
    axes.tick_params(axis="y", length=0, pad=6)
    axes.set_xticks([])  # the counts are printed on the bars
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(MUTED)
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, color=TEXT)
    figure.tight_layout(pad=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
