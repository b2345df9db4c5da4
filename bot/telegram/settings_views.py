"""Rendering /settings and /pause: the summary, each menu, and the prompts for typed input.

Every menu is one message edited in place, with a Back button to the menu above it; the
current choice is marked with ✓. Dates and weekdays are written as the rest of the bot
writes them ("Thu 24 Dec").
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.nudge_settings import COMMON_TIMEZONES
from bot.services.typed_settings import SessionDraft
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button
from prompts import QuestionSet, t
from storage import NudgeSettings, Session

QUIET_PRESETS = (
    (time(21, 30), time(8, 0)),
    (time(22, 0), time(7, 0)),
    (time(20, 0), time(9, 0)),
    (time(23, 0), time(7, 0)),
)
WEEKLY_TIMES = (time(9, 0), time(12, 0), time(16, 0), time(17, 0), time(19, 0))
SESSION_ENDS = (time(12, 0), time(15, 0), time(17, 0), time(19, 0), time(20, 0), time(21, 0))
SKIP_DATES = 4  # a session's next dates offered to skip
# Typed prompts: which menu their Back button returns to.
ASK_KEYS = {
    "timezone": ("settings.zone_ask", "zone"),
    "weekly_time": ("settings.weekly_time_ask", "weektime"),
    "session_name": ("settings.session_name_ask", "sessions"),
    "skip_date": ("settings.skip_date_ask", "sessions"),
    "pause_until": ("pause.until_ask", "pause"),
    "weekly_hours": ("learning.weekly_hours_ask", "learning"),
    "cycle_start": ("learning.cycle_start_ask", "learning"),
}


def clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def day_text(day: date) -> str:
    return day.strftime("%a %d %b")


def days_text(weekdays: frozenset[int]) -> str:
    return ", ".join(calendar.day_abbr[day] for day in sorted(weekdays))


def moment_text(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b, %H:%M")


def is_paused(settings: NudgeSettings, today: date) -> bool:
    return settings.paused_until is not None and settings.paused_until >= today


def with_back(text: str, action: cd.Action) -> View:
    """A short message with one button: back to a menu."""
    return text, InlineKeyboardMarkup([[button(t("settings.back_button"), action)]])


def _chosen(label: str, chosen: bool) -> str:
    return t("settings.chosen", label=label) if chosen else label


def _back(menu: cd.SettingsMenuName) -> list[InlineKeyboardButton]:
    return [button(t("settings.back_button"), cd.SettingsMenu(menu))]


def _pairs(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def _quiet_text(settings: NudgeSettings) -> str:
    if settings.quiet_start is None or settings.quiet_end is None:
        return t("settings.quiet_none")
    return t(
        "settings.quiet_range", start=clock(settings.quiet_start), end=clock(settings.quiet_end)
    )


def _weekly_text(settings: NudgeSettings) -> str:
    if not settings.weekly_on:
        return t("settings.weekly_off")
    day = calendar.day_name[settings.weekly_day]
    return t("settings.weekly_on", day=day, time=clock(settings.weekly_time))


def _session_lines(sessions: Sequence[Session]) -> list[str]:
    return [
        t(
            "settings.session_line",
            name=escape(s.name),
            days=days_text(s.weekdays),
            end=clock(s.end_time),
        )
        for s in sessions
    ]


def summary(
    zone: str,
    settings: NudgeSettings,
    sessions: Sequence[Session],
    set_name: str,
    now: datetime,
    next_due: datetime | None,
    registration: str = "",
) -> View:
    """Everything at a glance, with a button for each part."""
    today = now.astimezone(ZoneInfo(zone)).date()
    if not settings.sessions_on:
        session_state = t("settings.sessions_off")
    elif not sessions:
        session_state = t("settings.sessions_none")
    else:
        lines = [t("settings.sessions_on"), *_session_lines(sessions)]
        session_state = "\n   ".join(lines)  # each session indented under the heading
    if is_paused(settings, today):
        reminders = t("settings.reminders_paused", until=day_text(settings.paused_until))
    elif next_due is not None:
        reminders = t("settings.reminders_next", when=moment_text(next_due, zone))
    else:
        reminders = t("settings.reminders_none")
    text = t(
        "settings.summary",
        zone=escape(zone),
        local_time=moment_text(now, zone),
        quiet=_quiet_text(settings),
        weekly=_weekly_text(settings),
        weekly_after=t("settings.weekly_after_line", after=_after_text(settings))
        if settings.weekly_on
        else "",
        sessions=session_state,
        set_name=escape(set_name),
        reminders=reminders,
        registration=f"\n{registration}" if registration else "",
    )
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("settings.zone_button"), cd.SettingsMenu("zone")),
                button(t("settings.quiet_button"), cd.SettingsMenu("quiet")),
            ],
            [
                button(t("settings.weekly_button"), cd.SettingsMenu("weekly")),
                button(t("settings.sessions_button"), cd.SettingsMenu("sessions")),
            ],
            [
                button(t("settings.set_button"), cd.SettingsMenu("sets")),
                button(t("settings.pause_button"), cd.SettingsMenu("pause")),
            ],
            [
                button(t("learning.settings_button"), cd.SettingsMenu("learning")),
                button(t("supervision.settings_button"), cd.SettingsMenu("supervision")),
            ],
        ]
    )


def setup_offer() -> InlineKeyboardMarkup:
    """The button that opens the settings, offered once onboarding is done."""
    return InlineKeyboardMarkup([[button(t("settings.setup_button"), cd.SettingsMenu("open"))]])


def onboarding_line(settings: NudgeSettings) -> str:
    """What reminders come with agreeing, said once onboarding is done."""
    if not settings.weekly_on:
        return t("settings.onboarding_plain")
    return t(
        "settings.onboarding",
        day=calendar.day_name[settings.weekly_day],
        time=clock(settings.weekly_time),
    )


def zone_menu(zone: str, now: datetime) -> View:
    zones = [button(_chosen(name, name == zone), cd.SetZone(name)) for name in COMMON_TIMEZONES]
    rows = _pairs(zones)
    rows.append([button(t("settings.zone_other_button"), cd.SettingsAsk("timezone"))])
    rows.append(_back("home"))
    text = t("settings.zone_menu", zone=escape(zone), local_time=moment_text(now, zone))
    return text, InlineKeyboardMarkup(rows)


def zone_set(zone: str, now: datetime) -> str:
    return t("settings.zone_set", zone=escape(zone), local_time=moment_text(now, zone))


def quiet_menu(settings: NudgeSettings) -> View:
    current = (settings.quiet_start, settings.quiet_end)
    presets = [
        button(
            _chosen(
                t("settings.quiet_range", start=clock(start), end=clock(end)),
                current == (start, end),
            ),
            cd.SetQuiet(start, end),
        )
        for start, end in QUIET_PRESETS
    ]
    rows = _pairs(presets)
    none_label = _chosen(t("settings.quiet_none_button"), current == (None, None))
    rows.append([button(none_label, cd.SetQuiet(None, None))])
    rows.append(_back("home"))
    return t("settings.quiet_menu", current=_quiet_text(settings)), InlineKeyboardMarkup(rows)


def _after_text(settings: NudgeSettings) -> str:
    soften = settings.after_reflecting == "soften"
    return t("settings.after_soften" if soften else "settings.after_skip")


def weekly_menu(settings: NudgeSettings) -> View:
    after = _after_text(settings)
    toggle = (
        button(t("settings.weekly_off_button"), cd.SetWeekly(on=False))
        if settings.weekly_on
        else button(t("settings.weekly_on_button"), cd.SetWeekly(on=True))
    )
    soften = settings.after_reflecting == "soften"
    rows = [
        [toggle],
        [
            button(
                t("settings.weekday_button", day=calendar.day_abbr[settings.weekly_day]),
                cd.SettingsMenu("weekday"),
            ),
            button(
                t("settings.weektime_button", time=clock(settings.weekly_time)),
                cd.SettingsMenu("weektime"),
            ),
        ],
        [
            button(_chosen(t("settings.soften_button"), soften), cd.SetWeekly(after="soften")),
            button(_chosen(t("settings.skip_button"), not soften), cd.SetWeekly(after="skip")),
        ],
        _back("home"),
    ]
    text = t("settings.weekly_menu", state=_weekly_text(settings), after=after)
    return text, InlineKeyboardMarkup(rows)


def weekday_menu(settings: NudgeSettings) -> View:
    days = [
        button(_chosen(calendar.day_abbr[day], day == settings.weekly_day), cd.SetWeekly(day=day))
        for day in range(7)
    ]
    rows = [days[:4], days[4:], _back("weekly")]
    return t("settings.weekday_menu"), InlineKeyboardMarkup(rows)


def weektime_menu(settings: NudgeSettings) -> View:
    times = [
        button(_chosen(clock(at), at == settings.weekly_time), cd.SetWeekly(at=at))
        for at in WEEKLY_TIMES
    ]
    rows = [times[:3], times[3:]]
    rows.append([button(t("settings.time_other_button"), cd.SettingsAsk("weekly_time"))])
    rows.append(_back("weekly"))
    return t("settings.weektime_menu"), InlineKeyboardMarkup(rows)


def weekly_time_set(settings: NudgeSettings) -> str:
    return t(
        "settings.weekly_time_set",
        day=calendar.day_name[settings.weekly_day],
        time=clock(settings.weekly_time),
    )


def sessions_menu(settings: NudgeSettings, sessions: Sequence[Session]) -> View:
    state = t("settings.sessions_on" if settings.sessions_on else "settings.sessions_off")
    listed = "\n".join(_session_lines(sessions)) if sessions else t("settings.sessions_empty")
    text = t(
        "settings.sessions_menu",
        state=state,
        delay=settings.session_delay_minutes,
        sessions=listed,
    )
    rows = [[button(s.name, cd.SessionMenu(s.id))] for s in sessions]
    rows.append([button(t("settings.add_session_button"), cd.SettingsAsk("session_name"))])
    toggle = (
        button(t("settings.sessions_off_button"), cd.SetSessionsOn(False))
        if settings.sessions_on
        else button(t("settings.sessions_on_button"), cd.SetSessionsOn(True))
    )
    rows.append([toggle])
    rows.append(_back("home"))
    return text, InlineKeyboardMarkup(rows)


def session_menu(session: Session, dates: Sequence[date]) -> View:
    text = t(
        "settings.session_menu",
        name=escape(session.name),
        days=days_text(session.weekdays),
        end=clock(session.end_time),
    )
    skips = []
    for day in dates:
        skipped = day in session.skipped
        label = t("settings.skipped_date_button", date=day_text(day)) if skipped else day_text(day)
        skips.append(button(label, cd.SkipSessionDay(session.id, day, not skipped)))
    rows = _pairs(skips)
    rows.append([button(t("settings.skip_other_button"), cd.SettingsAsk("skip_date", session.id))])
    rows.append([button(t("settings.remove_button"), cd.RemoveSession(session.id, False))])
    rows.append(_back("sessions"))
    return text, InlineKeyboardMarkup(rows)


def remove_confirm(session: Session) -> View:
    return t("settings.remove_confirm", name=escape(session.name)), InlineKeyboardMarkup(
        [
            [button(t("settings.remove_yes_button"), cd.RemoveSession(session.id, True))],
            [button(t("settings.remove_no_button"), cd.SessionMenu(session.id))],
        ]
    )


def _mask(weekdays: frozenset[int]) -> int:
    return sum(1 << day for day in weekdays)


def weekdays_of(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def new_session_days(draft: SessionDraft, weekdays: frozenset[int]) -> View:
    """Tick the new session's days: each button carries the days it would leave ticked."""
    mask = _mask(weekdays)
    days = [
        button(
            _chosen(calendar.day_abbr[day], day in weekdays), cd.NewSessionDays(mask ^ (1 << day))
        )
        for day in range(7)
    ]
    rows = [days[:4], days[4:]]
    rows.append([button(t("settings.days_done_button"), cd.NewSessionDays(mask, done=True))])
    rows.append(_back("sessions"))
    return t("settings.session_days", name=escape(draft.name)), InlineKeyboardMarkup(rows)


def new_session_end(draft: SessionDraft, reflection_open: bool) -> View:
    ends = [button(clock(at), cd.NewSessionEnd(at)) for at in SESSION_ENDS]
    rows = [ends[:3], ends[3:], _back("sessions")]
    lines = [t("settings.session_end_ask", name=escape(draft.name)), t("settings.cancel_hint")]
    if reflection_open:
        lines.append(t("settings.reflection_waits"))
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def session_added(session: Session, settings: NudgeSettings) -> str:
    return t(
        "settings.session_added",
        name=escape(session.name),
        days=days_text(session.weekdays),
        end=clock(session.end_time),
        delay=settings.session_delay_minutes,
    )


def skipped(session: Session, day: date) -> str:
    return t("settings.skipped", name=escape(session.name), date=day_text(day))


def sets_menu(sets: Sequence[QuestionSet], current_id: str) -> View:
    """The question sets a reflect-now tap can start, guided ones first (not the one for
    professional learning: a session is not a course)."""
    ordered = sorted((s for s in sets if not s.learning), key=lambda s: s.kind != "guided")
    rows = [[button(_chosen(s.name, s.id == current_id), cd.SetDefaultSet(s.id))] for s in ordered]
    rows.append(_back("home"))
    return t("settings.sets_menu"), InlineKeyboardMarkup(rows)


def pause_menu(settings: NudgeSettings, today: date) -> View:
    lines = [t("pause.menu")]
    rows = [
        [
            button(t("pause.week_button"), cd.PauseChoice("1w")),
            button(t("pause.fortnight_button"), cd.PauseChoice("2w")),
        ],
        [button(t("pause.until_button"), cd.SettingsAsk("pause_until"))],
    ]
    if is_paused(settings, today):
        until = settings.paused_until
        assert until is not None
        lines.append(
            t(
                "pause.paused_state",
                until=day_text(until),
                resume=day_text(until + timedelta(days=1)),
            )
        )
        rows.append([button(t("pause.resume_button"), cd.PauseChoice("resume"))])
    rows.append(_back("home"))
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def paused(until: date) -> View:
    text = t("pause.paused", until=day_text(until), resume=day_text(until + timedelta(days=1)))
    return text, InlineKeyboardMarkup(
        [[button(t("pause.resume_button"), cd.PauseChoice("resume"))], _back("home")]
    )


def resumed(was_paused: bool, next_due: datetime | None, zone: str) -> str:
    text = t("pause.resumed" if was_paused else "pause.not_paused")
    if next_due is not None:
        text += " " + t("pause.next", when=moment_text(next_due, zone))
    return text


def ask(what: cd.TypedSettingName, reflection_open: bool, session: Session | None = None) -> View:
    """Ask for a typed setting; Back (or anything else) stops waiting for it."""
    key, back = ASK_KEYS[what]
    lines = [t(key, name=escape(session.name) if session else ""), t("settings.cancel_hint")]
    if reflection_open:
        lines.append(t("settings.reflection_waits"))
    back_to = cd.SessionMenu(session.id) if session is not None else cd.SettingsMenu(back)
    return "\n\n".join(lines), InlineKeyboardMarkup([[button(t("settings.back_button"), back_to)]])
