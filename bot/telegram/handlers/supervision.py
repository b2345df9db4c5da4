"""Supervision: /supervisor (an invitation link), the invited supervisor's /start with it
(after onboarding, if they are new), /supervisors (see and end links), and sharing a
reflection. The other side of a link is told of acceptance and ending through the bulk
sender, which copes with someone who blocked the bot."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, Update

from bot.services import ServiceError
from bot.services.supervision import Refused, looks_like_token
from bot.services.typed_settings import Awaiting
from bot.telegram import callback_data as cd
from bot.telegram import supervision_views as views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply
from bot.telegram.views import View
from prompts import plain, t
from storage import User


async def tell(context: Context, user_id: int, text: str) -> None:
    """A message to the other side of a link (not the person who wrote)."""
    await tell_view(context, user_id, (text, None))


async def tell_view(context: Context, user_id: int, view: View) -> None:
    """A message (with buttons) to the other side of a link, through the bulk sender,
    which copes with someone who blocked the bot."""
    sender = context.bot_data.sender
    async with sender.turn():
        await sender.send(user_id, view[0], view[1])


# ---- inviting


async def supervisor(update: Update, context: Context) -> None:
    """/supervisor: what a supervisor sees, and buttons to invite one."""
    if await consented_user(update, context) is None:
        return
    await reply(update, views.menu())


@button_handler(cd.Invite)
async def invite(update: Update, context: Context, user: User, action: cd.Invite) -> None:
    """A new invitation, as a link to pass on (a new message: it is to be forwarded)."""
    made = context.services.supervision.invite(user.id, as_verifier=action.verifier)
    await update.callback_query.answer()
    await reply(update, views.invitation(made, context.bot.username, user.timezone))


async def offer_invitation(update: Update, context: Context, user: User, token: str) -> None:
    """Show an invitation to the person who opened its link (or why it links nobody)."""
    found = context.services.supervision.look_up(token, user.id)
    if isinstance(found, Refused):
        await reply(update, views.refused(found))
    else:
        await reply(update, views.offer(found, token))


def invitation_in(update: Update) -> str | None:
    """The invitation token a /start carries (``/start TOKEN`` from a t.me link), if any."""
    text = update.message.text if update.message else ""
    parts = (text or "").split()
    if len(parts) == 2 and looks_like_token(parts[1]):
        return parts[1]
    return None


@button_handler(cd.InvitationAnswer)
async def invitation_answer(
    update: Update, context: Context, user: User, action: cd.InvitationAnswer
) -> None:
    """Accept (both sides are told) or decline (nothing is stored)."""
    query, supervision = update.callback_query, context.services.supervision
    found = (
        supervision.look_up(action.token, user.id)
        if not action.accept
        else supervision.accept(action.token, user.id)
    )
    if isinstance(found, Refused):
        await query.answer(plain(views.refused(found)), show_alert=True)
        await edit(query, views.refused(found))
        return
    if not action.accept:  # nothing is stored
        await query.answer()
        await edit(query, t("supervision.declined", name=escape(found.practitioner.display_name)))
        return
    # Linked: the timer and the practitioner first, so a failed reply loses neither.
    if context.bot_data.digest_jobs is not None:  # their weekly digest now has someone
        context.bot_data.digest_jobs.schedule(user.id)
    await tell(context, found.other.id, views.told_accepted(found, user.display_name))
    await query.answer(t("settings.saved"))
    await edit(query, views.accepted(found))


# ---- /supervisors


async def supervisors(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    await reply(update, views.links(context.services.supervision.links(user.id), user.timezone))


@button_handler(cd.LinkTap)
async def link_tap(update: Update, context: Context, user: User, action: cd.LinkTap) -> None:
    query, supervision = update.callback_query, context.services.supervision
    view = supervision.link(user.id, action.link_id)  # theirs and active, or refused
    name = view.other.display_name
    match action.step:
        case "end":
            await query.answer()
            await reply(update, views.end_ask(view))
        case "keep":
            await query.answer()
            await edit(query, t("supervision.kept"))
        case "end_yes":
            ended = supervision.end(user.id, action.link_id)
            await query.answer(t("settings.saved"))
            await edit(query, t("supervision.ended", name=plain(name)))
            if ended.other is not None:
                by_practitioner = user.id == ended.link.practitioner_id
                await tell(
                    context, ended.other.id, views.told_ended(user.display_name, by_practitioner)
                )
        case "overview":
            found = supervision.overview(user.id, action.link_id)
            await query.answer()
            await reply(update, views.overview(found, user.timezone))
        case "verifier" | "not_verifier":
            on = action.step == "verifier"
            supervision.set_verifier(user.id, action.link_id, on)
            key = "supervision.verifier_set" if on else "supervision.verifier_unset"
            await query.answer(plain(t(key, name=name)))
            await edit(query, views.links(supervision.links(user.id), user.timezone))


# ---- reading and commenting (the supervisor)


@button_handler(cd.ReadShared)
async def read_shared(update: Update, context: Context, user: User, action: cd.ReadShared) -> None:
    """A reflection shared in full with this supervisor, now (refused like any stale
    button if the link ended or the reflection is no longer shared)."""
    shared = context.services.supervision.shared_with(user.id, action.reflection_id)
    await update.callback_query.answer()
    for page in views.shared_reflection(shared, user.timezone):
        await reply(update, page)


@button_handler(cd.CommentOn)
async def comment_on(update: Update, context: Context, user: User, action: cd.CommentOn) -> None:
    """The supervisor's next message is their comment on the reflection."""
    services = context.services
    shared = services.supervision.shared_with(user.id, action.reflection_id)
    services.typed_settings.expect(user.id, "comment", target_id=action.reflection_id)
    await update.callback_query.answer()
    await reply(update, views.comment_ask(shared, user.timezone))


async def take_comment(context: Context, user: User, awaiting: Awaiting, text: str) -> View:
    """Store a typed comment with the reflection and send it to its author."""
    assert awaiting.target_id is not None
    try:
        shared = context.services.supervision.comment(user.id, awaiting.target_id, text)
    except ServiceError:  # the link ended, or the reflection is no longer shared
        return t("errors.stale_button"), None
    author = shared.practitioner
    await tell(context, author.id, views.told_comment(shared, user.display_name, text.strip()))
    return t("supervision.comment_sent", name=escape(author.display_name)), None


# ---- sharing


async def offer_sharing(update: Update, context: Context, user_id: int, reflection_id: int) -> None:
    """After a reflection is saved: if the practitioner has supervisors, offer to share it."""
    supervision = context.services.supervision
    if supervision.is_supervised(user_id):
        await reply(update, views.share_offer(supervision.sharing(user_id, reflection_id)))


SHARE_CHANGES: dict[str, dict[str, bool]] = {
    "full": {"in_full": True},
    "private": {"in_full": False},
    "discuss": {"to_discuss": True},
    "undiscuss": {"to_discuss": False},
}


@button_handler(cd.ShareTap)
async def share_tap(update: Update, context: Context, user: User, action: cd.ShareTap) -> None:
    sharing = context.services.supervision.share(
        user.id, action.reflection_id, **SHARE_CHANGES[action.what]
    )
    await update.callback_query.answer(t("settings.saved"))
    await edit(update.callback_query, views.share_state(sharing))


def sharing_on_history(
    context: Context, user: User, reflection_id: int
) -> tuple[list[str], list[InlineKeyboardButton] | None]:
    """For a whole reflection in /history: the lines saying what is shared, and the
    buttons to change it (nothing for someone without supervisors)."""
    supervision = context.services.supervision
    if not supervision.is_supervised(user.id):
        return [], None
    sharing = supervision.sharing(user.id, reflection_id)
    return views.sharing_notes(sharing), views.share_buttons(sharing)


# ---- in /settings


def settings_view(context: Context, user: User, note: str = "") -> View:
    services = context.services
    text, markup = views.settings_menu(
        services.supervision.share_by_default(user.id), services.digests.settings(user.id)
    )
    return (f"{note}\n\n{text}" if note else text), markup


@button_handler(cd.DigestChoice)
async def digest_choice(
    update: Update, context: Context, user: User, action: cd.DigestChoice
) -> None:
    """The weekly digest's day, time (tapped, or typed after a tap) or quiet-week choice;
    the supervisor's timer moves at once (the service tells the digest timers)."""
    services, query = context.services, update.callback_query
    if action.ask:
        services.typed_settings.expect(user.id, "digest_time")
        await query.answer()
        await edit(query, views.digest_time_ask())
        return
    if action.day is not None:
        services.digests.set_day(user.id, action.day)
    elif action.at is not None:
        services.digests.set_time(user.id, f"{action.at:%H:%M}")
    elif action.when_empty is not None:
        services.digests.set_when_empty(user.id, action.when_empty)
    await query.answer(t("settings.saved"))
    await edit(query, settings_view(context, user))


def typed_digest_time(context: Context, user: User, text: str) -> View:
    context.services.digests.set_time(user.id, text)  # InvalidSetting: type it again
    return settings_view(context, user, t("settings.saved"))


@button_handler(cd.ShareDefault)
async def share_default(
    update: Update, context: Context, user: User, action: cd.ShareDefault
) -> None:
    context.services.supervision.set_share_by_default(user.id, action.on)
    await update.callback_query.answer(t("settings.saved"))
    await edit(update.callback_query, settings_view(context, user))
