"""The portfolio as an A4 PDF to hand to a verifier.

Cover, coverage of the framework (chart, table, gaps), professional learning hours, goals,
the reflections by competence and indicator, the other reflections, and the professional
learning record in the CLD Standards Council's structure. The words are the shared ones
(:mod:`bot.portfolio.wording`), so the PDF says what the Word and Markdown files say.

A reflection evidencing several indicators is printed in full once, under the first, and
later mentions link back to it, which keeps a portfolio of a thousand reflections sane.
Fonts are embedded (subsets); text in any language and emoji survive (:mod:`.fonts`).
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from bot.portfolio import wording
from bot.portfolio.chart import competence_chart
from bot.portfolio.document import Portfolio, PortfolioReflection
from bot.portfolio.fonts import (
    FAMILY,
    base_family,
    fallbacks_for,
    is_right_to_left,
    needs_shaping,
    printable,
    setup_fonts,
)

Colour = tuple[int, int, int]
INK: Colour = (33, 37, 41)
MUTED: Colour = (98, 106, 114)
ACCENT: Colour = (31, 95, 107)  # the chart's bar colour
RULE: Colour = (206, 212, 218)

BODY = 10.0  # font sizes, in points
SMALL = 8.5
LEADING = 0.5  # line height in mm per point of font size (about 1.4 lines)
MARGIN = 22.0  # mm, left and right
TOP = 20.0
BOTTOM = 20.0


def render(portfolio: Portfolio) -> bytes:
    """The PDF's bytes."""
    pdf = _PortfolioPDF(portfolio)
    _cover(pdf, portfolio)
    pdf.add_page()
    _coverage(pdf, portfolio)
    _hours(pdf, portfolio)
    _goals(pdf, portfolio)
    pdf.add_page()
    _evidence(pdf, portfolio)
    _other(pdf, portfolio)
    pdf.add_page()
    _record(pdf, portfolio)
    return bytes(pdf.output())


def _strings(value: object) -> Iterator[str]:
    """Every string in the portfolio (reflections, goals, names, the framework's words),
    to pick the fallback fonts the PDF needs."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))


class _PortfolioPDF(FPDF):
    """FPDF with the portfolio's page, footer and text styles."""

    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.c_margin = 0  # text starts exactly at the margin
        setup_fonts(self, fallbacks_for(_strings(portfolio)))
        name = printable(portfolio.practitioner)
        self.set_title(printable(f"{wording.TITLE}: {portfolio.practitioner}"))
        self.set_author(name)
        self.set_subject(f"{portfolio.period.label}: {portfolio.period.describe()}")
        self.set_keywords(portfolio.framework.name)
        self.set_creator("ReflectBot")
        self.set_lang("en-GB")
        self.set_creation_date(portfolio.made_at.astimezone(UTC))
        # {nb}: fpdf2's alias for the page count, filled in at the end
        self._footer = f"{name} · {wording.TITLE} · page {{page}} of {self.str_alias_nb_pages}"
        self.shaping: tuple[bool, str | None] = (False, None)  # on, direction

    def footer(self) -> None:
        if self.page_no() == 1:
            return  # the cover
        self.set_y(-12)
        self.set_x(self.l_margin)
        text = self._footer.replace("{page}", str(self.page_no()))
        self.text_line(text, size=7.5, color=MUTED, align=Align.C)

    # Text

    def prepare(self, text: str, style: str, size: float, *, ltr: bool = False) -> str:
        """Select font and shaping for ``text`` (see .fonts) and return it printable.
        ``ltr``: lay it out left to right whatever script it starts with (for lines made
        of a date and names); otherwise its first letters decide."""
        text = printable(text)
        shaping = (needs_shaping(text), "ltr" if ltr else None)
        if shaping != self.shaping:
            self.set_text_shaping(shaping[0], direction=shaping[1])
            self.shaping = shaping
        family = base_family(text)
        self.set_font(family, style if family == FAMILY else "", size)
        return text

    def paragraph(
        self,
        text: str,
        *,
        size: float = BODY,
        style: str = "",
        color: Colour = INK,
        after: float = 0.0,
        indent: float = 0.0,
        link: int | None = None,
        ltr: bool = False,
    ) -> None:
        """Wrapped text across the page (right-aligned when it starts right-to-left,
        unless ``ltr``)."""
        text = self.prepare(text, style, size, ltr=ltr)
        self.set_text_color(*color)
        align = Align.R if self.shaping == (True, None) and is_right_to_left(text) else Align.L
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent,
            size * LEADING,
            text,
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            link=link,
        )
        if after:
            self.ln(after)

    def text_line(self, text: str, *, size: float, color: Colour, align: Align) -> None:
        """One line, left to right, cut to the page's width if it would not fit."""
        text = self.prepare(text, "", size, ltr=True)
        self.set_text_color(*color)
        while len(text) > 1 and self.get_string_width(text) > self.epw:
            text = text[: int(len(text) * 0.9)].rstrip() + "…"
        self.cell(self.epw, size * LEADING, text, align=align)

    def heading(self, text: str, level: int, *, room: float | None = None) -> None:
        """A section (1), competence (2) or indicator (3) heading, in the PDF's outline,
        never alone at the foot of a page: it starts a new one unless ``room`` mm (for
        itself and what follows) are left."""
        size, style, color, before, after, least = {
            1: (17.0, "B", ACCENT, 10.0, 5.0, 40.0),
            2: (13.0, "B", ACCENT, 6.0, 3.0, 30.0),
            3: (10.5, "B", INK, 4.0, 2.0, 34.0),
        }[level]
        room = least if room is None else room
        if self.will_page_break(before + room):
            self.add_page()
        elif self.y > self.t_margin + 1:
            self.ln(before)
        self.start_section(printable(text)[:120], level - 1)
        self.paragraph(text, size=size, style=style, color=color)
        if level == 1:
            self.ln(1.5)
            self.rule(width=0.4, color=ACCENT)
        self.ln(after)

    def rule(
        self, *, width: float = 0.2, color: Colour = RULE, length: float | None = None
    ) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(self.l_margin, self.y, self.l_margin + (length or self.epw), self.y)

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.will_page_break(height):
            self.add_page()


def _cover(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.paragraph(wording.TITLE, size=26, style="B", color=INK, after=5)
    pdf.rule(width=1.2, color=ACCENT, length=30)
    pdf.ln(8)
    pdf.paragraph(portfolio.practitioner, size=18, color=INK, after=10)
    period = portfolio.period
    pdf.paragraph(period.label, size=11, style="B", color=MUTED, after=1)
    pdf.paragraph(period.describe(), size=12, color=INK, after=10)
    pdf.paragraph(wording.summary_line(portfolio), size=BODY, color=INK, after=2)
    pdf.paragraph(wording.framework_line(portfolio), size=BODY, color=INK)
    pdf.set_y(pdf.h - BOTTOM - 12)
    pdf.rule()
    pdf.ln(3)
    pdf.paragraph(wording.made_line(portfolio), size=SMALL, color=MUTED)


def _coverage(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    coverage = portfolio.coverage
    pdf.heading(wording.COVERAGE_TITLE, 1)
    chart = competence_chart(coverage, f"{wording.CHART_TITLE} · {portfolio.period.describe()}")
    pdf.image(io.BytesIO(chart), x=pdf.l_margin, w=pdf.epw)
    pdf.ln(4)
    _table(
        pdf,
        wording.COVERAGE_HEADER,
        wording.coverage_rows(coverage),
        widths=(66, 15, 19),
        numeric=(1, 2),
    )
    pdf.ln(4)
    for line in wording.gap_lines(coverage):
        pdf.paragraph(line, size=9, color=INK, after=2)
    pdf.ln(1)
    pdf.paragraph(wording.FRAMEWORK_NOTE, size=9, style="I", color=MUTED)


def _hours(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.heading(wording.HOURS_TITLE, 1)
    for line in wording.requirement_lines(portfolio.hours):
        pdf.paragraph(line, after=1.5)
    pdf.paragraph(wording.period_hours_line(portfolio), after=1.5)


def _goals(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.heading(wording.GOALS_TITLE, 1)
    if not portfolio.goals:
        pdf.paragraph(wording.NO_GOALS)
    for goal in portfolio.goals:
        pdf.keep(20)
        pdf.paragraph(goal.text, style="B", after=1)
        pdf.paragraph(wording.goal_line(goal), size=9, color=MUTED, after=1)
        if goal.review:
            pdf.paragraph(wording.goal_review(goal), size=9, after=1)
        pdf.ln(3)


def _evidence(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.heading(wording.EVIDENCE_TITLE, 1)
    sections = wording.evidence(portfolio)
    if not sections:
        pdf.paragraph(wording.NO_EVIDENCE)
    links: dict[int, int] = {}  # reflection id -> link to where it is printed in full
    for competence, indicators in sections:
        pdf.heading(wording.competence_heading(competence), 2, room=60)  # and an indicator
        for indicator, reflections in indicators:
            pdf.heading(wording.indicator_heading(indicator), 3)
            for reflection in reflections:
                first = wording.printed_under(portfolio, reflection)
                if first == indicator.id:
                    links[reflection.id] = _reflection(pdf, reflection, evidence=True)
                else:
                    pdf.paragraph(
                        wording.reference_line(reflection, first or ""),
                        size=SMALL,
                        color=MUTED,
                        after=2.5,
                        link=links.get(reflection.id),
                        ltr=True,
                    )


def _other(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.heading(wording.OTHER_TITLE, 1)
    if not portfolio.untagged:
        pdf.paragraph(wording.NO_OTHER)
    for reflection in portfolio.untagged:
        _reflection(pdf, reflection, evidence=False)


def _reflection(pdf: _PortfolioPDF, reflection: PortfolioReflection, *, evidence: bool) -> int:
    """The reflection in full; returns a link to where it starts."""
    pdf.keep(22)
    link = pdf.add_link(y=pdf.y, page=pdf.page)
    heading = wording.reflection_heading(reflection)
    pdf.paragraph(heading, size=9, style="B", color=INK, after=1.5, ltr=True)
    for item in reflection.items:
        if item.question:
            pdf.keep(12)
            pdf.paragraph(item.question, size=SMALL, style="B", color=MUTED, after=0.8)
        pdf.paragraph(item.answer, after=2)
    learning = reflection.learning
    if learning is not None:
        pdf.paragraph(
            wording.learning_line(learning),
            size=SMALL,
            color=MUTED,
            after=0.8,
        )
    if evidence:
        pdf.paragraph(wording.evidence_line(reflection), size=SMALL, color=ACCENT)
    pdf.ln(2.5)
    pdf.rule()
    pdf.ln(3.5)
    return link


def _record(pdf: _PortfolioPDF, portfolio: Portfolio) -> None:
    pdf.heading(wording.RECORD_TITLE, 1)
    pdf.heading(wording.RECORD_GOALS, 2)
    if not portfolio.goals:
        pdf.paragraph(wording.NO_GOALS)
    for goal in portfolio.goals:
        pdf.paragraph(f"{goal.text} — {wording.goal_status(goal)}", after=1.5)

    activities = portfolio.activities
    pdf.heading(wording.RECORD_ACTIVITIES, 2)
    if activities:
        rows = [*wording.activity_rows(portfolio), ("", wording.total_line(portfolio), "", "")]
        _table(
            pdf,
            wording.ACTIVITY_HEADER,
            rows,
            widths=(17, 57, 14, 12),
            numeric=(3,),
            total=True,
        )
    else:
        pdf.paragraph(wording.NO_ACTIVITIES)

    pdf.heading(wording.RECORD_IMPACT, 2)
    if not activities:
        pdf.paragraph(wording.NO_ACTIVITIES)
    for activity in activities:
        pdf.keep(18)
        pdf.paragraph(wording.activity_heading(activity), size=9, style="B", after=1, ltr=True)
        pdf.paragraph(wording.impact(portfolio, activity), after=4)

    pdf.heading(wording.RECORD_REVIEW, 2)
    for verification in portfolio.verifications:
        pdf.keep(18)
        line = wording.verification_line(verification)
        pdf.paragraph(line, size=9, style="B", after=1, ltr=True)
        pdf.paragraph(verification.note, after=4)
    if not portfolio.verifications:
        pdf.paragraph(wording.NO_VERIFICATIONS, after=4)
        _blank_lines(pdf, wording.BLANK_REVIEW)


_BLANK = re.compile(r"([^_]*)(_+)")


def _blank_lines(pdf: _PortfolioPDF, lines: tuple[str, ...]) -> None:
    """Lines to fill in by hand: each run of underscores in the wording drawn as a ruled
    line, as long in proportion, across the page."""
    pdf.keep(12 * len(lines))
    for line in lines:
        parts = _BLANK.findall(line)
        pdf.ln(7)
        labels = [pdf.prepare(label.strip(), "", BODY) for label, _ in parts]
        label_width = sum(pdf.get_string_width(label) + 2 for label in labels if label)
        gaps = 4.0 * (len(parts) - 1)
        room = pdf.epw - label_width - gaps
        underscores = sum(len(blank) for _, blank in parts)
        x = pdf.l_margin
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        for label, (_, blank) in zip(labels, parts, strict=True):
            if label:
                pdf.set_xy(x, pdf.y)
                pdf.cell(pdf.get_string_width(label), BODY * LEADING, label)
                x += pdf.get_string_width(label) + 2
            length = room * len(blank) / underscores
            baseline = pdf.y + BODY * LEADING - 1
            pdf.line(x, baseline, x + length, baseline)
            x += length + 4
        pdf.set_xy(pdf.l_margin, pdf.y + BODY * LEADING)


def _table(
    pdf: _PortfolioPDF,
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    *,
    widths: tuple[int, ...],
    numeric: tuple[int, ...] = (),
    total: bool = False,
) -> None:
    """Rows between light horizontal rules, under a bold muted header that repeats on
    each page; ``numeric`` columns right-aligned; the last row bold if it is a ``total``."""
    cells = [[printable(value) for value in row] for row in rows]
    shaping = any(needs_shaping(value) for row in cells for value in row)
    pdf.set_text_shaping(shaping)
    pdf.shaping = (shaping, None)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(header)))
    options: dict[str, Any] = {
        "col_widths": widths,
        "text_align": align,
        "borders_layout": TableBordersLayout.HORIZONTAL_LINES,
        "headings_style": FontFace(emphasis="BOLD", color=MUTED, size_pt=8.5),
        "line_height": 4.6,
        "padding": (1.6, 1.5),
        "width": pdf.epw,
        "v_align": "TOP",
    }
    with pdf.table(**options) as table:
        heading = table.row()
        for value in header:
            heading.cell(value)
        for number, row in enumerate(cells, start=1):
            style = FontFace(emphasis="BOLD") if total and number == len(cells) else None
            line = table.row()
            for value in row:
                family = base_family(value)
                cell_style = FontFace(family=family) if family != FAMILY else style
                line.cell(value, style=cell_style)
    pdf.set_x(pdf.l_margin)


__all__ = ["render"]
