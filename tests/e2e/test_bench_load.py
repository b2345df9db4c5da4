"""benchmarks/bench_load.py: its check of the database, its practitioners' texts, and a
smoke run in its smallest form against the real `reflectbot run` and the echo bot."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from tests.conftest import BENCHMARKS, load_benchmark

bench = load_benchmark("bench_load")
NOW = "2026-11-27T10:00:00+00:00"


def stored_reflection(db: sqlite3.Connection, user_id: int, answers: dict[str, str]) -> None:
    db.execute(
        "INSERT INTO users (id, display_name, timezone, consented_at, created_at)"
        " VALUES (?, 'P', 'Europe/London', ?, ?)",
        [user_id, NOW, NOW],
    )
    reflection_id = db.execute(
        "INSERT INTO reflections (user_id, kind, question_set_id, question_set_version,"
        " status, started_at, finished_at, suggested_at)"
        " VALUES (?, 'guided', 'gibbs', 1, 'done', ?, ?, ?)",
        [user_id, NOW, NOW, NOW],
    ).lastrowid
    for question_id, text in answers.items():
        db.execute(
            "INSERT INTO answers (reflection_id, question_id, text, answered_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [reflection_id, question_id, text, NOW, NOW],
        )


def test_the_check_finds_each_kind_of_mistake(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    storage.open_database(path).close()  # the schema, as the bot makes it
    expected = [dict(zip(bench.QUESTIONS, bench.answers_of(i), strict=True)) for i in range(5)]
    wrong = [dict(answers) for answers in expected]
    del wrong[1]["feelings"]  # lost
    wrong[2]["analysis"] += " " + expected[2]["analysis"]  # stored twice, joined
    wrong[3]["feelings"], wrong[3]["evaluation"] = (
        expected[3]["evaluation"],
        expected[3]["feelings"],
    )
    with sqlite3.connect(path) as db:
        for index, answers in enumerate(wrong):
            stored_reflection(db, bench.FIRST_ID + index, answers)
        db.execute("UPDATE reflections SET suggested_at = NULL WHERE user_id = ?", [bench.FIRST_ID])
        db.execute("INSERT INTO inbox (update_id, received_at) VALUES (1, ?)", [NOW])
    db.close()

    check = bench.check_database(path, {bench.FIRST_ID + i: i for i in range(6)})

    assert (check.lost, check.duplicated, check.misfiled) == (1 + 6, 1, 2)  # the 6th: nothing
    assert (check.reflections, check.unfinished, check.without_suggestions) == (5, 1, 1)
    assert check.unhandled_updates == 1 and not check.ok
    clean = bench.check_database(path, {bench.FIRST_ID + 4: 4})
    assert (clean.lost, clean.duplicated, clean.misfiled, clean.reflections) == (0, 0, 0, 1)
    assert clean.unexpected == sum(len(answers) for answers in wrong[:4])  # others' answers
    # A practitioner who got stuck before answering lost nothing: their answers were never sent.
    stuck = bench.check_database(path, {bench.FIRST_ID + 5: 5}, {bench.FIRST_ID + 5: 0})
    assert (stuck.lost, stuck.unfinished, stuck.not_sent) == (0, 0, 6)


@pytest.mark.slow
def test_the_practitioners_answers_pass_the_identifier_guard() -> None:
    """A held answer would stall a practitioner: none of N = 200 may look like a name."""
    from bot.identifiers import SpacyIdentifierDetector

    detector = SpacyIdentifierDetector()
    for index in range(200):
        answers = bench.answers_of(index)
        assert len(set(answers)) == len(bench.QUESTIONS)
        for text in answers:
            assert detector.find(text, own_names=[f"P{index}"]) == [], text
    first_answers = {bench.answers_of(index)[0] for index in range(200)}
    assert len(first_answers) == 200  # nobody's answers are anybody else's


@pytest.mark.slow
def test_the_smallest_run_stores_every_answer_once(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    command = [sys.executable, str(BENCHMARKS / "bench_load.py"), "--quick"]
    command += ["--workdir", str(tmp_path), "--json", str(results)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lost 0, duplicated 0, misfiled 0, unexpected 0" in run.stdout
    assert "ReflectBot / echo:" in run.stdout
    [ours, echo] = json.loads(results.read_text())
    assert (ours["bot"], ours["updates"], ours["reflections"]) == ("reflectbot", 30, 3)
    assert (echo["bot"], echo["updates"], echo["stuck"]) == ("echo", 30, 0)
    assert ours["check"]["reflections"] == 3 and ours["check"]["suggestions"] > 0
