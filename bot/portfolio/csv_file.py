"""The portfolio as a spreadsheet: one row per reflection and confirmed indicator, so it
can be filtered and pivoted by indicator; a reflection with no confirmed indicator has
one row with the indicator columns empty.

UTF-8 with a byte order mark, so Excel shows accents, emoji and every script; cells that
a spreadsheet would run as a formula are made plain text.
"""

from __future__ import annotations

import csv
import io

from bot.portfolio import wording
from bot.portfolio.document import Portfolio, PortfolioReflection

COLUMNS = (
    "reflection_id",
    "date",
    "time",
    "question_set",
    "session",
    "session_date",
    "indicator_id",
    "competence",
    "indicator_text",
    "learning_kind",
    "learning_hours",
    "goal",
    "text",
)
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"); a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(portfolio: Portfolio) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for reflection in portfolio.reflections:
        for row in _rows(portfolio, reflection):
            writer.writerow(row)
    return out.getvalue().encode("utf-8-sig", errors="replace")


def labelled_text(reflection: PortfolioReflection) -> str:
    """The whole reflection as one text: each question on its own line above its answer
    (a note's answer alone), the pairs separated by blank lines."""
    return "\n\n".join(
        f"{item.question}\n{item.answer}" if item.question else item.answer
        for item in reflection.items
    )


def inert(text: str) -> str:
    """The text, made plain text to a spreadsheet if it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(portfolio: Portfolio, reflection: PortfolioReflection) -> list[list[str | int]]:
    learning = reflection.learning
    goal = portfolio.goal(reflection.goal_id)
    shared = {
        "reflection_id": reflection.id,
        "date": reflection.written_at.date().isoformat(),
        "time": f"{reflection.written_at:%H:%M}",
        "question_set": inert(reflection.set_name),
        "session": inert(reflection.session or ""),
        "session_date": reflection.session_date.isoformat() if reflection.session_date else "",
        "learning_kind": learning.kind_label if learning else "",
        "learning_hours": f"{learning.hours:g}" if learning else "",
        "goal": inert(goal.text) if goal else "",
        "text": inert(labelled_text(reflection)),
    }
    framework = portfolio.framework
    tagged = []
    for indicator_id in reflection.confirmed:
        indicator = framework.get_indicator(indicator_id)
        competence = framework.competence(indicator.competence) if indicator else None
        tagged.append(
            {
                "indicator_id": indicator_id,
                "competence": wording.competence_heading(competence) if competence else "",
                "indicator_text": indicator.text if indicator else "",
            }
        )
    return [[{**shared, **tag}.get(column, "") for column in COLUMNS] for tag in tagged or [{}]]
