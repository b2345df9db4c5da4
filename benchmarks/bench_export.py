"""The export benchmark of issue 9: one practitioner's 1,000 reflections in every format,
and nobody else waits while the files are made.

    .venv/bin/python benchmarks/bench_export.py                  # N = 1000, about 1.5-2 minutes
    .venv/bin/python benchmarks/bench_export.py --part formats --repeat 3
    .venv/bin/python benchmarks/bench_export.py --quick --json   # smoke run: N = 60, about 20 s

A fresh database is made through the project's storage functions: one practitioner with N
finished reflections spread over the last three years (What? So what? Now what? with three
answers of 40-120 words; Gibbs' cycle with six of 30-100; quick notes of 30-250 words;
professional learning on the ``learning`` set, marked with its kind and hours, and some
notes marked as reading, shadowing or peer learning), 0-3 confirmed indicators each (and
some rejected ones), three regular sessions, five goals (two closed, some reviewed) with
reflections linked to them, registration details, and one reflection in 33 with Cyrillic,
Chinese, Arabic, Polish or Gaelic words and an emoji. Each reflection opens with words of
its own ("Week 12 of the youth forum", "Trauma-informed practice (session 3)"), which is
how the files are checked to hold every one. A second practitioner, consented and without
reflections, chats in part 2. Nudges are off for both.

Part 1, formats (in this process, no Telegram): ``ExportingService.portfolio`` reads the
portfolio (what runs on the bot's event loop when someone exports), then
``bot.portfolio.render`` makes each format; each is timed (median of ``--repeat``), with
the file's size and, for the PDF, its pages. Each renderer first makes the file of a small
sample portfolio (imports, fonts: that time is shown apart; the bot's render process pays it
at its first export). The portfolio's pickled size and the time to pickle it and back are
shown too: that is what crosses to the render process. Each file is opened with its reader
(pypdf, python-docx, csv, json) and must hold all N reflections: N in the JSON, N distinct
reflection ids in the CSV, every reflection's opening words in the text of the PDF, the
Word file and the Markdown file.

Part 2, nobody waits: the real `reflectbot run` in a process of its own against the fake
Bot API (tests/e2e/fake_bot_api.py, served by this process on 127.0.0.1), as
benchmarks/bench_nudges.py runs it. After a warm-up reflection (the bot has started and its
models are loaded), the benchmark waits, reading the database, until the bot has encoded the
stored decisions (confirmed and rejected tags) that have no vector yet, as it does in the
background at start-up: in a real installation each is encoded as it is made, and a backlog
of 1,500 would otherwise slow every suggestion for a while. Then the chatting practitioner
does guided reflections one after another (/reflect, Gibbs' cycle, six answers; one update
at a time, at most one each ``--chat-interval`` seconds, under the bot's flood gate):
``--baseline`` seconds of that alone, then the exporting practitioner sends /export, taps
"Everything" and "PDF", and as soon as each file arrives taps the next format (Word, CSV,
JSON, Markdown), while the chatter carries on. Measured: each export's time from the
format tap to the document reaching the fake server (the first one includes spawning the
render process), its size and whether it parses and holds every reflection (checked after
the run, so that checking does not slow the fake server); the chatter's reply latency (the
update queued at the fake server to the reply reaching it) at p50/p95/max before and during
the exports, by kind, and the ratio of the p95s; the bot's CPU in both phases, its main
process apart from its child processes (the render process is one: it is spawned at the
first export and stays), read from /proc.

Targets (exit status 1 if any is missed): part 1, every format opens and holds all N
reflections; part 2, every file arrives, parses and holds all N, and during the exports the
chatter's p95 reply latency is at most 2 s and at most 3x the baseline p95 + 0.1 s, with no
reply missing. ``portfolio()`` runs on the bot's event loop: it is reported, not judged
(it should stay in the tens of milliseconds). Every wait is bounded; the bot is killed on
exit. ``--json`` prints the figures as JSON instead of the table (progress always goes to
stderr). Needs the test extras (aiohttp, pypdf, python-docx).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import pickle
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import bench_load as load  # noqa: E402
import bench_nudges as nudges  # noqa: E402

import storage  # noqa: E402
from bot.portfolio import FORMATS  # noqa: E402
from framework import load_framework  # noqa: E402
from storage import Registration  # noqa: E402
from tests.e2e.fake_bot_api import BotMessage, FakeBotApi, FakeUser  # noqa: E402

ZONE_NAME = "Europe/London"
EXPORTER_ID = 7_000
EXPORTER_NAME = "Morven Campbell"
CHATTER_ID = nudges.CHATTER_ID
REPLY_LIMIT = 2.0  # seconds: the chatter's p95 during the exports
SLOWDOWN_LIMIT = 3.0  # ... and at most this times the baseline p95
SLOWDOWN_ALLOWANCE = 0.1  # ... plus this
YEARS = 3
QUICK_FORMATS = ("pdf", "csv")

# --------------------------------------------------------------------------- what they wrote

SETTINGS = [  # no two alike at the start, so "Week 3 of <setting>" names one reflection
    ("the Tuesday youth club", "young people"),
    ("the beginners ESOL conversation class", "learners"),
    ("the community garden morning", "volunteers"),
    ("the tenants association meeting", "residents"),
    ("the detached session at the skate park", "young people"),
    ("the digital skills drop-in at the library", "adult learners"),
    ("the family centre parents group", "parents"),
    ("the ESOL forms workshop", "learners"),
    ("the food larder planning session", "volunteers"),
    ("the youth forum", "young people"),
    ("the community shed open afternoon", "members"),
    ("the bus timetable consultation", "residents"),
]
SESSIONS = ["Tuesday youth club", "ESOL Entry 2", "Parents' group"]
SESSION_OF_SETTING = {0: 0, 1: 1, 7: 1, 6: 2}  # settings held at a regular session
MORE = [
    "We started late because the hall was double booked, which set the tone for the evening.",
    "Two new people came along after seeing the poster in the chemist.",
    "A colleague from the health team joined us for the second half.",
    "The group asked to keep going for another ten minutes, which I took as a good sign.",
    "I noticed that I filled silences quickly instead of letting people think.",
    "The interpreter helped a lot, although I spoke too fast for her at first.",
    "Some of the quieter members wrote their ideas on sticky notes rather than speaking.",
    "We ran out of tea and biscuits, and it is surprising how much that matters.",
    "The funder's visit next month was on my mind the whole time.",
    "I tried the check-in round we discussed in supervision and it settled the room.",
    "One participant shared a hard story about housing and the group held it well.",
    "I used the feedback from last week to change the order of the activities.",
    "Afterwards I stayed behind to talk with two volunteers about their next steps.",
    "The venue was cold and people kept their coats on, so we moved around more.",
    "A young person challenged the rules we had agreed, and we revisited them together.",
    "The paperwork for the evaluation took longer than the session itself.",
]
SENTENCES = (
    MORE + load.FEELINGS + load.EVALUATIONS + load.ANALYSES + load.CONCLUSIONS + load.ACTIONS
)
LEARNING_TOPICS = [
    ("Trauma-informed practice", "a one-day course run by the council's CLD team"),
    ("Safeguarding refresher", "online training from the local authority"),
    ("Asset-based community development", "a reading group with colleagues"),
    ("Facilitating difficult conversations", "a workshop at the regional network"),
    ("Co-production with young people", "a webinar and its reading list"),
    ("Evaluation methods for community work", "a short course at the college"),
    ("ESOL teaching with visuals", "shadowing an experienced tutor"),
    ("Mental health first aid", "a two-day certified course"),
]
LEARNING_MARKS = [("course", 6.5), ("training", 3), ("reading", 1.5), ("peer", 2)]
LEARNING_MARKS += [("shadowing", 3.5), ("course", 7), ("supervision", 1), ("other", 2.5)]
NOTE_MARKS = [("reading", 1), ("shadowing", 2), ("peer", 1.5), ("reading", 0.5)]
SCRIPTS = [  # one reflection in SCRIPT_EVERY ends with one of these
    "Ролева гра пройшла добре, one of them said afterwards 🙂",
    "One learner wrote 谢谢 on the whiteboard for everyone 👏",
    "A mum greeted the group with مرحبا and her daughter translated.",
    "„Biblioteka to nasze serce” — the library is our heart, as Zofia's sign said.",
    "We sang a verse in Gàidhlig and finished with tapadh leibh 🙂",
]
SCRIPT_EVERY = 33
GOALS = [
    ("Get better at handing over control of sessions to the young people.", (2, 3)),
    ("Understand trauma-informed practice and use it in club nights.", (4,)),
    ("Evaluate sessions with the group, not for them.", (4, 7)),
    ("Build partnerships with the school and the health visitors.", (6,)),
    ("Support residents to speak for themselves at the community council.", (1, 5)),
]
MIX = {"what": 0.35, "gibbs": 0.20, "learning": 0.10}  # the rest: quick notes
SETS = {  # kind -> question set, its question ids, words per answer
    "what": ("what-so-what", ("what", "so_what", "now_what"), (40, 120)),
    "gibbs": ("gibbs", load.QUESTIONS, (30, 100)),
    "learning": ("learning", ("activity", "learned", "impact"), (30, 90)),
    "quick": ("quick", ("note",), (30, 250)),
}


@dataclass(frozen=True)
class Suggested:
    """A suggestion as storage takes it: the indicator, and the sentence it was drawn from."""

    indicator_id: str
    score: float
    rank: int
    evidence: str


def words(rng: random.Random, opening: str, count: int) -> str:
    """About ``count`` words of reflection: ``opening``, then sentences drawn at random,
    cut at ``count`` words."""
    text = opening.split()
    while len(text) < count:
        text += rng.choice(SENTENCES).split()
    return " ".join(text[: max(count, len(opening.split()))]).rstrip(".,;:") + "."


@dataclass
class Prepared:
    """What the database holds for the exporting practitioner, to check the files by."""

    reflections: int
    ids: list[int]  # oldest first
    openings: list[str]  # each reflection's own first words, in the same order
    kinds: dict[str, int]
    words: int  # in all answers
    confirmed: int  # confirmed indicator tags
    with_confirmed: int  # reflections with at least one
    rejected: int
    learning_marks: int
    learning_hours: float
    goals: int
    linked_to_goals: int
    with_sessions: int
    other_scripts: int
    seconds: float = 0.0  # to build it
    database_bytes: int = 0


def prepare_database(path: Path, n: int, now: datetime, seed: int = 9) -> Prepared:
    """The exporting practitioner with ``n`` finished reflections over the last three years
    (the oldest first), and the chatting one with none."""
    started = time.perf_counter()
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX.items() for _ in range(round(n * share))][:n]
    kinds += ["quick"] * (n - len(kinds))
    rng.shuffle(kinds)
    span = timedelta(days=365 * YEARS)
    offsets = sorted((rng.uniform(0.05, 1.0) * span for _ in range(n)), reverse=True)
    db = storage.open_database(path)
    try:
        with db.atomic():
            writer = _Writer(db, rng, now)
            for kind, offset in zip(kinds, offsets, strict=True):
                writer.reflection(kind, (now - offset).replace(microsecond=0))
    finally:
        db.close()
    prepared = writer.prepared
    prepared.seconds = time.perf_counter() - started
    prepared.database_bytes = sum(
        p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()
    )
    return prepared


class _Writer:
    """Writes the two practitioners, then one reflection at a time, through ``storage``."""

    def __init__(self, db: sqlite_utils.Database, rng: random.Random, now: datetime) -> None:
        self.db, self.rng = db, rng
        self.indicator_ids = list(load_framework().indicator_ids)
        self.counters: Counter[str] = Counter()
        self.prepared = Prepared(0, [], [], {}, 0, 0, 0, 0, 0, 0.0, len(GOALS), 0, 0, 0)
        span = timedelta(days=365 * YEARS)
        joined = now - span - timedelta(days=7)
        storage.save_consent(db, EXPORTER_ID, EXPORTER_NAME, ZONE_NAME, joined)
        storage.save_consent(db, CHATTER_ID, "Chris", ZONE_NAME, joined)
        for user_id in (EXPORTER_ID, CHATTER_ID):
            storage.change_nudge_settings(db, user_id, joined, sessions_on=False, weekly_on=False)
        cycle_start = (now - timedelta(days=400)).date()
        storage.save_registration(db, Registration(EXPORTER_ID, 35.0, cycle_start), joined)
        self.sessions = [
            storage.add_session(db, EXPORTER_ID, name, frozenset({1}), clock_time(19), joined)
            for name in SESSIONS
        ]
        self.goals: list[tuple[int, datetime]] = []  # (id, set at)
        for number, (text, competences) in enumerate(GOALS):
            set_at = now - span + timedelta(days=200 * number)
            goal = storage.add_goal(db, EXPORTER_ID, text, competences, set_at)
            self.goals.append((goal.id, set_at))
            if number in (0, 2, 3):
                storage.review_goal(db, goal.id, "Going well; more to do.", set_at + span / 6)
            if number in (1, 3):
                outcome = "achieved" if number == 1 else "dropped"
                storage.close_goal(db, goal.id, outcome, set_at + span / 5)

    def reflection(self, kind: str, moment: datetime) -> None:
        """One finished reflection of ``kind``, started at ``moment``, with its answers,
        suggestions, decisions, and perhaps a learning mark and a goal."""
        db, rng, prepared = self.db, self.rng, self.prepared
        opening, first, session = self._opening(kind)
        set_id, question_ids, (fewest, most) = SETS[kind]
        reflection = storage.start_reflection(
            db,
            EXPORTER_ID,
            kind="note" if kind == "quick" else "guided",
            question_set_id=set_id,
            question_set_version=1,
            now=moment,
            session_id=None if session is None else self.sessions[session].id,
        )
        answers = [
            words(rng, first if number == 0 else "", rng.randint(fewest, most))
            for number in range(len(question_ids))
        ]
        if prepared.reflections % SCRIPT_EVERY == SCRIPT_EVERY // 4:
            answers[-1] += " " + SCRIPTS[prepared.other_scripts % len(SCRIPTS)]
            prepared.other_scripts += 1
        for number, (question_id, answer) in enumerate(zip(question_ids, answers, strict=True)):
            at = moment + timedelta(minutes=3 * number + 2)
            storage.save_answer(db, reflection.id, question_id, answer, at)
        finished = moment + timedelta(minutes=3 * len(answers) + 1)
        confirmed, rejected = self._suggested_and_decided(reflection.id, answers, finished)
        mark = None
        if kind == "learning":
            mark = LEARNING_MARKS[self.counters[kind] % len(LEARNING_MARKS)]
        elif kind == "quick" and rng.random() < 0.15:
            mark = rng.choice(NOTE_MARKS)
        if mark is not None:
            storage.mark_learning(db, reflection.id, EXPORTER_ID, *mark, finished)
            prepared.learning_marks += 1
            prepared.learning_hours += mark[1]
        set_before = [goal_id for goal_id, set_at in self.goals if set_at < moment]
        if set_before and rng.random() < (0.6 if mark else 0.05):
            storage.link_goal(db, reflection.id, rng.choice(set_before))
            prepared.linked_to_goals += 1
        prepared.reflections += 1
        prepared.ids.append(reflection.id)
        prepared.openings.append(opening)
        prepared.kinds[kind] = prepared.kinds.get(kind, 0) + 1
        prepared.words += sum(len(answer.split()) for answer in answers)
        prepared.confirmed += confirmed
        prepared.with_confirmed += confirmed > 0
        prepared.rejected += rejected
        prepared.with_sessions += session is not None

    def _opening(self, kind: str) -> tuple[str, str, int | None]:
        """The reflection's own first words, its first sentence, and its regular session
        (an index of SESSIONS), if any."""
        counters = self.counters
        counters[kind] += 1
        if kind == "learning":
            topic, how = LEARNING_TOPICS[(counters[kind] - 1) % len(LEARNING_TOPICS)]
            opening = f"{topic} (session {(counters[kind] - 1) // len(LEARNING_TOPICS) + 1})"
            return opening, f"{opening}, {how}.", None
        setting_index = counters["setting"] % len(SETTINGS)
        setting, who = SETTINGS[setting_index]
        opening = f"Week {counters['setting'] // len(SETTINGS) + 1} of {setting}"
        counters["setting"] += 1
        session = SESSION_OF_SETTING.get(setting_index) if kind in ("what", "gibbs") else None
        return opening, f"{opening}, with {5 + self.rng.randrange(14)} {who}.", session

    def _suggested_and_decided(
        self, reflection_id: int, answers: list[str], finished: datetime
    ) -> tuple[int, int]:
        """Finish the reflection with five suggestions, each with the sentence it came
        from; the practitioner confirms 0-3 and sometimes rejects one. (confirmed, rejected)"""
        rng, text = self.rng, "\n\n".join(answers)
        suggested = rng.sample(self.indicator_ids, 5)
        confirmed = suggested[: rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]]
        rejected = suggested[3:4] if rng.random() < 0.2 else []
        sentences = [f"{s.strip()}." for s in text.replace("\n", " ").split(". ") if s]
        suggestions = [
            Suggested(indicator_id, round(0.8 - 0.1 * rank, 2), rank, rng.choice(sentences))
            for rank, indicator_id in enumerate(suggested)
        ]
        storage.finish_reflection(
            self.db, reflection_id, text, finished, suggestions, "bench-invented", finished
        )
        for indicator_id in confirmed:
            storage.set_tag(self.db, reflection_id, indicator_id, "confirmed", finished)
        for indicator_id in rejected:
            storage.set_tag(self.db, reflection_id, indicator_id, "rejected", finished)
        return len(confirmed), len(rejected)


# --------------------------------------------------------------------------- checking a file


@dataclass
class FileCheck:
    """Whether a file opens with its reader and holds every reflection."""

    opens: bool
    reflections_found: int  # by id (JSON, CSV) or by opening words (PDF, Word, Markdown)
    pages: int | None = None  # PDF
    rows: int | None = None  # CSV, not counting the header
    scripts: bool | None = None  # the other scripts' words came through (PDF, Word, MD)
    error: str | None = None

    def ok(self, n: int) -> bool:
        return self.opens and self.reflections_found == n


def _squeezed(text: str) -> str:
    """Text without any white space: line breaks in a PDF fall anywhere."""
    return "".join(text.split())


def _openings_found(text: str, prepared: Prepared) -> int:
    squeezed = _squeezed(text)
    return sum(_squeezed(opening) in squeezed for opening in prepared.openings)


def _scripts_found(text: str, prepared: Prepared) -> bool | None:
    if not prepared.other_scripts:
        return None
    return all(word in text for word in ("Ролева", "谢谢")[: min(2, prepared.other_scripts)])


def check_file(key: str, content: bytes, prepared: Prepared) -> FileCheck:
    """Open ``content`` as format ``key`` with its reader and count the reflections in it."""
    try:
        if key == "json":
            data = json.loads(content)
            ids = {r["id"] for r in data["reflections"]}
            found = len(ids & set(prepared.ids)) if len(data["reflections"]) == len(ids) else -1
            return FileCheck(True, found)
        if key == "csv":
            reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
            if "reflection_id" not in (reader.fieldnames or ()):
                raise ValueError(f"no reflection_id column in {reader.fieldnames}")
            rows = list(reader)
            ids = {int(row["reflection_id"]) for row in rows}
            return FileCheck(True, len(ids & set(prepared.ids)), rows=len(rows))
        if key == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            return FileCheck(
                True,
                _openings_found(text, prepared),
                pages=len(reader.pages),
                scripts=_scripts_found(text, prepared),
            )
        if key == "docx":
            from docx import Document

            document = Document(io.BytesIO(content))
            texts = [p.text for p in document.paragraphs]
            for table in document.tables:
                texts += [cell.text for row in table.rows for cell in row.cells]
            text = "\n".join(texts)
            return FileCheck(
                True, _openings_found(text, prepared), scripts=_scripts_found(text, prepared)
            )
        if key == "md":
            text = content.decode("utf-8")
            return FileCheck(
                True, _openings_found(text, prepared), scripts=_scripts_found(text, prepared)
            )
        raise KeyError(key)
    except Exception as error:  # noqa: BLE001 - a file that does not open is a finding
        return FileCheck(False, 0, error=f"{type(error).__name__}: {error}"[:300])


# --------------------------------------------------------------------------- part 1: formats


@dataclass
class FormatRun:
    format: str
    seconds: float  # the median of the runs
    runs: list[float]
    bytes: int
    check: FileCheck


@dataclass
class FormatsResult:
    period: str
    portfolio_seconds: float  # median: what an export runs on the bot's event loop
    portfolio_runs: list[float]
    portfolio_reflections: int
    pickle_seconds: float  # the portfolio pickled for the render process, and back
    pickle_bytes: int
    first_use_seconds: float  # imports, fonts and a small file of each format, once
    formats: list[FormatRun]
    load_average: list[float]  # 1-minute, before and after

    def verdicts(self, n: int) -> dict[str, bool]:
        verdicts = {
            f"formats: {FORMATS[run.format].name} opens and holds all {n}": run.check.ok(n)
            for run in self.formats
        }
        verdicts[f"formats: the portfolio has all {n} reflections"] = (
            self.portfolio_reflections == n
        )
        return verdicts


def run_formats(folder: Path, prepared: Prepared, repeat: int) -> FormatsResult:
    """Read the portfolio as the bot does, and render each format on this thread."""
    import bot.portfolio
    from bot.config import Secret, Settings
    from bot.identifiers import FakeIdentifierDetector
    from bot.portfolio.sample import sample_portfolio
    from bot.services.container import build_services
    from framework import FakeEncoder

    load_before = os.getloadavg()[0]
    settings = Settings(
        token=Secret("123456:BENCH-export"),
        db_path=folder / "bot.sqlite3",
        cache_dir=folder / "cache",
    )
    services = build_services(
        settings, encoder=FakeEncoder(), detector=FakeIdentifierDetector(), render_in_process=True
    )
    try:
        user = storage.get_user(services.db, EXPORTER_ID)
        period = services.exporting.period(user, "all")
        reads = []
        for _ in range(max(repeat, 5)):  # cheap: always a few
            started = time.perf_counter()
            portfolio = services.exporting.portfolio(user, period)
            reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        pickled = pickle.dumps(portfolio)
        pickle.loads(pickled)
        pickle_seconds = time.perf_counter() - started

        started = time.perf_counter()
        small = sample_portfolio(services.framework)
        for key in FORMATS:
            bot.portfolio.render(small, key)
        first_use = time.perf_counter() - started

        runs = []
        for key in FORMATS:
            times, content = [], b""
            for _ in range(repeat):
                started = time.perf_counter()
                content = bot.portfolio.render(portfolio, key)
                times.append(time.perf_counter() - started)
            (folder / bot.portfolio.file_name(portfolio, key)).write_bytes(content)
            check = check_file(key, content, prepared)
            runs.append(FormatRun(key, statistics.median(times), times, len(content), check))
            progress(
                f"  {FORMATS[key].name:<9} {statistics.median(times):6.2f} s "
                f"{len(content):>11,} bytes"
            )
    finally:
        services.close()
    return FormatsResult(
        period=period.describe(),  # "Everything up to 27 Nov 2026"
        portfolio_seconds=statistics.median(reads),
        portfolio_runs=reads,
        portfolio_reflections=len(portfolio.reflections),
        pickle_seconds=pickle_seconds,
        pickle_bytes=len(pickled),
        first_use_seconds=first_use,
        formats=runs,
        load_average=[load_before, os.getloadavg()[0]],
    )


# --------------------------------------------------------------------------- part 2: nobody waits


@dataclass
class ExportRun:
    format: str
    seconds: float | None  # from the format tap to the document at the fake server
    bytes: int | None = None
    filename: str | None = None
    caption: str | None = None
    instead: str | None = None  # what came instead of a file, or why nothing did
    check: FileCheck | None = None

    def ok(self, n: int) -> bool:
        return self.check is not None and self.check.ok(n)


@dataclass
class Cpu:
    """CPU seconds the bot used in one phase, over ``wall`` seconds."""

    main: float  # the bot's own process (every thread)
    children: float  # its child processes: the render process, multiprocessing's helper
    wall: float


@dataclass
class ChatResult:
    ready_seconds: float  # from the bot's start to its reply to the warm-up reflection
    decisions: int  # stored confirmed and rejected tags, without vectors at the start
    settled_seconds: float  # from the bot's start until it had encoded them all
    formats: list[str]
    exports: list[ExportRun]
    menu_seconds: list[float]  # /export -> the periods, "Everything" -> the formats
    baseline: nudges.Latencies
    during: nudges.Latencies
    baseline_by_kind: dict[str, nudges.Latencies]
    during_by_kind: dict[str, nudges.Latencies]
    reflections: int  # the chatter's, warm-up not counted
    stuck: str | None
    flood_warnings: int
    error_replies: int
    cpu_baseline: Cpu
    cpu_exports: Cpu
    bot_children: list[str]  # the bot's child processes at the end, by name
    load_average: list[float]  # 1-minute, before the baseline and after the exports
    bot_log_errors: int
    exit_code: int | None
    # For plots (in the JSON only): the chatter's updates (sent, latency, kind) and each
    # export's tap and arrival, in seconds from the first /export.
    samples: list[tuple[float, float, str]] = field(default_factory=list)
    export_marks: list[tuple[str, float, float | None]] = field(default_factory=list)

    def verdicts(self, n: int) -> dict[str, bool]:
        during_p95 = self.during.p95 if self.during.p95 is not None else float("inf")
        allowed = SLOWDOWN_LIMIT * (self.baseline.p95 or 0.0) + SLOWDOWN_ALLOWANCE
        names = ", ".join(FORMATS[key].name for key in self.formats)
        return {
            f"chat: every file ({names}) arrived, parses and holds all {n}": len(self.exports)
            == len(self.formats)
            and all(run.ok(n) for run in self.exports),
            f"chat: replies during the exports p95 <= {REPLY_LIMIT:.0f} s": during_p95
            <= REPLY_LIMIT,
            f"chat: during p95 <= {SLOWDOWN_LIMIT:.0f}x baseline p95 + "
            f"{SLOWDOWN_ALLOWANCE * 1000:.0f} ms": self.baseline.p95 is not None
            and during_p95 <= allowed,
            "chat: every update replied to": self.stuck is None and self.during.count > 0,
        }


def process_tree_cpu(pid: int) -> tuple[float, float, list[str]]:
    """CPU seconds of process ``pid`` and of its descendants (those alive, and those it
    has waited for), from /proc; and the descendants' names."""
    tick = os.sysconf("SC_CLK_TCK")
    parent_of, fields_of, name_of = {}, {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        head, _, tail = raw.rpartition(")")
        fields = tail.split()
        key = int(entry.name)
        parent_of[key], fields_of[key] = int(fields[1]), fields
        name_of[key] = head.partition("(")[2]
    if pid not in fields_of:
        return 0.0, 0.0, []

    def used(fields: list[str], *columns: int) -> float:
        return sum(int(fields[column]) for column in columns) / tick

    main = used(fields_of[pid], 11, 12)  # utime, stime
    children = used(fields_of[pid], 13, 14)  # cutime, cstime: children waited for
    descendants, frontier = [], [pid]
    while frontier:
        found = [child for child, parent in parent_of.items() if parent == frontier[-1]]
        frontier.pop()
        descendants += found
        frontier += found
    children += sum(used(fields_of[child], 11, 12) for child in descendants)
    return main, children, [name_of[child] for child in descendants]


class CpuMeter:
    """The bot's CPU at phase boundaries."""

    def __init__(self, bot: load.BotProcess) -> None:
        self.bot = bot

    def now(self) -> tuple[float, float, float]:
        """(main, children, time.perf_counter()); main as BotProcess counts it."""
        _, children, _ = process_tree_cpu(self.bot.process.pid)
        return self.bot.cpu_seconds(), children, time.perf_counter()

    @staticmethod
    def between(start: tuple[float, float, float], end: tuple[float, float, float]) -> Cpu:
        return Cpu(end[0] - start[0], end[1] - start[1], end[2] - start[2])


async def settle(path: Path, decisions: int, bot: load.BotProcess, deadline: float) -> None:
    """Wait until the bot has encoded every stored decision (it does at start-up, in the
    background, for tags stored without a vector, as these were): in a real installation
    each is encoded as it is made, so measuring before would measure the start-up."""
    while True:
        bot.check_alive()
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            encoded = db.execute("SELECT count(*) FROM feedback_vectors").fetchone()[0]
        finally:
            db.close()
        if encoded >= decisions:
            return
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the bot encoded only {encoded} of {decisions} decisions in time")
        await asyncio.sleep(0.5)


async def reply_to(
    replies: load.Replies,
    user: FakeUser,
    predicate: Callable[[BotMessage], bool],
    act: Callable[[], object],
    patience: float,
    bot: load.BotProcess,
) -> tuple[float, float, BotMessage] | None:
    """Do ``act`` and wait for the message it brings: (sent, arrived, the message), or None
    after ``patience`` seconds; checks the bot lives meanwhile."""
    future = replies.expect(user.id, predicate)
    sent = time.perf_counter()
    await act()
    deadline = sent + patience
    while not future.done():
        bot.check_alive()
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        await asyncio.wait({future}, timeout=min(left, 0.5))
    arrived, message_id = future.result()
    message = next(m for m in reversed(user.messages) if m.message_id == message_id)
    return sent, arrived, message


async def export_each(
    exporter: FakeUser,
    replies: load.Replies,
    bot: load.BotProcess,
    formats: list[str],
    options: argparse.Namespace,
) -> tuple[list[ExportRun], list[float], dict[str, bytes], list[tuple[str, float, float]]]:
    """/export, "Everything", then each format as soon as the last one's file came."""
    got = await reply_to(
        replies,
        exporter,
        lambda m: not m.edited and "Export your portfolio" in (m.text or ""),
        lambda: exporter.send_command("/export"),
        options.patience,
        bot,
    )
    if got is None:
        raise RuntimeError(f"no reply to /export within {options.patience} s")
    menus = [got[1] - got[0]]
    periods = got[2]
    got = await reply_to(
        replies,
        exporter,
        lambda m: m.message_id == periods.message_id and "which format?" in (m.text or ""),
        lambda: exporter.press(periods, "Everything"),
        options.patience,
        bot,
    )
    if got is None:
        raise RuntimeError(f"no formats within {options.patience} s of tapping Everything")
    menus.append(got[1] - got[0])
    choices = got[2]
    runs, contents, marks = [], {}, []
    for key in formats:
        name = FORMATS[key].name
        last = max(m.message_id for m in exporter.messages)
        got = await reply_to(
            replies,
            exporter,
            lambda m, last=last: not m.edited and m.message_id > last,
            lambda name=name: exporter.press(choices, name),
            options.export_timeout,
            bot,
        )
        if got is None:
            runs.append(ExportRun(key, None, instead=f"nothing in {options.export_timeout:.0f} s"))
            break  # the next would be refused as busy
        sent, arrived, message = got
        marks.append((key, sent, arrived))
        if message.document is None or message.document.content is None:
            runs.append(ExportRun(key, arrived - sent, instead=(message.text or "")[:200]))
            continue
        document = message.document
        contents[key] = document.content
        runs.append(
            ExportRun(
                key,
                arrived - sent,
                bytes=len(document.content),
                filename=document.filename,
                caption=message.caption,
            )
        )
        progress(f"  {name:<9} {arrived - sent:6.2f} s {len(document.content):>11,} bytes")
    return runs, menus, contents, marks


def by_kind(samples: list[nudges.Sample]) -> dict[str, nudges.Latencies]:
    """Latencies of /reflect and the set ("other"), answers, and the last answer (which
    brings the suggestions: the model runs)."""
    return {
        kind: nudges.Latencies.of([s for s in samples if s.kind == kind])
        for kind in ("other", "answer", "last")
    }


async def run_chat(
    options: argparse.Namespace, folder: Path, prepared: Prepared
) -> tuple[ChatResult, dict[str, bytes]]:
    """The real bot; the chatter alone, then beside the exports."""
    formats = list(QUICK_FORMATS if options.quick else FORMATS)
    server = FakeBotApi()
    replies = load.Replies()
    server.watch(replies)
    await server.start()
    chatter = nudges.Chatter(server.user(CHATTER_ID, "Chris"), replies)
    exporter = server.user(EXPORTER_ID, "Morven")
    bot = load.BotProcess(
        [sys.executable, "-m", "bot", "run"], load.bot_env(server, folder, options), folder
    )
    meter = CpuMeter(bot)
    try:
        bot.start()
        started = time.perf_counter()
        await nudges.warm_up(chatter, bot)
        ready = time.perf_counter() - started
        progress(f"  the bot replied, models loaded, in {ready:.0f} s; encoding old decisions")
        decisions = prepared.confirmed + prepared.rejected
        await settle(folder / "bot.sqlite3", decisions, bot, started + options.settle_timeout)
        settled = time.perf_counter() - started
        progress(f"  {decisions} decisions encoded {settled:.0f} s after the start")
        load_before = os.getloadavg()[0]
        stop = asyncio.Event()
        at_start = meter.now()
        chatting = asyncio.create_task(
            chatter.keep_reflecting(stop, options.chat_interval, options.patience)
        )
        await nudges.sleep_until(at_start[2] + options.baseline, bot)
        if chatting.done():
            chatting.result()  # a bug in the chatter: stop here
        at_exports = meter.now()
        progress(f"  baseline: {len(chatter.samples)} replies; exporting")
        runs, menus, contents, marks = await export_each(exporter, replies, bot, formats, options)
        at_end = meter.now()
        _, _, children = process_tree_cpu(bot.process.pid)
        stop.set()
        await asyncio.wait_for(chatting, options.patience + options.chat_interval + 10)
        load_after = os.getloadavg()[0]
        exit_code = await bot.stop()
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
        await server.stop()

    exports_start, exports_end = at_exports[2], at_end[2]
    baseline = [s for s in chatter.samples if s.replied < exports_start]
    during = [s for s in chatter.samples if s.replied >= exports_start and s.sent < exports_end]
    result = ChatResult(
        ready_seconds=ready,
        decisions=decisions,
        settled_seconds=settled,
        formats=formats,
        exports=runs,
        menu_seconds=menus,
        baseline=nudges.Latencies.of(baseline),
        during=nudges.Latencies.of(during),
        baseline_by_kind=by_kind(baseline),
        during_by_kind=by_kind(during),
        reflections=chatter.reflections,
        stuck=chatter.stuck,
        flood_warnings=replies.flood_warnings,
        error_replies=replies.errors,
        cpu_baseline=CpuMeter.between(at_start, at_exports),
        cpu_exports=CpuMeter.between(at_exports, at_end),
        bot_children=children,
        load_average=[load_before, load_after],
        bot_log_errors=nudges.count_log_errors(folder),
        exit_code=exit_code,
        samples=[
            (round(s.sent - exports_start, 4), round(s.latency, 4), s.kind) for s in chatter.samples
        ],
        export_marks=[
            (key, round(sent - exports_start, 4), round(arrived - exports_start, 4))
            for key, sent, arrived in marks
        ],
    )
    return result, contents


# --------------------------------------------------------------------------- reporting


def progress(line: str) -> None:
    """Progress goes to stderr: stdout holds the figures (or the JSON)."""
    print(line, file=sys.stderr, flush=True)


def describe_database(prepared: Prepared) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(prepared.kinds.items()))
    return (
        f"N={prepared.reflections} reflections over {YEARS} years ({kinds}), "
        f"{prepared.words:,} words; {prepared.confirmed:,} confirmed indicators on "
        f"{prepared.with_confirmed} reflections ({prepared.rejected} rejected); "
        f"{prepared.learning_marks} learning marks, {prepared.learning_hours:g} h; "
        f"{prepared.goals} goals, {prepared.linked_to_goals} reflections linked; "
        f"{prepared.with_sessions} at a regular session; {prepared.other_scripts} with other "
        f"scripts; built in {prepared.seconds:.1f} s, {prepared.database_bytes / 1e6:.1f} MB"
    )


def describe_check(check: FileCheck | None, n: int) -> str:
    if check is None:
        return "-"
    if not check.opens:
        return f"does not open: {check.error}"
    found = "all" if check.reflections_found == n else f"ONLY {check.reflections_found} of"
    parts = [f"opens; {found} {n} reflections"]
    if check.rows is not None:
        parts.append(f"{check.rows:,} rows")
    if check.scripts is not None:
        parts.append("other scripts kept" if check.scripts else "other scripts LOST")
    return ", ".join(parts)


def describe_formats(result: FormatsResult, n: int) -> str:
    lines = [
        f"period: {result.period}",
        f"portfolio() on the event loop: median {nudges.ms(result.portfolio_seconds)} ms "
        f"(max {nudges.ms(max(result.portfolio_runs))} ms, {len(result.portfolio_runs)} runs); "
        f"pickled for the render process and back: {result.pickle_bytes / 1e6:.1f} MB, "
        f"{nudges.ms(result.pickle_seconds)} ms",
        f"first use of the renderers (imports, fonts, a small file each): "
        f"{result.first_use_seconds:.1f} s",
        "",
        f"{'format':<9} {'seconds':>8} {'bytes':>11} {'pages':>6}  check",
    ]
    for run in result.formats:
        pages = "-" if run.check.pages is None else str(run.check.pages)
        lines.append(
            f"{FORMATS[run.format].name:<9} {run.seconds:8.2f} {run.bytes:>11,} {pages:>6}  "
            f"{describe_check(run.check, n)}"
        )
    total = sum(run.seconds for run in result.formats)
    lines.append(f"{'all five':<9} {total:8.2f}")
    lines.append(
        f"(median of {len(result.formats[0].runs) if result.formats else 0} run(s) each; "
        f"load average {result.load_average[0]:.1f} before, {result.load_average[1]:.1f} after)"
    )
    return "\n".join(lines)


def core_share(seconds: float, wall: float) -> str:
    return f"{seconds:.1f} s ({seconds / wall:.0%} of a core)" if wall > 0 else "-"


def describe_chat(result: ChatResult, n: int) -> str:
    ratio = (
        f"{result.during.p95 / result.baseline.p95:.2f}x"
        if result.during.p95 and result.baseline.p95
        else "-"
    )

    def kinds(latencies_by_kind: dict[str, nudges.Latencies]) -> str:
        return (
            ", ".join(
                f"{kind} {nudges.ms(latencies.p95)}/{nudges.ms(latencies.max)} ({latencies.count})"
                for kind, latencies in latencies_by_kind.items()
                if latencies.count
            )
            or "-"
        )

    lines = ["exports, one after another (format tap -> the file at the fake server):"]
    for run in result.exports:
        size = "-" if run.bytes is None else f"{run.bytes:,} bytes"
        seconds = "-" if run.seconds is None else f"{run.seconds:.2f} s"
        detail = run.instead or describe_check(run.check, n)
        lines.append(f"  {FORMATS[run.format].name:<9} {seconds:>8} {size:>17}  {detail}")
    base, exports = result.cpu_baseline, result.cpu_exports
    rows = [
        (
            "bot start-up",
            f"replied in {result.ready_seconds:.0f} s; its {result.decisions:,} stored "
            f"decisions encoded {result.settled_seconds:.0f} s after the start, before the "
            "baseline",
        ),
        (
            "/export and Everything: replies",
            ", ".join(f"{s * 1000:.0f} ms" for s in result.menu_seconds),
        ),
        ("replies, baseline (chatter alone)", nudges.latency_line(result.baseline)),
        ("  p95/max ms (replies) by kind", kinds(result.baseline_by_kind)),
        ("replies, during the exports", nudges.latency_line(result.during)),
        ("  p95/max ms (replies) by kind", kinds(result.during_by_kind)),
        ("  during p95 / baseline p95", ratio),
        (
            "chatting practitioner",
            f"{result.reflections} reflections finished; stuck at {result.stuck or '-'}; "
            f"flood warnings {result.flood_warnings}, error replies {result.error_replies}",
        ),
        (
            "bot CPU, baseline",
            f"main {core_share(base.main, base.wall)}, children "
            f"{core_share(base.children, base.wall)} over {base.wall:.1f} s",
        ),
        (
            "bot CPU, during the exports",
            f"main {core_share(exports.main, exports.wall)}, children "
            f"{core_share(exports.children, exports.wall)} over {exports.wall:.1f} s",
        ),
        ("bot's child processes", ", ".join(result.bot_children) or "-"),
        (
            "machine",
            f"load average {result.load_average[0]:.1f} before the baseline, "
            f"{result.load_average[1]:.1f} after the exports; {os.cpu_count()} cores",
        ),
        ("bot", f"{result.bot_log_errors} error lines in its log; exit code {result.exit_code}"),
    ]
    width = max(len(label) for label, _ in rows)
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


@dataclass
class Result:
    reflections: int
    prepared: Prepared
    formats: FormatsResult | None
    chat: ChatResult | None

    def verdicts(self) -> dict[str, bool]:
        verdicts = {}
        if self.formats is not None:
            verdicts.update(self.formats.verdicts(self.reflections))
        if self.chat is not None:
            verdicts.update(self.chat.verdicts(self.reflections))
        return verdicts


def describe(result: Result) -> str:
    lines = [describe_database(result.prepared)]
    if result.formats is not None:
        lines += [
            "",
            "== part 1: formats (in this process)",
            describe_formats(result.formats, result.reflections),
        ]
    if result.chat is not None:
        lines += [
            "",
            "== part 2: nobody waits (the real bot)",
            describe_chat(result.chat, result.reflections),
        ]
    lines.append("")
    lines += [
        f"{'met' if met else 'MISSED':<6}  {target}" for target, met in result.verdicts().items()
    ]
    return "\n".join(lines)


def result_json(result: Result) -> dict:
    data = asdict(result)
    for long_list in ("ids", "openings"):
        del data["prepared"][long_list]
    data["verdicts"] = result.verdicts()
    data["met"] = all(result.verdicts().values())
    return data


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reflections", type=int, default=1000, help="N reflections to export (default 1000)"
    )
    parser.add_argument(
        "--part",
        choices=["formats", "chat", "both"],
        default="both",
        help="formats (in this process), chat (the real bot), or both (default)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: N=60, baseline 3 s, only PDF and CSV sent by the bot",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="renders of each format in part 1 (default 1)"
    )
    parser.add_argument(
        "--baseline",
        type=float,
        default=20.0,
        help="seconds of chatting alone before the exports (default 20)",
    )
    parser.add_argument(
        "--chat-interval",
        type=float,
        default=1.1,
        help="seconds at least between the chatter's updates (default 1.1: the bot's flood "
        "gate allows one a second)",
    )
    parser.add_argument(
        "--patience",
        type=float,
        default=30.0,
        help="seconds the chatter waits for a reply (default 30)",
    )
    parser.add_argument(
        "--export-timeout",
        type=float,
        default=300.0,
        help="seconds to wait for each file (default 300)",
    )
    parser.add_argument(
        "--settle-timeout",
        type=float,
        default=600.0,
        help="seconds from the bot's start to wait for it to encode the stored decisions "
        "(default 600)",
    )
    parser.add_argument("--seed", type=int, default=9, help="of the invented reflections")
    parser.add_argument("--log-level", default="INFO", help="the bot's REFLECTBOT_LOG_LEVEL")
    parser.add_argument("--bot-source", help="run the bot from this source tree")
    parser.add_argument("--workdir", type=Path, help="keep the database, files and log here")
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON instead of the table"
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.reflections = 60
        options.baseline = min(options.baseline, 3.0)
    if options.reflections < 1:
        parser.error("--reflections must be at least 1")
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still kill the bot
    n = options.reflections
    with tempfile.TemporaryDirectory(prefix="bench-export-") as temporary:
        options.workdir = (options.workdir or Path(temporary)).resolve()
        now = datetime.now(UTC)
        folder = options.workdir / f"export-{n}-{now:%Y%m%dT%H%M%S}"
        folder.mkdir(parents=True)
        progress(f"building a database of {n} reflections in {folder}")
        prepared = prepare_database(folder / "bot.sqlite3", n, now, options.seed)
        progress(describe_database(prepared))
        formats = chat = None
        if options.part in ("formats", "both"):
            progress("part 1: rendering each format in this process")
            formats = run_formats(folder, prepared, options.repeat)
        if options.part in ("chat", "both"):
            progress("part 2: starting the bot")
            try:
                chat, contents = asyncio.run(run_chat(options, folder, prepared))
            except RuntimeError as error:  # the bot died, or never answered
                progress(f"bench_export: {error}")
                return 1
            finally:
                load._kill_children()
            progress("  checking the files it sent")
            for run in chat.exports:
                if run.format in contents:
                    run.check = check_file(run.format, contents[run.format], prepared)
                    (folder / (run.filename or f"sent.{run.format}")).write_bytes(
                        contents[run.format]
                    )
    result = Result(n, prepared, formats, chat)
    if options.json:
        print(json.dumps(result_json(result), indent=1, ensure_ascii=False))
    else:
        print(describe(result), flush=True)
    return 0 if all(result.verdicts().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
