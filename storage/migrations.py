"""Numbered schema migrations, applied in order at start-up, each in a transaction.

To change the schema, append a new function to ``MIGRATIONS``; never edit one that has
shipped. The ``_migrations`` table records which have run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,          -- Telegram user id (0: the terminal chat)
            display_name TEXT NOT NULL,
            timezone TEXT NOT NULL,
            consented_at TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE reflections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,              -- 'guided' or 'note'
            question_set_id TEXT NOT NULL,
            question_set_version INTEGER NOT NULL,
            status TEXT NOT NULL,            -- open, pending (awaiting a tap) or done
            started_at TEXT NOT NULL,
            finished_at TEXT,
            text TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX reflections_by_user ON reflections(user_id, status, finished_at)")
    db.execute(
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            skipped INTEGER NOT NULL DEFAULT 0,
            answered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (reflection_id, question_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            indicator_id TEXT NOT NULL,
            score REAL NOT NULL,
            rank INTEGER NOT NULL,
            model_id TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX suggestions_by_reflection ON suggestions(reflection_id)")
    db.execute(
        """
        CREATE TABLE tags (
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            indicator_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'rejected')),
            source TEXT NOT NULL,            -- 'suggestion' or 'picked'
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reflection_id, indicator_id)
        )
        """
    )


def _m002_privacy(db: sqlite_utils.Database) -> None:
    """Edits, the identifier guard, and remembering which groups were told once."""
    # Which Telegram message gave an answer (its first part, if Telegram split a long
    # one), so that editing the message can update the answer.
    db.execute("ALTER TABLE answers ADD COLUMN message_id INTEGER")
    db.execute("ALTER TABLE answers ADD COLUMN parts INTEGER NOT NULL DEFAULT 1")
    db.execute("CREATE INDEX answers_by_message ON answers(message_id)")
    db.execute(
        """
        CREATE TABLE held_texts (        -- text the identifier guard holds for a decision
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            token INTEGER NOT NULL,      -- carried by the buttons that decide about it
            text TEXT NOT NULL,
            findings TEXT NOT NULL,      -- JSON: [{kind, text, start, end}]
            mode TEXT NOT NULL CHECK (mode IN ('new', 'replace', 'append')),
            answer_id INTEGER REFERENCES answers(id) ON DELETE CASCADE,
            reflection_id INTEGER REFERENCES reflections(id) ON DELETE CASCADE,
            question_id TEXT,            -- the question it answers, if one was waiting
            message_id INTEGER,
            arrived_at TEXT NOT NULL,    -- when the text first arrived (it expires from then)
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE answer_edits (      -- an answer the practitioner is rewriting
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE group_notices (     -- groups told once "I only work in private chats"
            chat_id INTEGER PRIMARY KEY,
            noticed_at TEXT NOT NULL
        )
        """
    )


def _m003_reliability(db: sqlite_utils.Database) -> None:
    """When suggestions were last made for a reflection: a finished one without it lost
    them to a crash, and is repaired at start-up (one with stored suggestions had them;
    one without any is asked again, once). And when a practitioner blocked the bot."""
    db.execute("ALTER TABLE users ADD COLUMN blocked_at TEXT")
    db.execute("ALTER TABLE reflections ADD COLUMN suggested_at TEXT")
    db.execute(
        "UPDATE reflections SET suggested_at = finished_at WHERE status = 'done'"
        " AND id IN (SELECT reflection_id FROM suggestions)"
    )


def _m004_inbox(db: sqlite_utils.Database) -> None:
    """Updates written down before Telegram is told they arrived, until handled."""
    db.execute(
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,   -- Telegram's: a redelivered update is known
            user_id INTEGER,                 -- whose it is (a private chat's person)
            payload TEXT,                    -- the update as JSON; emptied once handled
            received_at TEXT NOT NULL,
            handled_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX inbox_unhandled ON inbox(handled_at, update_id)")


def _m005_feedback_vectors(db: sqlite_utils.Database) -> None:
    """The model's vector of the text each confirmed or rejected tag was about, computed
    once when the tag is set, so suggestions never encode earlier decisions again. It
    goes with its tag, and is deleted when the reflection is finished again (the quoted
    evidence, and so the text, may have changed)."""
    db.execute(
        """
        CREATE TABLE feedback_vectors (
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            indicator_id TEXT NOT NULL,
            model_id TEXT NOT NULL,          -- the model that computed it
            vector BLOB NOT NULL,            -- float32, little-endian, unit length
            created_at TEXT NOT NULL,
            PRIMARY KEY (reflection_id, indicator_id),
            FOREIGN KEY (reflection_id, indicator_id)
                REFERENCES tags(reflection_id, indicator_id) ON DELETE CASCADE
        )
        """
    )


def _m006_nudges(db: sqlite_utils.Database) -> None:
    """Nudges: each practitioner's settings, their regular sessions (and the dates a
    session does not happen), every nudge sent or snoozed with its due time (so none is
    sent twice, also across restarts), and which session or weekly question a
    reflection answers."""
    db.execute(
        """
        CREATE TABLE nudge_settings (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            quiet_start TEXT,                -- 'HH:MM' local; NULL with quiet_end: none
            quiet_end TEXT,
            sessions_on INTEGER NOT NULL,
            session_delay_minutes INTEGER NOT NULL,
            weekly_on INTEGER NOT NULL,
            weekly_day INTEGER NOT NULL,     -- 0 Monday .. 6 Sunday
            weekly_time TEXT NOT NULL,       -- 'HH:MM' local
            after_reflecting TEXT NOT NULL CHECK (after_reflecting IN ('soften', 'skip')),
            default_set_id TEXT,             -- NULL: the first guided question set
            paused_until TEXT,               -- local date 'YYYY-MM-DD', inclusive
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            weekdays TEXT NOT NULL,          -- e.g. '1' or '0,3' (0 Monday .. 6 Sunday)
            end_time TEXT NOT NULL,          -- 'HH:MM' local
            created_at TEXT NOT NULL,
            removed_at TEXT                  -- kept so reflections still name it
        )
        """
    )
    db.execute("CREATE INDEX sessions_by_user ON sessions(user_id, removed_at)")
    db.execute(
        """
        CREATE TABLE session_skips (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            day TEXT NOT NULL,               -- local date 'YYYY-MM-DD'
            PRIMARY KEY (session_id, day)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE nudges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            slot TEXT NOT NULL,              -- 'weekly' or 'session:<id>'
            kind TEXT NOT NULL CHECK (kind IN ('session', 'weekly')),
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            due_at TEXT NOT NULL,            -- UTC; with slot, never sent twice
            status TEXT NOT NULL,            -- snoozed, sent, answered, replaced, dropped, failed
            question_id TEXT,                -- a weekly nudge's question
            message_id INTEGER,              -- the nudge's message, to take its buttons away
            sent_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (user_id, slot, due_at)
        )
        """
    )
    db.execute("CREATE INDEX nudges_by_user ON nudges(user_id, status, due_at)")
    db.execute(
        "ALTER TABLE reflections ADD COLUMN session_id INTEGER"
        " REFERENCES sessions(id) ON DELETE SET NULL"
    )
    db.execute("ALTER TABLE reflections ADD COLUMN prompt_id TEXT")  # a weekly question


def _m007_learning(db: sqlite_utils.Database) -> None:
    """Professional learning: goals, reflections marked as learning activities (kind and
    hours), which goal a reflection works towards, and the registration details the
    requirement is worked out from (average weekly CLD hours, start of the cycle)."""
    db.execute(
        """
        CREATE TABLE learning_goals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            competences TEXT NOT NULL DEFAULT '',  -- e.g. '2,3'
            created_at TEXT NOT NULL,
            review TEXT NOT NULL DEFAULT '',       -- the latest review note
            reviewed_at TEXT,
            closed_at TEXT,
            outcome TEXT CHECK (outcome IN ('achieved', 'dropped'))
        )
        """
    )
    db.execute("CREATE INDEX learning_goals_by_user ON learning_goals(user_id, closed_at)")
    db.execute(
        """
        CREATE TABLE learning_activities (
            reflection_id INTEGER PRIMARY KEY REFERENCES reflections(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,              -- training, course, reading, shadowing, ...
            hours REAL NOT NULL CHECK (hours > 0),
            recorded_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX learning_activities_by_user ON learning_activities(user_id)")
    db.execute(
        "ALTER TABLE reflections ADD COLUMN goal_id INTEGER"
        " REFERENCES learning_goals(id) ON DELETE SET NULL"
    )
    db.execute(
        """
        CREATE TABLE registration (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            weekly_hours REAL,               -- average weekly CLD hours
            cycle_start TEXT,                -- 'YYYY-MM-DD': the current 3-year cycle began
            updated_at TEXT NOT NULL
        )
        """
    )


def _m008_supervision(db: sqlite_utils.Database) -> None:
    """Supervision: invitations (only a hash of each token is kept), links between a
    practitioner and a supervisor (many to many; an ended link is kept, marked ended),
    what a practitioner shares of each reflection, their sharing default and a
    supervisor's digest choices, and supervisors' comments on shared reflections."""
    db.execute(
        """
        CREATE TABLE supervision_invitations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- who invites
            token_hash TEXT NOT NULL UNIQUE, -- sha256 of the token; the token is never stored
            as_verifier INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT                     -- single use: set when accepted
        )
        """
    )
    db.execute(
        """
        CREATE TABLE supervision_links (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            practitioner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            supervisor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            verifier INTEGER NOT NULL DEFAULT 0,  -- the practitioner's registration verifier
            created_at TEXT NOT NULL,
            ended_at TEXT,
            ended_by INTEGER,                -- which side ended it (a user id)
            CHECK (practitioner_id != supervisor_id)
        )
        """
    )
    db.execute(
        "CREATE UNIQUE INDEX supervision_links_active ON supervision_links"
        "(practitioner_id, supervisor_id) WHERE ended_at IS NULL"
    )
    db.execute("CREATE INDEX supervision_links_by_supervisor ON supervision_links(supervisor_id)")
    db.execute(
        """
        CREATE TABLE reflection_shares (
            reflection_id INTEGER PRIMARY KEY REFERENCES reflections(id) ON DELETE CASCADE,
            in_full INTEGER NOT NULL DEFAULT 0,    -- supervisors may read the whole text
            to_discuss INTEGER NOT NULL DEFAULT 0, -- flagged to discuss in supervision
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE supervision_settings (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            share_by_default INTEGER NOT NULL DEFAULT 0,  -- new reflections shared in full
            digest_day INTEGER NOT NULL DEFAULT 0,        -- 0 Monday .. 6 Sunday
            digest_time TEXT NOT NULL DEFAULT '09:00',    -- local, the supervisor's zone
            digest_when_empty TEXT NOT NULL DEFAULT 'line'
                CHECK (digest_when_empty IN ('line', 'none')),
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE supervision_comments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            supervisor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )


def _m009_digests_and_verifications(db: sqlite_utils.Database) -> None:
    """Each supervisor's weekly digest, recorded under its week before it is sent (so
    never twice, also across restarts); and verified reviews: a verifier's record of a
    reflective discussion of the practitioner's learning, which the practitioner accepts.
    A verified review is the practitioner's record: if the verifier leaves (/forget), it
    keeps their name and loses their id."""
    db.execute(
        """
        CREATE TABLE digests (
            supervisor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            week TEXT NOT NULL,              -- ISO week in the supervisor's zone: '2026-W48'
            due_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'empty', 'failed')),
            sent_at TEXT,
            PRIMARY KEY (supervisor_id, week)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE verifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            practitioner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            verifier_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            verifier_name TEXT NOT NULL,
            discussed_on TEXT NOT NULL,      -- local date 'YYYY-MM-DD'
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            accepted_at TEXT,
            declined_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX verifications_by_practitioner ON verifications(practitioner_id)")


def _m010_voice_transcripts(db: sqlite_utils.Database) -> None:
    """What the bot heard in a voice note, until the practitioner uses, corrects or
    discards it. The audio itself is never stored; an unused transcript goes after a day,
    like any unsaved text. ``editing``: their next text message replaces it."""
    db.execute(
        """
        CREATE TABLE voice_transcripts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            message_id INTEGER NOT NULL,     -- the voice note's message
            text TEXT NOT NULL,
            seconds REAL NOT NULL,           -- how long the note was
            model_id TEXT NOT NULL,
            editing INTEGER NOT NULL DEFAULT 0,
            arrived_at TEXT NOT NULL,        -- when the voice note was sent
            created_at TEXT NOT NULL,
            UNIQUE (user_id, message_id)
        )
        """
    )


def _m011_what_a_reflection_is_about(db: sqlite_utils.Database) -> None:
    """The session, group or programme a reflection is about (``about``, as the
    practitioner names it) and the local date of that session (``session_date``,
    YYYY-MM-DD), which may differ from the day it was written. A reflection a session's
    nudge started is about that session already."""
    db.execute("ALTER TABLE reflections ADD COLUMN about TEXT")
    db.execute("ALTER TABLE reflections ADD COLUMN session_date TEXT")
    db.execute(
        "UPDATE reflections SET about = (SELECT name FROM sessions WHERE sessions.id ="
        " reflections.session_id) WHERE session_id IS NOT NULL"
    )


MIGRATIONS: list[Migration] = [
    _m001_initial,
    _m002_privacy,
    _m003_reliability,
    _m004_inbox,
    _m005_feedback_vectors,
    _m006_nudges,
    _m007_learning,
    _m008_supervision,
    _m009_digests_and_verifications,
    _m010_voice_transcripts,
    _m011_what_a_reflection_is_about,
]
# From this schema version on, the database is always used with secure_delete on.
SECURE_DELETE_SINCE = 2


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of the last migration applied (0 for a new database)."""
    if "_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(number) FROM _migrations").fetchone()
    return row[0] or 0


def apply_migrations(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> int:
    """Apply every migration not yet recorded; return the resulting schema version."""
    migrations = MIGRATIONS if migrations is None else migrations
    if "_migrations" not in db.table_names():
        db.execute(
            "CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
    current = schema_version(db)
    for number, migration in enumerate(migrations, start=1):
        if number <= current:
            continue
        with db.atomic():
            migration(db)
            db.execute(
                "INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                [number, migration.__name__.lstrip("_"), datetime.now(UTC).isoformat()],
            )
        current = number
    return current
