"""/settings, /pause and /resume: reminders, time zone and quiet hours, all with buttons,
and the few settings that are typed (a time zone's name, a time, a date, a session's name).

Menus edit their own message in place. A tap that asks for typed input makes the
practitioner's next text message that setting (see :func:`typed_input`, which runs before
the handlers that store answers); anything else they do first ends the wait.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from html import escape

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.services import NotFound
from bot.services.nudge_settings import InvalidSetting, parse_clock, parse_day
from bot.services.typed_settings import Awaiting, could_be_typed_setting
from bot.telegram import callback_data as cd
from bot.telegram import learning_views, settings_views, supervision_views, views
from bot.telegram.context import Context
from bot.telegram.gate import next_message
from bot.telegram.handlers import about, learning, review, supervision
from bot.telegram.handlers.common import (
    A,
    ButtonHandler,
    button_handler,
    consented_user,
    edit,
    reply,
)
from bot.telegram.views import View
from prompts import plain, t
from storage import Session, User

PAUSE_DAYS = {"1w": 7, "2w": 14}  # "1 week" from today: the same weekday next week is on
TYPED_SHOWN = 40  # characters of a mistyped setting quoted back


def settings_button(
    kind: type[A],
) -> Callable[[Callable[[Update, Context, User, A], Awaitable[None]]], ButtonHandler]:
    """:func:`button_handler`, plus: a setting the service refuses is answered with an
    alert saying why (alerts show plain text)."""

    def wrap(handler: Callable[[Update, Context, User, A], Awaitable[None]]) -> ButtonHandler:
        @button_handler(kind)
        @functools.wraps(handler)
        async def run(update: Update, context: Context, user: User, action: A) -> None:
            try:
                await handler(update, context, user, action)
            except InvalidSetting as problem:
                text = plain(t(problem.key, typed=""))
                await update.callback_query.answer(text, show_alert=True)

        return run

    return wrap


def _summary(context: Context, user: User) -> View:
    services = context.services
    settings = services.nudge_settings.settings(user.id)
    return settings_views.summary(
        user.timezone,
        settings,
        services.nudge_settings.sessions(user.id),
        services.reflecting.default_set(settings.default_set_id).name,
        services.nudging.now(),
        services.nudging.next_due(user.id),
        learning_views.registration_line(services.learning.registration(user.id))
        + supervision_views.settings_line(services.supervision.share_by_default(user.id)),
    )


# -- commands -------------------------------------------------------------------------------


async def settings_command(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is not None:
        await reply(update, _summary(context, user))


async def pause_command(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    nudge_settings = context.services.nudge_settings
    view = settings_views.pause_menu(nudge_settings.settings(user.id), nudge_settings.today(user))
    await reply(update, view)


async def resume_command(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is not None:
        await reply(update, _resume(context, user))


def _resume(context: Context, user: User) -> str:
    nudge_settings = context.services.nudge_settings
    settings = nudge_settings.settings(user.id)
    was_paused = settings_views.is_paused(settings, nudge_settings.today(user))
    if settings.paused_until is not None:
        nudge_settings.resume(user.id)
    next_due = context.services.nudging.next_due(user.id)
    return settings_views.resumed(was_paused, next_due, user.timezone)


# -- menus ----------------------------------------------------------------------------------


@settings_button(cd.SettingsMenu)
async def settings_menu(
    update: Update, context: Context, user: User, action: cd.SettingsMenu
) -> None:
    query = update.callback_query
    await query.answer()
    if action.menu == "open":  # from the end of onboarding: the summary, in a new message
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass  # already gone, or too old to edit
        await reply(update, _summary(context, user))
        return
    await edit(query, _menu(context, user, action.menu))


def _menu(context: Context, user: User, menu: cd.SettingsMenuName) -> View:
    services = context.services
    settings = services.nudge_settings.settings(user.id)
    match menu:
        case "zone":
            return settings_views.zone_menu(user.timezone, services.nudging.now())
        case "quiet":
            return settings_views.quiet_menu(settings)
        case "weekly":
            return settings_views.weekly_menu(settings)
        case "weekday":
            return settings_views.weekday_menu(settings)
        case "weektime":
            return settings_views.weektime_menu(settings)
        case "sessions":
            return settings_views.sessions_menu(settings, services.nudge_settings.sessions(user.id))
        case "sets":
            current = services.reflecting.default_set(settings.default_set_id).id
            return settings_views.sets_menu(services.reflecting.question_sets(), current)
        case "pause":
            return settings_views.pause_menu(settings, services.nudge_settings.today(user))
        case "learning":
            return learning.registration_view(context, user)
        case "supervision":
            return supervision.settings_view(context, user)
    return _summary(context, user)


@settings_button(cd.SettingsAsk)
async def settings_ask(
    update: Update, context: Context, user: User, action: cd.SettingsAsk
) -> None:
    """Ask for a typed setting: the practitioner's next text message is it."""
    services = context.services
    session_id = action.session_id or None
    services.typed_settings.expect(user.id, action.what, session_id)
    session = None if session_id is None else services.nudge_settings.session(user.id, session_id)
    reflection_open = services.reflecting.open_reflection(user.id) is not None
    await update.callback_query.answer()
    await edit(update.callback_query, settings_views.ask(action.what, reflection_open, session))


# -- changes by button ------------------------------------------------------------------------


async def _saved(update: Update, view: View, toast: str | None = None) -> None:
    await update.callback_query.answer(toast or t("settings.saved"))
    await edit(update.callback_query, view)


@settings_button(cd.SetZone)
async def set_zone(update: Update, context: Context, user: User, action: cd.SetZone) -> None:
    try:
        context.services.nudge_settings.set_timezone(user.id, action.zone)
    except InvalidSetting:
        raise NotFound("not a time zone a button offers") from None
    user = context.services.users.get(user.id) or user
    await _saved(update, _summary(context, user))


@settings_button(cd.SetQuiet)
async def set_quiet(update: Update, context: Context, user: User, action: cd.SetQuiet) -> None:
    context.services.nudge_settings.set_quiet_hours(user.id, action.start, action.end)
    await _saved(update, _summary(context, user))


@settings_button(cd.SetWeekly)
async def set_weekly(update: Update, context: Context, user: User, action: cd.SetWeekly) -> None:
    settings = context.services.nudge_settings.set_weekly(
        user.id, on=action.on, day=action.day, at=action.at, after_reflecting=action.after
    )
    await _saved(update, settings_views.weekly_menu(settings))


@settings_button(cd.SetSessionsOn)
async def set_sessions_on(
    update: Update, context: Context, user: User, action: cd.SetSessionsOn
) -> None:
    nudge_settings = context.services.nudge_settings
    settings = nudge_settings.set_sessions_on(user.id, action.on)
    await _saved(update, settings_views.sessions_menu(settings, nudge_settings.sessions(user.id)))


@settings_button(cd.SetDefaultSet)
async def set_default_set(
    update: Update, context: Context, user: User, action: cd.SetDefaultSet
) -> None:
    context.services.nudge_settings.set_default_set(user.id, action.set_id)
    await _saved(update, _summary(context, user))


# -- sessions -------------------------------------------------------------------------------


@settings_button(cd.NewSessionDays)
async def new_session_days(
    update: Update, context: Context, user: User, action: cd.NewSessionDays
) -> None:
    """Tick a day of the session being added, or (Done) go on to its end time."""
    query, typed = update.callback_query, context.services.typed_settings
    weekdays = settings_views.weekdays_of(action.mask)
    try:
        draft = typed.draft(user.id)
        if action.done:
            draft = typed.set_draft_days(user.id, weekdays)
            typed.expect(user.id, "session_end")
    except NotFound:
        await query.answer(t("settings.draft_gone"), show_alert=True)
        return
    await query.answer()
    if action.done:
        reflection_open = context.services.reflecting.open_reflection(user.id) is not None
        await edit(query, settings_views.new_session_end(draft, reflection_open))
    else:
        await edit(query, settings_views.new_session_days(draft, weekdays))


@settings_button(cd.NewSessionEnd)
async def new_session_end(
    update: Update, context: Context, user: User, action: cd.NewSessionEnd
) -> None:
    try:
        session = context.services.typed_settings.finish_session(user.id, action.at)
    except NotFound:
        await update.callback_query.answer(t("settings.draft_gone"), show_alert=True)
        return
    await _saved(update, _session_added(context, user, session))


def _session_added(context: Context, user: User, session: Session) -> View:
    nudge_settings = context.services.nudge_settings
    settings = nudge_settings.settings(user.id)
    note = settings_views.session_added(session, settings)
    text, markup = settings_views.sessions_menu(settings, nudge_settings.sessions(user.id))
    return f"{note}\n\n{text}", markup


@settings_button(cd.SessionMenu)
async def session_menu(
    update: Update, context: Context, user: User, action: cd.SessionMenu
) -> None:
    view = _session_view(context, user, action.session_id)
    await update.callback_query.answer()
    await edit(update.callback_query, view)


def _session_view(context: Context, user: User, session_id: int) -> View:
    nudge_settings = context.services.nudge_settings
    session = nudge_settings.session(user.id, session_id)  # NotFound: someone else's, or gone
    dates = nudge_settings.next_dates(user, session, settings_views.SKIP_DATES)
    return settings_views.session_menu(session, dates)


@settings_button(cd.RemoveSession)
async def remove_session(
    update: Update, context: Context, user: User, action: cd.RemoveSession
) -> None:
    nudge_settings = context.services.nudge_settings
    if not action.confirm:
        session = nudge_settings.session(user.id, action.session_id)
        await update.callback_query.answer()
        await edit(update.callback_query, settings_views.remove_confirm(session))
        return
    nudge_settings.remove_session(user.id, action.session_id)
    settings = nudge_settings.settings(user.id)
    view = settings_views.sessions_menu(settings, nudge_settings.sessions(user.id))
    await _saved(update, view, t("settings.removed"))


@settings_button(cd.SkipSessionDay)
async def skip_session_day(
    update: Update, context: Context, user: User, action: cd.SkipSessionDay
) -> None:
    """A tap on one of a session's next dates: skipped, or back on."""
    context.services.nudge_settings.skip_session(
        user.id, action.session_id, action.day, action.skip
    )
    day = settings_views.day_text(action.day)
    toast = t("settings.skipped_toast" if action.skip else "settings.unskipped_toast", date=day)
    await _saved(update, _session_view(context, user, action.session_id), toast)


# -- pause ----------------------------------------------------------------------------------


@settings_button(cd.PauseChoice)
async def pause_choice(
    update: Update, context: Context, user: User, action: cd.PauseChoice
) -> None:
    if action.choice == "resume":
        await _saved(
            update, settings_views.with_back(_resume(context, user), cd.SettingsMenu("home"))
        )
        return
    nudge_settings = context.services.nudge_settings
    until = nudge_settings.today(user) + timedelta(days=PAUSE_DAYS[action.choice] - 1)
    nudge_settings.pause(user, until)
    await _saved(update, settings_views.paused(until))


# -- typed input ----------------------------------------------------------------------------


async def typed_input(update: object, context: Context) -> None:
    """After a tap that asks for a typed setting, the next text message is that setting,
    never an answer or a note (nothing later handles it). Anything else the practitioner
    does first (another command, another button, a photo) means they moved on: the wait
    ends, and the update goes on as usual. /cancel ends it and says so. A wait older than
    10 minutes is over by itself: the text is handled as usual."""
    kind = next_message(update)
    if kind == "ignore":
        return
    assert isinstance(update, Update) and update.effective_user is not None
    typed = context.services.typed_settings
    awaiting = typed.awaiting(update.effective_user.id)
    if awaiting is None:
        return
    if kind == "text":
        if await _take_typed(update, context, awaiting, update.message.text):
            raise ApplicationHandlerStop
        return
    typed.clear(update.effective_user.id)
    if kind == "cancel":
        await reply(update, t("settings.typed_cancelled"))
        raise ApplicationHandlerStop


async def _take_typed(update: Update, context: Context, awaiting: Awaiting, text: str) -> bool:
    """Store a typed setting (or say what is wrong with it); False: it is not a setting
    after all, and goes on to be handled as usual."""
    services = context.services
    typed = services.typed_settings
    user = services.users.get(update.effective_user.id)
    if user is None or not could_be_typed_setting(text, awaiting.what):
        typed.clear(update.effective_user.id)
        if user is not None:
            await reply(update, t("settings.typed_left"))
        return False
    try:
        view, finished = await _typed(context, user, awaiting, text.strip())
    except InvalidSetting as problem:  # they can try again (or /cancel)
        shown = escape(views.shorten(text, TYPED_SHOWN))
        await reply(update, t(problem.key, typed=shown))
        return True
    except NotFound:  # the session went, or the new one was left too long
        typed.clear(user.id)
        await reply(update, t("settings.draft_gone"))
        return True
    if typed.awaiting(user.id) == awaiting:  # not replaced by the next typed step
        typed.clear(user.id)  # (the days of a new session are tapped next)
    await reply(update, view)
    step = services.reflecting.current_step(user.id)
    if finished and step is not None:  # back to the reflection they were writing
        await reply(update, views.question(step))
    return True


async def _typed(context: Context, user: User, awaiting: Awaiting, text: str) -> tuple[View, bool]:
    """The reply to a typed setting once stored, and whether that finished it (a new
    session's name is followed by its days)."""
    nudge_settings = context.services.nudge_settings
    today = nudge_settings.today(user)
    match awaiting.what:
        case "timezone":
            zone = nudge_settings.set_timezone(user.id, text)
            note = settings_views.zone_set(zone, context.services.nudging.now())
            return settings_views.with_back(note, cd.SettingsMenu("home")), True
        case "weekly_time":
            settings = nudge_settings.set_weekly(user.id, at=_clock(text))
            note = settings_views.weekly_time_set(settings)
            return settings_views.with_back(note, cd.SettingsMenu("weekly")), True
        case "session_name":
            draft = context.services.typed_settings.start_session(user.id, text)
            return settings_views.new_session_days(draft, frozenset()), False
        case "session_end":
            session = context.services.typed_settings.finish_session(user.id, _clock(text))
            return _session_added(context, user, session), True
        case "skip_date":
            assert awaiting.session_id is not None
            day = parse_day(text, today)
            if day is None:
                raise InvalidSetting("settings.date_invalid")
            if day < today:
                raise InvalidSetting("settings.skip_in_the_past")
            session = nudge_settings.skip_session(user.id, awaiting.session_id, day)
            note = settings_views.skipped(session, day)
            return settings_views.with_back(note, cd.SessionMenu(session.id)), True
        case "pause_until":
            day = parse_day(text, today)
            if day is None:
                raise InvalidSetting("pause.date_invalid")
            nudge_settings.pause(user, day)
            return settings_views.paused(day), True
        case "weekly_hours" | "cycle_start" | "learning_hours" | "goal_text" | "goal_review":
            return learning.typed(context, user, awaiting, text), True
        case "comment":
            return await supervision.take_comment(context, user, awaiting, text), True
        case "review_date" | "review_note":
            return await review.typed(context, user, awaiting, text)
        case "digest_time":
            return supervision.typed_digest_time(context, user, text), True
        case "about_name" | "about_date":
            return await about.typed(context, user, awaiting, text), True
    raise ValueError(f"not a typed setting: {awaiting.what}")


def _clock(text: str) -> time:
    moment = parse_clock(text)
    if moment is None:
        raise InvalidSetting("settings.time_invalid")
    return moment
