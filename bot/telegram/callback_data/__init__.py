"""Button payloads: small typed actions encoded in Telegram's 64-byte callback data.

Anything can arrive here (old buttons, repeated taps, forged data), so :func:`parse`
accepts only well-formed payloads and returns None for everything else. Ownership and
existence are checked by the services, never assumed from the payload.

One module per part of the bot holds its kinds of action, the pattern of each kind's
payload, how a pattern's groups become the action, and how the action is written:
``reflecting``, ``history``, ``supervision``, ``settings`` (with nudges and /pause),
``evidence`` (learning, goals, /progress, /export), ``voice`` (what a voice note said)
and ``about`` (the session a reflection is about);
``fields`` holds the values they share (ids, clock times, dates, invitation tokens).
Prefixes and formats never change: buttons sent long ago must still work.
"""

from __future__ import annotations

from bot.telegram.callback_data import (
    about,
    evidence,
    history,
    reflecting,
    settings,
    supervision,
    voice,
)
from bot.telegram.callback_data.about import AboutTap, AboutWhat
from bot.telegram.callback_data.evidence import (
    LEARNING_KIND_NAMES,
    MAX_QUARTERS,
    ExportTap,
    FormatKey,
    GoalLink,
    GoalStep,
    GoalTap,
    LearningKind,
    LearningTap,
    PeriodKey,
    ProgressTap,
)
from bot.telegram.callback_data.fields import TOKEN, Rule
from bot.telegram.callback_data.history import (
    DeleteReflection,
    EditAnswer,
    ForgetChoice,
    HistoryFilterMenu,
    HistoryIndicatorMenu,
    HistoryOpen,
    HistoryPageNav,
    HistoryTags,
)
from bot.telegram.callback_data.reflecting import (
    CancelChoice,
    ChooseSet,
    Consent,
    HeldChoice,
    NoteChoice,
    OpenChoice,
    PickCompetence,
    TagAction,
    TagTap,
)
from bot.telegram.callback_data.settings import (
    NewSessionDays,
    NewSessionEnd,
    NudgeChoice,
    PauseChoice,
    RemoveSession,
    SessionMenu,
    SetDefaultSet,
    SetQuiet,
    SetSessionsOn,
    SettingsAsk,
    SettingsMenu,
    SettingsMenuName,
    SetWeekly,
    SetZone,
    SkipSessionDay,
    TypedSettingName,
)
from bot.telegram.callback_data.supervision import (
    CommentOn,
    DigestChoice,
    InvitationAnswer,
    Invite,
    LinkTap,
    ReadShared,
    ReviewAnswer,
    ReviewTap,
    ShareDefault,
    ShareTap,
)
from bot.telegram.callback_data.voice import VoiceAction, VoiceChoice

__all__ = [
    "LEARNING_KIND_NAMES",
    "MAX_BYTES",
    "MAX_QUARTERS",
    "TOKEN",
    "AboutTap",
    "AboutWhat",
    "Action",
    "CancelChoice",
    "ChooseSet",
    "CommentOn",
    "Consent",
    "DeleteReflection",
    "DigestChoice",
    "EditAnswer",
    "ExportTap",
    "ForgetChoice",
    "FormatKey",
    "GoalLink",
    "GoalStep",
    "GoalTap",
    "HeldChoice",
    "HistoryFilterMenu",
    "HistoryIndicatorMenu",
    "HistoryOpen",
    "HistoryPageNav",
    "HistoryTags",
    "InvitationAnswer",
    "Invite",
    "LearningKind",
    "LearningTap",
    "LinkTap",
    "NewSessionDays",
    "NewSessionEnd",
    "NoteChoice",
    "NudgeChoice",
    "OpenChoice",
    "PauseChoice",
    "PeriodKey",
    "PickCompetence",
    "ProgressTap",
    "ReadShared",
    "RemoveSession",
    "ReviewAnswer",
    "ReviewTap",
    "SessionMenu",
    "SetDefaultSet",
    "SetQuiet",
    "SetSessionsOn",
    "SetWeekly",
    "SetZone",
    "SettingsAsk",
    "SettingsMenu",
    "SettingsMenuName",
    "ShareDefault",
    "ShareTap",
    "SkipSessionDay",
    "TagAction",
    "TagTap",
    "TypedSettingName",
    "VoiceAction",
    "VoiceChoice",
    "encode",
    "parse",
]

MAX_BYTES = 64

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
    | HistoryFilterMenu
    | HistoryIndicatorMenu
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
    | VoiceChoice
    | AboutTap
)

_MODULES = (reflecting, supervision, history, settings, evidence, voice, about)
# Every pattern starts with its own two-letter prefix and a colon, so at most one of them
# matches a payload and their order does not matter; a prefix used twice would let one kind
# read another's old buttons, so it stops the bot from starting.
_PATTERNS: list[Rule] = [rule for module in _MODULES for rule in module.PATTERNS]
_PREFIXES = [pattern.pattern[:3] for pattern, _ in _PATTERNS]
if _SHARED := sorted({prefix for prefix in _PREFIXES if _PREFIXES.count(prefix) > 1}):
    raise RuntimeError(f"kinds of button payload share a prefix: {_SHARED}")

# Kinds with open values (a zone name, hours, a day) are parsed back once written, so one
# that no button can carry is refused here rather than sent: what the error then says.
_PARSED_BACK = {
    **dict.fromkeys(evidence.PARSED_BACK, "not a well-formed action"),
    **dict.fromkeys(about.PARSED_BACK, "not a well-formed action"),
    **dict.fromkeys(history.PARSED_BACK, "not a well-formed history action"),
    **dict.fromkeys(settings.PARSED_BACK, "not a well-formed settings action"),
}


def encode(action: Action) -> str:
    """The callback data for an action (always within Telegram's 64 bytes)."""
    for module in _MODULES:
        data = module.encode(action)
        if data is not None:
            break
    else:
        raise TypeError(f"not a button action: {action!r}")
    problem = _PARSED_BACK.get(type(action))
    if problem is not None and parse(data) != action:  # e.g. day 9, or 5,000 hours
        raise ValueError(f"{problem}: {action!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: object) -> Action | None:
    """The action a button carries, or None if the data is not one of ours."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    for pattern, read in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is not None:
            return read(match.groups())
    return None
