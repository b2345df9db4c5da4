"""Button payloads: small typed actions encoded in Telegram's 64-byte callback data.

Anything can arrive here (old buttons, repeated taps, forged data), so :func:`parse`
accepts only well-formed payloads and returns None for everything else. Ownership and
existence are checked by the services, never assumed from the payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

MAX_BYTES = 64


@dataclass(frozen=True)
class Consent:
    agree: bool
    invitation: str | None = None  # a supervision invitation to show once they agree


@dataclass(frozen=True)
class ChooseSet:
    set_id: str


@dataclass(frozen=True)
class OpenChoice:
    action: Literal["resume", "restart", "discard"]
    reflection_id: int


@dataclass(frozen=True)
class CancelChoice:
    action: Literal["keep", "drop", "continue"]
    reflection_id: int


@dataclass(frozen=True)
class NoteChoice:
    action: Literal["save", "drop"]
    reflection_id: int


@dataclass(frozen=True)
class TagTap:
    """Set an indicator's state; ``picker``: tapped in the competence picker (re-render it)."""

    reflection_id: int
    indicator_id: str
    choice: Literal["confirm", "reject", "clear"]
    picker: bool = False


@dataclass(frozen=True)
class TagAction:
    reflection_id: int
    action: Literal["none", "done", "pick", "back"]


@dataclass(frozen=True)
class PickCompetence:
    reflection_id: int
    number: int


@dataclass(frozen=True)
class HistoryPageNav:
    page: int


@dataclass(frozen=True)
class HistoryTags:
    reflection_id: int


@dataclass(frozen=True)
class HistoryOpen:
    reflection_id: int


@dataclass(frozen=True)
class DeleteReflection:
    reflection_id: int
    step: Literal["ask", "yes", "no"]


@dataclass(frozen=True)
class EditAnswer:
    """Choose an answer of a reflection to rewrite (answer_id 0: show the choice)."""

    reflection_id: int
    answer_id: int


@dataclass(frozen=True)
class HeldChoice:
    """A decision about held text; ``token`` names the text it was shown for."""

    choice: Literal["initials", "keep", "rewrite"]
    token: int


@dataclass(frozen=True)
class ForgetChoice:
    """Delete everything, or not; ``shown`` is when the confirmation was shown (epoch s)."""

    confirm: bool
    shown: int


@dataclass(frozen=True)
class NudgeChoice:
    """A tap on a nudge: reflect now, quick note, not today (later), or snooze an hour."""

    nudge_id: int
    choice: Literal["now", "note", "later", "snooze"]


# -- professional learning, goals, progress and export --------------------------------------

LearningKind = Literal["training", "course", "reading", "shadowing", "peer", "supervision", "other"]
LEARNING_KIND_NAMES: tuple[str, ...] = LearningKind.__args__  # type: ignore[attr-defined]
PeriodKey = Literal["3m", "12m", "cycle", "all"]
FormatKey = Literal["pdf", "docx", "csv", "json", "md"]
GoalStep = Literal[
    "list", "closed", "new", "open", "comp", "review", "achieved", "dropped", "reopen", "toggle"
]


@dataclass(frozen=True)
class LearningTap:
    """Mark a reflection as professional learning: with no kind, the kinds to choose
    from; with a kind, the hours to choose from, or ``quarters`` of an hour to record
    (-1: ask for them typed); ``remove``: not professional learning after all."""

    reflection_id: int
    kind: LearningKind | None = None
    quarters: int = 0
    remove: bool = False


@dataclass(frozen=True)
class GoalLink:
    """Link a reflection to a goal (``goal_id`` 0: to none); None: the goals to choose."""

    reflection_id: int
    goal_id: int | None = None


@dataclass(frozen=True)
class GoalTap:
    """/goals: the list (``goal_id`` 0), closed goals, a new goal, one goal, its
    competences (``toggle`` one of them: ``competence``), a review note, close or reopen."""

    goal_id: int
    step: GoalStep
    competence: int = 0


@dataclass(frozen=True)
class ProgressTap:
    """/progress over a period: every competence (0) or the indicators of one; no
    period: the periods to choose from."""

    period: PeriodKey | None
    competence: int = 0


@dataclass(frozen=True)
class ExportTap:
    """/export: a period chosen (then the formats), or a period and a format (the file);
    no period: the periods to choose from."""

    period: PeriodKey | None
    format: FormatKey | None = None


# -- supervision ------------------------------------------------------------------------------

TOKEN = r"([A-Za-z0-9_-]{32})"  # an invitation token (bot.services.supervision)


@dataclass(frozen=True)
class Invite:
    """/supervisor: make an invitation (``verifier``: for the registration verifier)."""

    verifier: bool


@dataclass(frozen=True)
class InvitationAnswer:
    """The invited supervisor accepts or declines."""

    accept: bool
    token: str


@dataclass(frozen=True)
class LinkTap:
    """/supervisors: end a link (asked, then confirmed or kept), or make the supervisor
    the practitioner's registration verifier (or not)."""

    link_id: int
    step: Literal["end", "end_yes", "keep", "verifier", "not_verifier", "overview"]


@dataclass(frozen=True)
class ReadShared:
    """A supervisor opens a reflection shared with them in full."""

    reflection_id: int


@dataclass(frozen=True)
class CommentOn:
    """A supervisor comments on a reflection shared with them (the comment is typed)."""

    reflection_id: int


@dataclass(frozen=True)
class ShareTap:
    """Share a reflection with supervisors in full (or not), flag it to discuss (or not)."""

    reflection_id: int
    what: Literal["full", "private", "discuss", "undiscuss"]


@dataclass(frozen=True)
class ReviewTap:
    """A verifier records a review of a supervisee's learning: ask the date (no ``on``,
    ``step`` 'ask'), a date chosen (then a note is asked), the date to be typed, or saved
    without a note."""

    link_id: int
    step: Literal["ask", "date", "type", "save"]
    on: date | None = None


@dataclass(frozen=True)
class ReviewAnswer:
    """The practitioner accepts a verified review, or says it is not right."""

    review_id: int
    accept: bool


@dataclass(frozen=True)
class DigestChoice:
    """/settings, as a supervisor: the digest's weekday (0 Monday), its time (``at``), or
    what a quiet week brings ('line' or 'none'); ``ask``: the time is to be typed."""

    day: int | None = None
    at: time | None = None
    when_empty: Literal["line", "none"] | None = None
    ask: bool = False


@dataclass(frozen=True)
class ShareDefault:
    """/settings: share every new reflection in full with supervisors (or not)."""

    on: bool


# -- settings and pause ---------------------------------------------------------------------

SettingsMenuName = Literal[
    "home",
    "open",
    "zone",
    "quiet",
    "weekly",
    "weekday",
    "weektime",
    "sessions",
    "sets",
    "pause",
    "learning",
    "supervision",
]
TypedSettingName = Literal[
    "timezone",
    "weekly_time",
    "session_name",
    "skip_date",
    "pause_until",
    "weekly_hours",
    "cycle_start",
]


@dataclass(frozen=True)
class SettingsMenu:
    """Show a settings menu in place (``open``: the summary, as a new message)."""

    menu: SettingsMenuName


@dataclass(frozen=True)
class SettingsAsk:
    """Ask the practitioner to type a setting; ``session_id``: the session a date to skip
    is for (0 for everything else)."""

    what: TypedSettingName
    session_id: int = 0


@dataclass(frozen=True)
class SetZone:
    zone: str  # an IANA name; the service checks it


@dataclass(frozen=True)
class SetQuiet:
    """Quiet hours from ``start`` to ``end`` (local), or none (both None)."""

    start: time | None
    end: time | None


@dataclass(frozen=True)
class SetWeekly:
    """One change to the weekly reflection: exactly one field is set."""

    on: bool | None = None
    day: int | None = None  # 0 Monday .. 6 Sunday
    at: time | None = None
    after: Literal["soften", "skip"] | None = None


@dataclass(frozen=True)
class SetSessionsOn:
    on: bool


@dataclass(frozen=True)
class NewSessionDays:
    """The days ticked for the session being added (bit n: weekday n, Monday 0);
    ``done``: go on to its end time."""

    mask: int
    done: bool = False


@dataclass(frozen=True)
class NewSessionEnd:
    at: time


@dataclass(frozen=True)
class SessionMenu:
    session_id: int


@dataclass(frozen=True)
class RemoveSession:
    """Ask whether to remove a session (``confirm`` False), or remove it (True)."""

    session_id: int
    confirm: bool


@dataclass(frozen=True)
class SkipSessionDay:
    """The session does not happen on ``day`` (``skip``), or does after all."""

    session_id: int
    day: date
    skip: bool


@dataclass(frozen=True)
class SetDefaultSet:
    set_id: str


@dataclass(frozen=True)
class PauseChoice:
    choice: Literal["1w", "2w", "resume"]


Action = (
    Consent
    | ChooseSet
    | OpenChoice
    | CancelChoice
    | NoteChoice
    | TagTap
    | TagAction
    | PickCompetence
    | HistoryPageNav
    | HistoryTags
    | HistoryOpen
    | DeleteReflection
    | EditAnswer
    | HeldChoice
    | ForgetChoice
    | NudgeChoice
    | SettingsMenu
    | SettingsAsk
    | SetZone
    | SetQuiet
    | SetWeekly
    | SetSessionsOn
    | NewSessionDays
    | NewSessionEnd
    | SessionMenu
    | RemoveSession
    | SkipSessionDay
    | SetDefaultSet
    | PauseChoice
    | LearningTap
    | GoalLink
    | GoalTap
    | ProgressTap
    | ExportTap
    | Invite
    | InvitationAnswer
    | LinkTap
    | ShareTap
    | ShareDefault
    | ReadShared
    | CommentOn
    | ReviewTap
    | ReviewAnswer
    | DigestChoice
)

_CHOICE_CODES = {"confirm": "c", "reject": "r", "clear": "x"}
_CODE_CHOICES = {code: choice for choice, code in _CHOICE_CODES.items()}
_NUMBER = r"(\d{1,12})"
_CLOCK = r"([01]\d|2[0-3])([0-5]\d)"  # HHMM, as two groups
_PATTERNS: list[tuple[re.Pattern[str], type]] = [
    (re.compile(rf"ok:(yes|no)(?::{TOKEN})?"), Consent),
    (re.compile(r"in:(p|v)"), Invite),
    (re.compile(rf"ia:(yes|no):{TOKEN}"), InvitationAnswer),
    (re.compile(rf"lk:{_NUMBER}:(end|end_yes|keep|verifier|not_verifier|overview)"), LinkTap),
    (re.compile(rf"rs:{_NUMBER}"), ReadShared),
    (re.compile(rf"cm:{_NUMBER}"), CommentOn),
    (re.compile(rf"rv:{_NUMBER}:(?:(ask|type)|(date|save):(\d{{8}}))"), ReviewTap),
    (re.compile(rf"ra:{_NUMBER}:(yes|no)"), ReviewAnswer),
    (re.compile(rf"dg:(?:d([0-6])|t{_CLOCK}|e:(line|none)|(ask))"), DigestChoice),
    (re.compile(rf"sh:{_NUMBER}:(full|private|discuss|undiscuss)"), ShareTap),
    (re.compile(r"sb:(on|off)"), ShareDefault),
    (re.compile(r"qs:([A-Za-z0-9_-]{1,20})"), ChooseSet),
    (re.compile(rf"op:(resume|restart|discard):{_NUMBER}"), OpenChoice),
    (re.compile(rf"cx:(keep|drop|continue):{_NUMBER}"), CancelChoice),
    (re.compile(rf"nt:(save|drop):{_NUMBER}"), NoteChoice),
    (re.compile(rf"tg:{_NUMBER}:(\d{{1,2}}\.\d{{1,2}}):([crx])(:p)?"), TagTap),
    (re.compile(rf"ta:{_NUMBER}:(none|done|pick|back)"), TagAction),
    (re.compile(rf"pc:{_NUMBER}:(\d{{1,2}})"), PickCompetence),
    (re.compile(r"hp:(\d{1,6})"), HistoryPageNav),
    (re.compile(rf"ht:{_NUMBER}"), HistoryTags),
    (re.compile(rf"ho:{_NUMBER}"), HistoryOpen),
    (re.compile(rf"dr:{_NUMBER}:(ask|yes|no)"), DeleteReflection),
    (re.compile(rf"ea:{_NUMBER}:{_NUMBER}"), EditAnswer),
    (re.compile(rf"hd:(initials|keep|rewrite):{_NUMBER}"), HeldChoice),
    (re.compile(rf"fg:(yes|no):{_NUMBER}"), ForgetChoice),
    (re.compile(rf"nu:{_NUMBER}:(now|note|later|snooze)"), NudgeChoice),
    (
        re.compile(
            r"st:(home|open|zone|quiet|weekly|weekday|weektime|sessions|sets|pause|learning"
            r"|supervision)"
        ),
        SettingsMenu,
    ),
    (
        re.compile(
            r"sa:(?:(timezone|weekly_time|session_name|pause_until|weekly_hours|cycle_start)"
            rf"|skip_date:{_NUMBER})"
        ),
        SettingsAsk,
    ),
    (re.compile(r"sz:([A-Za-z0-9_+/-]{1,60})"), SetZone),
    (re.compile(rf"sq:(?:{_CLOCK}-{_CLOCK}|none)"), SetQuiet),
    (re.compile(rf"sw:(?:(on|off)|d([0-6])|t{_CLOCK}|a:(soften|skip))"), SetWeekly),
    (re.compile(r"ss:(on|off)"), SetSessionsOn),
    (re.compile(r"sn:(\d{1,3})(:ok)?"), NewSessionDays),
    (re.compile(rf"se:{_CLOCK}"), NewSessionEnd),
    (re.compile(rf"so:{_NUMBER}"), SessionMenu),
    (re.compile(rf"sr:{_NUMBER}:(ask|yes)"), RemoveSession),
    (re.compile(rf"sk:{_NUMBER}:(\d{{8}}):([01])"), SkipSessionDay),
    (re.compile(r"sd:([A-Za-z0-9_-]{1,20})"), SetDefaultSet),
    (re.compile(r"pa:(1w|2w|resume)"), PauseChoice),
    (re.compile(rf"pl:{_NUMBER}(?::(-|[a-z]{{1,12}})(?::(\d{{1,4}}|t))?)?"), LearningTap),
    (re.compile(rf"gk:{_NUMBER}(?::{_NUMBER})?"), GoalLink),
    (re.compile(rf"gl:{_NUMBER}:(?:([a-z]{{3,8}})|c(\d{{1,2}}))"), GoalTap),
    (re.compile(r"pg:(?:menu|(3m|12m|cycle|all):(\d{1,2}))"), ProgressTap),
    (re.compile(r"ex:(?:menu|(3m|12m|cycle|all)(?::(pdf|docx|csv|json|md))?)"), ExportTap),
]
_SETTINGS_KINDS = {
    SettingsMenu,
    SettingsAsk,
    SetZone,
    SetQuiet,
    SetWeekly,
    SetSessionsOn,
    NewSessionDays,
    NewSessionEnd,
    SessionMenu,
    RemoveSession,
    SkipSessionDay,
    SetDefaultSet,
    PauseChoice,
}


def encode(action: Action) -> str:
    """The callback data for an action (always within Telegram's 64 bytes)."""
    match action:
        case Consent(agree, None):
            data = f"ok:{'yes' if agree else 'no'}"
        case Consent(agree, str() as token):
            data = f"ok:{'yes' if agree else 'no'}:{token}"
        case Invite(verifier):
            data = f"in:{'v' if verifier else 'p'}"
        case InvitationAnswer(accept, token):
            data = f"ia:{'yes' if accept else 'no'}:{token}"
        case LinkTap(link_id, step):
            data = f"lk:{link_id}:{step}"
        case ShareTap(rid, what):
            data = f"sh:{rid}:{what}"
        case ShareDefault(on):
            data = f"sb:{'on' if on else 'off'}"
        case ReadShared(rid):
            data = f"rs:{rid}"
        case CommentOn(rid):
            data = f"cm:{rid}"
        case ReviewTap(link_id, "ask" | "type" as step, None):
            data = f"rv:{link_id}:{step}"
        case ReviewTap(link_id, "date" | "save" as step, date() as on):
            data = f"rv:{link_id}:{step}:{on:%Y%m%d}"
        case ReviewAnswer(review_id, accept):
            data = f"ra:{review_id}:{'yes' if accept else 'no'}"
        case DigestChoice(int() as day, None, None, False):
            data = f"dg:d{day}"
        case DigestChoice(None, time() as at, None, False):
            data = f"dg:t{_hhmm(at)}"
        case DigestChoice(None, None, str() as when_empty, False):
            data = f"dg:e:{when_empty}"
        case DigestChoice(None, None, None, True):
            data = "dg:ask"
        case ChooseSet(set_id):
            data = f"qs:{set_id}"
        case OpenChoice(what, rid):
            data = f"op:{what}:{rid}"
        case CancelChoice(what, rid):
            data = f"cx:{what}:{rid}"
        case NoteChoice(what, rid):
            data = f"nt:{what}:{rid}"
        case TagTap(rid, indicator, choice, picker):
            data = f"tg:{rid}:{indicator}:{_CHOICE_CODES[choice]}{':p' if picker else ''}"
        case TagAction(rid, what):
            data = f"ta:{rid}:{what}"
        case PickCompetence(rid, number):
            data = f"pc:{rid}:{number}"
        case HistoryPageNav(page):
            data = f"hp:{page}"
        case HistoryTags(rid):
            data = f"ht:{rid}"
        case HistoryOpen(rid):
            data = f"ho:{rid}"
        case DeleteReflection(rid, step):
            data = f"dr:{rid}:{step}"
        case EditAnswer(rid, answer_id):
            data = f"ea:{rid}:{answer_id}"
        case HeldChoice(choice, token):
            data = f"hd:{choice}:{token}"
        case ForgetChoice(confirm, shown):
            data = f"fg:{'yes' if confirm else 'no'}:{shown}"
        case NudgeChoice(nudge_id, choice):
            data = f"nu:{nudge_id}:{choice}"
        case _ if type(action) in _EVIDENCE_KINDS:
            data = _encode_evidence(action)
            if parse(data) != action:  # e.g. a kind that does not exist, or 5,000 hours
                raise ValueError(f"not a well-formed action: {action!r}")
        case _ if type(action) in _SETTINGS_KINDS:
            data = _encode_setting(action)
            if parse(data) != action:  # e.g. a zone name with a space, or day 9
                raise ValueError(f"not a well-formed settings action: {action!r}")
        case _:
            raise TypeError(f"not a button action: {action!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: object) -> Action | None:
    """The action a button carries, or None if the data is not one of ours."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is None:
            continue
        parts = match.groups()
        if kind is Consent:
            return Consent(parts[0] == "yes", parts[1])
        if kind is Invite:
            return Invite(parts[0] == "v")
        if kind is InvitationAnswer:
            return InvitationAnswer(parts[0] == "yes", parts[1])  # type: ignore[arg-type]
        if kind is LinkTap:
            return LinkTap(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is ShareTap:
            return ShareTap(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is ShareDefault:
            return ShareDefault(parts[0] == "on")
        if kind in (ReadShared, CommentOn):
            return kind(int(parts[0]))
        if kind is ReviewTap:
            if parts[1] is not None:
                return ReviewTap(int(parts[0]), parts[1])  # type: ignore[arg-type]
            try:
                on = date(int(parts[3][:4]), int(parts[3][4:6]), int(parts[3][6:]))  # type: ignore[index]
            except ValueError:
                return None
            return ReviewTap(int(parts[0]), parts[2], on)  # type: ignore[arg-type]
        if kind is ReviewAnswer:
            return ReviewAnswer(int(parts[0]), parts[1] == "yes")
        if kind is DigestChoice:
            day, hour, minute, when_empty, ask = parts
            if day is not None:
                return DigestChoice(day=int(day))
            if hour is not None:
                return DigestChoice(at=time(int(hour), int(minute)))  # type: ignore[arg-type]
            if when_empty is not None:
                return DigestChoice(when_empty=when_empty)  # type: ignore[arg-type]
            return DigestChoice(ask=True)
        if kind is ChooseSet:
            return ChooseSet(parts[0])
        if kind in (OpenChoice, CancelChoice, NoteChoice):
            return kind(parts[0], int(parts[1]))
        if kind is TagTap:
            return TagTap(int(parts[0]), parts[1], _CODE_CHOICES[parts[2]], parts[3] is not None)
        if kind is TagAction:
            return TagAction(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is PickCompetence:
            return PickCompetence(int(parts[0]), int(parts[1]))
        if kind is HistoryPageNav:
            return HistoryPageNav(int(parts[0]))
        if kind is HistoryTags:
            return HistoryTags(int(parts[0]))
        if kind is HistoryOpen:
            return HistoryOpen(int(parts[0]))
        if kind is DeleteReflection:
            return DeleteReflection(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is EditAnswer:
            return EditAnswer(int(parts[0]), int(parts[1]))
        if kind is HeldChoice:
            return HeldChoice(parts[0], int(parts[1]))  # type: ignore[arg-type]
        if kind is NudgeChoice:
            return NudgeChoice(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind in _SETTINGS_KINDS:
            return _parse_setting(kind, parts)
        if kind in _EVIDENCE_KINDS:
            return _parse_evidence(kind, parts)
        return ForgetChoice(parts[0] == "yes", int(parts[1]))
    return None


_EVIDENCE_KINDS = {LearningTap, GoalLink, GoalTap, ProgressTap, ExportTap}
_GOAL_STEPS = frozenset(GoalStep.__args__) - {"toggle"}  # type: ignore[attr-defined]
MAX_QUARTERS = 2000  # 500 hours


def _encode_evidence(action: Action) -> str:
    match action:
        case LearningTap(rid, None, 0, False):
            return f"pl:{rid}"
        case LearningTap(rid, None, 0, True):
            return f"pl:{rid}:-"
        case LearningTap(rid, str() as kind, -1, False):
            return f"pl:{rid}:{kind}:t"
        case LearningTap(rid, str() as kind, 0, False):
            return f"pl:{rid}:{kind}"
        case LearningTap(rid, str() as kind, quarters, False):
            return f"pl:{rid}:{kind}:{quarters}"
        case GoalLink(rid, None):
            return f"gk:{rid}"
        case GoalLink(rid, goal_id):
            return f"gk:{rid}:{goal_id}"
        case GoalTap(goal_id, "toggle", number):
            return f"gl:{goal_id}:c{number}"
        case GoalTap(goal_id, step, 0):
            return f"gl:{goal_id}:{step}"
        case ProgressTap(None, 0):
            return "pg:menu"
        case ProgressTap(str() as period, number):
            return f"pg:{period}:{number}"
        case ExportTap(None, None):
            return "ex:menu"
        case ExportTap(str() as period, None):
            return f"ex:{period}"
        case ExportTap(str() as period, str() as chosen):
            return f"ex:{period}:{chosen}"
    raise ValueError(f"not a well-formed action: {action!r}")


def _parse_evidence(kind: type, parts: tuple[str | None, ...]) -> Action | None:
    """An action of /progress, /export, /goals or a learning mark (None if not right)."""
    if kind is LearningTap:
        rid, learning_kind, amount = int(parts[0]), parts[1], parts[2]  # type: ignore[arg-type]
        if learning_kind is None:
            return LearningTap(rid)
        if learning_kind == "-":
            return LearningTap(rid, remove=True) if amount is None else None
        if learning_kind not in LEARNING_KIND_NAMES:
            return None
        if amount is None:
            return LearningTap(rid, learning_kind)  # type: ignore[arg-type]
        quarters = -1 if amount == "t" else int(amount)
        if quarters == 0 or quarters > MAX_QUARTERS:
            return None
        return LearningTap(rid, learning_kind, quarters)  # type: ignore[arg-type]
    if kind is GoalLink:
        return GoalLink(int(parts[0]), None if parts[1] is None else int(parts[1]))  # type: ignore[arg-type]
    if kind is GoalTap:
        goal_id, step, number = int(parts[0]), parts[1], parts[2]  # type: ignore[arg-type]
        if number is not None:
            return GoalTap(goal_id, "toggle", int(number)) if 1 <= int(number) <= 99 else None
        return GoalTap(goal_id, step) if step in _GOAL_STEPS else None  # type: ignore[arg-type]
    if kind is ProgressTap:
        if parts[0] is None:
            return ProgressTap(None)
        return ProgressTap(parts[0], int(parts[1]))  # type: ignore[arg-type]
    return ExportTap(parts[0], parts[1])  # type: ignore[arg-type]


def _hhmm(moment: time) -> str:
    return f"{moment.hour:02d}{moment.minute:02d}"


def _encode_setting(action: Action) -> str:
    match action:
        case SettingsMenu(menu):
            return f"st:{menu}"
        case SettingsAsk("skip_date", session_id) if session_id > 0:
            return f"sa:skip_date:{session_id}"
        case SettingsAsk(what, 0) if what != "skip_date":
            return f"sa:{what}"
        case SetZone(zone):
            return f"sz:{zone}"
        case SetQuiet(None, None):
            return "sq:none"
        case SetQuiet(time() as start, time() as end):
            return f"sq:{_hhmm(start)}-{_hhmm(end)}"
        case SetWeekly(on, None, None, None) if on is not None:
            return f"sw:{'on' if on else 'off'}"
        case SetWeekly(None, day, None, None) if day is not None:
            return f"sw:d{day}"
        case SetWeekly(None, None, time() as at, None):
            return f"sw:t{_hhmm(at)}"
        case SetWeekly(None, None, None, after) if after is not None:
            return f"sw:a:{after}"
        case SetSessionsOn(on):
            return f"ss:{'on' if on else 'off'}"
        case NewSessionDays(mask, done) if 0 <= mask < 128:
            return f"sn:{mask}{':ok' if done else ''}"
        case NewSessionEnd(at):
            return f"se:{_hhmm(at)}"
        case SessionMenu(session_id):
            return f"so:{session_id}"
        case RemoveSession(session_id, confirm):
            return f"sr:{session_id}:{'yes' if confirm else 'ask'}"
        case SkipSessionDay(session_id, day, skip):
            return f"sk:{session_id}:{day:%Y%m%d}:{int(skip)}"
        case SetDefaultSet(set_id):
            return f"sd:{set_id}"
        case PauseChoice(choice):
            return f"pa:{choice}"
    raise ValueError(f"not a well-formed settings action: {action!r}")


def _parse_setting(kind: type, parts: tuple[str | None, ...]) -> Action | None:
    """A settings action from its pattern's groups (None if the values cannot be right)."""
    if kind is SettingsMenu:
        return SettingsMenu(parts[0])  # type: ignore[arg-type]
    if kind is SettingsAsk:
        if parts[1] is not None:
            return SettingsAsk("skip_date", int(parts[1]))
        return SettingsAsk(parts[0])  # type: ignore[arg-type]
    if kind is SetZone:
        return SetZone(parts[0])  # type: ignore[arg-type]
    if kind is SetQuiet:
        if parts[0] is None:
            return SetQuiet(None, None)
        return SetQuiet(time(int(parts[0]), int(parts[1])), time(int(parts[2]), int(parts[3])))  # type: ignore[arg-type]
    if kind is SetWeekly:
        on, day, hour, minute, after = parts
        if on is not None:
            return SetWeekly(on=on == "on")
        if day is not None:
            return SetWeekly(day=int(day))
        if hour is not None:
            return SetWeekly(at=time(int(hour), int(minute)))  # type: ignore[arg-type]
        return SetWeekly(after=after)  # type: ignore[arg-type]
    if kind is SetSessionsOn:
        return SetSessionsOn(parts[0] == "on")
    if kind is NewSessionDays:
        mask = int(parts[0])  # type: ignore[arg-type]
        return NewSessionDays(mask, parts[1] is not None) if mask < 128 else None
    if kind is NewSessionEnd:
        return NewSessionEnd(time(int(parts[0]), int(parts[1])))  # type: ignore[arg-type]
    if kind is SessionMenu:
        return SessionMenu(int(parts[0]))  # type: ignore[arg-type]
    if kind is RemoveSession:
        return RemoveSession(int(parts[0]), parts[1] == "yes")  # type: ignore[arg-type]
    if kind is SkipSessionDay:
        try:
            day = date(int(parts[1][:4]), int(parts[1][4:6]), int(parts[1][6:]))  # type: ignore[index]
        except ValueError:
            return None
        return SkipSessionDay(int(parts[0]), day, parts[2] == "1")  # type: ignore[arg-type]
    if kind is SetDefaultSet:
        return SetDefaultSet(parts[0])  # type: ignore[arg-type]
    return PauseChoice(parts[0])  # type: ignore[arg-type]
