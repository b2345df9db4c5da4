"""Buttons of nudges, /settings (its menus, the settings typed in reply, sessions and the
weekly reflection) and /pause."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from bot.telegram.callback_data.fields import CLOCK, NUMBER, Groups, Rule, clock, hhmm, yyyymmdd


@dataclass(frozen=True)
class NudgeChoice:
    """A tap on a nudge: reflect now, quick note, not today (later), or snooze an hour."""

    nudge_id: int
    choice: Literal["now", "note", "later", "snooze"]


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


# The kinds with open values (a zone name, a day, a mask): their payloads are parsed back
# before they go on a button.
PARSED_BACK = {
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


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them; raises
    ValueError for one of them that no button can carry (such as SetWeekly with two changes)."""
    match action:
        case NudgeChoice(nudge_id, choice):
            return f"nu:{nudge_id}:{choice}"
    if type(action) not in PARSED_BACK:
        return None
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
            return f"sq:{hhmm(start)}-{hhmm(end)}"
        case SetWeekly(on, None, None, None) if on is not None:
            return f"sw:{'on' if on else 'off'}"
        case SetWeekly(None, day, None, None) if day is not None:
            return f"sw:d{day}"
        case SetWeekly(None, None, time() as at, None):
            return f"sw:t{hhmm(at)}"
        case SetWeekly(None, None, None, after) if after is not None:
            return f"sw:a:{after}"
        case SetSessionsOn(on):
            return f"ss:{'on' if on else 'off'}"
        case NewSessionDays(mask, done) if 0 <= mask < 128:
            return f"sn:{mask}{':ok' if done else ''}"
        case NewSessionEnd(at):
            return f"se:{hhmm(at)}"
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


def _nudge(groups: Groups) -> NudgeChoice:
    return NudgeChoice(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _menu(groups: Groups) -> SettingsMenu:
    return SettingsMenu(groups[0])  # type: ignore[arg-type]


def _ask(groups: Groups) -> SettingsAsk | None:
    what, skip_session_id = groups
    if skip_session_id is not None:  # session 0 does not exist (and cannot be encoded)
        number = int(skip_session_id)
        return SettingsAsk("skip_date", number) if number > 0 else None
    return SettingsAsk(what)  # type: ignore[arg-type]


def _zone(groups: Groups) -> SetZone:
    return SetZone(groups[0])  # type: ignore[arg-type]


def _quiet(groups: Groups) -> SetQuiet:
    start_hour, start_minute, end_hour, end_minute = groups
    if start_hour is None:
        return SetQuiet(None, None)
    return SetQuiet(clock(start_hour, start_minute), clock(end_hour, end_minute))


def _weekly(groups: Groups) -> SetWeekly:
    on, day, hour, minute, after = groups
    if on is not None:
        return SetWeekly(on=on == "on")
    if day is not None:
        return SetWeekly(day=int(day))
    if hour is not None:
        return SetWeekly(at=clock(hour, minute))
    return SetWeekly(after=after)  # type: ignore[arg-type]


def _sessions_on(groups: Groups) -> SetSessionsOn:
    return SetSessionsOn(groups[0] == "on")


def _new_session_days(groups: Groups) -> NewSessionDays | None:
    mask = int(groups[0])  # type: ignore[arg-type]
    return NewSessionDays(mask, groups[1] is not None) if mask < 128 else None


def _new_session_end(groups: Groups) -> NewSessionEnd:
    return NewSessionEnd(clock(*groups))


def _session_menu(groups: Groups) -> SessionMenu:
    return SessionMenu(int(groups[0]))  # type: ignore[arg-type]


def _remove_session(groups: Groups) -> RemoveSession:
    return RemoveSession(int(groups[0]), groups[1] == "yes")  # type: ignore[arg-type]


def _skip_session_day(groups: Groups) -> SkipSessionDay | None:
    session_id, digits, skip = groups
    day = yyyymmdd(digits)
    return None if day is None else SkipSessionDay(int(session_id), day, skip == "1")  # type: ignore[arg-type]


def _default_set(groups: Groups) -> SetDefaultSet:
    return SetDefaultSet(groups[0])  # type: ignore[arg-type]


def _pause(groups: Groups) -> PauseChoice:
    return PauseChoice(groups[0])  # type: ignore[arg-type]


PATTERNS: list[Rule] = [
    (re.compile(rf"nu:{NUMBER}:(now|note|later|snooze)"), _nudge),
    (
        re.compile(
            r"st:(home|open|zone|quiet|weekly|weekday|weektime|sessions|sets|pause|learning"
            r"|supervision)"
        ),
        _menu,
    ),
    (
        re.compile(
            r"sa:(?:(timezone|weekly_time|session_name|pause_until|weekly_hours|cycle_start)"
            rf"|skip_date:{NUMBER})"
        ),
        _ask,
    ),
    (re.compile(r"sz:([A-Za-z0-9_+/-]{1,60})"), _zone),
    (re.compile(rf"sq:(?:{CLOCK}-{CLOCK}|none)"), _quiet),
    (re.compile(rf"sw:(?:(on|off)|d([0-6])|t{CLOCK}|a:(soften|skip))"), _weekly),
    (re.compile(r"ss:(on|off)"), _sessions_on),
    (re.compile(r"sn:(\d{1,3})(:ok)?"), _new_session_days),
    (re.compile(rf"se:{CLOCK}"), _new_session_end),
    (re.compile(rf"so:{NUMBER}"), _session_menu),
    (re.compile(rf"sr:{NUMBER}:(ask|yes)"), _remove_session),
    (re.compile(rf"sk:{NUMBER}:(\d{{8}}):([01])"), _skip_session_day),
    (re.compile(r"sd:([A-Za-z0-9_-]{1,20})"), _default_set),
    (re.compile(r"pa:(1w|2w|resume)"), _pause),
]
