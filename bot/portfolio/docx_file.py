"""The portfolio as an editable Word document, with the PDF's content and order.

Sections, competences and indicators use Word's own Heading 1/2/3 styles, so the
navigation pane lists them; the competence counts and the learning activities are tables;
each question is bold above its answer. Word text is Unicode, so every language survives;
only characters XML cannot hold (stray control characters) are left out.
"""

from __future__ import annotations

import io
import re
from datetime import UTC

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.portfolio import wording
from bot.portfolio.chart import competence_chart
from bot.portfolio.document import Portfolio, PortfolioReflection

# For the Latin, Greek and Cyrillic text runs; Word picks its own fonts for the East Asian
# and complex-script (Arabic) ones, and substitutes a near font where this one is missing.
FONT = "DejaVu Sans"
CHART_WIDTH = Cm(16)

# What XML 1.0 cannot hold, so python-docx refuses: C0 controls other than tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without characters a Word file cannot hold; line breaks as '\\n'."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def render(portfolio: Portfolio) -> bytes:
    doc = Document()
    _set_up(doc, portfolio)
    word = _Writer(doc)
    _cover(word, portfolio)
    _coverage(word, portfolio)
    _hours(word, portfolio)
    _goals(word, portfolio)
    _evidence(word, portfolio)
    _other(word, portfolio)
    _record(word, portfolio)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Writer:
    """Adds blocks at the end of the document's body.

    python-docx's own ``add_paragraph`` looks for the body's closing section properties
    from the first block each time, which makes a long portfolio quadratic (a quarter of
    the time at 1,000 reflections, two thirds at 3,000); this keeps hold of them and
    inserts in front.
    """

    def __init__(self, doc: WordDocument) -> None:
        self.doc = doc
        self._end = doc.element.body.sectPr

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, style="Title" if level == 0 else f"Heading {level}")

    def paragraph(
        self,
        text: str,
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
        keep_with_next: bool = False,
    ) -> Paragraph:
        element = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.doc.element.body.append(element)
        paragraph = Paragraph(element, self.doc)
        if style:
            paragraph.style = style
        run = paragraph.add_run(xml_text(text))
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def picture(self, png: bytes, width: Length) -> None:
        paragraph = self.paragraph("")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.runs[0].add_picture(io.BytesIO(png), width=width)

    def table(
        self,
        header: tuple[str, ...],
        rows: list[tuple[str, ...]],
        *,
        numeric: tuple[int, ...] = (),
    ) -> Table:
        """A grid with a bold header row that repeats on each page; `numeric` columns are
        right-aligned."""
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        for number, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
            for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(xml_text(value))
                if number == 0:
                    run.bold = True
                if column in numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)
        return table


def _set_up(doc: WordDocument, portfolio: Portfolio) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    language = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    if language is not None:
        language.set(qn("w:val"), "en-GB")  # British spelling for the checker
    made_at = portfolio.made_at.astimezone(UTC).replace(tzinfo=None)
    properties = doc.core_properties
    name = _property(portfolio.practitioner)
    properties.title = _property(f"{wording.TITLE}: {portfolio.practitioner}")
    properties.author = name
    properties.last_modified_by = name
    properties.subject = _property(f"{portfolio.period.label}: {portfolio.period.describe()}")
    properties.comments = _property(wording.made_line(portfolio))
    properties.keywords = _property(portfolio.framework.name)
    properties.created = made_at
    properties.modified = made_at
    properties.revision = 1


def _property(text: str) -> str:
    """A document property: Word holds at most 255 characters in each."""
    return xml_text(text)[:255]


def _cover(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.TITLE, 0)
    word.paragraph(portfolio.practitioner, style="Subtitle")
    period = portfolio.period
    for line in (
        f"{period.label}: {period.describe()}",
        wording.summary_line(portfolio),
        wording.framework_line(portfolio),
        wording.made_line(portfolio),
    ):
        word.paragraph(line)


def _coverage(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.COVERAGE_TITLE, 1)
    word.picture(competence_chart(portfolio.coverage, wording.chart_title(portfolio)), CHART_WIDTH)
    rows = wording.coverage_rows(portfolio.coverage)
    word.table(wording.COVERAGE_HEADER, rows, numeric=(1, 2))
    for line in wording.gap_lines(portfolio.coverage):
        word.paragraph(line, style="List Bullet")
    word.paragraph(wording.FRAMEWORK_NOTE, italic=True)


def _hours(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.HOURS_TITLE, 1)
    for line in wording.requirement_lines(portfolio.hours):
        word.paragraph(line)
    word.paragraph(wording.period_hours_line(portfolio))


def _goals(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.GOALS_TITLE, 1)
    if not portfolio.goals:
        word.paragraph(wording.NO_GOALS)
    for goal in portfolio.goals:
        word.paragraph(goal.text, bold=True, keep_with_next=True)
        word.paragraph(wording.goal_line(goal))
        if goal.review:
            word.paragraph(wording.goal_review(goal), italic=True)


def _evidence(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.EVIDENCE_TITLE, 1)
    sections = wording.evidence(portfolio)
    if not sections:
        word.paragraph(wording.NO_EVIDENCE)
    for competence, indicators in sections:
        word.heading(wording.competence_heading(competence), 2)
        for indicator, reflections in indicators:
            word.heading(wording.indicator_heading(indicator), 3)
            for reflection in reflections:
                first = wording.printed_under(portfolio, reflection)
                if first == indicator.id:
                    _reflection(word, reflection, evidence=True)
                else:
                    word.paragraph(wording.reference_line(reflection, first or ""), italic=True)


def _other(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.OTHER_TITLE, 1)
    if not portfolio.untagged:
        word.paragraph(wording.NO_OTHER)
    for reflection in portfolio.untagged:
        _reflection(word, reflection, evidence=False)


def _reflection(word: _Writer, reflection: PortfolioReflection, *, evidence: bool) -> None:
    word.paragraph(wording.reflection_heading(reflection), bold=True, keep_with_next=True)
    for item in reflection.items:
        if item.question:
            word.paragraph(item.question, bold=True, keep_with_next=True)
        word.paragraph(item.answer)
    if reflection.learning is not None:
        word.paragraph(wording.learning_line(reflection.learning), italic=True)
    if evidence:
        word.paragraph(wording.evidence_line(reflection), italic=True)


def _record(word: _Writer, portfolio: Portfolio) -> None:
    word.heading(wording.RECORD_TITLE, 1)
    word.heading(wording.RECORD_GOALS, 2)
    if not portfolio.goals:
        word.paragraph(wording.NO_GOALS)
    for goal in portfolio.goals:
        word.paragraph(f"{goal.text} — {wording.goal_status(goal)}", style="List Bullet")

    activities = portfolio.activities
    word.heading(wording.RECORD_ACTIVITIES, 2)
    if activities:
        rows = [*wording.activity_rows(portfolio), ("", wording.total_line(portfolio), "", "")]
        word.table(wording.ACTIVITY_HEADER, rows, numeric=(3,))
    else:
        word.paragraph(wording.NO_ACTIVITIES)

    word.heading(wording.RECORD_IMPACT, 2)
    if not activities:
        word.paragraph(wording.NO_ACTIVITIES)
    for activity in activities:
        word.paragraph(wording.activity_heading(activity), bold=True, keep_with_next=True)
        word.paragraph(wording.impact(portfolio, activity))

    word.heading(wording.RECORD_REVIEW, 2)
    for verification in portfolio.verifications:
        word.paragraph(wording.verification_line(verification), bold=True, keep_with_next=True)
        word.paragraph(verification.note)
    if not portfolio.verifications:
        word.paragraph(wording.NO_VERIFICATIONS)
        for line in wording.BLANK_REVIEW:
            word.paragraph(line).paragraph_format.space_before = Pt(12)


__all__ = ["render", "xml_text"]
