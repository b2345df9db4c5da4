"""The load benchmark of issue 7: many practitioners at once against a real `reflectbot run`.

    .venv/bin/python benchmarks/bench_load.py                   # every scenario, N = 20, 100, 200
    .venv/bin/python benchmarks/bench_load.py --scenario clean --practitioners 20
    .venv/bin/python benchmarks/bench_load.py --quick           # smoke run: N = 3, clean

N practitioners, all at once and with no pauses, each send /start, agree, send /reflect,
choose Gibbs' cycle and answer its six questions, the last answer bringing suggestions:
10 updates each. They play through the fake Bot API (tests/e2e/fake_bot_api.py, served
by this process on 127.0.0.1) against the real bot in a process of its own, as in
production. Scenarios (``--scenario``, repeatable):

- clean: loopback, nothing fails;
- faults: random 429s (retry after 1 s), 500s and late answers (carried out, answered
  after the client's 5 s timeout) on the sending methods, getUpdates spared;
- kill: the bot killed (SIGKILL) half-way and started again at once; the practitioners
  carry on;
- rtt50: a 50 ms round trip on every call, getUpdates included.

clean and rtt50 also drive a bare PTB echo bot (benchmarks/echo_bot.py) with the same
updates, for the ratio. Each run prints updates/s, reflections/s, and p50/p95 of reply
latency (from the moment an update is queued at the fake server to the reply the
practitioner waits for) for answers that are not the last, the last answer (the one that
brings suggestions) and the rest (consent and menus), and the CPU the bot used. Start-up
(loading the models) is left out: a warm-up practitioner completes a whole reflection
before the clock starts. Afterwards the database is read with plain SQL, read-only (not
through the bot's own storage code), to check that every answer is stored exactly once,
under its own question, and that every reflection finished with suggestions. A
practitioner who waits ``--patience`` seconds in vain does what a person would: sends the
same again (at most twice; counted as repeats), then counts as stuck and stops; the
throughput of a run with stuck practitioners runs until the last of the others finished.

Exit status 1 if an answer was lost, duplicated or misfiled, or a practitioner got stuck.
Needs the test extras (aiohttp). Every wait is bounded; the bot processes are killed on
exit. ``--bot-source DIR`` runs the bot from another source tree (e.g. a ``git archive`` of
a commit); ``--py-spy PATH`` samples the bot with py-spy during each run (``pip install
py-spy``) and writes its collapsed stacks beside the runs; ``--lift-overall-limit`` is a
diagnosis: the bot runs without the overall limit of PTB's AIORateLimiter (30 requests a
second), to show what else limits it.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from prompts import t  # noqa: E402
from tests.e2e.fake_bot_api import BotMessage, FakeBotApi, FakeUser, RandomFaults  # noqa: E402

ECHO_BOT = ROOT / "benchmarks" / "echo_bot.py"
GIBBS = "Gibbs' reflective cycle"
QUESTIONS = ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan")
UPDATES_PER_PRACTITIONER = 4 + len(QUESTIONS)
WARM_UP_ID = 500
FIRST_ID = 10_000
START_UP_SECONDS = 180.0  # the bot's first reply, models loaded: generous on 2 cores
STOP_SECONDS = 60.0
# --lift-overall-limit (a diagnosis, not how the bot runs): the bot started with PTB's
# AIORateLimiter made without its overall limit of 30 requests a second.
LIFTED_OVERALL_LIMIT = """
import sys
from telegram.ext import AIORateLimiter
made = AIORateLimiter.__init__
AIORateLimiter.__init__ = lambda self, *a, **k: made(self, *a, **{**k, "overall_max_rate": 0})
from bot.cli import main
sys.exit(main(["run"]))
"""


# --------------------------------------------------------------------------- what they write

SETTINGS = [
    ("the Tuesday youth club drop-in", "young people", "ran a pool and table tennis night"),
    ("a beginners' ESOL conversation class", "learners", "practised asking for directions"),
    ("the community garden volunteers' morning", "volunteers", "planned the raised beds"),
    ("a tenants' association meeting about damp in the flats", "residents", "took notes"),
    ("the detached youth work session at the skate park", "young people", "handed out water"),
    ("a digital skills class in the library", "adult learners", "showed how to book online"),
    ("the parents' group at the family centre", "parents", "led a session on bedtimes"),
    ("an ESOL class on filling in forms", "learners", "went through a housing form"),
    ("the food larder volunteers' planning session", "volunteers", "drew up a new rota"),
    ("a youth forum meeting about the new play park", "young people", "chaired the discussion"),
    ("the open afternoon at the community shed", "members", "helped with a bench repair"),
    ("a consultation on the local bus timetable", "residents", "ran the sticky-dot exercise"),
]
FEELINGS = [
    "I felt nervous at the start because the group was bigger than I expected.",
    "I was relaxed at first, then frustrated when two people talked over everyone else.",
    "Honestly I felt out of my depth when the conversation turned to money worries.",
    "I felt proud when a quiet participant spoke up for the first time.",
    "I was tired after a long week and noticed I was less patient than usual.",
    "I felt uneasy when the discussion got heated, and unsure whether to step in.",
    "I was excited because we had been planning this for weeks.",
    "I felt torn between keeping to the plan and following what the group wanted.",
]
EVALUATIONS = [
    "The icebreaker worked well; the small-group task ran over time.",
    "Most people took part, but the handouts were too wordy for some.",
    "The practical activity went well; my explanation of the next steps was rushed.",
    "Agreeing ground rules early helped; I let one voice dominate later on.",
    "Pairing newer people with confident ones worked; the room layout did not.",
    "People stayed engaged throughout, though we never got to the last item.",
    "The visual prompts helped; I should have checked understanding more often.",
    "It felt inclusive, but I did not leave enough time for questions.",
]
ANALYSES = [
    "Thinking about group development, they were still forming, so clear structure mattered.",
    "Power sat with the loudest people; an asset-based approach would share it out more.",
    "Language was a barrier, and I relied too much on talking instead of showing.",
    "Trust takes time, and the people who knew each other already set the tone.",
    "My own worry about time made me steer the discussion more than I meant to.",
    "Participation grew once people saw their ideas written up on the wall.",
    "The setting was informal, which helped some and made others less sure of the purpose.",
    "People learn best from each other, and the paired task gave room for that.",
]
CONCLUSIONS = [
    "I learned to slow down and check in with the quieter people.",
    "I could have shared the plan in advance so people came ready.",
    "Structure and flexibility both matter, and I need to plan for both.",
    "I need to notice my own mood and how it shapes the session.",
    "Listening first, then summarising back, builds more trust than explaining.",
    "Co-designing the activity with the group would have given them more ownership.",
    "Small changes to the room and the timing make a big difference to who takes part.",
    "I should ask for feedback during the session, not only at the end.",
]
ACTIONS = [
    "Next time I will agree the agenda with the group at the start.",
    "I will try a round where everyone speaks once before open discussion.",
    "I will use pictures and real objects alongside the written handout.",
    "I will ask a colleague to observe and give me feedback on my facilitation.",
    "I will build a short evaluation into the middle of the next session.",
    "I will meet the two most active members beforehand to share the role of chairing.",
    "I will set up the room in a circle and keep the session to one clear task.",
    "I will follow up with the people who left early to ask what would help.",
]


def answers_of(index: int) -> list[str]:
    """Practitioner ``index``'s six answers: realistic, varied, naming nobody, and unlike
    anyone else's (the first one names the week and how many came)."""
    setting, who, did = SETTINGS[index % len(SETTINGS)]
    week, count = 1 + index // len(SETTINGS), 5 + index % 13
    return [
        f"Week {week} of {setting}, with {count} {who}. I {did}.",
        FEELINGS[index % len(FEELINGS)],
        EVALUATIONS[(index + 3) % len(EVALUATIONS)],
        ANALYSES[(index + 5) % len(ANALYSES)],
        CONCLUSIONS[(index // 2) % len(CONCLUSIONS)],
        ACTIONS[(index + index // 8) % len(ACTIONS)],
    ]


# --------------------------------------------------------------------------- the moves


@dataclass(frozen=True)
class Step:
    """One update a practitioner sends, and the reply they wait for before the next."""

    action: str  # "send" (a text or command) or "press" (a button on the last reply)
    value: str  # the text sent, or (part of) the button's text
    kind: str  # "other", "answer" (not the last) or "last" (brings the suggestions)
    # The reply, given the message and the id of the reply to the previous step.
    expect: Callable[[BotMessage, int], bool]


def reflectbot_steps(index: int) -> list[Step]:
    """/start, agree, /reflect, Gibbs, six answers: each with the reply it brings."""
    answers = answers_of(index)

    def question(number: int) -> Callable[[BotMessage, int], bool]:
        return lambda m, _: f"question {number} of {len(QUESTIONS)}" in (m.text or "")

    steps = [
        Step("send", "/start", "other", lambda m, _: "Nothing is stored until" in (m.text or "")),
        Step(
            "press",
            "I agree",
            "other",
            lambda m, welcome: m.message_id == welcome and "Thank you" in (m.text or ""),
        ),
        Step("send", "/reflect", "other", lambda m, _: GIBBS in m.button_texts),
        Step("press", GIBBS, "other", question(1)),
    ]
    for number, answer in enumerate(answers[:-1], start=2):
        steps.append(Step("send", answer, "answer", question(number)))
    steps.append(Step("send", answers[-1], "last", lambda m, _: "Saved." in (m.text or "")))
    return steps


def echo_steps(index: int) -> list[Step]:
    """The same updates for the echo bot: each text comes back, each press is replied to."""
    steps = []
    for step in reflectbot_steps(index):
        if step.action == "press":
            steps.append(
                Step(
                    "press",
                    "again",
                    step.kind,
                    lambda m, last: m.message_id > last and m.text == "pressed again",
                )
            )
        else:
            text = step.value
            steps.append(
                Step(
                    "send",
                    text,
                    step.kind,
                    lambda m, last, text=text: m.message_id > last and m.text == text,
                )
            )
    return steps


class Replies:
    """The reply each practitioner is waiting for, noticed the moment the fake server
    takes it; also counts the bot's error and flood messages, and the messages shown
    twice in a row (a send retried after an answer that came too late)."""

    def __init__(self) -> None:
        self._waiting: dict[int, tuple[Callable[[BotMessage], bool], asyncio.Future]] = {}
        self.errors = 0
        self.flood_warnings = 0
        self.shown_twice = 0
        self._last_text: dict[int, str] = {}

    def expect(self, chat_id: int, predicate: Callable[[BotMessage], bool]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (predicate, future)
        return future

    def __call__(self, chat: object, message: BotMessage) -> None:
        text = message.text or ""
        self.errors += text == t("errors.internal")
        self.flood_warnings += text == t("errors.flood")
        if not message.edited:
            self.shown_twice += self._last_text.get(message.chat_id) == text
            self._last_text[message.chat_id] = text
        entry = self._waiting.get(message.chat_id)
        if entry is not None and not entry[1].done() and entry[0](message):
            entry[1].set_result((time.perf_counter(), message.message_id))
            del self._waiting[message.chat_id]


@dataclass
class Tally:
    """What the practitioners of one run went through."""

    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"answer": [], "last": [], "other": []}
    )
    steps_done: int = 0
    finished: int = 0  # practitioners who got their suggestions
    last_finished: float = 0.0  # when the last of them did (time.perf_counter)
    repeats: int = 0
    stuck: list[int] = field(default_factory=list)
    stuck_at: Counter[str] = field(default_factory=Counter)  # the step they waited at
    answers_sent: Counter[int] = field(default_factory=Counter)  # by user id


async def play(
    user: FakeUser,
    steps: list[Step],
    replies: Replies,
    tally: Tally,
    *,
    patience: float,
    repeats: int,
) -> None:
    """One practitioner's moves, each sent as soon as the previous one's reply came."""
    previous = 0
    for step in steps:
        first_sent: float | None = None
        for _ in range(repeats + 1):
            reply = replies.expect(
                user.id, lambda m, step=step, before=previous: step.expect(m, before)
            )
            if first_sent is None and step.kind != "other":
                tally.answers_sent[user.id] += 1
            first_sent = first_sent or time.perf_counter()
            try:
                if step.action == "press":
                    await user.press(previous, step.value)
                else:
                    await user.send_text(step.value)
            except AssertionError:  # the button is gone: the press did its work after all
                pass
            try:
                arrived, previous = await asyncio.wait_for(reply, patience)
                break
            except TimeoutError:
                tally.repeats += 1
        else:
            tally.stuck.append(user.id)
            tally.stuck_at[f"{step.action} {step.value[:24]}"] += 1
            return
        tally.latencies[step.kind].append(arrived - first_sent)
        tally.steps_done += 1
    tally.finished += 1
    tally.last_finished = max(tally.last_finished, time.perf_counter())


# --------------------------------------------------------------------------- the bot process

_children: list[subprocess.Popen] = []


@atexit.register
def _kill_children() -> None:
    for child in _children:
        if child.poll() is None:
            child.kill()
            child.wait()


class BotProcess:
    """A bot in a process of its own, its output in a log file."""

    def __init__(self, command: list[str], env: dict[str, str], folder: Path) -> None:
        self.command, self.env, self.folder = command, env, folder
        self.process: subprocess.Popen | None = None
        self.cpu_before_restart = 0.0  # CPU seconds of processes killed in this run
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"bot-{self.starts}.log", "wb")  # the child's output
        self.process = subprocess.Popen(
            self.command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        _children.append(self.process)

    def cpu_seconds(self) -> float:
        """CPU time (user + system, every thread) of this run's bot processes so far."""
        return self.cpu_before_restart + _cpu_seconds(self.process)

    async def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would."""
        self.cpu_before_restart += _cpu_seconds(self.process)
        self.process.send_signal(signal.SIGKILL)
        await self.wait(30)

    async def stop(self) -> int | None:
        """Ctrl-C, and a kill if it does not stop in time; its exit code (None: killed)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGINT)
        if await self.wait(STOP_SECONDS):
            return self.process.returncode
        self.process.kill()
        await self.wait(30)
        return None

    async def wait(self, timeout: float) -> bool:
        """Wait for the process to end, serving the fake server meanwhile; whether it did."""
        deadline = time.perf_counter() + timeout
        while self.process.poll() is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        return self.process.poll() is not None

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            logs = (self.folder / f"bot-{self.starts}.log").read_text(errors="replace")
            raise RuntimeError(f"the bot exited with {self.process.returncode}:\n{logs[-3000:]}")


def _cpu_seconds(process: subprocess.Popen | None) -> float:
    if process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """py-spy sampling a bot process during the measured phase (collapsed stacks)."""

    def __init__(self, py_spy: str | None, out: Path) -> None:
        self.py_spy, self.out, self.process = py_spy, out, None

    def start(self, pid: int) -> None:
        if self.py_spy:
            self.process = subprocess.Popen(
                [
                    self.py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--format",
                    "raw",
                    "--threads",
                    "--nonblocking",
                    "--rate",
                    "200",
                    "--output",
                    str(self.out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _children.append(self.process)

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
            deadline = time.perf_counter() + 30
            while self.process.poll() is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            if self.process.poll() is None:
                self.process.kill()


# --------------------------------------------------------------------------- exactly once


@dataclass
class Check:
    """What the database holds, against what the practitioners sent."""

    lost: int = 0  # an answer sent, but nowhere in the practitioner's reflections
    duplicated: int = 0  # an answer stored more than once
    misfiled: int = 0  # stored once, but under another question or with other text
    unexpected: int = 0  # answers nobody sent as such
    reflections: int = 0  # finished guided reflections
    extra_reflections: int = 0  # more than one per practitioner
    unfinished: int = 0  # practitioners who sent every answer, without a finished reflection
    without_suggestions: int = 0  # finished, but no suggestions made (suggested_at empty)
    suggestions: int = 0  # suggestions stored, all reflections
    unhandled_updates: int = 0  # left in the inbox after a clean stop
    not_sent: int = 0  # answers never sent: their practitioner got stuck before

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.misfiled
            or self.unexpected
            or self.extra_reflections
            or self.unfinished
            or self.without_suggestions
            or self.unhandled_updates
        )


def check_database(
    path: Path, practitioners: dict[int, int], answers_sent: dict[int, int] | None = None
) -> Check:
    """Every answer each practitioner sent (``practitioners``: user id -> index;
    ``answers_sent``: how many of their answers they sent, default all), exactly once
    under its own question; one finished reflection for each who sent them all, with
    suggestions."""
    check = Check()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        reflections = db.execute(
            "SELECT id, user_id, status, question_set_id, suggested_at FROM reflections"
        ).fetchall()
        answers = db.execute(
            "SELECT r.user_id, a.question_id, a.text FROM answers a"
            " JOIN reflections r ON r.id = a.reflection_id WHERE a.skipped = 0"
        ).fetchall()
        check.suggestions = db.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        check.unhandled_updates = db.execute(
            "SELECT count(*) FROM inbox WHERE handled_at IS NULL"
        ).fetchone()[0]
    by_user: dict[int, list[tuple[str, str]]] = {}
    for user_id, question_id, text in answers:
        by_user.setdefault(user_id, []).append((question_id, text))
    by_user.pop(WARM_UP_ID, None)  # the warm-up practitioner's, written before the clock
    for user_id, index in practitioners.items():
        stored = by_user.pop(user_id, [])
        sent = len(QUESTIONS) if answers_sent is None else answers_sent.get(user_id, 0)
        expected = dict(zip(QUESTIONS[:sent], answers_of(index), strict=False))
        check.not_sent += len(QUESTIONS) - sent
        matched = set()
        for question_id, text in expected.items():
            places = [(q, s) for q, s in stored if text in s]
            copies = sum(s.count(text) for _, s in places)
            if copies == 0:
                check.lost += 1
            elif copies > 1:
                check.duplicated += copies - 1
            elif places[0] != (question_id, text):
                check.misfiled += 1
            matched.update(places)
        check.unexpected += sum(1 for row in stored if row not in matched)
        done = [r for r in reflections if r[1] == user_id and r[2] == "done" and r[3] == "gibbs"]
        check.reflections += len(done)
        check.extra_reflections += max(0, len(done) - 1)
        check.unfinished += sent == len(QUESTIONS) and not done
        check.without_suggestions += sum(1 for r in done if r[4] is None)
    check.unexpected += sum(len(rows) for rows in by_user.values())  # nobody's
    return check


# --------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    round_trip: float = 0.0
    faults: RandomFaults | None = None
    kill: bool = False
    echo: bool = False  # also run the echo bot with the same updates


@dataclass
class Result:
    scenario: str
    bot: str
    practitioners: int
    wall_seconds: float
    updates: int
    reflections: int
    latencies: dict[str, list[float]]
    bot_cpu_seconds: float
    driver_cpu_seconds: float
    calls: dict[str, int]
    repeats: int
    stuck: int
    stuck_at: dict[str, int]
    errors: int
    flood_warnings: int
    shown_twice: int
    load_average: float  # the machine's 1-minute load average as the run began
    injected_faults: dict[str, int]
    restart_seconds: float | None = None
    check: Check | None = None

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.wall_seconds

    @property
    def reflections_per_second(self) -> float:
        return self.reflections / self.wall_seconds

    def percentile(self, kind: str, p: float) -> float | None:
        values = sorted(self.latencies[kind])
        if not values:
            return None
        return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def bot_command(kind: str, options: argparse.Namespace) -> list[str]:
    if kind == "echo":
        return [sys.executable, str(ECHO_BOT)]
    if options.lift_overall_limit:
        return [sys.executable, "-c", LIFTED_OVERALL_LIMIT]
    return [sys.executable, "-m", "bot", "run"]


def bot_env(server: FakeBotApi, folder: Path, options: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "REFLECTBOT_DB": str(folder / "bot.sqlite3"),
        "REFLECTBOT_CACHE_DIR": str(options.workdir / "cache"),
        "REFLECTBOT_LOG_LEVEL": options.log_level,
        "HF_HUB_OFFLINE": "1",
    }
    if options.bot_source:
        env["PYTHONPATH"] = str(Path(options.bot_source).resolve())
    return env


async def run(scenario: Scenario, kind: str, n: int, options: argparse.Namespace) -> Result:
    """N practitioners through one bot ("reflectbot" or "echo") in one scenario."""
    folder = options.workdir / f"{scenario.name}-{kind}-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    server = FakeBotApi(round_trip=scenario.round_trip)
    replies = Replies()
    server.watch(replies)
    steps_of = reflectbot_steps if kind == "reflectbot" else echo_steps
    await server.start()
    bot = BotProcess(bot_command(kind, options), bot_env(server, folder, options), folder)
    sampler = Sampler(options.py_spy, folder / "py-spy.txt")
    try:
        bot.start()
        await warm_up(server, replies, steps_of, bot)
        server.faults = scenario.faults
        users = {FIRST_ID + i: i for i in range(n)}
        tally = Tally()
        cpu_before, own_before = bot.cpu_seconds(), time.process_time()
        calls_before = Counter(call.method for call in server.requests)
        sampler.start(bot.process.pid)
        load = os.getloadavg()[0]  # other work on the machine skews the figures
        started = time.perf_counter()
        players = [
            play(
                server.user(user_id, f"P{index}"),
                steps_of(index),
                replies,
                tally,
                patience=options.patience,
                repeats=2,
            )
            for user_id, index in users.items()
        ]
        killer = asyncio.create_task(kill_half_way(bot, tally, n)) if scenario.kill else None
        await asyncio.wait_for(asyncio.gather(*players), options.patience * 3 * 10 + 60)
        phase = time.perf_counter() - started
        # Stuck practitioners wait out their patience: throughput counts until the last
        # practitioner who finished did.
        wall = tally.last_finished - started if tally.stuck and tally.finished else phase
        await sampler.stop()
        restart = await killer if killer is not None else None
        bot_cpu = bot.cpu_seconds() - cpu_before
        own_cpu = time.process_time() - own_before
        calls = Counter(call.method for call in server.requests) - calls_before
        server.faults = None
        injected = dict(server.injected_faults)
        exit_code = await bot.stop()
        check = None
        if kind == "reflectbot":
            check = check_database(folder / "bot.sqlite3", users, tally.answers_sent)
            if exit_code != 0:
                print(f"  (the bot exited with {exit_code} on Ctrl-C)", file=sys.stderr)
        return Result(
            scenario=scenario.name,
            bot=kind,
            practitioners=n,
            wall_seconds=wall,
            updates=tally.steps_done,
            reflections=tally.finished,
            latencies=tally.latencies,
            bot_cpu_seconds=bot_cpu,
            driver_cpu_seconds=own_cpu,
            calls=dict(calls),
            repeats=tally.repeats,
            stuck=len(tally.stuck),
            stuck_at=dict(tally.stuck_at),
            errors=replies.errors
            + sum(
                a.text == t("errors.internal")
                for u in server.users.values()
                for a in u.callback_answers
            ),
            flood_warnings=replies.flood_warnings,
            shown_twice=replies.shown_twice,
            load_average=load,
            injected_faults=injected,
            restart_seconds=restart,
            check=check,
        )
    finally:
        await sampler.stop()
        if bot.process is not None and bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
        await server.stop()


async def warm_up(server: FakeBotApi, replies: Replies, steps_of, bot: BotProcess) -> None:
    """A practitioner of our own completes a whole reflection: the bot has started and
    both models are loaded before the clock starts."""
    tally = Tally()
    task = asyncio.create_task(
        play(
            server.user(WARM_UP_ID, "Warm"),
            steps_of(0),
            replies,
            tally,
            patience=START_UP_SECONDS,
            repeats=0,
        )
    )
    while not task.done():
        bot.check_alive()
        await asyncio.wait({task}, timeout=0.5)
    await task
    if tally.stuck:
        raise RuntimeError(f"the warm-up practitioner got no reply within {START_UP_SECONDS} s")


async def kill_half_way(bot: BotProcess, tally: Tally, n: int) -> float:
    """SIGKILL once half the updates are handled, start again at once; seconds until the
    new process replied to someone (the restart as practitioners feel it)."""
    half = n * UPDATES_PER_PRACTITIONER // 2
    deadline = time.perf_counter() + 600
    while tally.steps_done < half and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    killed = time.perf_counter()
    await bot.kill()
    done_at_kill = tally.steps_done
    bot.start()
    while tally.steps_done == done_at_kill and time.perf_counter() < deadline:
        bot.check_alive()
        await asyncio.sleep(0.01)
    return time.perf_counter() - killed


# --------------------------------------------------------------------------- reporting


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def describe(result: Result) -> str:
    lines = [
        f"{result.bot:<10} N={result.practitioners:<3} {result.wall_seconds:7.1f} s  "
        f"{result.updates_per_second:6.1f} updates/s  "
        f"{result.reflections_per_second:5.2f} reflections/s  "
        f"p50/p95 ms: answer {ms(result.percentile('answer', 0.5))}/"
        f"{ms(result.percentile('answer', 0.95))}, "
        f"last {ms(result.percentile('last', 0.5))}/{ms(result.percentile('last', 0.95))}, "
        f"other {ms(result.percentile('other', 0.5))}/{ms(result.percentile('other', 0.95))}",
        f"{'':<10}        bot CPU {100 * result.bot_cpu_seconds / result.wall_seconds:.0f}% "
        f"of a core, driver {100 * result.driver_cpu_seconds / result.wall_seconds:.0f}% "
        f"(load average {result.load_average:.1f} before); "
        f"{sends(result.calls) / result.wall_seconds:.1f} sends/s; "
        f"repeats {result.repeats}, stuck {result.stuck}"
        + (f" {result.stuck_at}" if result.stuck_at else "")
        + f", error replies {result.errors}, "
        f"flood warnings {result.flood_warnings}"
        + (f", messages shown twice {result.shown_twice}" if result.shown_twice else "")
        + (f", faults {result.injected_faults}" if result.injected_faults else "")
        + (
            f", restart {result.restart_seconds:.1f} s"
            if result.restart_seconds is not None
            else ""
        ),
    ]
    if result.check is not None:
        c = result.check
        lines.append(
            f"{'':<10}        stored: lost {c.lost}, duplicated {c.duplicated}, misfiled "
            f"{c.misfiled}, unexpected {c.unexpected}; {c.reflections} reflections "
            f"({c.extra_reflections} extra, {c.unfinished} missing, {c.without_suggestions} "
            f"without suggestions), {c.suggestions} suggestions; "
            f"{c.unhandled_updates} updates left unhandled"
            + (f"; {c.not_sent} answers never sent (stuck)" if c.not_sent else "")
            + ("" if c.ok else "  <-- FAILED")
        )
    return "\n".join(lines)


def sends(calls: dict[str, int]) -> int:
    """Calls that carry a chat_id (what PTB's AIORateLimiter counts against 30/s)."""
    return sum(
        n
        for method, n in calls.items()
        if method.lower()
        in {
            "sendmessage",
            "editmessagetext",
            "editmessagereplymarkup",
            "sendchataction",
            "deletemessage",
            "senddocument",
            "sendphoto",
        }
    )


def targets(results: list[Result]) -> list[str]:
    """The issue's targets, each met or missed, from the runs there are."""
    found = {(r.scenario, r.bot, r.practitioners): r for r in results}
    lines = []
    for (scenario, kind, n), ours in sorted(found.items()):
        echo = found.get((scenario, "echo", n))
        if kind != "reflectbot":
            continue
        if scenario == "clean" and echo is not None:
            ratio = ours.updates_per_second / echo.updates_per_second
            lines.append(
                f"clean N={n}: throughput {ratio:.2f}x the echo bot (target >= 0.6x)"
                f" {'met' if ratio >= 0.6 else 'MISSED'}"
            )
        if scenario == "clean" and n == 200:
            for kind_, limit in (("answer", 1.0), ("last", 3.0)):
                p95 = ours.percentile(kind_, 0.95)
                verdict = "met" if p95 is not None and p95 <= limit else "MISSED"
                lines.append(
                    f"clean N=200: p95 {kind_} {ms(p95)} ms (target <= {limit * 1000:.0f})"
                    f" {verdict}"
                )
        if scenario == "rtt50":
            rate = ours.reflections_per_second
            ratio = f", {rate / echo.reflections_per_second:.2f}x the echo bot" if echo else ""
            lines.append(
                f"rtt50 N={n}: {rate:.2f} reflections/s (target >= 7.0{ratio})"
                f" {'met' if rate >= 7.0 else 'MISSED'}"
            )
        if ours.check is not None and scenario in ("faults", "kill"):
            c = ours.check
            lines.append(
                f"{scenario} N={n}: lost {c.lost}, duplicated {c.duplicated}, "
                f"misfiled {c.misfiled}, practitioners left without a reply {ours.stuck}"
                f" {'met' if c.ok and not ours.stuck else 'MISSED'}"
            )
    return lines


# --------------------------------------------------------------------------- main


def scenarios(options: argparse.Namespace) -> dict[str, Scenario]:
    faults = RandomFaults(
        rate_limited=options.rate_limited,
        server_error=options.server_error,
        late=options.late,
        seed=options.seed,
    )
    return {
        "clean": Scenario("clean", "loopback, nothing fails", echo=True),
        "faults": Scenario(
            "faults",
            f"random faults on sending calls: 429 {options.rate_limited:.1%}, 500 "
            f"{options.server_error:.1%}, late answer {options.late:.1%} (seed {options.seed})",
            faults=faults,
        ),
        "kill": Scenario("kill", "SIGKILL half-way, started again at once", kill=True),
        "rtt50": Scenario("rtt50", "50 ms round trip on every call", round_trip=0.05, echo=True),
    }


async def main_async(options: argparse.Namespace) -> int:
    results: list[Result] = []
    all_scenarios = scenarios(options)
    for name in options.scenario:
        scenario = all_scenarios[name]
        lifted = (
            " (the bot WITHOUT the overall limit of 30/s)" if options.lift_overall_limit else ""
        )
        print(f"\n== {name}: {scenario.description}{lifted}", flush=True)
        for n in options.practitioners:
            kinds = (
                ["reflectbot", "echo"] if scenario.echo and not options.no_echo else ["reflectbot"]
            )
            for kind in kinds:
                result = await run(scenario, kind, n, options)
                results.append(result)
                print(describe(result), flush=True)
            if len(kinds) == 2:
                ours, echo = results[-2], results[-1]
                print(
                    f"{'':<10}        ReflectBot / echo: "
                    f"{ours.updates_per_second / echo.updates_per_second:.2f}x updates/s",
                    flush=True,
                )
    print("\n== targets")
    for line in targets(results):
        print(line)
    if options.json:
        Path(options.json).write_text(json.dumps([result_json(r) for r in results], indent=1))
    failed = any((r.check is not None and not r.check.ok) or r.stuck for r in results)
    return 1 if failed else 0


def result_json(result: Result) -> dict:
    data = {k: v for k, v in vars(result).items() if k not in ("latencies", "check")}
    data["check"] = vars(result.check) if result.check else None
    data.update(
        updates_per_second=result.updates_per_second,
        reflections_per_second=result.reflections_per_second,
        latency_ms={
            kind: {
                "p50": result.percentile(kind, 0.5),
                "p95": result.percentile(kind, 0.95),
                "max": max(result.latencies[kind], default=None),
                "count": len(result.latencies[kind]),
            }
            for kind in result.latencies
        },
    )
    return data


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["clean", "faults", "kill", "rtt50"],
        help="repeatable; default: all four",
    )
    parser.add_argument(
        "--practitioners",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[20, 100, 200],
        help="comma-separated N, default 20,100,200",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: N=3, clean only")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot runs")
    parser.add_argument(
        "--patience",
        type=float,
        default=60.0,
        help="seconds a practitioner waits for a reply before sending again",
    )
    parser.add_argument("--rate-limited", type=float, default=0.01, help="faults: P(429)")
    parser.add_argument("--server-error", type=float, default=0.01, help="faults: P(500)")
    parser.add_argument("--late", type=float, default=0.005, help="faults: P(late answer)")
    parser.add_argument("--seed", type=int, default=7, help="faults: random seed")
    parser.add_argument("--log-level", default="INFO", help="the bot's REFLECTBOT_LOG_LEVEL")
    parser.add_argument("--bot-source", help="run the bot from this source tree")
    parser.add_argument(
        "--lift-overall-limit",
        action="store_true",
        help="diagnosis: the bot without PTB's overall limit of 30 requests/s (not how it runs)",
    )
    parser.add_argument("--py-spy", help="path to py-spy: sample the bot during each run")
    parser.add_argument("--workdir", type=Path, help="keep databases and logs here")
    parser.add_argument("--json", help="also write the results to this JSON file")
    options = parser.parse_args(argv)
    if options.quick:
        options.practitioners = [3]
        options.scenario = options.scenario or ["clean"]
    options.scenario = options.scenario or ["clean", "faults", "kill", "rtt50"]
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still kill the bots
    with tempfile.TemporaryDirectory(prefix="bench-load-") as temporary:
        options.workdir = (options.workdir or Path(temporary)).resolve()
        options.workdir.mkdir(parents=True, exist_ok=True)
        try:
            return asyncio.run(main_async(options))
        finally:
            _kill_children()


if __name__ == "__main__":
    sys.exit(main())
