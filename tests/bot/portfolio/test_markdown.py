"""The Markdown export, parsed as CommonMark with tables (markdown-it-py): the structure
is the portfolio's, and the practitioner's text shows exactly as written."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.portfolio import render, wording
from bot.portfolio.document import LearningActivity, Portfolio
from tests.bot.portfolio.portfolios import (
    MULTILINGUAL,
    RECORD_PARTS,
    SAMPLE,
    SECTION_TITLES,
    guided,
    with_reflections,
)

markdown_it = pytest.importorskip("markdown_it")


def parse(portfolio: Portfolio) -> list:
    text = render(portfolio, "md").decode("utf-8")
    return markdown_it.MarkdownIt("commonmark").enable("table").parse(text)


def plain(token) -> str:
    """An inline token's text as a reader sees it."""
    breaks = {"softbreak": "\n", "hardbreak": "\n"}
    return "".join(breaks.get(c.type, c.content) for c in token.children or [])


def headings(tokens, level: int) -> list[str]:
    return [
        plain(tokens[i + 1])
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == f"h{level}"
    ]


def paragraphs(tokens) -> list[str]:
    return [plain(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"]


def table_rows(tokens, header: str) -> list[list[str]]:
    """The cells of the table whose first header cell is `header`."""
    tables, rows, cells = [], [], []
    for i, token in enumerate(tokens):
        if token.type in ("th_open", "td_open"):
            cells.append(plain(tokens[i + 1]))
        elif token.type == "tr_close":
            rows.append(cells)
            cells = []
        elif token.type == "table_close":
            tables.append(rows)
            rows = []
    return next(t for t in tables if t[0][0] == header)


def section(tokens, title: str) -> list[str]:
    """The paragraphs under the level-2 heading `title`, up to the next one."""
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == title)
    end = next(
        (
            i
            for i, t in enumerate(tokens)
            if i > start and t.type == "heading_open" and t.tag == "h2"
        ),
        len(tokens),
    )
    return paragraphs(tokens[start + 1 : end])


def blocks(tokens) -> list[str]:
    """The document's block structure: headings, lists, tables, quotes, rules, code."""
    return [t.type for t in tokens if t.block and t.type != "inline"]


def test_sections_in_order_with_competences_and_indicators():
    tokens = parse(SAMPLE)
    assert headings(tokens, 1) == [wording.TITLE]
    assert headings(tokens, 2) == SECTION_TITLES
    assert "Competence 1: Know and understand the community in which we work" in headings(tokens, 3)
    indicator = f"1.2 {SAMPLE.framework.indicator('1.2').text}"
    assert indicator in headings(tokens, 4)
    assert headings(tokens, 3)[-4:] == RECORD_PARTS


def test_cover_coverage_hours_and_goals():
    tokens = parse(SAMPLE)
    text = "\n".join(paragraphs(tokens))
    assert "Morven Campbell" in text
    assert "Last 3 months: 3 Sep 2026 – 27 Nov 2026" in text
    assert "10 reflections, 18 confirmed indicators, 11 h of professional learning" in text
    assert (
        "This registration year (1 Apr 2026 – 31 Mar 2027): 11 h of 35 h required (35 h a week)."
        in text
    )
    assert "Nothing yet for 6.2 Initiate work with other organisations, 6.5" in text
    assert wording.FRAMEWORK_NOTE in text
    assert "Get better at handing over control of sessions to the young people." in text
    assert "Review, 7 Nov 2026: Going well at youth club" in text
    counts = table_rows(tokens, "Competence")
    assert counts[1] == [
        "Competence 1: Know and understand the community in which we work",
        "1",
        "1 of 7",
    ]
    assert len(counts) == 1 + len(SAMPLE.framework.competences)


def test_reflection_in_full_once_then_referenced():
    text = "\n".join(paragraphs(parse(SAMPLE)))
    council = "Community council meeting about the closure of the library branch."
    assert text.count(council) == 1
    assert "Evidence for: 1.2, 5.2, 6.3" in text
    assert "Professional learning: Course, 6.5 h" in text
    assert (
        "20 Oct 2026 — Community council meeting about the closure of the library… (see 1.2)"
        in (text)
    )
    assert "„Biblioteka to nasze serce”" in text


def test_other_reflections_and_the_record():
    tokens = parse(SAMPLE)
    other = section(tokens, wording.OTHER_TITLE)
    assert other == ["25 Nov 2026 · Quick note", SAMPLE.untagged[0].text]
    activities = table_rows(tokens, "Date")
    assert activities[1] == ["13 Oct 2026", SAMPLE.activities[0].description, "Course", "6.5 h"]
    assert activities[-1][1] == "Total: 11 h"
    record = section(tokens, wording.RECORD_TITLE)
    assert "13 Nov 2026 — Alison Reid (accepted by the practitioner)" in record
    assert SAMPLE.verifications[0].note in record
    impact = SAMPLE.activities[0].impact
    assert impact in record


def test_blank_review_lines_when_nothing_is_verified():
    source = render(replace(SAMPLE, verifications=()), "md").decode()
    assert wording.NO_VERIFICATIONS in source
    assert all(line in source for line in wording.BLANK_REVIEW)


@pytest.mark.parametrize(
    "answer",
    [
        "# not a heading",
        "> not a quote",
        "- not a list",
        "+ not a list",
        "* not a list",
        "1. not a list",
        "2) not a list",
        "<div>not html</div>",
        "``` not code",
        "[x]: http://example.invalid",
        "Not a heading either\n---",
        "Nor this\n===",
        "    not code",
        "***",
    ],
)
def test_answers_that_look_like_markdown_show_as_written(answer):
    tokens = parse(with_reflections(guided(answer)))
    harmless = parse(with_reflections(guided("plain words")))
    assert blocks(tokens) == blocks(harmless)  # the answer is one more paragraph, no more
    expected = "\n".join(line.strip() for line in answer.split("\n"))
    assert expected in section(tokens, wording.EVIDENCE_TITLE)


def test_list_items_are_not_nested_lists():
    goal = replace(SAMPLE.goals[0], text="1. - # goal")
    tokens = parse(replace(SAMPLE, goals=(goal,)))
    assert blocks(tokens) == blocks(parse(replace(SAMPLE, goals=(SAMPLE.goals[0],))))
    assert any(p.startswith("1. - # goal\n") for p in section(tokens, wording.GOALS_TITLE))
    assert "1. - # goal — Open, set on" in section(tokens, wording.RECORD_TITLE)[0]


def test_pipes_and_newlines_in_a_description_stay_in_their_cell():
    activity = LearningActivity(99, date(2026, 11, 20), "peer", 2, "A | B\nsplit | talk", "")
    tokens = parse(with_reflections(guided("Peer learning, A | B", learning=activity)))
    rows = table_rows(tokens, "Date")
    assert rows[1] == ["20 Nov 2026", "A | B split | talk", "Peer learning", "2 h"]
    assert all(len(row) == 4 for row in rows)
    assert "Peer learning, A | B" in paragraphs(tokens)


def test_html_and_entities_are_text():
    answer = "<script>alert(1)</script> &amp; &copy; back\\slash *stars* _under_"
    tokens = parse(with_reflections(guided(answer)))
    assert answer in paragraphs(tokens)
    assert not any(t.type == "html_inline" for p in tokens for t in (p.children or []))


def test_line_breaks_and_paragraphs_in_an_answer_are_kept():
    answer = "first line\nsecond line\n\nnew paragraph"
    text = paragraphs(parse(with_reflections(guided(answer))))
    assert "first line\nsecond line" in text and "new paragraph" in text


def test_every_script_and_emoji_survive():
    portfolio = replace(with_reflections(guided(MULTILINGUAL)), practitioner="Олена Коваленко")
    text = paragraphs(parse(portfolio))
    assert MULTILINGUAL in text and "Олена Коваленко" in text


def test_a_20000_character_reflection_is_kept_whole():
    answer = ("A long reflection with *emphasis*, | pipes and # hashes. " * 400)[:20_000]
    assert answer in paragraphs(parse(with_reflections(guided(answer))))


def test_an_empty_period_still_makes_a_document():
    empty = replace(with_reflections(), goals=(), verifications=())
    tokens = parse(empty)
    text = paragraphs(tokens)
    for line in (wording.NO_EVIDENCE, wording.NO_OTHER, wording.NO_GOALS, wording.NO_ACTIVITIES):
        assert line in text
    assert len(headings(tokens, 2)) == 6
