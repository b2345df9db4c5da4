"""The CSV export, read back as a spreadsheet program would."""

from __future__ import annotations

import csv
import io

import pytest

from bot.portfolio import render
from bot.portfolio.csv_file import COLUMNS
from bot.portfolio.document import Portfolio
from tests.bot.portfolio.portfolios import MULTILINGUAL, SAMPLE, note, with_reflections


def rows(portfolio: Portfolio) -> list[dict[str, str]]:
    data = render(portfolio, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_one_row_per_reflection_and_confirmed_indicator():
    read = rows(SAMPLE)
    assert list(read[0]) == list(COLUMNS)
    tags = sum(len(r.confirmed) or 1 for r in SAMPLE.reflections)
    assert len(read) == tags == 19  # 18 confirmed tags and one untagged reflection
    council = [row for row in read if row["reflection_id"] == "5"]
    assert [row["indicator_id"] for row in council] == ["1.2", "5.2", "6.3"]
    first = council[0]
    assert first["date"] == "2026-10-20" and first["time"] == "20:15"
    assert first["indicator_text"] == SAMPLE.framework.indicator("1.2").text
    assert first["competence"].startswith("Competence 1: Know and understand the community")
    assert "„Biblioteka to nasze serce”" in first["text"]


def test_guided_text_keeps_each_question_above_its_answer():
    youth_club = next(row for row in rows(SAMPLE) if row["reflection_id"] == "1")
    blocks = youth_club["text"].split("\n\n")
    assert len(blocks) == 3
    question, answer = blocks[1].split("\n")
    assert question.startswith("So what? What did it tell you about the people")
    assert answer.startswith("They negotiated the budget")
    assert youth_club["question_set"] == "What? So what? Now what?"
    assert youth_club["session"] == "Tuesday youth club"


def test_untagged_reflection_has_one_row_with_empty_indicator_columns():
    (mileage,) = [row for row in rows(SAMPLE) if row["reflection_id"] == "10"]
    assert mileage["indicator_id"] == mileage["competence"] == mileage["indicator_text"] == ""
    assert mileage["text"].startswith("Mileage and room bookings")


def test_learning_and_goal_columns():
    course = next(row for row in rows(SAMPLE) if row["reflection_id"] == "4")
    assert (course["learning_kind"], course["learning_hours"]) == ("Course", "6.5")
    assert course["goal"] == "Understand trauma-informed practice and use it in club nights."
    shadowing = next(row for row in rows(SAMPLE) if row["reflection_id"] == "8")
    assert shadowing["learning_hours"] == "3"  # a number a spreadsheet can sum
    assert float(shadowing["learning_hours"]) == 3


def test_line_ends_are_crlf_and_multiline_text_with_commas_and_quotes_survives():
    text = 'Line one, with a comma.\nLine "two", quoted;\r\nand a third\n\nafter a gap'
    data = render(with_reflections(note(text)), "csv")
    assert data.split(b"\n", 1)[0].endswith(b"\r")
    (row,) = rows(with_reflections(note(text)))
    assert row["text"] == text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_would_be_formulas_start_with_an_apostrophe(start):
    attack = f'{start}HYPERLINK("http://example.invalid","click")'
    (row,) = rows(with_reflections(note(attack, session=f"{start}1+1")))
    assert row["text"] == "'" + attack
    assert row["session"] == f"'{start}1+1"


def test_ordinary_cells_and_numbers_are_not_touched():
    (row,) = rows(with_reflections(note("2+2 is not a formula here", confirmed=("2.6",))))
    assert row["text"] == "2+2 is not a formula here"
    assert row["reflection_id"] == "99" and row["indicator_id"] == "2.6"


def test_every_script_and_emoji_survive():
    (row,) = rows(with_reflections(note(MULTILINGUAL, confirmed=("3.6",))))
    assert row["text"] == MULTILINGUAL


def test_a_20000_character_reflection_is_kept_whole():
    text = ('Long reflection, with commas and "quotes".\n' * 500)[:20_000]
    (row,) = rows(with_reflections(note(text)))
    assert row["text"] == text and len(row["text"]) == 20_000


def test_an_empty_period_gives_just_the_header():
    data = render(with_reflections(), "csv")
    assert data.decode("utf-8-sig") == ",".join(COLUMNS) + "\r\n"
