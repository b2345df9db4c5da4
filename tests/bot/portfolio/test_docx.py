"""The Word export, read back with python-docx: headings Word's navigation pane lists,
tables, the chart, the document's properties, and every character of the text."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from docx import Document

from bot.portfolio import render, wording
from bot.portfolio.document import Portfolio
from bot.portfolio.docx_file import xml_text
from tests.bot.portfolio.portfolios import (
    MULTILINGUAL,
    RECORD_PARTS,
    SAMPLE,
    SECTION_TITLES,
    guided,
    with_reflections,
)


def read(portfolio: Portfolio):
    return Document(io.BytesIO(render(portfolio, "docx")))


def texts(doc, style: str | None = None) -> list[str]:
    return [p.text for p in doc.paragraphs if style is None or p.style.name == style]


def section(doc, title: str) -> list[str]:
    """The paragraphs under the Heading 1 `title`, up to the next Heading 1."""
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == title)
    end = next(
        (i for i, p in enumerate(paragraphs) if i > start and p.style.name == "Heading 1"),
        len(paragraphs),
    )
    return [p.text for p in paragraphs[start + 1 : end]]


@pytest.fixture(scope="module")
def sample():
    return read(SAMPLE)


def test_properties_and_cover(sample):
    properties = sample.core_properties
    assert properties.author == "Morven Campbell"
    assert properties.title == f"{wording.TITLE}: Morven Campbell"
    assert properties.created == datetime(2026, 11, 27, 21, 5, tzinfo=UTC)
    assert texts(sample, "Title") == [wording.TITLE]
    cover = texts(sample)[:6]
    assert cover[1] == "Morven Campbell"
    assert "Last 3 months: 3 Sep 2026 – 27 Nov 2026" in cover
    assert "Made on 27 Nov 2026 at 21:05 with ReflectBot" in cover
    assert "CLD Competent Practitioner Framework, version 2024-04-19" in cover
    assert wording.summary_line(SAMPLE) in cover
    assert sample.styles["Normal"].font.name == "DejaVu Sans"


def test_headings_for_sections_competences_and_indicators(sample):
    assert texts(sample, "Heading 1") == SECTION_TITLES
    competences = texts(sample, "Heading 2")
    assert competences[0] == "Competence 1: Know and understand the community in which we work"
    assert competences[-4:] == RECORD_PARTS
    indicators = texts(sample, "Heading 3")
    assert indicators[0] == f"1.2 {SAMPLE.framework.indicator('1.2').text}"
    assert len(indicators) == len(SAMPLE.by_indicator())


def test_coverage_chart_table_and_gaps(sample):
    assert len(sample.inline_shapes) == 1  # the competence chart
    counts = sample.tables[0]
    assert [c.text for c in counts.rows[0].cells] == list(wording.COVERAGE_HEADER)
    assert [c.text for c in counts.rows[2].cells] == [
        "Competence 2: Build and maintain relationships with individuals and groups",
        "3",
        "4 of 8",
    ]
    coverage = section(sample, wording.COVERAGE_TITLE)
    assert "Nothing yet for 6.2 Initiate work with other organisations, 6.5 Articulate " in (
        "\n".join(coverage)
    )
    assert wording.FRAMEWORK_NOTE in coverage


def test_hours_and_goals(sample):
    hours = section(sample, wording.HOURS_TITLE)
    assert "This registration cycle (1 Apr 2025 – 31 Mar 2028): 42.5 h of 105 h required." in (
        hours
    )
    assert "In this period (3 Sep 2026 – 27 Nov 2026): 11 h." in hours
    goals = section(sample, wording.GOALS_TITLE)
    assert goals[:3] == [
        "Get better at handing over control of sessions to the young people.",
        "Open, set on 29 Aug 2026 · Competences 2, 3",
        "Review, 7 Nov 2026: Going well at youth club; harder with the younger group.",
    ]
    assert "Achieved on 18 Oct 2026 · Competence 4" in goals


def test_reflections_question_in_bold_then_answer_printed_once(sample):
    evidence = section(sample, wording.EVIDENCE_TITLE)
    question = "So what? What did it tell you about the people you work with, or about "
    at = next(i for i, p in enumerate(sample.paragraphs) if p.text.startswith(question))
    asked, answered = sample.paragraphs[at], sample.paragraphs[at + 1]
    assert all(run.bold for run in asked.runs)
    assert answered.text.startswith("Residents were listened to because they had prepared")
    assert not any(run.bold for run in answered.runs)
    council = "Community council meeting about the closure of the library branch."
    assert sum(council in p for p in evidence) == 1
    assert "Evidence for: 1.2, 5.2, 6.3" in evidence
    assert "Professional learning: Course, 6.5 h" in evidence
    assert (
        "20 Oct 2026 — Community council meeting about the closure of the library… (see 1.2)"
        in evidence
    )


def test_other_reflections_hold_the_untagged_one(sample):
    assert section(sample, wording.OTHER_TITLE) == [
        "25 Nov 2026 · Quick note",
        "Mileage and room bookings sorted for next term. Nothing else to note.",
    ]


def test_learning_record(sample):
    activities = sample.tables[1]
    rows = [[c.text for c in row.cells] for row in activities.rows]
    assert rows[0] == list(wording.ACTIVITY_HEADER)
    assert rows[1] == ["13 Oct 2026", SAMPLE.activities[0].description, "Course", "6.5 h"]
    assert rows[-1][1] == "Total: 11 h"
    record = section(sample, wording.RECORD_TITLE)
    assert SAMPLE.activities[0].impact in record
    assert SAMPLE.reflections[5].text in record  # no impact written: the reflection instead
    assert "13 Nov 2026 — Alison Reid (accepted by the practitioner)" in record
    assert SAMPLE.verifications[0].note in record
    assert wording.BLANK_REVIEW[0] not in record


def test_blank_review_lines_when_nothing_is_verified():
    record = section(read(replace(SAMPLE, verifications=())), wording.RECORD_TITLE)
    assert wording.NO_VERIFICATIONS in record
    assert record[-len(wording.BLANK_REVIEW) :] == list(wording.BLANK_REVIEW)


def test_every_script_emoji_and_control_characters():
    answer = f"{MULTILINGUAL}\nnul\x00 tab\x0b escape\x1b bell\x07 end"
    portfolio = replace(
        with_reflections(guided(answer, "Ελληνικά\r\nκαι μετά")), practitioner="Олена\x1b К."
    )
    doc = read(portfolio)
    assert doc.core_properties.author == "Олена К."
    evidence = section(doc, wording.EVIDENCE_TITLE)
    assert f"{MULTILINGUAL}\nnul tab escape bell end" in evidence
    assert "Ελληνικά\nκαι μετά" in evidence


def test_xml_text_removes_only_what_xml_cannot_hold():
    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\ud800g\uffffh") == "abcdefgh"
    assert xml_text("tab\tnew\nline\r\nreturn\r") == "tab\tnew\nline\nreturn\n"
    assert xml_text(MULTILINGUAL + "\x7f") == MULTILINGUAL + "\x7f"


def test_a_20000_character_reflection_is_kept_whole():
    answer = ("A long reflection, with commas, “quotes” and <angle brackets>. " * 400)[:20_000]
    assert answer in section(read(with_reflections(guided(answer))), wording.EVIDENCE_TITLE)


def test_an_empty_period_still_makes_a_document():
    doc = read(replace(with_reflections(), goals=(), verifications=()))
    assert len(texts(doc, "Heading 1")) == 6
    for line in (wording.NO_EVIDENCE, wording.NO_OTHER, wording.NO_GOALS, wording.NO_ACTIVITIES):
        assert line in texts(doc)
    assert len(doc.tables) == 1  # the competence counts, all zero
    assert wording.BLANK_REVIEW[0] in texts(doc)


def test_a_very_long_name_fits_the_document_properties():
    doc = read(replace(SAMPLE, practitioner="Morven " * 60))
    assert doc.core_properties.author == ("Morven " * 60)[:255]
    assert texts(doc, "Subtitle") == ["Morven " * 60]
