"""The dataclasses that storage functions return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

TagStatus = Literal["confirmed", "rejected"]
HoldMode = Literal["new", "replace", "append"]
ReflectionStatus = Literal["open", "pending", "done"]


@dataclass(frozen=True)
class User:
    id: int
    display_name: str
    timezone: str
    consented_at: datetime
    created_at: datetime
    blocked_at: datetime | None = None  # they blocked the bot; cleared when they write

    @property
    def active(self) -> bool:
        return self.blocked_at is None


@dataclass(frozen=True)
class Reflection:
    id: int
    user_id: int
    kind: str
    question_set_id: str
    question_set_version: int
    status: ReflectionStatus
    started_at: datetime
    finished_at: datetime | None
    text: str
    session_id: int | None = None  # the regular session it is about, if any
    prompt_id: str | None = None  # the weekly question it answers, if any
    goal_id: int | None = None  # the professional learning goal it works towards
    about: str | None = None  # the session, group or programme it is about, if named
    session_date: date | None = None  # the local date of that session, if given


@dataclass(frozen=True)
class Answer:
    id: int
    reflection_id: int
    question_id: str
    text: str
    skipped: bool
    answered_at: datetime
    updated_at: datetime
    message_id: int | None = None  # the Telegram message that gave it (first part)
    parts: int = 1  # how many messages it was joined from (Telegram splits long ones)


@dataclass(frozen=True)
class StoredSuggestion:
    reflection_id: int
    indicator_id: str
    score: float
    rank: int
    model_id: str
    evidence: str


@dataclass(frozen=True)
class Tag:
    reflection_id: int
    indicator_id: str
    status: TagStatus
    source: str
    updated_at: datetime


@dataclass(frozen=True)
class HeldText:
    """Text the identifier guard holds until the practitioner decides what to do with it.

    ``mode`` says where it goes once released: ``new`` is routed like a fresh message,
    ``replace`` replaces answer ``answer_id`` (an edit), ``append`` continues that answer
    (the next part of a long message).
    """

    user_id: int
    token: int
    text: str
    findings: list[dict]
    mode: HoldMode
    answer_id: int | None
    reflection_id: int | None  # with question_id: the question it answers, if one waited
    question_id: str | None
    message_id: int | None
    arrived_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class VoiceTranscript:
    """What the bot heard in a voice note, waiting for the practitioner to use, correct
    or discard it (``editing``: their next text message replaces it)."""

    id: int
    user_id: int
    message_id: int
    text: str
    seconds: float
    model_id: str
    editing: bool
    arrived_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class AnswerEdit:
    """The practitioner asked to rewrite this answer: their next message replaces it."""

    user_id: int
    answer_id: int
    started_at: datetime


NudgeStatus = Literal["snoozed", "sent", "answered", "replaced", "dropped", "failed"]
AfterReflecting = Literal["soften", "skip"]


@dataclass(frozen=True)
class NudgeSettings:
    """When a practitioner wants to be nudged; times are local, in their time zone."""

    user_id: int
    quiet_start: time | None = time(21, 30)  # None (with quiet_end): no quiet hours
    quiet_end: time | None = time(8, 0)
    sessions_on: bool = True
    session_delay_minutes: int = 30
    weekly_on: bool = True
    weekly_day: int = 4  # 0 Monday .. 6 Sunday: Friday
    weekly_time: time = time(16, 0)
    after_reflecting: AfterReflecting = "soften"
    default_set_id: str | None = None  # None: the first guided question set
    paused_until: date | None = None  # inclusive


@dataclass(frozen=True)
class Session:
    """A practitioner's regular session ("Tuesday youth club")."""

    id: int
    user_id: int
    name: str
    weekdays: frozenset[int]  # 0 Monday .. 6 Sunday
    end_time: time
    skipped: frozenset[date]  # local dates it does not happen
    removed_at: datetime | None = None


@dataclass(frozen=True)
class Nudge:
    """A nudge sent (or snoozed to be sent): ``slot`` and ``due_at`` name it for good."""

    id: int
    user_id: int
    slot: str
    kind: str  # 'session' or 'weekly'
    session_id: int | None
    due_at: datetime
    status: NudgeStatus
    question_id: str | None
    message_id: int | None
    sent_at: datetime | None


GoalOutcome = Literal["achieved", "dropped"]


@dataclass(frozen=True)
class LearningGoal:
    """A professional learning goal, in the practitioner's words."""

    id: int
    user_id: int
    text: str
    competences: tuple[int, ...]
    created_at: datetime
    review: str = ""
    reviewed_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: GoalOutcome | None = None


@dataclass(frozen=True)
class LearningMark:
    """A reflection marked as a professional learning activity."""

    reflection_id: int
    user_id: int
    kind: str
    hours: float
    recorded_at: datetime


@dataclass(frozen=True)
class Registration:
    """What the professional learning requirement is worked out from."""

    user_id: int
    weekly_hours: float | None = None
    cycle_start: date | None = None


@dataclass(frozen=True)
class Invitation:
    """A practitioner's invitation to a supervisor; only a hash of its token is stored."""

    id: int
    user_id: int  # the practitioner who invites
    as_verifier: bool
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class SupervisionLink:
    """A supervisor linked to a practitioner (ended links are kept, marked ended)."""

    id: int
    practitioner_id: int
    supervisor_id: int
    verifier: bool
    created_at: datetime
    ended_at: datetime | None = None
    ended_by: int | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class Sharing:
    """What a practitioner shares of one reflection with their supervisors."""

    reflection_id: int
    in_full: bool = False
    to_discuss: bool = False


WhenEmpty = Literal["line", "none"]


@dataclass(frozen=True)
class SupervisionSettings:
    """A practitioner's sharing default, and (as a supervisor) their digest choices."""

    user_id: int
    share_by_default: bool = False
    digest_day: int = 0  # Monday
    digest_time: time = time(9, 0)
    digest_when_empty: WhenEmpty = "line"


@dataclass(frozen=True)
class Comment:
    """A supervisor's comment on a reflection shared with them."""

    id: int
    reflection_id: int
    supervisor_id: int
    text: str
    created_at: datetime


DigestStatus = Literal["sending", "sent", "empty", "failed"]


@dataclass(frozen=True)
class DigestRecord:
    """A supervisor's weekly digest, recorded under its week before it is sent."""

    supervisor_id: int
    week: str  # ISO week in the supervisor's time zone, e.g. '2026-W48'
    due_at: datetime
    status: DigestStatus
    sent_at: datetime | None = None


@dataclass(frozen=True)
class VerifiedReview:
    """A verifier's record of a reflective discussion of the practitioner's learning."""

    id: int
    practitioner_id: int
    verifier_id: int | None  # None once the verifier has left (/forget)
    verifier_name: str
    discussed_on: date
    note: str
    created_at: datetime
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
