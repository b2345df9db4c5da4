"""Renderers: a :class:`Portfolio` to the bytes of a file, one module per format, plus the
chart. They know nothing of Telegram or SQLite; the exporting service builds the portfolio
and the bot and the CLI both call it.

Each format's module is imported when first used, so ``reflectbot --help`` does not pay for
matplotlib or fpdf2.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass

from bot.portfolio.document import (
    LEARNING_KINDS,
    Coverage,
    Goal,
    Hours,
    LearningActivity,
    Period,
    Portfolio,
    PortfolioReflection,
    QuestionAnswer,
    Verification,
)


@dataclass(frozen=True)
class Format:
    key: str
    name: str  # what the practitioner sees on the button
    extension: str
    mime: str
    module: str  # bot.portfolio.<module>.render(portfolio) -> bytes


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("pdf", "PDF", "pdf", "application/pdf", "pdf"),
        Format(
            "docx",
            "Word",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx_file",
        ),
        Format("csv", "CSV", "csv", "text/csv", "csv_file"),
        Format("json", "JSON", "json", "application/json", "json_file"),
        Format("md", "Markdown", "md", "text/markdown", "markdown"),
    )
}


def render(portfolio: Portfolio, format_key: str) -> bytes:
    """The file's bytes; raises KeyError for an unknown format."""
    module = importlib.import_module(f"bot.portfolio.{FORMATS[format_key].module}")
    return module.render(portfolio)


def file_name(portfolio: Portfolio, format_key: str) -> str:
    """A safe file name: ASCII letters, digits and '-', e.g.
    ``portfolio-morven-campbell-2026-09-03-to-2026-11-27.pdf``."""
    ascii_name = (
        unicodedata.normalize("NFKD", portfolio.practitioner).encode("ascii", "ignore").decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    period = portfolio.period
    if period.start is None:
        dates = f"until-{period.end.isoformat()}"
    else:
        dates = f"{period.start.isoformat()}-to-{period.end.isoformat()}"
    parts = ["portfolio", slug, dates]
    return "-".join(p for p in parts if p) + "." + FORMATS[format_key].extension


__all__ = [
    "FORMATS",
    "LEARNING_KINDS",
    "Coverage",
    "Format",
    "Goal",
    "Hours",
    "LearningActivity",
    "Period",
    "Portfolio",
    "PortfolioReflection",
    "QuestionAnswer",
    "Verification",
    "file_name",
    "render",
]
