"""The JSON export: complete, and read back without ReflectBot."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

from bot.portfolio import render
from bot.portfolio.document import Portfolio, QuestionAnswer
from tests.bot.portfolio.portfolios import MULTILINGUAL, SAMPLE, note, with_reflections


def read(portfolio: Portfolio) -> dict:
    data = render(portfolio, "json")
    return json.loads(data.decode("utf-8"))


def test_header_period_and_framework():
    data = read(SAMPLE)
    assert (data["format"], data["version"]) == ("reflectbot-portfolio", 1)
    assert data["practitioner"] == "Morven Campbell"
    assert data["timezone"] == "Europe/London"
    assert datetime.fromisoformat(data["made_at"]) == SAMPLE.made_at
    assert data["period"] == {"start": "2026-09-03", "end": "2026-11-27", "label": "Last 3 months"}
    framework = data["framework"]
    assert (framework["name"], framework["version"], framework["source"]) == (
        SAMPLE.framework.name,
        SAMPLE.framework.version,
        SAMPLE.framework.source,
    )
    indicators = [i for c in framework["competences"] for i in c["indicators"]]
    assert [i["id"] for i in indicators] == list(SAMPLE.framework.indicator_ids)
    texts = {i["id"]: i["text"] for i in indicators}
    for reflection in data["reflections"]:  # every confirmed id can be read in the file
        for confirmed in reflection["confirmed"]:
            assert texts[confirmed["id"]] == confirmed["text"]
    assert framework["competences"][1]["title"] == SAMPLE.framework.competence(2).title


def test_coverage_round_trips():
    coverage = read(SAMPLE)["coverage"]
    assert coverage["by_indicator"] == SAMPLE.coverage.counts
    assert {int(n): c for n, c in coverage["by_competence"].items()} == (
        SAMPLE.coverage.by_competence
    )
    assert coverage["gaps"] == list(SAMPLE.coverage.gaps())
    assert "6.2" in coverage["gaps"] and "1.2" not in coverage["gaps"]


def test_hours_round_trip_with_the_requirements():
    hours = read(SAMPLE)["hours"]
    assert hours == {
        "weekly_hours": 35,
        "cycle_start": "2025-04-01",
        "year_start": "2026-04-01",
        "year_end": "2027-03-31",
        "cycle_end": "2028-03-31",
        "this_year": 11.0,
        "this_cycle": 42.5,
        "in_period": 11.0,
        "required_per_year": 35,
        "required_per_cycle": 105,
    }


def test_goals_round_trip():
    goals = read(SAMPLE)["goals"]
    assert [g["text"] for g in goals] == [g.text for g in SAMPLE.goals]
    closed = goals[1]
    assert closed["competences"] == [4]
    assert closed["outcome"] == "achieved"
    assert date.fromisoformat(closed["closed_on"]) == SAMPLE.goals[1].closed_on
    assert goals[0]["closed_on"] is None
    assert goals[0]["review"] == "Going well at youth club; harder with the younger group."


def test_reflections_round_trip():
    reflections = read(SAMPLE)["reflections"]
    assert [r["id"] for r in reflections] == [r.id for r in SAMPLE.reflections]
    for got, want in zip(reflections, SAMPLE.reflections, strict=True):
        assert datetime.fromisoformat(got["written_at"]) == want.written_at
        assert (got["set_name"], got["kind"], got["session"]) == (
            want.set_name,
            want.kind,
            want.session,
        )
        assert [QuestionAnswer(**item) for item in got["items"]] == list(want.items)
        assert [c["id"] for c in got["confirmed"]] == list(want.confirmed)
        assert got["goal_id"] == want.goal_id
        assert (got["learning"] is None) == (want.learning is None)
    course = next(r for r in reflections if r["id"] == 4)
    assert course["learning"]["kind"] == "course" and course["learning"]["hours"] == 6.5
    assert course["learning"]["on"] == "2026-10-13"


def test_activities_and_verifications_round_trip():
    data = read(SAMPLE)
    activities = data["activities"]
    assert [a["reflection_id"] for a in activities] == [4, 6, 8]
    assert sum(a["hours"] for a in activities) == 11
    assert activities[2]["kind_label"] == "Shadowing" and activities[2]["goal_id"] == 1
    (verification,) = data["verifications"]
    assert verification["verifier"] == "Alison Reid"
    assert verification["accepted"] is True
    assert verification["note"].startswith("Discussed the trauma-informed practice course")
    assert verification["on"] == "2026-11-13"


def test_text_is_utf8_not_escaped():
    portfolio = replace(
        with_reflections(note(MULTILINGUAL, confirmed=("3.6",))), practitioner="Ολγα"
    )
    data = render(portfolio, "json")
    assert MULTILINGUAL.encode("utf-8") in data and b"\\u" not in data
    parsed = json.loads(data)
    assert parsed["reflections"][0]["items"][0]["answer"] == MULTILINGUAL
    assert parsed["practitioner"] == "Ολγα"


def test_control_characters_and_a_long_reflection_survive():
    text = "bell\x07 nul\x00 escape\x1b " + "x" * 20_000
    parsed = read(with_reflections(note(text)))
    assert parsed["reflections"][0]["items"][0]["answer"] == text


def test_an_empty_period_is_still_a_complete_file():
    empty = replace(with_reflections(), goals=(), verifications=())
    data = read(empty)
    assert data["reflections"] == data["activities"] == data["goals"] == []
    assert data["verifications"] == []
    assert set(data["coverage"]["gaps"]) == set(SAMPLE.framework.indicator_ids)
    assert data["framework"]["competences"]


def test_period_from_the_start_has_no_start_date():
    portfolio = replace(SAMPLE, period=replace(SAMPLE.period, start=None))
    assert read(portfolio)["period"]["start"] is None
