"""What a reflection is about, and the session's date, in every export: read back by the
readers a manager would use (a spreadsheet's CSV reader, a JSON parser, python-docx, the
Markdown text)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date

from docx import Document

from bot.portfolio import render, wording
from tests.bot.portfolio.portfolios import WRITTEN_AT, note, with_reflections

THE_DAY_BEFORE = date(2026, 11, 19)  # WRITTEN_AT is 20 November


def test_the_heading_says_the_session_and_its_date_when_not_the_day_written():
    about = note("We ran the pool night.", session="Tuesday youth club")
    assert wording.reflection_heading(about) == "20 Nov 2026 · Quick note · Tuesday youth club"
    same_day = replace(about, session_date=WRITTEN_AT.date())
    assert wording.reflection_heading(same_day) == wording.reflection_heading(about)
    day_before = replace(about, session_date=THE_DAY_BEFORE)
    assert wording.reflection_heading(day_before) == (
        "20 Nov 2026 · Quick note · Tuesday youth club, session of 19 Nov 2026"
    )
    date_only = replace(about, session=None, session_date=THE_DAY_BEFORE)
    assert wording.reflection_heading(date_only) == (
        "20 Nov 2026 · Quick note · Session of 19 Nov 2026"
    )


def portfolio():
    about = replace(
        note("We ran the pool night.", confirmed=("2.6",), session="Tuesday youth club"),
        session_date=THE_DAY_BEFORE,
    )
    return with_reflections(about)


def test_csv_and_json_have_the_session_and_its_date():
    [row] = list(
        csv.DictReader(io.StringIO(render(portfolio(), "csv").decode("utf-8-sig"), newline=""))
    )
    assert (row["session"], row["session_date"]) == ("Tuesday youth club", "2026-11-19")
    [reflection] = json.loads(render(portfolio(), "json"))["reflections"]
    assert (reflection["session"], reflection["session_date"]) == (
        "Tuesday youth club",
        "2026-11-19",
    )
    [untold] = json.loads(render(with_reflections(note("No session.")), "json"))["reflections"]
    assert (untold["session"], untold["session_date"]) == (None, None)


def test_word_and_markdown_show_it_above_the_reflection():
    heading = "Tuesday youth club, session of 19 Nov 2026"
    document = Document(io.BytesIO(render(portfolio(), "docx")))
    assert any(heading in p.text for p in document.paragraphs)
    assert heading in render(portfolio(), "md").decode()
