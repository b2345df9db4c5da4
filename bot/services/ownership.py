"""The one check that a reflection named by a button or a command is the user's."""

from __future__ import annotations

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from storage import Reflection


def owned_reflection(
    db: sqlite_utils.Database, user_id: int, reflection_id: int, status: str | None = "done"
) -> Reflection:
    """The user's reflection in this status (None: any), or NotFound (missing, or in
    another status) / NotAllowed (someone else's)."""
    reflection = storage.get_reflection(db, reflection_id)
    if reflection is None or (status is not None and reflection.status != status):
        raise NotFound(f"reflection {reflection_id} is not available")
    if reflection.user_id != user_id:
        raise NotAllowed(f"reflection {reflection_id} belongs to someone else")
    return reflection
