"""Saying what a reflection is about (a session, group or programme) and the session's
date: one tap in its tag editor, or the chooser it opens, or a typed name or date."""

from __future__ import annotations

from telegram import Update

from bot.services.about import InvalidDay, InvalidName
from bot.services.nudge_settings import InvalidSetting, parse_day
from bot.services.typed_settings import Awaiting
from bot.telegram import about_views
from bot.telegram import callback_data as cd
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit
from bot.telegram.handlers.tagging import tag_editor
from bot.telegram.views import View
from prompts import t
from storage import User


@button_handler(cd.AboutTap)
async def about_tap(update: Update, context: Context, user: User, action: cd.AboutTap) -> None:
    """Open the chooser, choose from it (then back to the tag editor), or ask for a name
    or a date to be typed."""
    query, about = update.callback_query, context.services.about
    rid, past = action.reflection_id, action.past
    match action.what:
        case "open":
            chooser = about_views.chooser(about.about(user.id, rid), past)
            await query.answer()
            await edit(query, chooser)
            return
        case "name" | "date":
            current = about.about(user.id, rid)
            typed = "about_name" if action.what == "name" else "about_date"
            context.services.typed_settings.expect(user.id, typed, target_id=rid)
            await query.answer()
            asked = t("about.ask_name") if typed == "about_name" else about_views.ask_date(current)
            await edit(query, asked)
            return
        case "session":
            about.choose_session(user.id, rid, action.number or 0)
        case "named":
            about.choose_name_of(user.id, rid, action.number or 0)
        case "day":
            assert action.day is not None
            try:
                about.set_day(user.id, rid, action.day)
            except InvalidDay:
                await query.answer(t("errors.stale_button"), show_alert=True)
                return
        case "clear":
            about.clear(user.id, rid)
    await query.answer()
    view = context.services.tagging.view(user.id, rid)
    await edit(query, tag_editor(context, user, view, past=past))


async def typed(context: Context, user: User, awaiting: Awaiting, text: str) -> View:
    """A name or a session date typed after a tap: stored, then the tag editor again, in
    a new message that names the reflection. A name that could identify someone (a
    person's name, a phone number…) is refused, as it would go into every export."""
    services = context.services
    about = services.about
    rid = awaiting.target_id
    assert rid is not None
    if awaiting.what == "about_name":
        if await services.intake.identifiers_in(text, [user.display_name]):
            raise InvalidSetting("about.name_identifies")
        try:
            about.name(user.id, rid, text)
        except InvalidName:
            raise InvalidSetting("about.name_invalid") from None
    else:
        current = about.about(user.id, rid)
        day = parse_day(text, current.written, past=True)
        if day is None:
            raise InvalidSetting("settings.date_invalid")
        try:
            about.set_day(user.id, rid, day)
        except InvalidDay:
            raise InvalidSetting("about.date_out_of_range") from None
    view = context.services.tagging.view(user.id, rid)
    return tag_editor(context, user, view, past=True)
