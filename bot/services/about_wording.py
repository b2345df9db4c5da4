"""How what a reflection is about is said, as HTML from ``prompts/``: one wording for the
tag editor and /history on Telegram and for the terminal chat."""

from __future__ import annotations

from datetime import date
from html import escape

from prompts import t
from storage import Reflection


def day_text(day: date) -> str:
    """Tue 25 Nov 2026"""
    return f"{day:%a} {day.day} {day:%b %Y}"


def about_line(reflection: Reflection) -> str | None:
    """📍 Tuesday youth club · session of Tue 25 Nov 2026 (None if nothing is recorded)."""
    name, day = reflection.about, reflection.session_date
    if name and day:
        return t("about.line", name=escape(name), date=day_text(day))
    if name:
        return t("about.line_name", name=escape(name))
    if day:
        return t("about.line_date", date=day_text(day))
    return None
