"""The fake Bot API against the real PTB Application, and against a plain HTTP client."""

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .conftest import run_application
from .fake_bot_api import (
    FakeBotApi,
    FakeUser,
    RandomFaults,
    SentFile,
    parse_html,
    parse_markdown_v2,
)

pytestmark = pytest.mark.e2e

WELCOME_KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Yes, let's go", callback_data="ready:yes")],
     [InlineKeyboardButton("Not now", callback_data="ready:no")]]
)  # fmt: skip


# --------------------------------------------------------------------------- a tiny bot


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "<b>Welcome!</b> Ready to reflect?", parse_mode="HTML", reply_markup=WELCOME_KEYBOARD
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"Noted: {query.data}")
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        f"echo: {update.effective_message.text}", do_quote=True
    )


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(
        update.effective_chat.id, f"edited: {update.edited_message.text}"
    )


async def on_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    kind = next(
        name
        for name in ("sticker", "photo", "voice", "document", "location")
        if getattr(message, name)
    )
    detail = message.document.file_name if message.document else ""
    await message.reply_text(f"got {kind} {detail}".strip())


async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)


def build_application(server: FakeBotApi) -> Application:
    application = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(MessageHandler(filters.ATTACHMENT | filters.LOCATION, on_attachment))
    application.add_error_handler(record_error)
    return application


@pytest.fixture
async def bot(fake_telegram: FakeBotApi) -> AsyncIterator[Application]:
    """The tiny bot, polling the fake server for the duration of the test."""
    async with run_application(build_application(fake_telegram)) as application:
        yield application


@pytest.fixture
def ann(fake_telegram: FakeBotApi) -> FakeUser:
    return fake_telegram.user(1001, first_name="Ann", username="ann_cld")


# --------------------------------------------------------------------------- conversations


async def test_command_and_text_round_trip(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    await ann.send_command("/start")
    welcome = await ann.next_message()
    assert welcome.text == "Welcome! Ready to reflect?"
    assert welcome.source_text.startswith("<b>Welcome!</b>")
    assert welcome.entities == [{"type": "bold", "offset": 0, "length": 8}]
    assert welcome.buttons == [[("Yes, let's go", "ready:yes")], [("Not now", "ready:no")]]

    said = await ann.send_text("I ran a youth club session")
    reply = await ann.next_message()
    assert reply.text == "echo: I ran a youth club session"
    assert reply.reply_to_message_id == said

    await fake_telegram.wait_idle()
    assert [m.text for m in ann.messages] == [welcome.text, reply.text]
    methods = [call.method for call in fake_telegram.requests]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert fake_telegram.calls("sendMessage")[0]["chat_id"] == str(ann.id)


async def test_button_press_answers_the_query_and_edits_the_message(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    await ann.send_command("/start")
    welcome = await ann.next_message()

    query_id = await ann.press(welcome, "Yes")
    edited = await ann.wait_for(lambda m: m.text == "You chose ready:yes")

    assert edited.message_id == welcome.message_id
    assert edited.history[0].text == "Welcome! Ready to reflect?"
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    await fake_telegram.wait_idle()
    assert [(a.query_id, a.text) for a in ann.callback_answers] == [(query_id, "Noted: ready:yes")]
    with pytest.raises(AssertionError, match=r"matches no callback button.*buttons are \[\]"):
        await ann.press(edited, callback_data="ready:no")


async def test_press_reports_the_available_buttons(bot: Application, ann: FakeUser) -> None:
    await ann.send_command("/start")
    welcome = await ann.next_message()
    with pytest.raises(AssertionError, match="Not now"):
        await ann.press(welcome, "Maybe")


async def test_two_users_have_separate_transcripts(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    bob = fake_telegram.user(1002, first_name="Bob", language_code="cy")
    await ann.send_text("from Ann")
    await bob.send_text("from Bob")
    assert (await bob.next_message()).text == "echo: from Bob"
    assert (await ann.next_message()).text == "echo: from Ann"
    await fake_telegram.wait_idle()
    assert [m.text for m in ann.messages] == ["echo: from Ann"]
    assert [m.text for m in bob.messages] == ["echo: from Bob"]
    assert "from Bob" not in ann.transcript()


async def test_edited_messages_and_attachments_reach_the_handlers(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    first = await ann.send_text("first draft")
    await ann.next_message()
    await ann.edited_text(first, "second draft")
    assert (await ann.next_message()).text == "edited: second draft"

    await ann.send_sticker()
    await ann.send_photo(caption="flipchart")
    await ann.send_voice()
    await ann.send_document(filename="session-plan.pdf")
    await ann.send_location()
    replies = [(await ann.next_message()).text for _ in range(5)]
    assert replies == [
        "got sticker",
        "got photo",
        "got voice",
        "got document session-plan.pdf",
        "got location",
    ]


async def test_next_message_times_out_with_the_transcript(bot: Application, ann: FakeUser) -> None:
    await ann.send_command("/start")
    await ann.next_message()
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"(?s)no new bot message.*Ann #1: /start"):
        await ann.next_message(timeout=0.3)
    assert time.monotonic() - started < 1.0


# --------------------------------------------------------------------------- restarts


async def test_restart_redelivers_only_unconfirmed_updates(
    fake_telegram: FakeBotApi, ann: FakeUser
) -> None:
    async with run_application(build_application(fake_telegram)):
        await ann.send_command("/start")
        await ann.next_message()
        await fake_telegram.wait_idle()

    # Sent while the bot is down; a stray client even fetches it without confirming.
    await ann.send_text("while you were away")
    async with aiohttp.ClientSession() as http:
        fetched = await get_updates(http, fake_telegram, timeout=0)
    assert [u["message"]["text"] for u in fetched] == ["while you were away"]

    async with run_application(build_application(fake_telegram)):
        assert (await ann.next_message()).text == "echo: while you were away"
        await fake_telegram.wait_idle()

    texts = [m.text for m in ann.messages]
    assert texts == ["Welcome! Ready to reflect?", "echo: while you were away"]
    assert fake_telegram.pending_updates == []


async def test_stopping_the_application_is_quick(fake_telegram: FakeBotApi) -> None:
    application = build_application(fake_telegram)
    async with run_application(application):
        await asyncio.sleep(0.3)  # the updater is now inside a 1 s long poll
        started = time.monotonic()
    assert time.monotonic() - started < 0.8  # not the 1 s poll, nor PTB's 5 s read timeout


# --------------------------------------------------------------------------- Telegram's errors


async def test_validation_errors_surface_as_bad_request(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    send = bot.bot.send_message
    with pytest.raises(BadRequest, match="Message is too long"):
        await send(ann.id, "x" * 4097)
    await send(ann.id, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await send(ann.id, "<b></b>", parse_mode="HTML")
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await send(ann.id, "choose", reply_markup=long_data)
    too_many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]
    )
    with pytest.raises(BadRequest, match="(?i)reply markup is too long"):
        await send(ann.id, "choose", reply_markup=too_many)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await send(999, "hello?")
    with pytest.raises(BadRequest, match="(?i)can't parse entities: unsupported start tag"):
        await send(ann.id, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)can't find end tag corresponding to start tag"):
        await send(ann.id, "<b>bold <i>both</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)is reserved and must be escaped"):
        await send(ann.id, "Done.", parse_mode="MarkdownV2")

    sent = await send(ann.id, "same", reply_markup=WELCOME_KEYBOARD)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await sent.edit_text("same", reply_markup=WELCOME_KEYBOARD)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await sent.edit_reply_markup(reply_markup=WELCOME_KEYBOARD)
    await sent.edit_reply_markup(reply_markup=None)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.bot.edit_message_text("new", chat_id=ann.id, message_id=9999)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.bot.answer_callback_query("no-such-query")


async def test_a_handler_error_reaches_the_error_handler(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    query_id = await ann.press_raw(4242, "ready:yes")  # a stale button on a vanished message
    await fake_telegram.wait_idle()
    [error] = bot.bot_data["errors"]
    assert isinstance(error, BadRequest)
    assert "message to edit not found" in error.message.lower()
    assert [a.query_id for a in ann.callback_answers] == [query_id]


async def test_answering_a_query_twice_fails(bot: Application, ann: FakeUser) -> None:
    await ann.send_command("/start")
    welcome = await ann.next_message()
    query_id = await ann.press(welcome, callback_data="ready:no")
    await ann.wait_for(lambda m: m.text == "You chose ready:no")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.bot.answer_callback_query(query_id)


async def test_blocked_user_is_forbidden(bot: Application, ann: FakeUser) -> None:
    ann.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.bot.send_message(ann.id, "Time to reflect?")
    assert "sendMessage FAILED: 403 Forbidden: bot was blocked" in ann.transcript()
    ann.unblock_bot()
    await bot.bot.send_message(ann.id, "Time to reflect?")
    assert ann.last_message.text == "Time to reflect?"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_flood_limit_raises_retry_after(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    fake_telegram.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.bot.send_message(ann.id, "nudge")
    retry_after = raised.value.retry_after  # int in PTB 22 (with a deprecation warning)
    assert dtm.timedelta(seconds=3) in (retry_after, dtm.timedelta(seconds=int(retry_after)))
    await bot.bot.send_message(ann.id, "nudge")
    assert [m.text for m in ann.messages] == ["nudge"]
    assert [c["text"] for c in fake_telegram.calls("sendMessage")] == ["nudge", "nudge"]


async def test_send_options_and_chat_actions_are_recorded(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    said = await ann.send_text("quote me")
    await ann.next_message()
    await bot.bot.send_chat_action(ann.id, "typing")
    await bot.bot.send_message(
        ann.id,
        "See https://example.org",
        reply_to_message_id=said,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    message = ann.last_message
    assert message.reply_to_message_id == said
    assert message.link_preview_options == {"is_disabled": True}
    assert ann.chat_actions == ["typing"]
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.bot.send_message(ann.id, "x", reply_to_message_id=999)


# --------------------------------------------------------------------------- files, commands


async def test_send_document_uploads_bytes_and_filename(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    sent = await bot.bot.send_document(
        ann.id,
        document=b"week 12: what went well",
        filename="digest.txt",
        caption="<i>Your</i> weekly digest",
        parse_mode="HTML",
    )
    message = ann.last_message
    assert message.document.content == b"week 12: what went well"
    assert message.document.filename == "digest.txt"
    assert message.document.mime_type == "text/plain"
    assert message.caption == "Your weekly digest"
    assert sent.document.file_name == "digest.txt"
    assert sent.document.file_size == len(b"week 12: what went well")
    upload = fake_telegram.calls("sendDocument")[0]["document"]
    assert isinstance(upload, SentFile) and upload.content == b"week 12: what went well"

    await bot.bot.send_photo(ann.id, photo=b"\x89PNG fake", caption="chart")
    assert ann.last_message.photo.content == b"\x89PNG fake"
    assert ann.last_message.caption == "chart"


async def test_commands_are_recorded(fake_telegram: FakeBotApi, bot: Application) -> None:
    await bot.bot.set_my_commands([("start", "Begin a reflection"), ("help", "What I can do")])
    await bot.bot.set_my_commands([("admin", "Admin tools")], scope={"type": "all_private_chats"})
    assert fake_telegram.commands == [
        {"command": "start", "description": "Begin a reflection"},
        {"command": "help", "description": "What I can do"},
    ]
    assert [c.command for c in await bot.bot.get_my_commands()] == ["start", "help"]
    assert fake_telegram.commands_for({"type": "all_private_chats"})[0]["command"] == "admin"
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.bot.set_my_commands([("Bad-Name", "nope")])
    await bot.bot.delete_my_commands()
    assert fake_telegram.commands is None


# --------------------------------------------------------------------------- raw HTTP


async def get_updates(
    http: aiohttp.ClientSession, server: FakeBotApi, **params: object
) -> list[dict]:
    async with http.post(f"{server.base_url}{server.token}/getUpdates", data=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def test_long_poll_returns_empty_after_its_timeout(fake_telegram: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        assert await get_updates(http, fake_telegram, timeout=1) == []
        assert 0.9 <= time.monotonic() - started < 1.5


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake_telegram: FakeBotApi) -> None:
    ann = fake_telegram.user(7)
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        poll = asyncio.create_task(get_updates(http, fake_telegram, timeout=5))
        await asyncio.sleep(0.1)
        await ann.send_text("hi")
        updates = await poll
        assert time.monotonic() - started < 1.0
        assert updates[0]["message"]["text"] == "hi"

        # Not confirmed yet: delivered again; confirmed by offset: never again.
        again = await get_updates(http, fake_telegram, timeout=0)
        assert again == updates
        offset = updates[-1]["update_id"] + 1
        assert await get_updates(http, fake_telegram, offset=offset, timeout=0) == []
        assert fake_telegram.pending_updates == []


async def test_raw_protocol_details(fake_telegram: FakeBotApi) -> None:
    ann = fake_telegram.user(7)
    base = fake_telegram.base_url
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}654321:wrong/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with http.post(f"{base}{fake_telegram.token}/sendPigeon") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        payload = {
            "chat_id": ann.id,
            "text": "pick",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        }
        async with http.post(f"{base}{fake_telegram.token}/sendMessage", json=payload) as response:
            body = await response.json()
        assert body["result"]["reply_markup"] == payload["reply_markup"]
        form = {"chat_id": str(ann.id), "text": "form", "reply_markup": json.dumps({})}
        async with http.post(f"{base}{fake_telegram.token}/sendmessage", data=form) as response:
            assert response.status == 400
            assert "reply keyboard markup" in (await response.json())["description"]
    assert ann.last_message.buttons == [[("A", "a")]]


async def test_allowed_updates_filters_and_is_remembered(fake_telegram: FakeBotApi) -> None:
    ann = fake_telegram.user(7)
    await ann.send_text("dropped: not an allowed type")
    async with aiohttp.ClientSession() as http:
        only_buttons = json.dumps(["callback_query"])
        assert await get_updates(http, fake_telegram, allowed_updates=only_buttons) == []
        await ann.press_raw(1, "x")
        [update] = await get_updates(http, fake_telegram)  # the setting persists
    assert update["callback_query"]["data"] == "x"
    assert update["callback_query"]["message"]["date"] == 0  # InaccessibleMessage


async def test_a_second_poller_ends_the_first_with_conflict(fake_telegram: FakeBotApi) -> None:
    url = f"{fake_telegram.base_url}{fake_telegram.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        first = asyncio.create_task(http.post(url, data={"timeout": 5}))
        await asyncio.sleep(0.1)
        assert await get_updates(http, fake_telegram, timeout=0) == []
        async with await first as response:
            assert response.status == 409
            assert "terminated by other getUpdates" in (await response.json())["description"]


async def test_wait_idle_fails_when_nobody_polls(fake_telegram: FakeBotApi) -> None:
    await fake_telegram.user(7).send_text("anyone there?")
    with pytest.raises(AssertionError, match="1 unconfirmed updates"):
        await fake_telegram.wait_idle(timeout=0.3)


# --------------------------------------------------------------------------- formatting


def test_html_is_rendered_to_text_and_entities() -> None:
    text, entities = parse_html(
        '<b>Bold</b> &amp; <a href="https://example.org/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre> 🙂<i>i</i>'
    )
    assert text == "Bold & link x = 1 🙂i"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {"type": "pre", "offset": 12, "length": 5, "language": "python"},
        {"type": "italic", "offset": 20, "length": 1},  # the emoji is 2 UTF-16 units
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("fish & chips", "Character '&' must be escaped"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_bad_html_is_rejected_like_telegram(source: str, reason: str) -> None:
    with pytest.raises(Exception, match="Bad Request: can't parse entities") as raised:
        parse_html(source)
    assert reason in str(raised.value)


def test_markdown_v2_is_rendered_and_checked() -> None:
    text, entities = parse_markdown_v2(r"*Well done\!* See [notes](https://example.org) `x`")
    assert text == "Well done! See notes x"
    assert [e["type"] for e in entities] == ["bold", "text_link", "code"]
    with pytest.raises(Exception, match="Can't find end of Bold entity"):
        parse_markdown_v2("*open")


# --------------------------------------------------------------------------- network and faults


async def test_a_round_trip_delays_every_call_half_each_way(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    arrivals: list[float] = []
    fake_telegram.watch(lambda chat, message: arrivals.append(time.monotonic()))
    fake_telegram.round_trip = 0.4
    started = time.monotonic()
    await bot.bot.send_message(ann.id, "hello")
    answered = time.monotonic()
    assert 0.4 <= answered - started < 0.8
    assert 0.2 <= arrivals[0] - started <= answered - started - 0.2  # taken half-way
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        assert await get_updates(http, fake_telegram, timeout=0) == []
        assert 0.4 <= time.monotonic() - started < 0.8  # polling too


async def test_the_server_announces_each_message_sent_or_edited(
    fake_telegram: FakeBotApi, bot: Application, ann: FakeUser
) -> None:
    seen: list[tuple[int, str | None]] = []
    fake_telegram.watch(lambda chat, message: seen.append((chat.id, message.text)))
    await ann.send_command("/start")
    welcome = await ann.next_message()
    await ann.press(welcome, "Yes")
    await ann.wait_for(lambda m: m.text == "You chose ready:yes")
    assert seen == [(ann.id, "Welcome! Ready to reflect?"), (ann.id, "You chose ready:yes")]


async def raw_send(http: aiohttp.ClientSession, server: FakeBotApi, text: str) -> tuple[int, dict]:
    url = f"{server.base_url}{server.token}/sendMessage"
    async with http.post(url, data={"chat_id": 7, "text": text}) as response:
        return response.status, await response.json()


async def test_random_faults_are_seeded_and_spare_polling(fake_telegram: FakeBotApi) -> None:
    ann = fake_telegram.user(7)
    faults = RandomFaults(rate_limited=0.3, server_error=0.2, seed=11)
    statuses: list[list[int]] = []
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # setting the faults again starts again from the seed
            fake_telegram.faults = faults
            answers = [await raw_send(http, fake_telegram, f"n{n}") for n in range(40)]
            statuses.append([status for status, _ in answers])
            for _ in range(5):
                assert await get_updates(http, fake_telegram, timeout=0) == []
    assert statuses[0] == statuses[1]
    assert set(statuses[0]) == {200, 429, 500}
    assert fake_telegram.injected_faults == {
        "429": 2 * statuses[0].count(429),
        "500": 2 * statuses[0].count(500),
    }
    limited = next(body for status, body in answers if status == 429)
    assert limited["parameters"] == {"retry_after": 1}
    assert len(ann.messages) == 2 * statuses[0].count(200)  # failed calls sent nothing
    with pytest.raises(ValueError, match="add up"):
        RandomFaults(rate_limited=0.6, late=0.6)


async def test_a_late_answer_comes_after_the_client_gave_up_but_the_call_was_made(
    fake_telegram: FakeBotApi,
) -> None:
    ann = fake_telegram.user(7)
    fake_telegram.faults = RandomFaults(late=1.0, late_seconds=2.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as http:
        with pytest.raises(TimeoutError):
            await raw_send(http, fake_telegram, "did it arrive?")
    assert [m.text for m in ann.messages] == ["did it arrive?"]
    assert fake_telegram.injected_faults == {"late": 1}
