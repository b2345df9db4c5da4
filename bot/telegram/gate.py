"""Which updates reach the handlers: a person in a private chat, at a human pace.

Everything else stops here. From a group, supergroup or channel nothing is read, stored
or acted on; the first time the bot is added to a group or addressed there, the group
gets one short notice pointing to a private chat. Buttons pressed anywhere but a private
chat are refused with an alert that only the presser sees. Messages sent on behalf of a
chat (anonymous admins, channels) never count as a person.
"""

from __future__ import annotations

import logging
from typing import Literal

from telegram import ChatMember, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram import callback_data as cd
from bot.telegram import privacy_views
from bot.telegram.context import Context
from prompts import t

log = logging.getLogger(__name__)

GROUP_CHATS = {ChatType.GROUP, ChatType.SUPERGROUP}
PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


def is_private_person(update: Update) -> bool:
    """A person (not a bot, not a chat speaking as itself) in their private chat with us,
    sending one of the kinds of update the bot handles (business-account messages, polls,
    inline queries and the like are none of ours)."""
    handled = (update.message, update.edited_message, update.callback_query)
    if all(part is None for part in handled) and update.my_chat_member is None:
        return False
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or user.is_bot:
        return False
    if chat.type != ChatType.PRIVATE or chat.id != user.id:
        return False
    message = update.effective_message
    return message is None or message.sender_chat is None


async def private_chats_only(update: object, context: Context) -> None:
    """Let private updates through; stop every other update after at most one notice."""
    if isinstance(update, Update) and is_private_person(update):
        return
    if isinstance(update, Update):
        await _answer_outside_private(update, context)
    raise ApplicationHandlerStop


async def _answer_outside_private(update: Update, context: Context) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(t("errors.group_alert"), show_alert=True)
        return
    chat = update.effective_chat
    if chat is None or chat.type not in GROUP_CHATS:
        return  # channels (a post there reaches every subscriber), inline queries, ...
    privacy = context.services.privacy
    message = update.message
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        # A group became a supergroup (a new chat id): it was told already, under the old id.
        for chat_id in (chat.id, message.migrate_to_chat_id, message.migrate_from_chat_id):
            if chat_id:
                privacy.first_group_notice(chat_id)
        return
    if not (_bot_added(update, context) or _addresses_bot(update, context)):
        return
    if not privacy.first_group_notice(chat.id):
        return
    text, markup = privacy_views.group_notice(context.bot.username)
    try:
        await chat.send_message(text, reply_markup=markup)
    except TelegramError as error:  # removed again already, or not allowed to write
        log.info("could not send the private-chat notice to a group: %s", error)


def _bot_added(update: Update, context: Context) -> bool:
    change = update.my_chat_member
    if change is None or change.new_chat_member.user.id != context.bot.id:
        return False
    return change.new_chat_member.status in PRESENT and change.old_chat_member.status not in PRESENT


def _addresses_bot(update: Update, context: Context) -> bool:
    """A command, an @mention of the bot, or a reply to one of its messages."""
    message = update.message
    if message is None:
        return False
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None:
        if replied.from_user.id == context.bot.id:
            return True
    mention = f"@{context.bot.username}".lower()
    for entity, text in message.parse_entities().items():
        if entity.type == MessageEntity.BOT_COMMAND:
            _, at, addressee = text.partition("@")
            if not at or f"@{addressee}".lower() == mention:  # /cmd, or /cmd@this_bot
                return True
        if entity.type == MessageEntity.MENTION and text.lower() == mention:
            return True
    for entity, text in message.parse_caption_entities().items():
        if entity.type == MessageEntity.MENTION and text.lower() == mention:
            return True
    return False


async def at_a_human_pace(update: object, context: Context) -> None:
    """Refuse a practitioner's updates beyond the flood limit; nothing of them is stored."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    verdict = context.bot_data.flood.check(update.effective_user.id)
    if verdict == "ok":
        return
    if update.callback_query is not None:
        await update.callback_query.answer(t("errors.flood"), show_alert=True)
    elif verdict == "warn" and update.effective_chat is not None:
        await update.effective_chat.send_message(t("errors.flood"))
    raise ApplicationHandlerStop


# What an update means to a "your next text message is ..." wait (a rewrite asked for from
# /history, a typed setting, a transcript being corrected): nothing ("ignore": an edit,
# a block, a button of the wait's own), the text it waits for, /cancel, or anything else
# the practitioner does first ("moved_on": a command, another button, a photo), which
# ends the wait so a later message never lands somewhere by surprise.
NextMessage = Literal["ignore", "text", "cancel", "moved_on"]


def next_message(update: object, keeps: tuple[type, ...] = ()) -> NextMessage:
    """What ``update`` is to a wait for the next text message; ``keeps``: the kinds of
    button that belong to the wait (or come before it) and leave it as it is."""
    if not isinstance(update, Update) or update.effective_user is None:
        return "ignore"
    if update.edited_message is not None or update.my_chat_member is not None:
        return "ignore"
    query = update.callback_query
    if query is not None and isinstance(cd.parse(query.data), keeps):
        return "ignore"
    text = update.message.text if update.message is not None else None
    if text is None:
        return "moved_on"
    if not text.startswith("/"):
        return "text"
    return "cancel" if text.split(maxsplit=1)[0].split("@")[0] == "/cancel" else "moved_on"


async def rewrites_take_the_next_message(update: object, context: Context) -> None:
    """A rewrite asked for from /history takes the practitioner's next text message.
    Anything else they do first (a command, another button) means they moved on: the
    rewrite ends, so a later message can never overwrite a saved answer by surprise.
    /cancel ends it itself, and says so; the identifier guard's buttons belong to it."""
    if next_message(update, (cd.EditAnswer, cd.HeldChoice)) == "moved_on":
        assert isinstance(update, Update) and update.effective_user is not None
        context.services.editing.cancel_edit(update.effective_user.id)


async def present_again(update: object, context: Context) -> None:
    """A practitioner who blocked the bot and now writes (or taps) is active again."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    if update.my_chat_member is not None:
        return  # blocking and unblocking are handled on their own
    user = context.services.users.get(update.effective_user.id)
    if user is not None:
        context.services.users.wrote(user)
