"""benchmarks/bench_nudges.py: the database it prepares (the bot's own service sees every
nudge due at the chosen minute), its counting, and a smoke run against the real
`reflectbot run`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from tests.conftest import BENCHMARKS, load_benchmark

bench = load_benchmark("bench_nudges")
NOW = datetime(2026, 11, 27, 19, 54, 31, tzinfo=UTC)


def test_the_due_minute_is_a_whole_minute_after_the_lead() -> None:
    assert bench.due_minute(NOW, 20) == datetime(2026, 11, 27, 19, 55, tzinfo=UTC)
    assert bench.due_minute(NOW, 29) == datetime(2026, 11, 27, 19, 55, tzinfo=UTC)
    assert bench.due_minute(NOW, 30) == datetime(2026, 11, 27, 19, 56, tzinfo=UTC)
    on_the_minute = datetime(2026, 11, 27, 19, 54, 40, tzinfo=UTC)
    assert bench.due_minute(on_the_minute, 20) == datetime(2026, 11, 27, 19, 55, tzinfo=UTC)


def test_the_busiest_second_counts_messages_less_than_a_second_apart() -> None:
    assert bench.busiest_second([]) == 0
    assert bench.busiest_second([0.0, 0.5, 0.99, 1.0, 1.98]) == 3
    assert bench.busiest_second([i / 16 for i in range(64)]) == 16  # 16 a second, evenly
    assert bench.busiest_second([0.0] * 25 + [i / 16 for i in range(1, 33)]) == 40  # a burst


def test_every_prepared_practitioner_is_due_at_the_minute_and_the_chatter_never(
    services, clock
) -> None:
    due = datetime(2026, 3, 29, 0, 2, tzinfo=UTC)  # 5 minutes after a session ending 23:57
    bench.prepare_database(services.settings.db_path, 3, due, NOW)
    clock.now = due - timedelta(minutes=10)
    upcoming = services.nudging.upcoming(hours=24 * 7)
    assert [(u.user_id, u.due, u.kind) for u in upcoming if u.due < due + timedelta(days=6)] == [
        (bench.FIRST_ID + i, due, "session") for i in range(3)
    ]
    assert not [u for u in upcoming if u.user_id == bench.CHATTER_ID]  # no weekly nudge either
    clock.now = due + timedelta(seconds=0.5)
    message = services.nudging.due(bench.FIRST_ID + 1)
    assert message is not None and message.content.session.name == bench.session_name(1)


def test_the_database_check_finds_missing_repeated_and_unsent_nudges(tmp_path: Path) -> None:
    path, due = tmp_path / "bot.sqlite3", datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    bench.prepare_database(path, 4, due, NOW)
    db = storage.open_database(path)
    for index, (due_at, message_id) in enumerate([(due, 7), (due, None), (due, 9)]):
        user_id = bench.FIRST_ID + index
        [session] = storage.sessions_of(db, user_id)
        recorded = storage.record_nudge(
            db,
            user_id,
            slot=f"session:{session.id}",
            kind="session",
            session_id=session.id,
            due_at=due_at,
            status="sent",
            now=due,
        )
        storage.set_nudge_status(db, recorded.id, "sent", sent_at=due, message_id=message_id)
    storage.record_nudge(  # the third practitioner's, a week later: one too many
        db,
        bench.FIRST_ID + 2,
        slot="weekly",
        kind="weekly",
        session_id=None,
        due_at=due + timedelta(days=7),
        status="dropped",
        now=due,
    )
    db.close()

    check = bench.check_database(path, 4, due)

    assert (check.rows, check.sent, check.missing, check.extra) == (4, 1, 1, 1)
    assert (check.without_message_id, check.wrong_due) == (1, 0)
    assert check.statuses == {"sent": 3, "dropped": 1} and not check.ok(4)
    assert bench.check_database(path, 1, due).ok(1) is False  # the others' rows are extra


@pytest.mark.slow
def test_a_quick_run_nudges_everybody_once_within_the_limits(tmp_path: Path) -> None:
    """25-90 s: the nudges fall due on the first whole minute at least 20 s after the start."""
    results = tmp_path / "results.json"
    command = [sys.executable, str(BENCHMARKS / "bench_nudges.py"), "--quick"]
    command += ["--workdir", str(tmp_path), "--json", str(results)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=240)
    for figure in ("nudges delivered", "busiest 1-second window", "replies, during the burst"):
        assert figure in run.stdout, run.stdout + run.stderr
    result = json.loads(results.read_text())
    assert (result["practitioners"], result["delivered"], result["duplicated"]) == (40, 40, 0)
    assert result["stored"]["sent"] == 40 and result["baseline"]["count"] > 0
    assert result["burst"]["count"] > 0 and result["stuck"] is None
    assert run.returncode == 0, run.stdout + run.stderr  # every target met
    assert result["met"] and result["busiest_second"] <= 30
