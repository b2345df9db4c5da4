"""Everything stored about one practitioner: found from the schema, exported, deleted.

A row is about a practitioner if it is their ``users`` row, or has a foreign key to
``users(id)`` (or a ``user_id`` column) naming them, or a foreign key to
``reflections(id)`` naming one of their reflections. Working that out from the schema
means a table added later is exported and deleted with the rest, as long as it declares
its foreign key; tables that hold nothing about anyone are listed in
:data:`NOT_PERSONAL` (a test checks every table is one or the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.database import checkpoint

# Tables that hold nothing about a person: schema bookkeeping, and the numeric ids of
# groups that were told once that the bot only works in private chats.
NOT_PERSONAL = frozenset({"_migrations", "sqlite_sequence", "group_notices"})


@dataclass(frozen=True)
class PersonalTable:
    """A table with rows about practitioners, and how to select one practitioner's rows."""

    name: str
    where: str  # an SQL condition with one ``?`` for the user id
    depth: int  # 0: the users table, 1: refers to users only, 2: refers to reflections
    # Columns naming the user in rows that belong to someone else (ON DELETE SET NULL: a
    # verified review names its verifier): forgetting the user empties these instead.
    named_in: tuple[str, ...] = ()


def personal_tables(db: sqlite_utils.Database) -> list[PersonalTable]:
    """Every table holding rows about practitioners, children before parents."""
    found: list[PersonalTable] = []
    for name in db.table_names():
        if name == "users":
            found.append(PersonalTable(name, "id = ?", 0))
            continue
        keys = db.execute(f"PRAGMA foreign_key_list([{name}])").fetchall()
        # Columns: id, seq, table, from, to, on_update, on_delete, match
        about_users = [f"[{k[3]}] = ?" for k in keys if k[2] == "users" and k[6] != "SET NULL"]
        named_in = tuple(k[3] for k in keys if k[2] == "users" and k[6] == "SET NULL")
        if not about_users and "user_id" in db[name].columns_dict:
            about_users = ["[user_id] = ?"]  # e.g. the inbox: also strangers' updates
        # A row about one of their reflections is theirs too, even if it also names
        # someone else (a supervisor's comment on it).
        about_reflections = [
            f"[{k[3]}] IN (SELECT id FROM reflections WHERE user_id = ?)"
            for k in keys
            if k[2] == "reflections"
        ]
        conditions = about_users + about_reflections + [f"[{c}] = ?" for c in named_in]
        if conditions:
            depth = 2 if about_reflections else 1
            found.append(PersonalTable(name, " OR ".join(conditions), depth, named_in))
    return sorted(found, key=lambda table: -table.depth)


def unclassified_tables(db: sqlite_utils.Database) -> set[str]:
    """Tables neither personal nor known to hold nothing personal (should be none)."""
    personal = {table.name for table in personal_tables(db)}
    return set(db.table_names()) - personal - NOT_PERSONAL


def _parameters(table: PersonalTable, user_id: int) -> list[int]:
    return [user_id] * table.where.count("?")


def rows_about(db: sqlite_utils.Database, user_id: int) -> dict[str, list[dict]]:
    """Every stored row about the practitioner, by table (parents first), oldest first."""
    return {
        table.name: list(
            db.query(
                f"SELECT * FROM [{table.name}] WHERE {table.where} ORDER BY rowid",
                _parameters(table, user_id),
            )
        )
        for table in reversed(personal_tables(db))
    }


def forget_user(db: sqlite_utils.Database, user_id: int) -> dict[str, int]:
    """Delete every row about the practitioner; returns how many went from each table.

    With ``secure_delete`` on, SQLite overwrites the deleted text; the checkpoint then
    empties the write-ahead log, so the text is gone from the ``-wal`` file as well.
    """
    deleted: dict[str, int] = {}
    with db.atomic():
        for table in personal_tables(db):
            for column in table.named_in:  # someone else's row: only their name goes
                db.execute(
                    f"UPDATE [{table.name}] SET [{column}] = NULL WHERE [{column}] = ?", [user_id]
                )
            cursor = db.execute(
                f"DELETE FROM [{table.name}] WHERE {table.where}", _parameters(table, user_id)
            )
            deleted[table.name] = cursor.rowcount
    checkpoint(db)
    return deleted
