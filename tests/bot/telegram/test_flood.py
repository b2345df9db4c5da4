"""The flood limit: a burst, then a steady pace; one warning per flood."""

from bot.telegram.flood import FLOOD_BURST, FloodGate


def test_a_burst_then_one_warning_then_quiet_until_the_bucket_refills():
    now = [0.0]
    gate = FloodGate(burst=3, refill_seconds=10, clock=lambda: now[0])
    assert [gate.check(1) for _ in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert gate.check(2) == "ok"  # each practitioner has their own count
    now[0] += 10
    assert gate.check(1) == "ok"
    assert gate.check(1) == "warn"  # a new flood gets its own warning


def test_the_default_pace_is_more_than_a_person_types():
    now = [0.0]
    gate = FloodGate(clock=lambda: now[0])
    for _ in range(200):  # one message every 3 s, for ten minutes
        assert gate.check(1) == "ok"
        now[0] += 3
    assert FLOOD_BURST >= 10


def test_idle_counts_are_forgotten_when_many_are_kept(monkeypatch):
    now = [0.0]
    gate = FloodGate(burst=2, refill_seconds=1, clock=lambda: now[0])
    monkeypatch.setattr("bot.telegram.flood.MAX_TRACKED", 5)
    for user in range(10):
        gate.check(user)
    now[0] += 100
    gate.check(99)
    assert len(gate._buckets) <= 6
