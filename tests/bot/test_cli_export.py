"""`reflectbot export`: one practitioner's portfolio written to a private file, from a real
database file, with clear errors for everything that can be wrong."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import stat
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.cli import main
from bot.config import load_settings
from bot.services import container
from tests.conftest import FakeClock

ANN, BO = 7, 8
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """The database the command reads (not yet created), no token, and a fixed clock."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.setenv("REFLECTBOT_DB", str(path))
    clock = FakeClock(NOW)
    real = container.build_services
    monkeypatch.setattr(container, "build_services", functools.partial(real, clock=clock))
    return path


def note(db, user_id, started, text, confirmed=()):
    made = storage.start_reflection(
        db, user_id, kind="note", question_set_id="quick", question_set_version=1, now=started
    )
    storage.save_answer(db, made.id, "note", text, started)
    storage.finish_reflection(db, made.id, text, started, [], "test-model", started)
    for indicator_id in confirmed:
        storage.set_tag(db, made.id, indicator_id, "confirmed", started)
    return made


@pytest.fixture
def practitioners(database):
    """Ann (7) with three notes, one marked as learning; Bo (8) with one."""
    db = storage.open_database(database)
    try:
        storage.save_consent(db, ANN, "Ann Morrison", "Europe/London", NOW)
        storage.save_consent(db, BO, "Bo", "Europe/London", NOW)
        september = note(db, ANN, local(2026, 9, 10, 19), "Pool night, =SUM(A1)", ("2.6", "1.1"))
        storage.mark_learning(db, september.id, ANN, "course", 2.5, NOW)
        october = note(db, ANN, local(2026, 10, 25, 23, 30), "Late on the last day", ("6.9",))
        november = note(db, ANN, local(2026, 11, 2, 12), "November note")
        note(db, BO, local(2026, 10, 1, 12), "Bo's note BO-MARKER", ("7.1",))
        return {"september": september.id, "october": october.id, "november": november.id}
    finally:
        db.close()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_csv_export_is_written_privately_and_reads_back(practitioners, tmp_path, capsys):
    out = tmp_path / "exports" / "ann.csv"
    assert main(["export", "--user", str(ANN), "--format", "csv", "--out", str(out)]) == 0
    assert mode(out) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(int(r["reflection_id"]), r["indicator_id"]) for r in rows] == [
        (practitioners["september"], "1.1"),
        (practitioners["september"], "2.6"),
        (practitioners["october"], "6.9"),
        (practitioners["november"], ""),
    ]
    assert rows[0]["text"] == "Pool night, =SUM(A1)" and rows[0]["learning_hours"] == "2.5"
    assert "BO-MARKER" not in out.read_text(encoding="utf-8-sig")
    err = capsys.readouterr().err
    assert f"wrote {out}: 3 reflection(s), Everything up to 23 Nov 2026" in err
    assert [p.name for p in out.parent.iterdir()] == ["ann.csv"], "no partial file left"


def test_a_json_export_between_dates_takes_in_both_days(practitioners, tmp_path):
    out = tmp_path / "ann.json"
    arguments = ["--from", "2026-09-10", "--to", "2026-10-25", "--out", str(out)]
    assert main(["export", "--user", str(ANN), "--format", "json", *arguments]) == 0
    data = json.loads(out.read_text())
    assert data["period"] == {"start": "2026-09-10", "end": "2026-10-25", "label": "Chosen dates"}
    assert [r["id"] for r in data["reflections"]] == [
        practitioners["september"],
        practitioners["october"],
    ]
    assert data["practitioner"] == "Ann Morrison"
    assert data["hours"]["in_period"] == 2.5
    assert mode(out) == 0o600


def test_the_file_is_the_one_the_bot_would_send(practitioners, database, tmp_path):
    out = tmp_path / "ann.md"
    assert main(["export", "--user", str(ANN), "--format", "md", "--out", str(out)]) == 0
    services = container.build_services(load_settings(require_token=False), render_in_process=True)
    try:
        user = services.users.get(ANN)
        period = services.exporting.period_between(user, None, None)
        assert out.read_bytes() == services.exporting.export_now(user, period, "md").content
    finally:
        services.close()


@pytest.mark.parametrize(
    ("key", "start"),
    [("pdf", b"%PDF-"), ("docx", b"PK"), ("md", b"#"), ("json", b"{"), ("csv", b"\xef\xbb\xbf")],
)
def test_every_format(practitioners, tmp_path, key, start):
    out = tmp_path / f"ann.{key}"
    assert main(["export", "--user", str(ANN), "--format", key, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(start)
    assert mode(out) == 0o600


def test_an_existing_file_is_replaced_and_made_private(practitioners, tmp_path):
    out = tmp_path / "ann.csv"
    out.write_text("old contents")
    os.chmod(out, 0o644)
    assert main(["export", "--user", str(ANN), "--format", "csv", "--out", str(out)]) == 0
    assert "old contents" not in out.read_text(encoding="utf-8-sig")
    assert mode(out) == 0o600


def test_a_partial_file_left_by_a_crash_does_not_make_the_export_readable(practitioners, tmp_path):
    """An earlier run stopped after creating its partial file, which someone made
    readable: the export written through it must still be 0600."""
    out = tmp_path / "ann.csv"
    partial = tmp_path / ".ann.csv.partial"
    partial.write_text("half")
    os.chmod(partial, 0o644)
    assert main(["export", "--user", str(ANN), "--format", "csv", "--out", str(out)]) == 0
    assert mode(out) == 0o600


def test_an_unknown_practitioner(practitioners, database, tmp_path, capsys):
    out = tmp_path / "nobody.csv"
    assert main(["export", "--user", "999", "--format", "csv", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no practitioner with Telegram id 999" in err and str(database) in err
    assert not out.exists()


def test_an_unknown_format(practitioners, tmp_path, capsys):
    out = tmp_path / "ann.xlsx"
    with pytest.raises(SystemExit) as exit:
        main(["export", "--user", str(ANN), "--format", "xlsx", "--out", str(out)])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'xlsx'" in err and "Traceback" not in err
    assert not out.exists()


def test_from_after_to(database, tmp_path, capsys):
    out = tmp_path / "ann.csv"
    arguments = ["--from", "2026-10-02", "--to", "2026-10-01", "--out", str(out)]
    assert main(["export", "--user", str(ANN), "--format", "csv", *arguments]) == 2
    assert "--from 2026-10-02 is after --to 2026-10-01" in capsys.readouterr().err
    assert not out.exists() and not database.parent.exists()


def test_the_same_day_twice_is_one_day(practitioners, tmp_path):
    out = tmp_path / "ann.json"
    arguments = ["--from", "2026-10-25", "--to", "2026-10-25", "--out", str(out)]
    assert main(["export", "--user", str(ANN), "--format", "json", *arguments]) == 0
    assert [r["id"] for r in json.loads(out.read_text())["reflections"]] == [
        practitioners["october"]
    ]


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "01/10/2026", ""])
def test_a_date_that_is_not_iso(database, tmp_path, capsys, day):
    out = tmp_path / "ann.csv"
    with pytest.raises(SystemExit) as exit:
        main(["export", "--user", str(ANN), "--format", "csv", "--from", day, "--out", str(out)])
    assert exit.value.code == 2
    assert "expected a date like 2026-04-01" in capsys.readouterr().err
    assert not out.exists()


def test_an_empty_period(practitioners, tmp_path, capsys):
    out = tmp_path / "ann.csv"
    arguments = ["--from", "2025-01-01", "--to", "2025-12-31", "--out", str(out)]
    assert main(["export", "--user", str(ANN), "--format", "csv", *arguments]) == 1
    assert f"{ANN} has no reflections in 1 Jan 2025 – 31 Dec 2025" in capsys.readouterr().err
    assert not out.exists()


def test_a_practitioner_with_nothing_written(database, tmp_path, capsys):
    db = storage.open_database(database)
    storage.save_consent(db, ANN, "Ann", "Europe/London", NOW)
    db.close()
    out = tmp_path / "ann.pdf"
    assert main(["export", "--user", str(ANN), "--format", "pdf", "--out", str(out)]) == 1
    assert "has no reflections in Everything up to 23 Nov 2026" in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_database_is_not_created(database, tmp_path, capsys):
    out = tmp_path / "ann.csv"
    assert main(["export", "--user", str(ANN), "--format", "csv", "--out", str(out)]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not database.parent.exists() and not out.exists()


@pytest.mark.parametrize(
    "missing",
    [
        ["--format", "csv", "--out", "x.csv"],
        ["--user", "7", "--out", "x.csv"],
        ["--user", "7", "--format", "csv"],
    ],
)
def test_user_format_and_out_are_required(database, capsys, missing):
    with pytest.raises(SystemExit) as exit:
        main(["export", *missing])
    assert exit.value.code == 2
    assert "required" in capsys.readouterr().err


def test_export_is_documented_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "export" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for words in ("--user TELEGRAM_ID", "--from YYYY-MM-DD", "--to YYYY-MM-DD", "--out FILE"):
        assert words in out
    assert "pdf" in out and "docx" in out and "md" in out


def test_dates_default_to_today_on_the_practitioners_calendar(practitioners, tmp_path):
    out = tmp_path / "ann.json"
    assert main(["export", "--user", str(ANN), "--format", "json", "--out", str(out)]) == 0
    period = json.loads(out.read_text())["period"]
    assert period == {"start": None, "end": date(2026, 11, 23).isoformat(), "label": "Everything"}
