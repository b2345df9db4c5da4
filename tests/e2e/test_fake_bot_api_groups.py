"""Groups, supergroups and channels in the fake Bot API, against the real PTB ``Bot`` and
``Application``: the updates' JSON must parse (``Update.de_json``) into the right objects,
and the bot's calls into such chats must succeed or fail as Telegram's would."""

import io
from collections.abc import AsyncIterator, Awaitable

import pytest
from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MessageOriginChannel,
    Update,
    User,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from .conftest import run_application
from .fake_bot_api import FakeBotApi, FakeGroup, FakeUser

pytestmark = pytest.mark.e2e

SUPERGROUP_ID = -1001234567890
BASIC_GROUP_ID = -4567
CHANNEL_ID = -1009876543210
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="ready:yes")]])


# --------------------------------------------------------------------------- a tiny group bot


async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("seen", []).append(update)


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if any(user.id == context.bot.id for user in update.effective_message.new_chat_members):
        await update.effective_message.reply_text("Thanks for adding me", do_quote=True)


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    sender = update.effective_sender
    name = sender.first_name if isinstance(sender, User) else sender.title
    await update.effective_message.reply_text(f"history for {name}", do_quote=True)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"Noted: {query.data!r}")
    if query.data == "ready:yes":
        await query.edit_message_text(f"{query.from_user.first_name} is ready")


async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)


def build_application(server: FakeBotApi) -> Application:
    application = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
    application.add_handler(TypeHandler(Update, record), group=-1)
    application.add_handler(CommandHandler("history", history))
    application.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, greet))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(record_error)
    return application


@pytest.fixture
async def bot(fake_telegram: FakeBotApi) -> AsyncIterator[Application]:
    async with run_application(build_application(fake_telegram)) as application:
        yield application


@pytest.fixture
def ann(fake_telegram: FakeBotApi) -> FakeUser:
    return fake_telegram.user(1001, first_name="Ann", username="ann_cld")


@pytest.fixture
def bob(fake_telegram: FakeBotApi) -> FakeUser:
    return fake_telegram.user(1002, first_name="Bob")


@pytest.fixture
def group(fake_telegram: FakeBotApi) -> FakeGroup:
    return fake_telegram.group(SUPERGROUP_ID)


async def seen(application: Application, server: FakeBotApi) -> list[Update]:
    """Every update the Application has handled so far, once the fake server is idle."""
    await server.wait_idle()
    return list(application.bot_data.get("seen", []))


# --------------------------------------------------------------------------- over HTTP


async def test_a_bot_added_to_a_group_gets_my_chat_member_and_the_service_message(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, group: FakeGroup
) -> None:
    await group.add_bot(ann)
    thanks = await group.next_message()
    assert thanks.text == "Thanks for adding me"

    member_update, service_update = await seen(bot, fake_telegram)
    change = member_update.my_chat_member
    assert change.chat.type == Chat.SUPERGROUP and change.chat.id == SUPERGROUP_ID
    assert change.chat.title == "Youth team"
    assert change.from_user.id == ann.id
    assert isinstance(change.old_chat_member, ChatMemberLeft)
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.new_chat_member.user.id == bot.bot.id
    service = service_update.message
    assert thanks.reply_to_message_id == service.message_id
    assert [u.username for u in service.new_chat_members] == [fake_telegram.bot_username]
    assert service.from_user.id == ann.id
    assert group.is_bot_member and group.bot_status == "member"
    assert "Ann added the bot" in group.transcript()
    assert ann.messages == []  # nothing went to Ann's private chat


async def test_commands_and_replies_in_a_group_are_recorded_per_group(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, bob: FakeUser, group: FakeGroup
) -> None:
    await group.add_bot(ann, notify=False)
    said = await group.send_text(bob, "/history@reflect_test_bot")
    reply = await group.next_message()
    assert reply.text == "history for Bob"
    assert reply.reply_to_message_id == said
    assert reply.chat_id == SUPERGROUP_ID
    assert [m.text for m in group.messages] == ["history for Bob"]

    await group.send_text(bob, "/history@some_other_bot")  # not for this bot
    await group.send_text(ann, "/history")
    assert (await group.next_message()).text == "history for Ann"

    # A reply to the bot's message carries the whole replied message.
    answer = await group.send_text(ann, "thanks", reply_to=reply.message_id)
    update = (await seen(bot, fake_telegram))[-1]
    assert update.message.message_id == answer
    assert update.message.reply_to_message.from_user.id == bot.bot.id
    assert update.message.reply_to_message.text == "history for Bob"
    await group.send_text(bob, "me too", reply_to=answer)
    nested = (await seen(bot, fake_telegram))[-1].message.reply_to_message
    assert nested.text == "thanks" and nested.reply_to_message is None  # one level deep

    # Every sending method works in the group, with the same validation as in private.
    send = bot.bot
    await send.send_chat_action(SUPERGROUP_ID, "typing")
    sent = await send.send_message(SUPERGROUP_ID, "pick", reply_markup=KEYBOARD)
    await sent.edit_reply_markup(reply_markup=None)
    await sent.edit_text("<b>picked</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await sent.edit_text("<b>picked</b>", parse_mode="HTML")
    await send.send_document(SUPERGROUP_ID, document=b"a,b\n1,2\n", filename="export.csv")
    await send.send_photo(SUPERGROUP_ID, photo=b"\x89PNG fake", caption="chart")
    await sent.delete()
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await send.delete_message(SUPERGROUP_ID, said)  # Bob's message; the bot is no admin
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await send.send_message(SUPERGROUP_ID, "x" * 4097)
    assert group.chat_actions == ["typing"]
    assert group.messages[2].deleted and group.messages[2].text == "picked"
    assert group.messages[3].document.content == b"a,b\n1,2\n"
    assert group.last_message.photo.content == b"\x89PNG fake"
    assert ann.messages == [] and bob.messages == [] and ann.chat_actions == []
    assert "sendMessage FAILED: 400 Bad Request: message is too long" in group.transcript()


async def test_sending_where_the_bot_is_not_a_member_is_forbidden(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, group: FakeGroup
) -> None:
    basic = fake_telegram.group(BASIC_GROUP_ID, "Leaders", kind="group")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.bot.send_message(SUPERGROUP_ID, "hello?")
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.bot.send_message(BASIC_GROUP_ID, "hello?")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.bot.send_message(-100555, "hello?")
    with pytest.raises(AssertionError, match="not a member of the supergroup 'Youth team'"):
        await group.send_text(ann, "nobody will see this")

    await basic.add_bot(ann)
    await basic.next_message()  # thanks
    await basic.remove_bot(ann)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.bot.send_chat_action(BASIC_GROUP_ID, "typing")

    await group.add_bot(ann)
    await group.next_message()
    await group.remove_bot(ann, kicked=True)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.bot.send_message(SUPERGROUP_ID, "still here?")
    removals = [u.my_chat_member for u in await seen(bot, fake_telegram) if u.my_chat_member]
    assert [type(r.new_chat_member) for r in removals] == [
        ChatMemberMember,
        ChatMemberLeft,
        ChatMemberMember,
        ChatMemberBanned,
    ]
    assert "bot sendMessage FAILED: 403 Forbidden: bot was kicked" in group.transcript()


async def test_leave_chat_then_sending_is_forbidden(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, group: FakeGroup
) -> None:
    await group.add_bot(ann)
    await group.next_message()
    assert await bot.bot.leave_chat(SUPERGROUP_ID) is True
    assert fake_telegram.calls("leaveChat") == [{"chat_id": str(SUPERGROUP_ID)}]
    assert "the bot left (leaveChat)" in group.transcript()
    assert group.bot_status == "left"
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.bot.send_message(SUPERGROUP_ID, "bye")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.bot.leave_chat(SUPERGROUP_ID)
    with pytest.raises(BadRequest, match="(?i)can't be changed in private chats"):
        await bot.bot.leave_chat(ann.id)

    departure = (await seen(bot, fake_telegram))[-1].my_chat_member
    assert departure.from_user.id == bot.bot.id  # Telegram reports the bot's own leaving
    assert isinstance(departure.new_chat_member, ChatMemberLeft)

    # Added again later: from "left" to "member" once more.
    await group.add_bot(ann)
    await group.next_message()
    rejoin = [u for u in await seen(bot, fake_telegram) if u.my_chat_member][-1]
    assert rejoin.my_chat_member.old_chat_member.status == "left"


async def test_get_chat_gives_chat_full_info(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, group: FakeGroup
) -> None:
    channel = fake_telegram.channel(CHANNEL_ID)
    with pytest.raises(Forbidden, match="not a member of the channel chat"):
        await bot.bot.get_chat(CHANNEL_ID)
    await group.add_bot(ann, notify=False)
    await channel.add_bot(ann, notify=False)
    info = await bot.bot.get_chat(SUPERGROUP_ID)
    assert isinstance(info, ChatFullInfo)
    assert (info.id, info.type, info.title) == (SUPERGROUP_ID, Chat.SUPERGROUP, "Youth team")
    assert info.max_reaction_count == 11 and info.accent_color_id == 0
    assert (await bot.bot.get_chat(CHANNEL_ID)).type == Chat.CHANNEL
    private = await bot.bot.get_chat(ann.id)
    assert (private.type, private.first_name, private.username) == ("private", "Ann", "ann_cld")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.bot.get_chat(-100999)


async def test_anonymous_admins_and_automatic_forwards_reach_the_bot(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, group: FakeGroup
) -> None:
    channel = fake_telegram.channel(CHANNEL_ID)
    await group.add_bot(ann, notify=False)
    await group.send_as_anonymous_admin("/history")
    reply = await group.next_message()
    assert reply.text == "history for Youth team"  # effective_sender is the group itself

    forwarded = await group.automatic_forward_from(channel, "New session dates are out")
    update = (await seen(bot, fake_telegram))[-1]
    message = update.message
    assert message.message_id == forwarded
    assert message.is_automatic_forward is True
    assert message.from_user.id == 777000
    assert message.sender_chat.id == CHANNEL_ID and message.sender_chat.type == Chat.CHANNEL
    assert isinstance(message.forward_origin, MessageOriginChannel)
    assert message.forward_origin.chat.id == CHANNEL_ID
    assert update.effective_sender == message.sender_chat


async def test_channel_posts_and_the_bots_own_posts(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    channel = fake_telegram.channel(CHANNEL_ID, "CLD news")
    await channel.add_bot(ann)
    post = await channel.post("Welcome to the channel")
    await channel.edit_post(post, "Welcome to our channel")
    added, posted, edited = await seen(bot, fake_telegram)

    admin = added.my_chat_member.new_chat_member
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.can_post_messages and admin.can_edit_messages and admin.user.id == bot.bot.id
    assert added.effective_chat.type == Chat.CHANNEL
    assert posted.channel_post.text == "Welcome to the channel"
    assert posted.effective_user is None and posted.channel_post.from_user is None
    assert posted.effective_sender.id == CHANNEL_ID
    assert edited.edited_channel_post.text == "Welcome to our channel"
    assert edited.edited_channel_post.edit_date is not None

    sent = await bot.bot.send_message(CHANNEL_ID, "Posted by the bot")
    assert sent.from_user is None and sent.sender_chat.id == CHANNEL_ID
    assert channel.last_message.text == "Posted by the bot"
    await channel.remove_bot(ann)
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.bot.send_message(CHANNEL_ID, "still here?")


async def test_button_presses_in_a_group_are_answered_for_the_presser(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser, bob: FakeUser, group: FakeGroup
) -> None:
    await group.add_bot(ann, notify=False)
    await bot.bot.send_message(SUPERGROUP_ID, "Ready?", reply_markup=KEYBOARD)
    question = await group.next_message()

    query_id = await group.press(bob, question, "Yes")
    edited = await group.wait_for(lambda m: m.text == "Bob is ready")
    assert edited.message_id == question.message_id
    await fake_telegram.wait_idle()
    assert [(a.query_id, a.text) for a in bob.callback_answers] == [
        (query_id, "Noted: 'ready:yes'")
    ]
    assert ann.callback_answers == []
    query = (await seen(bot, fake_telegram))[-1].callback_query
    assert query.message.chat.type == Chat.SUPERGROUP and query.from_user.id == bob.id
    assert "Bob pressed [Yes]" in group.transcript()
    assert "bot answered Bob's press: \"Noted: 'ready:yes'\"" in group.transcript()

    # Forged data on a message that is not there: an InaccessibleMessage in the group.
    await group.press_raw(ann, 4242, "ready:yes")
    await fake_telegram.wait_idle()
    [error] = bot.bot_data["errors"]
    assert "message to edit not found" in error.message.lower()
    stale = (await seen(bot, fake_telegram))[-1].callback_query
    assert not stale.message.is_accessible  # PTB: a Message dated 0, i.e. inaccessible
    assert stale.message.chat.id == SUPERGROUP_ID
    assert ann.callback_answers[0].text == "Noted: 'ready:yes'"


async def test_game_buttons_and_empty_callback_data(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    sent = await bot.bot.send_message(ann.id, "Play?", reply_markup=KEYBOARD)
    await ann.press_raw(sent.message_id, "")
    await ann.press_game(sent.message_id, short_name="quiz")
    await fake_telegram.wait_idle()
    empty, game = [u.callback_query for u in await seen(bot, fake_telegram)]
    assert isinstance(empty, CallbackQuery) and empty.data == ""
    assert game.data is None and game.game_short_name == "quiz"
    assert [a.text for a in ann.callback_answers] == ["Noted: ''", "Noted: None"]


async def test_blocking_and_unblocking_notify_the_bot(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    await ann.block_bot_and_notify()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.bot.send_message(ann.id, "Time to reflect?")
    await ann.unblock_bot_and_notify()
    await bot.bot.send_message(ann.id, "Time to reflect?")
    blocked, unblocked = [u.my_chat_member for u in await seen(bot, fake_telegram)]
    assert blocked.chat.type == Chat.PRIVATE and blocked.from_user.id == ann.id
    assert isinstance(blocked.new_chat_member, ChatMemberBanned)
    assert blocked.new_chat_member.user.id == bot.bot.id
    assert isinstance(unblocked.new_chat_member, ChatMemberMember)
    assert unblocked.old_chat_member.status == "kicked"
    assert [m.text for m in ann.messages] == ["Time to reflect?"]


async def test_a_sent_document_can_be_read_back_byte_for_byte(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    export = bytes(range(256)) + "Ann's reflections, naïve ✓\n".encode()
    await bot.bot.send_document(
        ann.id, document=InputFile(io.BytesIO(export), filename="reflections-export.json")
    )
    document = (await ann.next_message()).document
    assert document.content == export
    assert document.filename == "reflections-export.json"
    assert document.mime_type == "application/json"
    assert document.size == len(export)


# --------------------------------------------------------------------------- JSON shapes


@pytest.fixture
async def parser(fake_telegram: FakeBotApi) -> AsyncIterator[Bot]:
    """A PTB Bot initialized over HTTP against the fake (nobody polls: updates stay queued)."""
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as ptb_bot:
        yield ptb_bot


async def parsed(server: FakeBotApi, ptb_bot: Bot, action: Awaitable[object]) -> list[Update]:
    """The updates ``action`` queued, each parsed by ``Update.de_json``."""
    before = {update["update_id"] for update in server.pending_updates}
    await action
    new = [update for update in server.pending_updates if update["update_id"] not in before]
    return [Update.de_json(payload, ptb_bot) for payload in new]


async def test_group_updates_parse_into_the_right_objects(
    fake_telegram: FakeBotApi, parser: Bot, ann: FakeUser, bob: FakeUser, group: FakeGroup
) -> None:
    [joined, service] = await parsed(fake_telegram, parser, group.add_bot(ann))
    assert joined.effective_chat.type == Chat.SUPERGROUP
    assert joined.effective_user.id == ann.id and joined.effective_sender.id == ann.id
    assert joined.effective_message is None
    assert service.effective_message.new_chat_members[0].id == parser.id
    with pytest.raises(AssertionError, match="the bot is already in the supergroup"):
        await group.add_bot(bob)

    [text] = await parsed(fake_telegram, parser, group.send_text(bob, "/history@reflect_test_bot"))
    assert text.effective_chat.type == Chat.SUPERGROUP
    assert text.effective_user.id == bob.id and text.effective_message.sender_chat is None
    assert text.effective_message.parse_entity(text.effective_message.entities[0]) == (
        "/history@reflect_test_bot"
    )

    [anonymous] = await parsed(fake_telegram, parser, group.send_as_anonymous_admin("hi all"))
    assert anonymous.effective_user.username == "GroupAnonymousBot"
    assert anonymous.effective_user.id == 1087968824 and anonymous.effective_user.is_bot
    assert anonymous.effective_message.sender_chat.id == SUPERGROUP_ID
    assert anonymous.effective_sender == anonymous.effective_chat

    [edit] = await parsed(fake_telegram, parser, group.edited_text(bob, text.message.id, "/x"))
    assert edit.edited_message.text == "/x" and edit.effective_user.id == bob.id
    with pytest.raises(AssertionError, match="Ann sent no message"):
        await group.edited_text(ann, text.message.id, "not mine")

    [press] = await parsed(fake_telegram, parser, group.press_raw(bob, 99, "x"))
    assert press.effective_chat.id == SUPERGROUP_ID and press.effective_user.id == bob.id
    assert press.callback_query.data == "x"

    [kicked] = await parsed(fake_telegram, parser, group.remove_bot(ann, kicked=True))
    assert kicked.my_chat_member.new_chat_member.status == "kicked"
    assert kicked.my_chat_member.old_chat_member.status == "member"
    with pytest.raises(AssertionError, match="the bot is not in the supergroup"):
        await group.remove_bot(ann)


async def test_service_messages_parse_into_the_right_objects(
    fake_telegram: FakeBotApi, parser: Bot, ann: FakeUser, bob: FakeUser
) -> None:
    basic = fake_telegram.group(BASIC_GROUP_ID, "Leaders", kind="group")
    await basic.add_bot(ann, notify=False)
    said = await basic.send_text(ann, "Agenda: ground rules")

    [joined] = await parsed(fake_telegram, parser, basic.service_message("new_chat_members", bob))
    assert joined.effective_chat.type == Chat.GROUP
    assert [u.id for u in joined.message.new_chat_members] == [bob.id]
    added = basic.service_message("new_chat_members", ann, users=[bob])
    [by_ann] = await parsed(fake_telegram, parser, added)
    assert by_ann.effective_user.id == ann.id and by_ann.message.new_chat_members[0].id == bob.id

    [left] = await parsed(fake_telegram, parser, basic.service_message("left_chat_member", bob))
    assert left.message.left_chat_member.id == bob.id

    pin = basic.service_message("pinned_message", ann, message_id=said)
    [pinned] = await parsed(fake_telegram, parser, pin)
    assert pinned.message.pinned_message.text == "Agenda: ground rules"
    assert pinned.message.pinned_message.message_id == said

    rename = basic.service_message("new_chat_title", ann, title="Leaders 2025")
    [renamed] = await parsed(fake_telegram, parser, rename)
    assert renamed.message.new_chat_title == "Leaders 2025"
    assert renamed.effective_chat.title == "Leaders 2025" and basic.title == "Leaders 2025"

    with pytest.raises(ValueError, match="unknown service message"):
        await basic.service_message("video_chat_started", ann)
    with pytest.raises(TypeError, match="pinned_message takes"):
        await basic.service_message("pinned_message", ann, title="x")


async def test_channel_and_private_updates_parse_into_the_right_objects(
    fake_telegram: FakeBotApi, parser: Bot, ann: FakeUser
) -> None:
    channel = fake_telegram.channel(CHANNEL_ID)
    [added] = await parsed(fake_telegram, parser, channel.add_bot(ann))
    assert added.effective_chat.type == Chat.CHANNEL and added.effective_user.id == ann.id
    assert isinstance(added.my_chat_member.new_chat_member, ChatMemberAdministrator)

    [post] = await parsed(fake_telegram, parser, channel.post("/history"))
    assert post.effective_chat.type == Chat.CHANNEL
    assert post.effective_user is None
    assert post.effective_message.sender_chat.id == CHANNEL_ID
    assert post.effective_sender.id == CHANNEL_ID
    assert post.channel_post.entities[0].type == "bot_command"

    [edit] = await parsed(fake_telegram, parser, channel.edit_post(post.channel_post.id, "hi"))
    assert edit.edited_channel_post.text == "hi" and edit.effective_sender.id == CHANNEL_ID

    [blocked] = await parsed(fake_telegram, parser, ann.block_bot_and_notify())
    assert blocked.effective_chat.type == Chat.PRIVATE
    assert blocked.effective_user.id == ann.id
    assert blocked.my_chat_member.new_chat_member.status == "kicked"

    [empty] = await parsed(fake_telegram, parser, ann.press_raw(5, ""))
    assert fake_telegram.pending_updates[-1]["callback_query"]["data"] == ""
    assert empty.callback_query.data == "" and empty.effective_user.id == ann.id
    [game] = await parsed(fake_telegram, parser, ann.press_game(5))
    assert "data" not in fake_telegram.pending_updates[-1]["callback_query"]
    assert game.callback_query.game_short_name == "x" and game.callback_query.data is None
    assert not game.callback_query.message.is_accessible
