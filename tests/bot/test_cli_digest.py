"""`reflectbot digest --preview`: what a supervisor would receive now, printed as plain
text from a real database file, without sending or recording anything."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.cli import main
from bot.services import container
from bot.services.supervision import token_hash
from prompts import plain, t
from tests.conftest import FakeClock

ANN, BO, SUE, NIA = 7, 8, 9, 10
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PRIVATE = "PRIVATE-MARKER what Jo said at the club"
SHARED = "SHARED-MARKER We planned the summer trip together."


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """The database the command reads (not yet created), no token, and a fixed clock."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.setenv("REFLECTBOT_DB", str(path))
    real = container.build_services
    monkeypatch.setattr(container, "build_services", functools.partial(real, clock=FakeClock(NOW)))
    return path


def note(db, user_id: int, started: datetime, text: str) -> storage.Reflection:
    made = storage.start_reflection(
        db, user_id, kind="note", question_set_id="quick", question_set_version=1, now=started
    )
    storage.save_answer(db, made.id, "note", text, started)
    storage.finish_reflection(db, made.id, text, started, [], "test-model", started)
    return made


def link(db, practitioner: int, supervisor: int) -> None:
    invitation = storage.add_invitation(
        db, practitioner, token_hash(f"token-{practitioner}"), False, NOW, NOW.replace(year=2027)
    )
    assert storage.accept_invitation(db, invitation.id, supervisor, NOW) is not None


@pytest.fixture
def supervised(database):
    """Sue supervises Ann Morrison and Bo; Ann shared one reflection in full and flagged a
    private one to discuss; Nia supervises nobody."""
    db = storage.open_database(database)
    try:
        for user_id, name in ((ANN, "Ann Morrison"), (BO, "Bo"), (SUE, "Sue"), (NIA, "Nia")):
            storage.save_consent(db, user_id, name, "Europe/London", NOW)
        link(db, ANN, SUE)
        link(db, BO, SUE)
        private = note(db, ANN, local(2026, 11, 25, 19), PRIVATE)
        storage.set_sharing(db, storage.Sharing(private.id, False, True), NOW)
        shared = note(db, ANN, local(2026, 11, 27, 19), SHARED)
        storage.set_sharing(db, storage.Sharing(shared.id, True, False), NOW)
        note(db, BO, local(2026, 11, 28, 10), PRIVATE)
    finally:
        db.close()
    return database


def test_the_preview_shows_each_supervisee_and_only_what_is_shared(supervised, capsys):
    assert main(["digest", "--preview", str(SUE)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Supervision digest · 23 Nov 2026 – 30 Nov 2026" in out
    assert "Ann Morrison: 2 reflections this week" in out
    assert "Bo: 1 reflection this week" in out
    assert "To discuss: Wed 25 Nov (quick note)" in out
    assert "Fri 27 Nov · quick note: SHARED-MARKER We planned the summer trip together." in out
    assert "PRIVATE-MARKER" not in out
    assert "<b>" not in out and "<i>" not in out  # plain text, not Telegram's HTML


def test_the_preview_sends_and_records_nothing(supervised):
    assert main(["digest", "--preview", str(SUE)]) == 0
    db = storage.open_database(supervised)
    try:
        assert db["digests"].count == 0
    finally:
        db.close()


def test_someone_who_supervises_nobody_gets_the_line_that_says_so(supervised, capsys):
    assert main(["digest", "--preview", str(NIA)]) == 0
    out, err = capsys.readouterr()
    assert out == plain(t("digest.nobody")) + "\n"
    assert err == ""
    assert main(["digest", "--preview", str(ANN)]) == 0  # a supervisee, supervising nobody
    assert capsys.readouterr().out == plain(t("digest.nobody")) + "\n"


def test_an_unknown_user_is_an_error(supervised, capsys):
    assert main(["digest", "--preview", "999"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "no user with Telegram id 999" in err and "Traceback" not in err


def test_without_a_database_it_says_so_and_creates_none(database, capsys):
    assert main(["digest", "--preview", str(SUE)]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not database.parent.exists()


@pytest.mark.parametrize("arguments", [[], ["--preview"], ["--preview", "sue"]])
def test_preview_wants_a_telegram_id(database, capsys, arguments):
    with pytest.raises(SystemExit) as exit:
        main(["digest", *arguments])
    assert exit.value.code == 2
    assert "--preview" in capsys.readouterr().err


def test_digest_is_documented_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "digest" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["digest", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--preview SUPERVISOR_TELEGRAM_ID" in out and "Nothing is sent" in out
