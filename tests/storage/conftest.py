"""A database file with two practitioners, Ann (1) and Bo (2), who have agreed. Test
modules that need an empty database define their own ``db``."""

from datetime import UTC, datetime

import pytest

import storage

AGREED_AT = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = storage.open_database(tmp_path / "test.sqlite3")
    storage.save_consent(database, 1, "Ann", "Europe/London", AGREED_AT)
    storage.save_consent(database, 2, "Bo", "Europe/London", AGREED_AT)
    yield database
    database.close()
