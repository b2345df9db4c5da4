"""The nudge benchmark of issue 8: a thousand nudges due at the same minute, against a real
`reflectbot run`, while another practitioner keeps reflecting.

    .venv/bin/python benchmarks/bench_nudges.py                    # N = 1000, 1.5-2.5 minutes
    .venv/bin/python benchmarks/bench_nudges.py --practitioners 200
    .venv/bin/python benchmarks/bench_nudges.py --quick            # smoke run: N = 40

A fresh database is made through the project's storage functions: N practitioners
(Europe/London), each with one regular session whose nudge falls due at the same minute,
the first whole minute at least ``--lead`` seconds after the benchmark starts (the bot
runs on the real clock, and nudge times are whole minutes); quiet hours and the weekly
nudge are off, so the run does not depend on the time of day. One more practitioner,
consented and without sessions, chats.

The bot runs in a process of its own against the fake Bot API (tests/e2e/fake_bot_api.py,
served by this process on 127.0.0.1), as benchmarks/bench_load.py runs it. The chatting
practitioner first completes one guided reflection (so the bot has started and its models
are loaded), then, from ``--baseline`` seconds before the due minute until the last nudge
arrives, does guided reflections one after another: /reflect, Gibbs' cycle, six answers.
Each update is sent once the reply to the previous one came, on a grid of
``--chat-interval`` seconds placed so that one goes 0.1 s after the due minute, as the
timers fire: the bot's flood gate (bot/telegram/flood.py) refuses a practitioner more
than one update a second after a burst of 30, so "as fast as the replies come" would soon
be refused. Reply latency runs from the moment an update is queued at the fake server to
the moment the reply reaches it; replies that came before the due minute are the
baseline, those to updates sent from then until the last nudge arrived the burst.

Measured: nudges delivered (each practitioner exactly once, naming their own session),
the time from the due minute to the first and the last nudge, the most nudges in any
1-second sliding window (at the fake server, as Telegram would count them), the chatting
practitioner's reply p50/p95/max in both phases, and the bot's CPU. Afterwards the
database is read with plain SQL, read-only: one row in ``nudges`` per practitioner, status
'sent', with its message id, due at the due minute.

Targets (exit status 1 if any is missed): N nudges, none duplicated or misaddressed, the
database agrees; at most 30 nudges in any second (Telegram's limit for bulk messages); the
chatting practitioner's replies during the burst under 2 s at p95 and at most, and none
left without a reply. Every wait is bounded; the bot is killed on exit. Needs the test
extras (aiohttp).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import bench_load as load  # noqa: E402

import storage  # noqa: E402
from bot.services.schedule import NudgeRules, SessionRule, occurrences  # noqa: E402
from prompts import t  # noqa: E402
from tests.e2e.fake_bot_api import (  # noqa: E402
    BotMessage,
    FakeBotApi,
    FakeChat,
    FakeUser,
    parse_html,
)

ZONE_NAME = "Europe/London"
ZONE = ZoneInfo(ZONE_NAME)
FIRST_ID = 10_000  # the nudged practitioners: FIRST_ID .. FIRST_ID + N - 1
CHATTER_ID = 900
DELAY_MINUTES = 5  # each session's nudge comes this long after it ends
TELEGRAM_LIMIT = 30  # messages a second to different chats, for bulk messages
REPLY_LIMIT = 2.0  # seconds: the chatting practitioner's replies during the burst
GUARD_SAFE_ANSWERS = 200  # bench_load's answers_of(i) pass the identifier guard for i < 200
SETTLE_SECONDS = 3.0  # after the last nudge: a duplicate would arrive in this time
FIRST_UPDATE_AFTER_DUE = 0.1  # seconds: the chatter sends an update then, as timers fire


def session_name(index: int) -> str:
    return f"Club {index + 1}"


# --------------------------------------------------------------------------- the database


def due_minute(now: datetime, lead: float) -> datetime:
    """The first whole minute at least ``lead`` seconds after ``now`` (UTC)."""
    earliest = now.astimezone(UTC) + timedelta(seconds=lead)
    minute = earliest.replace(second=0, microsecond=0)
    return minute if minute >= earliest else minute + timedelta(minutes=1)


def prepare_database(path: Path, n: int, due: datetime, now: datetime) -> None:
    """N practitioners whose one session is nudged at ``due``, and the chatting one."""
    end = (due.astimezone(ZONE) - timedelta(minutes=DELAY_MINUTES)).replace(tzinfo=None)
    rule = SessionRule(1, "check", frozenset({end.weekday()}), end.time())
    rules = NudgeRules(
        zone=ZONE,
        quiet=None,
        sessions_on=True,
        session_delay=timedelta(minutes=DELAY_MINUTES),
        sessions=(rule,),
        weekly_on=False,
        weekly_day=4,
        weekly_time=end.time(),
    )
    found = [o.due for o in occurrences(rules, due - timedelta(hours=1), due + timedelta(hours=1))]
    if found != [due]:  # a daylight-saving change in the way, say
        raise RuntimeError(f"a session ending {end:%a %H:%M} is nudged at {found}, not {due}")
    joined = now - timedelta(days=30)
    db = storage.open_database(path)
    try:
        with db.atomic():
            for index in range(n):
                user_id = FIRST_ID + index
                storage.save_consent(db, user_id, f"P{index}", ZONE_NAME, joined)
                storage.add_session(
                    db, user_id, session_name(index), rule.weekdays, rule.end_time, joined
                )
                storage.change_nudge_settings(
                    db,
                    user_id,
                    joined,
                    quiet_start=None,
                    quiet_end=None,
                    weekly_on=False,
                    session_delay_minutes=DELAY_MINUTES,
                )
            storage.save_consent(db, CHATTER_ID, "Chris", ZONE_NAME, joined)
            storage.change_nudge_settings(db, CHATTER_ID, joined, weekly_on=False)
    finally:
        db.close()


@dataclass
class StoredNudges:
    """What the ``nudges`` table holds after the run."""

    rows: int = 0
    sent: int = 0  # practitioners with exactly one row: 'sent', a message id, due as set
    missing: int = 0  # practitioners without a row
    extra: int = 0  # rows beyond one per practitioner, or for anybody else
    statuses: dict[str, int] = field(default_factory=dict)
    wrong_due: int = 0
    without_message_id: int = 0

    def ok(self, n: int) -> bool:
        return self.sent == n and not (self.missing or self.extra or self.wrong_due)


def check_database(path: Path, n: int, due: datetime) -> StoredNudges:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT user_id, status, due_at, message_id FROM nudges").fetchall()
    finally:
        db.close()
    check = StoredNudges(rows=len(rows), statuses=dict(Counter(row[1] for row in rows)))
    by_user: dict[int, list[tuple]] = {}
    for row in rows:
        by_user.setdefault(row[0], []).append(row)
    for index in range(n):
        mine = by_user.pop(FIRST_ID + index, [])
        if not mine:
            check.missing += 1
            continue
        check.extra += len(mine) - 1
        _, status, due_at, message_id = mine[0]
        right_due = datetime.fromisoformat(due_at) == due
        check.wrong_due += not right_due
        check.without_message_id += message_id is None
        check.sent += len(mine) == 1 and status == "sent" and message_id is not None and right_due
    check.extra += sum(len(rows) for rows in by_user.values())
    return check


# --------------------------------------------------------------------------- at the fake server


class NudgeLog:
    """Every message the bot sends, timed the moment the fake server takes it; the nudges
    (a new message with nudge buttons in a nudged practitioner's chat) kept apart."""

    def __init__(self, names: dict[int, str]) -> None:
        # chat id -> the nudge they should get, as Telegram shows it
        self.expected = {
            chat_id: parse_html(t("nudge.session", name=escape(name)))[0]
            for chat_id, name in names.items()
        }
        self.times: list[float] = []  # time.perf_counter() of each nudge
        self.per_chat: Counter[int] = Counter()
        self.misaddressed = 0  # a nudge not naming the practitioner's own session
        self.other = 0  # anything else sent or edited in a nudged practitioner's chat
        self.chatter_messages: list[float] = []  # new messages to the chatting practitioner
        self.complete = asyncio.Event()

    def __call__(self, chat: FakeChat, message: BotMessage) -> None:
        now = time.perf_counter()
        expected = self.expected.get(message.chat_id)
        if expected is None:
            if message.chat_id == CHATTER_ID and not message.edited:
                self.chatter_messages.append(now)
            return
        is_nudge = not message.edited and any(
            (data or "").startswith("nu:") for row in message.buttons for _, data in row
        )
        if not is_nudge:
            self.other += 1
            return
        self.times.append(now)
        self.per_chat[message.chat_id] += 1
        self.misaddressed += message.text != expected
        if len(self.per_chat) == len(self.expected):
            self.complete.set()


def busiest_second(times: list[float], width: float = 1.0) -> int:
    """The most of ``times`` within any window shorter than ``width`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - width:
            start += 1
        best = max(best, end - start + 1)
    return best


# --------------------------------------------------------------------------- the chatter


@dataclass(frozen=True)
class Sample:
    sent: float  # time.perf_counter() as the update was queued
    replied: float  # as its reply reached the fake server
    kind: str  # "other" (/reflect, the set), "answer", or "last" (brings suggestions)

    @property
    def latency(self) -> float:
        return self.replied - self.sent


class Chatter:
    """The practitioner who keeps reflecting while the nudges go out."""

    def __init__(self, user: FakeUser, replies: load.Replies) -> None:
        self.user, self.replies = user, replies
        self.samples: list[Sample] = []
        self.reflections = 0
        self.stuck: str | None = None  # the step they waited at in vain
        self._next = 0
        self.slot = 0.0  # time.perf_counter() of the next update, at the earliest

    async def reflect(
        self, *, interval: float, patience: float, stop: asyncio.Event | None = None
    ) -> bool:
        """One guided reflection, each update once the last one's reply came, on a grid of
        ``interval`` from ``slot`` (late replies move the grid); False if ``stop`` was set
        or a reply never came."""
        steps = load.reflectbot_steps(self._next % GUARD_SAFE_ANSWERS)[2:]  # consented already
        self._next += 1
        previous = 0
        for step in steps:
            pause = self.slot - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            if stop is not None and stop.is_set():
                return False
            reply = self.replies.expect(
                self.user.id, lambda m, step=step, before=previous: step.expect(m, before)
            )
            sent = time.perf_counter()
            self.slot = max(self.slot, sent) + interval
            if step.action == "press":
                await self.user.press(previous, step.value)
            else:
                await self.user.send_text(step.value)
            try:
                replied, previous = await asyncio.wait_for(reply, patience)
            except TimeoutError:
                self.stuck = f"{step.action} {step.value[:24]}"
                return False
            self.samples.append(Sample(sent, replied, step.kind))
        self.reflections += 1
        return True

    async def keep_reflecting(self, stop: asyncio.Event, interval: float, patience: float) -> None:
        while not stop.is_set() and self.stuck is None:
            await self.reflect(interval=interval, patience=patience, stop=stop)


# --------------------------------------------------------------------------- one run


@dataclass
class Latencies:
    count: int
    p50: float | None
    p95: float | None
    max: float | None

    @classmethod
    def of(cls, samples: list[Sample]) -> Latencies:
        values = sorted(s.latency for s in samples)
        if not values:
            return cls(0, None, None, None)
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.95), values[-1])


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


@dataclass
class Result:
    practitioners: int
    due_utc: str
    lead_seconds: float  # from the benchmark's start to the due minute
    ready_before_due_seconds: float  # the warm-up reflection done this long before it
    delivered: int  # practitioners nudged
    nudge_messages: int  # nudges the fake server took (duplicates included)
    duplicated: int
    misaddressed: int
    other_messages: int  # anything else in the nudged practitioners' chats
    first_after_due: float | None  # seconds from the due minute
    last_after_due: float | None
    busiest_second: int  # nudges in the busiest 1-second window
    busiest_second_all: int  # every message the bot sent (nudges and replies)
    mean_rate: float | None  # nudges a second from the first to the last
    baseline: Latencies
    burst: Latencies
    burst_by_kind: dict[str, Latencies]
    reflections: int  # the chatting practitioner's, warm-up not counted
    stuck: str | None
    flood_warnings: int
    error_replies: int
    bot_cpu_burst: float  # cores the bot used from the due minute to the last nudge
    load_average: float
    stored: StoredNudges
    bot_log_errors: int  # ERROR lines and tracebacks in the bot's log
    exit_code: int | None  # the bot's, on Ctrl-C
    # For plots (in the JSON only): each nudge's arrival, and each of the chatter's updates
    # (sent, latency, kind), in seconds from the due minute.
    nudge_offsets: list[float] = field(default_factory=list)
    samples: list[tuple[float, float, str]] = field(default_factory=list)

    def verdicts(self) -> dict[str, bool]:
        burst_p95 = self.burst.p95 if self.burst.p95 is not None else float("inf")
        burst_max = self.burst.max if self.burst.max is not None else float("inf")
        return {
            f"all {self.practitioners} nudged once each": self.delivered == self.practitioners
            and self.nudge_messages == self.practitioners
            and not self.misaddressed,
            "the database agrees": self.stored.ok(self.practitioners),
            f"at most {TELEGRAM_LIMIT} nudges in any second": self.busiest_second <= TELEGRAM_LIMIT,
            f"replies during the burst: p95 < {REPLY_LIMIT:.0f} s": burst_p95 < REPLY_LIMIT,
            f"replies during the burst: max < {REPLY_LIMIT:.0f} s": burst_max < REPLY_LIMIT,
            "every update replied to": self.stuck is None and self.burst.count > 0,
        }


async def sleep_until(moment: float, bot: load.BotProcess) -> None:
    """Wait until ``time.perf_counter()`` reaches ``moment``, checking the bot lives."""
    while (left := moment - time.perf_counter()) > 0:
        bot.check_alive()
        await asyncio.sleep(min(left, 0.5))


async def run(options: argparse.Namespace) -> Result:
    n = options.practitioners
    started = datetime.now(UTC)
    folder = options.workdir / f"nudges-{n}-{started:%Y%m%dT%H%M%S}"  # a fresh database
    folder.mkdir(parents=True)
    names = {FIRST_ID + index: session_name(index) for index in range(n)}
    server = FakeBotApi()
    replies, nudges = load.Replies(), NudgeLog(names)
    server.watch(replies)
    server.watch(nudges)
    await server.start()
    for user_id in names:
        server.user(user_id, f"P{user_id - FIRST_ID}")
    chatter = Chatter(server.user(CHATTER_ID, "Chris"), replies)
    bot = load.BotProcess(
        [sys.executable, "-m", "bot", "run"], load.bot_env(server, folder, options), folder
    )
    try:
        due = due_minute(started, options.lead)
        prepare_database(folder / "bot.sqlite3", n, due, started)
        due_at = time.perf_counter() + (due.timestamp() - time.time())  # on perf_counter
        lead = (due - started).total_seconds()
        print(
            f"N={n}: due at {due.astimezone(ZONE):%H:%M:%S} {ZONE_NAME} "
            f"({lead:.0f} s from now); starting the bot",
            flush=True,
        )
        bot.start()
        await warm_up(chatter, bot)
        ready = due_at - time.perf_counter()
        if ready < 1.0:
            raise RuntimeError(
                f"the bot was ready only {ready:.1f} s before the nudges fell due: raise --lead"
            )
        # The chatter's grid puts an update just after the due minute, as the timers fire.
        interval = options.chat_interval
        chatter.slot = due_at + FIRST_UPDATE_AFTER_DUE
        chatter.slot -= interval * math.ceil((chatter.slot - due_at + options.baseline) / interval)
        late = time.perf_counter() - chatter.slot  # a slow start shortens the baseline
        if late > 0:
            chatter.slot += interval * math.ceil(late / interval)
        await sleep_until(chatter.slot, bot)
        load_average = os.getloadavg()[0]
        stop = asyncio.Event()
        chatting = asyncio.create_task(chatter.keep_reflecting(stop, interval, options.patience))
        await sleep_until(due_at, bot)
        cpu_at_due = bot.cpu_seconds()
        deadline = due_at + options.burst_timeout

        def burst_over() -> bool:  # every nudge came, and a reply to an update sent since
            return nudges.complete.is_set() and any(s.sent >= due_at for s in chatter.samples)

        while not burst_over() and time.perf_counter() < deadline:
            bot.check_alive()
            if chatting.done():
                chatting.result()  # a bug in the chatter: stop here
                if nudges.complete.is_set():
                    break  # the chatter got stuck: nothing more to wait for
            await asyncio.sleep(0.05)
        last = max(nudges.times, default=None)
        cpu_at_last, cpu_until = bot.cpu_seconds(), time.perf_counter()
        stop.set()
        stopped = time.perf_counter()
        await asyncio.wait_for(chatting, options.patience + options.chat_interval + 10)
        await sleep_until(time.perf_counter() + SETTLE_SECONDS, bot)
        exit_code = await bot.stop()
        stored = check_database(folder / "bot.sqlite3", n, due)
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
        await server.stop()

    baseline = [s for s in chatter.samples if s.replied < due_at]
    burst = [s for s in chatter.samples if s.replied >= due_at and s.sent < stopped]
    first = min(nudges.times, default=None)
    spread = (last - first) if first is not None and last is not None else 0.0
    return Result(
        practitioners=n,
        due_utc=due.isoformat(),
        lead_seconds=lead,
        ready_before_due_seconds=ready,
        delivered=len(nudges.per_chat),
        nudge_messages=len(nudges.times),
        duplicated=sum(count - 1 for count in nudges.per_chat.values()),
        misaddressed=nudges.misaddressed,
        other_messages=nudges.other,
        first_after_due=None if first is None else first - due_at,
        last_after_due=None if last is None else last - due_at,
        busiest_second=busiest_second(nudges.times),
        busiest_second_all=busiest_second(nudges.times + nudges.chatter_messages),
        mean_rate=(len(nudges.times) - 1) / spread if spread > 0 else None,
        baseline=Latencies.of(baseline),
        burst=Latencies.of(burst),
        burst_by_kind={
            kind: Latencies.of([s for s in burst if s.kind == kind])
            for kind in ("other", "answer", "last")
        },
        reflections=chatter.reflections,
        stuck=chatter.stuck,
        flood_warnings=replies.flood_warnings,
        error_replies=replies.errors,
        bot_cpu_burst=(cpu_at_last - cpu_at_due) / (cpu_until - due_at),
        load_average=load_average,
        stored=stored,
        bot_log_errors=count_log_errors(folder),
        exit_code=exit_code,
        nudge_offsets=[round(moment - due_at, 4) for moment in sorted(nudges.times)],
        samples=[(round(s.sent - due_at, 4), round(s.latency, 4), s.kind) for s in chatter.samples],
    )


async def warm_up(chatter: Chatter, bot: load.BotProcess) -> None:
    """The chatting practitioner completes a reflection: the bot has started and its models
    are loaded before anything is measured."""
    task = asyncio.create_task(chatter.reflect(interval=0.0, patience=load.START_UP_SECONDS))
    while not task.done():
        bot.check_alive()
        await asyncio.wait({task}, timeout=0.5)
    if not task.result():
        raise RuntimeError(f"no reply within {load.START_UP_SECONDS} s at {chatter.stuck}")
    chatter.samples.clear()
    chatter.reflections = 0


def count_log_errors(folder: Path) -> int:
    count = 0
    for log in folder.glob("bot-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            count += " ERROR " in line or line.startswith("Traceback")
    return count


# --------------------------------------------------------------------------- reporting


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f}"


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def latency_line(latencies: Latencies) -> str:
    return (
        f"{latencies.count:>3} replies  p50 {ms(latencies.p50)} ms  p95 {ms(latencies.p95)} ms"
        f"  max {ms(latencies.max)} ms"
    )


def describe(result: Result) -> str:
    n, stored = result.practitioners, result.stored
    ratio = (
        f"{result.burst.p95 / result.baseline.p95:.1f}x"
        if result.burst.p95 and result.baseline.p95
        else "-"
    )
    by_kind = ", ".join(
        f"{kind} {ms(latencies.p95)}/{ms(latencies.max)}"
        for kind, latencies in result.burst_by_kind.items()
        if latencies.count
    )
    rows = [
        ("practitioners due at the same minute", f"{n} (due {result.due_utc})"),
        (
            "nudges delivered",
            f"{result.delivered} of {n}; messages {result.nudge_messages}, duplicated "
            f"{result.duplicated}, misaddressed {result.misaddressed}, other messages "
            f"{result.other_messages}",
        ),
        (
            "database: one 'sent' row each",
            f"{stored.sent} of {n}; rows {stored.rows} {stored.statuses}, missing "
            f"{stored.missing}, extra {stored.extra}, wrong due time {stored.wrong_due}, "
            f"without message id {stored.without_message_id}",
        ),
        ("due minute -> first nudge", seconds(result.first_after_due)),
        ("due minute -> last nudge", seconds(result.last_after_due)),
        (
            "busiest 1-second window",
            f"{result.busiest_second} nudges (limit {TELEGRAM_LIMIT}); with the replies "
            f"{result.busiest_second_all} messages",
        ),
        (
            "nudges a second, first to last",
            "-" if result.mean_rate is None else f"{result.mean_rate:.1f}",
        ),
        ("replies, baseline (nothing due)", latency_line(result.baseline)),
        ("replies, during the burst", latency_line(result.burst)),
        ("  p95/max ms by kind", by_kind or "-"),
        ("  burst p95 / baseline p95", ratio),
        (
            "chatting practitioner",
            f"{result.reflections} reflections finished; stuck at {result.stuck or '-'}; "
            f"flood warnings {result.flood_warnings}, error replies {result.error_replies}",
        ),
        (
            "bot CPU during the burst",
            f"{result.bot_cpu_burst:.0%} of a core",
        ),
        (
            "machine",
            f"load average {result.load_average:.1f} before the burst; {os.cpu_count()} cores",
        ),
        (
            "bot",
            f"ready {result.ready_before_due_seconds:.0f} s before the due minute; "
            f"{result.bot_log_errors} error lines in its log; exit code {result.exit_code}",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    lines.append("")
    lines += [
        f"{'met' if met else 'MISSED':<6}  {target}" for target, met in result.verdicts().items()
    ]
    return "\n".join(lines)


def result_json(result: Result) -> dict:
    data = asdict(result)
    data["verdicts"] = result.verdicts()
    data["met"] = all(result.verdicts().values())
    return data


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--practitioners", type=int, default=1000, help="N nudged at once (default 1000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: N=40, lead 20 s, baseline 4 s"
    )
    parser.add_argument(
        "--lead",
        type=float,
        default=40.0,
        help="seconds at least from the start to the due minute, for the bot to start "
        "(default 40; the due minute is the next whole minute after that)",
    )
    parser.add_argument(
        "--baseline",
        type=float,
        default=10.0,
        help="seconds of chatting before the due minute (default 10)",
    )
    parser.add_argument(
        "--chat-interval",
        type=float,
        default=1.1,
        help="seconds at least between the chatting practitioner's updates (default 1.1: "
        "the bot's flood gate allows one a second)",
    )
    parser.add_argument(
        "--patience",
        type=float,
        default=30.0,
        help="seconds the chatting practitioner waits for a reply (default 30)",
    )
    parser.add_argument(
        "--burst-timeout",
        type=float,
        help="seconds after the due minute to wait for every nudge (default 60 + N/10)",
    )
    parser.add_argument("--log-level", default="INFO", help="the bot's REFLECTBOT_LOG_LEVEL")
    parser.add_argument("--bot-source", help="run the bot from this source tree")
    parser.add_argument("--workdir", type=Path, help="keep the database and the bot's log here")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    options = parser.parse_args(argv)
    if options.quick:
        options.practitioners = 40
        options.lead = min(options.lead, 20.0)
        options.baseline = min(options.baseline, 4.0)
    if options.practitioners < 1:
        parser.error("--practitioners must be at least 1")
    if options.baseline + 2 > options.lead:
        parser.error("--lead must leave time for the bot to start before --baseline")
    if options.burst_timeout is None:
        options.burst_timeout = 60.0 + options.practitioners / 10
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still kill the bot
    with tempfile.TemporaryDirectory(prefix="bench-nudges-") as temporary:
        options.workdir = (options.workdir or Path(temporary)).resolve()
        options.workdir.mkdir(parents=True, exist_ok=True)
        try:
            result = asyncio.run(run(options))
        except RuntimeError as error:  # the bot died, or started too late
            print(f"bench_nudges: {error}", file=sys.stderr)
            return 1
        finally:
            load._kill_children()
    print(describe(result), flush=True)
    if options.json:
        Path(options.json).write_text(json.dumps(result_json(result), indent=1))
    return 0 if all(result.verdicts().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
