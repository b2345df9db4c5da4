"""Shared fixtures: a temp-file database, a fake clock, a fake encoder, wired services."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from bot.config import Secret, Settings
from bot.identifiers import FakeIdentifierDetector
from bot.services.container import Services, build_services
from framework import FakeEncoder, ScoringParameters, Suggester, load_framework

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """A script in benchmarks/ as a module, to test its parts (they are not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def fake_suggester() -> Suggester:
    """Suggestions from the deterministic bag-of-words encoder against each indicator's
    own wording: texts that share an indicator's words get it. The floor suits that
    encoder's similarity scale (the real method's is tuned for the real model)."""
    return Suggester(load_framework(), FakeEncoder(), parameters=ScoringParameters(knn_floor=0.25))


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 18, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        token=Secret("123456:TEST-token"),
        db_path=tmp_path / "reflectbot.sqlite3",
        cache_dir=tmp_path / "cache",
        voice=False,  # a test that sends voice notes passes its own transcriber
    )


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Services:
    built = build_services(
        settings, suggester=fake_suggester(), detector=FakeIdentifierDetector(), clock=clock
    )
    yield built
    built.close()
