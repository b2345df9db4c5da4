"""The portfolio as a Markdown document, with the PDF's content and order: headings for
sections, competences and indicators, tables for the competence counts and the learning
activities, each question in bold above its answer.

The practitioner's text is escaped where Markdown would otherwise read it as structure
(a line starting with '#', '>', '-' or '1.', a '|' in a table, raw HTML), so it shows
exactly as written.
"""

from __future__ import annotations

import re

from bot.portfolio import wording
from bot.portfolio.document import Portfolio, PortfolioReflection

# Characters that change text wherever they are: a backslash escape, a table cell's end,
# raw HTML, emphasis, code, a link, strikethrough, an entity such as &nbsp;. Escaped
# everywhere, so they cannot start a block either (a code fence, an HTML block, a link
# reference definition, a "*" list or rule).
_INLINE = re.compile(r"[\\|<*_`\[\]~]|&(?=#?\w+;)")
# What else makes a line something other than a paragraph: a heading, a quote, a "-" or
# "+" list, a rule or setext underline, a numbered list.
_BLOCK_START = re.compile(r"[#>+=-]|\d{1,9}(?=[.)])")


def render(portfolio: Portfolio) -> bytes:
    blocks: list[str] = []
    _cover(blocks, portfolio)
    _coverage(blocks, portfolio)
    _hours(blocks, portfolio)
    _goals(blocks, portfolio)
    _evidence(blocks, portfolio)
    _other(blocks, portfolio)
    _record(blocks, portfolio)
    return ("\n\n".join(blocks) + "\n").encode("utf-8", errors="replace")


def escape(text: str) -> str:
    """Paragraphs of practitioner text as Markdown that shows them as written: each line
    kept (a hard break), blank lines between paragraphs kept, no line read as structure."""
    rows = [
        _escape_start(_INLINE.sub(r"\\\g<0>", row.strip()))
        for row in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    paragraphs = "\n".join(rows).split("\n\n")
    return "\n\n".join(
        "  \n".join(row for row in p.split("\n") if row) for p in paragraphs if p.strip()
    )


def inline(text: str) -> str:
    """Text as one line of Markdown, shown as written, inside a heading, bold, italics or a
    table cell (where a line's start cannot make a block)."""
    return _INLINE.sub(r"\\\g<0>", " ".join(text.split()))


def line(text: str) -> str:
    """Text as one line of Markdown, shown as written, at the start of a line or after a
    list item's "- " (where "# ", "1. " and the like would start a block)."""
    return _escape_start(inline(text))


def _heading(level: int, text: str) -> str:
    text = inline(text)
    if text.endswith("#"):  # a closing sequence would be dropped
        text = text[:-1] + "\\#"
    return f"{'#' * level} {text}"


def _strong(text: str) -> str:
    """Bold, shown as written ('' for no text: "****" would be a rule)."""
    text = inline(text)
    return f"**{text}**" if text else ""


def _escape_start(text: str) -> str:
    match = _BLOCK_START.match(text)
    if not match:
        return text
    if match.group().isdigit():  # "1." or "1)": escape the mark after the number
        end = match.end()
        return f"{text[:end]}\\{text[end:]}"
    return "\\" + text


def _text(blocks: list[str], text: str) -> None:
    """The practitioner's paragraphs, if they wrote any."""
    if escaped := escape(text):
        blocks.append(escaped)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], numeric: tuple[int, ...]) -> str:
    rule = ["---:" if i in numeric else "---" for i in range(len(header))]
    lines = [header, rule, *([inline(cell) for cell in row] for row in rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _cover(blocks: list[str], portfolio: Portfolio) -> None:
    period = portfolio.period
    blocks.append(_heading(1, wording.TITLE))
    blocks.append(_strong(portfolio.practitioner))
    lines = (
        f"{period.label}: {period.describe()}",
        wording.summary_line(portfolio),
        wording.framework_line(portfolio),
        wording.made_line(portfolio),
    )
    blocks.append("  \n".join(line(text) for text in lines))


def _coverage(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.COVERAGE_TITLE))
    blocks.append(
        _table(wording.COVERAGE_HEADER, wording.coverage_rows(portfolio.coverage), (1, 2))
    )
    gaps = wording.gap_lines(portfolio.coverage)
    if gaps:
        blocks.append("\n".join(f"- {line(gap)}" for gap in gaps))
    blocks.append(f"*{inline(wording.FRAMEWORK_NOTE)}*")


def _hours(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.HOURS_TITLE))
    lines = [*wording.requirement_lines(portfolio.hours), wording.period_hours_line(portfolio)]
    blocks.append("\n".join(f"- {line(text)}" for text in lines))


def _goals(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.GOALS_TITLE))
    if not portfolio.goals:
        blocks.append(wording.NO_GOALS)
    items = []
    for goal in portfolio.goals:
        lines = [f"- {_strong(goal.text)}", f"  {line(wording.goal_line(goal))}"]
        if goal.review:
            lines.append(f"  *{inline(wording.goal_review(goal))}*")
        items.append("  \n".join(lines))
    if items:
        blocks.append("\n".join(items))


def _evidence(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.EVIDENCE_TITLE))
    sections = wording.evidence(portfolio)
    if not sections:
        blocks.append(wording.NO_EVIDENCE)
    for competence, indicators in sections:
        blocks.append(_heading(3, wording.competence_heading(competence)))
        for indicator, reflections in indicators:
            blocks.append(_heading(4, wording.indicator_heading(indicator)))
            for reflection in reflections:
                first = wording.printed_under(portfolio, reflection)
                if first == indicator.id:
                    _reflection(blocks, reflection, evidence=True)
                else:
                    blocks.append(f"- {line(wording.reference_line(reflection, first or ''))}")


def _other(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.OTHER_TITLE))
    if not portfolio.untagged:
        blocks.append(wording.NO_OTHER)
    for reflection in portfolio.untagged:
        _reflection(blocks, reflection, evidence=False)


def _reflection(blocks: list[str], reflection: PortfolioReflection, *, evidence: bool) -> None:
    blocks.append(_strong(wording.reflection_heading(reflection)))
    for item in reflection.items:
        if item.question:
            blocks.append(_strong(item.question))
        _text(blocks, item.answer)
    if reflection.learning is not None:
        blocks.append(f"*{inline(wording.learning_line(reflection.learning))}*")
    if evidence:
        blocks.append(f"*{inline(wording.evidence_line(reflection))}*")


def _record(blocks: list[str], portfolio: Portfolio) -> None:
    blocks.append(_heading(2, wording.RECORD_TITLE))
    blocks.append(_heading(3, wording.RECORD_GOALS))
    if portfolio.goals:
        blocks.append(
            "\n".join(
                f"- {line(goal.text)} — {wording.goal_status(goal)}" for goal in portfolio.goals
            )
        )
    else:
        blocks.append(wording.NO_GOALS)

    activities = portfolio.activities
    blocks.append(_heading(3, wording.RECORD_ACTIVITIES))
    if activities:
        rows = [*wording.activity_rows(portfolio), ("", wording.total_line(portfolio), "", "")]
        blocks.append(_table(wording.ACTIVITY_HEADER, rows, (3,)))
    else:
        blocks.append(wording.NO_ACTIVITIES)

    blocks.append(_heading(3, wording.RECORD_IMPACT))
    if not activities:
        blocks.append(wording.NO_ACTIVITIES)
    for activity in activities:
        blocks.append(_strong(wording.activity_heading(activity)))
        _text(blocks, wording.impact(portfolio, activity))

    blocks.append(_heading(3, wording.RECORD_REVIEW))
    for verification in portfolio.verifications:
        blocks.append(_strong(wording.verification_line(verification)))
        _text(blocks, verification.note)
    if not portfolio.verifications:
        blocks.append(wording.NO_VERIFICATIONS)
        # As written: underscores with spaces round them are not emphasis, and a line of
        # them alone shows as a rule, a line to write on.
        blocks.extend(wording.BLANK_REVIEW)
