"""benchmarks/bench_export.py: the practitioner it prepares (as the exporting service reads
them back), its check of the files, its CPU count, and a smoke run against the real
`reflectbot run`."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

import bot.portfolio
import storage
from tests.conftest import BENCHMARKS, load_benchmark

bench = load_benchmark("bench_export")
WHAT, GIBBS = "What? So what? Now what?", "Gibbs' reflective cycle"
LEARNING, NOTE = "Professional learning", "Quick note"
SCRIPT_WORDS = 12  # the most an ending in another script adds to a last answer


def read_back(services, n: int, now):
    prepared = bench.prepare_database(services.settings.db_path, n, now)
    user = storage.get_user(services.db, bench.EXPORTER_ID)
    period = services.exporting.period(user, "all")
    return prepared, services.exporting.portfolio(user, period)


def test_the_practitioner_has_n_reflections_of_every_kind_over_three_years(services, clock):
    prepared, portfolio = read_back(services, 120, clock.now)
    reflections = portfolio.reflections
    assert len(reflections) == prepared.reflections == len(set(prepared.ids)) == 120
    assert [r.id for r in reflections] == prepared.ids  # oldest first
    assert Counter(r.set_name for r in reflections) == {WHAT: 42, GIBBS: 24, LEARNING: 12, NOTE: 42}
    assert clock.now - timedelta(days=3 * 365) < reflections[0].written_at
    assert reflections[0].written_at < clock.now - timedelta(days=2 * 365)
    assert reflections[-1].written_at < clock.now
    lengths = {WHAT: (3, 40, 120), GIBBS: (6, 30, 100), LEARNING: (3, 30, 90), NOTE: (1, 30, 250)}
    for reflection in reflections:
        answers, fewest, most = lengths[reflection.set_name]
        words = [len(item.answer.split()) for item in reflection.items]
        assert len(words) == answers
        assert all(fewest <= count <= most + SCRIPT_WORDS for count in words), words
    assert prepared.words == sum(len(item.answer.split()) for r in reflections for item in r.items)
    text = "\n".join(r.text for r in reflections)
    assert prepared.other_scripts == 4 and "Ролева" in text and "谢谢" in text and "🙂" in text


def test_indicators_learning_goals_and_sessions_are_all_there(services, clock):
    prepared, portfolio = read_back(services, 120, clock.now)
    reflections = portfolio.reflections
    assert set(Counter(len(r.confirmed) for r in reflections)) == {0, 1, 2, 3}
    assert portfolio.coverage.total == prepared.confirmed
    assert portfolio.coverage.with_evidence == prepared.with_confirmed
    statuses = dict(services.db.execute("SELECT status, count(*) FROM tags GROUP BY status"))
    assert statuses == {"confirmed": prepared.confirmed, "rejected": prepared.rejected}
    assert prepared.rejected > 0  # stored as decisions, never exported
    activities = portfolio.activities
    assert len(activities) == prepared.learning_marks
    assert all(r.learning is not None for r in reflections if r.set_name == LEARNING)
    assert any(r.learning is not None for r in reflections if r.set_name == NOTE)
    assert sum(a.hours for a in activities) == pytest.approx(prepared.learning_hours)
    assert {a.kind for a in activities} <= set(bot.portfolio.LEARNING_KINDS)
    assert portfolio.hours.weekly_hours == 35 and portfolio.hours.cycle_start is not None
    assert len(portfolio.goals) == 5 and sum(not goal.open for goal in portfolio.goals) == 2
    assert 0 < sum(r.goal_id is not None for r in reflections) == prepared.linked_to_goals
    assert 0 < sum(r.session is not None for r in reflections) == prepared.with_sessions
    # The chatter is consented with nothing written; neither is ever nudged.
    assert storage.get_user(services.db, bench.CHATTER_ID) is not None
    assert storage.count_finished_reflections(services.db, bench.CHATTER_ID) == 0
    assert services.nudging.upcoming(hours=24 * 14) == []


def test_each_reflection_opens_with_words_no_other_contains(tmp_path: Path, clock) -> None:
    prepared = bench.prepare_database(tmp_path / "bot.sqlite3", 1000, clock.now)
    squeezed = sorted({bench._squeezed(opening) for opening in prepared.openings}, key=len)
    assert len(squeezed) == 1000
    for index, opening in enumerate(squeezed):
        assert not any(opening in longer for longer in squeezed[index + 1 :]), opening


def test_the_check_finds_every_reflection_in_each_format_and_notices_one_missing(
    services, clock
) -> None:
    prepared, portfolio = read_back(services, 12, clock.now)
    for key in bot.portfolio.FORMATS:
        check = bench.check_file(key, bot.portfolio.render(portfolio, key), prepared)
        assert check.ok(12), (key, check)
        assert check.scripts in (None, True)
    assert bench.check_file("pdf", bot.portfolio.render(portfolio, "pdf"), prepared).pages > 1
    fewer = dataclasses.replace(portfolio, reflections=portfolio.reflections[1:])
    for key in ("json", "csv", "md", "docx"):
        check = bench.check_file(key, bot.portfolio.render(fewer, key), prepared)
        assert check.opens and check.reflections_found == 11 and not check.ok(12), key
    for key in ("pdf", "docx", "json", "csv"):
        broken = bench.check_file(key, b"\x00 not a file", prepared)
        assert not broken.opens and broken.error and not broken.ok(12), key


def test_the_cpu_of_child_processes_is_counted() -> None:
    main_before, children_before, names_before = bench.process_tree_cpu(os.getpid())
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    child = subprocess.Popen([sys.executable, "-c", busy + "\ntime.sleep(60)"])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the child's 0.3 s of CPU, however busy the machine
            main, children, names = bench.process_tree_cpu(os.getpid())
            if children - children_before >= 0.25:
                break
            time.sleep(0.1)
        assert children - children_before >= 0.25 and len(names) == len(names_before) + 1
        assert main >= main_before > 0
    finally:
        child.kill()
        child.wait()
    assert bench.process_tree_cpu(2**22 + 1) == (0.0, 0.0, [])  # no such process


@pytest.mark.slow
def test_a_quick_run_sends_every_file_while_the_chatter_is_answered(tmp_path: Path) -> None:
    """15-40 s: N = 60, a 3 s baseline, the bot sends a PDF and a CSV."""
    command = [sys.executable, str(BENCHMARKS / "bench_export.py"), "--quick", "--json"]
    command += ["--workdir", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert run.stdout.lstrip().startswith("{"), run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["reflections"] == 60 and result["prepared"]["reflections"] == 60
    formats = result["formats"]
    assert [r["format"] for r in formats["formats"]] == list(bot.portfolio.FORMATS)
    assert all(
        r["check"]["opens"] and r["check"]["reflections_found"] == 60 for r in formats["formats"]
    )
    assert formats["portfolio_seconds"] < 1.0
    chat = result["chat"]
    assert [e["format"] for e in chat["exports"]] == ["pdf", "csv"]
    for export in chat["exports"]:
        assert export["bytes"] > 0 and export["filename"].endswith("." + export["format"])
        assert export["check"]["opens"] and export["check"]["reflections_found"] == 60, export
    assert chat["baseline"]["count"] > 0 and chat["during"]["count"] > 0
    assert chat["stuck"] is None and chat["error_replies"] == 0
    assert chat["cpu_exports"]["children"] > 0  # the render process was counted
    verdicts = result["verdicts"]
    assert verdicts["chat: every file (PDF, CSV) arrived, parses and holds all 60"]
    assert verdicts["chat: every update replied to"]
    assert all(met for target, met in verdicts.items() if target.startswith("formats:"))
