"""The composition root: builds every service from settings, once."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

import storage
from bot.config import Settings
from bot.identifiers import IdentifierDetector, SpacyIdentifierDetector
from bot.services.about import AboutService
from bot.services.digests import DigestService
from bot.services.editing import EditingService
from bot.services.exporting import ExportingService
from bot.services.feedback import FeedbackService
from bot.services.history import HistoryService
from bot.services.inbox import InboxService
from bot.services.intake import IntakeService
from bot.services.learning import LearningService
from bot.services.nudge_settings import NudgeSettingsService
from bot.services.nudging import NudgingService
from bot.services.privacy import PrivacyService
from bot.services.progress import ProgressService
from bot.services.reflecting import ReflectingService
from bot.services.supervision import SupervisionService
from bot.services.tagging import TaggingService
from bot.services.typed_settings import TypedSettingsService
from bot.services.users import UserService
from bot.services.verification import VerificationService
from bot.services.voice_notes import MAX_SECONDS, Transcriber, VoiceNotesService
from framework import (
    Encoder,
    Framework,
    FrameworkError,
    SentenceTransformerEncoder,
    Suggester,
    load_examples,
    load_framework,
    load_head,
    load_rule,
)
from prompts import load_question_sets, load_weekly_prompts

RENDER_PROCESSES = 2
log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: sqlite_utils.Database
    framework: Framework
    suggester: Suggester
    users: UserService
    reflecting: ReflectingService
    tagging: TaggingService
    history: HistoryService
    about: AboutService
    editing: EditingService
    feedback: FeedbackService
    intake: IntakeService
    privacy: PrivacyService
    detector: IdentifierDetector
    inbox: InboxService
    nudge_settings: NudgeSettingsService
    typed_settings: TypedSettingsService
    nudging: NudgingService
    learning: LearningService
    exporting: ExportingService
    progress: ProgressService
    supervision: SupervisionService
    verification: VerificationService
    digests: DigestService
    voice: VoiceNotesService
    settings: Settings
    model_pools: tuple[ThreadPoolExecutor, ...] = ()

    def close(self) -> None:
        for pool in self.model_pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self.exporting.close()
        self.db.close()


def render_processes() -> ProcessPoolExecutor:
    """Where files and charts are made: processes of their own, so a long export takes the
    other core, never the event loop. Two, so a chart need not wait behind a long export;
    spawned, not forked, as the bot has threads; each started at first use."""
    return ProcessPoolExecutor(
        max_workers=RENDER_PROCESSES, mp_context=multiprocessing.get_context("spawn")
    )


def build_suggester(
    settings: Settings, framework: Framework | None = None, encoder: Encoder | None = None
) -> Suggester:
    """The suggester for the configured model and framework (the model loads on first use).

    The packaged examples are used whenever they fit the framework; a framework without
    examples falls back to its indicators' own wording, which suggests far less well.
    """
    framework = framework or load_framework(settings.framework_path)
    try:
        examples = load_examples(framework, settings.examples_path)
    except FrameworkError:
        if settings.examples_path is not None:
            raise
        log.warning(
            "no examples fit framework %s: suggestions use indicator wording", framework.path
        )
        examples = None
    encoder = encoder if encoder is not None else SentenceTransformerEncoder(settings.model)
    return Suggester(
        framework,
        encoder,
        examples=examples,
        head=load_head(model_id=encoder.model_id),
        rule=load_rule(model_id=encoder.model_id),
        cache_dir=settings.embedding_cache_dir,
    )


def build_transcriber(settings: Settings) -> Transcriber | None:
    """The local speech model, unless voice notes are turned off or it is not installed
    (then voice notes get a kind "please type" and the rest of the bot works as ever)."""
    if not settings.voice:
        return None
    from bot.voice import WhisperTranscriber, voice_available

    missing = voice_available()
    if missing is not None:
        log.warning("voice notes are off: %s", missing)
        return None
    # The model stops reading a note past the limit, whatever its header said.
    return WhisperTranscriber(settings.embedding_cache_dir, max_seconds=MAX_SECONDS + 1)


def build_services(
    settings: Settings,
    *,
    encoder: Encoder | None = None,
    suggester: Suggester | None = None,
    detector: IdentifierDetector | None = None,
    transcriber: Transcriber | None = None,
    clock: Callable[[], datetime] = utc_now,
    render_in_process: bool = False,
) -> Services:
    """Open the database (running migrations), load the framework and question sets.

    The models are not loaded here: each loads on first use, off the event loop. Tests
    pass a fake ``encoder`` (or a whole ``suggester``), a fake ``detector`` and ``clock``.
    Files and charts are rendered in a separate process (started on first use), or with
    ``render_in_process`` on the caller's thread (the CLI). ``transcriber``: a fake
    speech model for tests (default: the configured one, if voice notes are on).
    """
    db = storage.open_database(settings.db_path)
    framework = load_framework(settings.framework_path)
    question_sets = load_question_sets()
    weekly = load_weekly_prompts()
    choosable = tuple(i for i, s in question_sets.items() if not s.learning)
    question_sets[weekly.as_question_set().id] = weekly.as_question_set()
    suggester = suggester or build_suggester(settings, framework, encoder)
    detector = detector or SpacyIdentifierDetector()
    # One worker each: on two cores, encodes side by side only fight over the CPU (torch
    # uses both cores for one), and a name check should not queue behind a suggestion.
    encoder_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
    guard_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="identifiers")
    # Voice notes one at a time for the whole bot: a long one takes a core for seconds.
    voice_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
    feedback = FeedbackService(db, suggester, encoder_pool, clock)
    reflecting = ReflectingService(db, suggester, question_sets, clock, feedback, encoder_pool)
    history = HistoryService(db, question_sets)
    editing = EditingService(db, history, reflecting, feedback, clock)
    privacy = PrivacyService(db, framework, question_sets, feedback, clock)
    privacy.on_forget(reflecting.split_messages.forget)
    nudge_settings = NudgeSettingsService(db, clock, choosable)
    typed_settings = TypedSettingsService(nudge_settings, clock)
    privacy.on_forget(typed_settings.forget)
    learning = LearningService(
        db,
        clock,
        frozenset(s.id for s in question_sets.values() if s.learning),
        frozenset(c.number for c in framework.competences),
    )
    supervision = SupervisionService(db, clock, history)
    digests = DigestService(db, framework, learning, clock)
    reflecting.on_finished(supervision.finished)
    exporting = ExportingService(
        db,
        framework,
        question_sets,
        learning,
        clock,
        None if render_in_process else render_processes(),
        render_processes,
    )
    return Services(
        db=db,
        framework=framework,
        suggester=suggester,
        users=UserService(db, clock, settings.timezone),
        reflecting=reflecting,
        tagging=TaggingService(db, framework, clock, feedback),
        feedback=feedback,
        history=history,
        about=AboutService(db, clock),
        editing=editing,
        intake=IntakeService(db, reflecting, editing, detector, clock, guard_pool),
        privacy=privacy,
        detector=detector,
        inbox=InboxService(db, clock),
        nudge_settings=nudge_settings,
        typed_settings=typed_settings,
        nudging=NudgingService(db, framework, weekly, reflecting, clock),
        learning=learning,
        exporting=exporting,
        progress=ProgressService(exporting, learning),
        supervision=supervision,
        verification=VerificationService(db, clock),
        digests=digests,
        voice=VoiceNotesService(
            db,
            transcriber if transcriber is not None else build_transcriber(settings),
            clock,
            voice_pool,
            folder=settings.embedding_cache_dir / "voice-notes",
        ),
        settings=settings,
        model_pools=(encoder_pool, guard_pool, voice_pool),
    )
