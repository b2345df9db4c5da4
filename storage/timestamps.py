"""Timestamps are stored as ISO 8601 text in UTC and come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """Aware datetime -> UTC ISO text. Naive datetimes are a bug, so they are refused."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
