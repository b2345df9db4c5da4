"""The fake Bot API's files: getFile and downloads from ``/file/bot<token>/<file_path>`` as
Telegram answers them, driven by the real PTB ``Bot`` (``get_file``, ``File.download_*``);
Telegram's errors; and the injected failures of getFile and of downloads."""

from __future__ import annotations

import asyncio
import hashlib
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.config import Settings

from .conftest import run_application
from .fake_bot_api import MAX_DOWNLOAD_SIZE, FakeBotApi, FakeUser, FileDownload

pytestmark = pytest.mark.e2e

VOICE = b"OggS\x00\x02 a voice note \xff\xfe\x00" * 50  # not text: bytes must come back as sent
MP3 = b"ID3\x04\x00 an interview \x00\xff" * 40


@pytest.fixture
async def bot(fake_telegram: FakeBotApi) -> AsyncIterator[Bot]:
    """A plain PTB Bot whose API and file addresses are the fake's."""
    async with Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    ) as bot:
        yield bot


@pytest.fixture
def ann(fake_telegram: FakeBotApi) -> FakeUser:
    return fake_telegram.user(1001, first_name="Ann")


def file_url(server: FakeBotApi, file_path: str, token: str | None = None) -> str:
    return f"{server.base_file_url}{token or server.token}/{file_path}"


async def confirm_updates(bot: Bot) -> None:
    """Take and confirm the pending updates, as a polling bot would, so that ``wait_idle``
    waits for calls in flight only."""
    updates = await bot.get_updates(timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


# --------------------------------------------------------------------------- getFile


async def test_get_file_answers_like_telegram_and_the_bytes_come_back(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser, tmp_path: Path
) -> None:
    said = await ann.send_voice(duration=7, content=VOICE)
    voice = ann.sent_file(said)
    update = fake_telegram.pending_updates[-1]["message"]["voice"]
    assert update == {
        "file_id": voice.file_id,
        "file_unique_id": voice.file_unique_id,
        "duration": 7,
        "mime_type": "audio/ogg",
        "file_size": len(VOICE),
    }

    file = await bot.get_file(voice.file_id)
    assert (file.file_id, file.file_unique_id, file.file_size) == (
        voice.file_id,
        voice.file_unique_id,
        len(VOICE),
    )
    assert file.file_path == file_url(fake_telegram, "voice/file_0.oga")
    assert bytes(await file.download_as_bytearray()) == VOICE
    saved = await file.download_to_drive(tmp_path / "note.oga")
    assert saved.read_bytes() == VOICE
    memory = io.BytesIO()
    await file.download_to_memory(memory)
    assert memory.getvalue() == VOICE

    again = await bot.get_file(voice.file_id)  # the same path while the file is there
    assert again.file_path == file.file_path
    assert voice.file_path == "voice/file_0.oga"  # the server's record, without the address
    assert fake_telegram.calls("getFile") == [{"file_id": voice.file_id}] * 2
    assert (
        fake_telegram.downloads == [FileDownload("voice/file_0.oga", 200, voice.file_id, None)] * 3
    )
    assert "bot downloaded voice/file_0.oga" in ann.transcript()


async def test_get_file_answers_exactly_the_four_fields(
    fake_telegram: FakeBotApi, ann: FakeUser
) -> None:
    file_id = ann.sent_file(await ann.send_voice(content=VOICE)).file_id
    url = f"{fake_telegram.base_url}{fake_telegram.token}/getFile"
    async with aiohttp.ClientSession() as http, http.get(url, params={"file_id": file_id}) as got:
        body = await got.json()
    assert body == {
        "ok": True,
        "result": {
            "file_id": file_id,
            "file_unique_id": ann.sent_file(1).file_unique_id,
            "file_size": len(VOICE),
            "file_path": "voice/file_0.oga",
        },
    }


async def test_every_kind_of_file_has_telegrams_folder_and_extension(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    sent = {
        "voice": await ann.send_voice(content=b"OggS voice"),
        "audio": await ann.send_audio(MP3, 95, title="Interview"),
        "m4a": await ann.send_audio(b"m4a", 2, mime_type="audio/mp4", file_name="memo.M4A"),
        "document": await ann.send_document("Session Plan.PDF", b"%PDF-1.4 plan"),
        "no extension": await ann.send_document("README", b"read me", mime_type="text/plain"),
        "photo": await ann.send_photo(content=b"\x89PNG photo"),
        "sticker": await ann.send_sticker(),
    }
    uploaded = await bot.send_document(ann.id, b"a,b\n1,2\n", filename="export.csv")
    paths = {}
    for kind, message_id in sent.items():
        file = await bot.get_file(ann.sent_file(message_id).file_id)
        paths[kind] = file.file_path.removeprefix(file_url(fake_telegram, ""))
        assert bytes(await file.download_as_bytearray()) == ann.sent_file(message_id).content
    bot_file = await bot.get_file(uploaded.document.file_id)  # the bot's own upload
    paths["bot's upload"] = bot_file.file_path.removeprefix(file_url(fake_telegram, ""))
    assert bytes(await bot_file.download_as_bytearray()) == b"a,b\n1,2\n"
    assert paths == {
        "voice": "voice/file_0.oga",
        "audio": "music/file_1.mp3",
        "m4a": "music/file_2.m4a",
        "document": "documents/file_3.pdf",
        "no extension": "documents/file_4.txt",
        "photo": "photos/file_5.jpg",
        "sticker": "stickers/file_6.webp",
        "bot's upload": "documents/file_7.csv",
    }


async def test_an_audio_message_carries_what_telegram_sends(
    fake_telegram: FakeBotApi, ann: FakeUser
) -> None:
    said = await ann.send_audio(
        MP3, 95, "Interview", performer="Ann", caption="our session", file_name="club.mp3"
    )
    message = fake_telegram.pending_updates[-1]["message"]
    audio = ann.sent_file(said)
    assert message["audio"] == {
        "file_id": audio.file_id,
        "file_unique_id": audio.file_unique_id,
        "duration": 95,
        "performer": "Ann",
        "title": "Interview",
        "file_name": "club.mp3",
        "mime_type": "audio/mpeg",
        "file_size": len(MP3),
    }
    assert message["caption"] == "our session"
    assert (audio.content, audio.folder) == (MP3, "music")
    [update] = [Update.de_json(u, None) for u in fake_telegram.pending_updates]  # PTB parses it
    assert update.message.audio.title == "Interview"
    assert update.message.audio.file_name == "club.mp3"
    with pytest.raises(AssertionError, match="no file in message #2"):
        ann.sent_file(await ann.send_text("just words"))


# --------------------------------------------------------------------------- Telegram's errors


@pytest.mark.parametrize(
    "file_id", ["fake-file-999", "AgACAgQAAxkBAAIBY2Zx", "not a file id", " ", "\u00e9\u00e9"]
)
async def test_unknown_or_malformed_file_ids_are_invalid(
    fake_telegram: FakeBotApi, bot: Bot, file_id: str
) -> None:
    with pytest.raises(BadRequest, match="(?i)^invalid file_id$"):
        await bot.get_file(file_id)
    assert fake_telegram.calls("getFile") == [{"file_id": file_id}]


async def test_a_file_over_20_mb_is_too_big_and_20_mb_is_not(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    assert MAX_DOWNLOAD_SIZE == 20 * 1024 * 1024
    too_big = ann.sent_file(await ann.send_voice(600, b"\x00" * (MAX_DOWNLOAD_SIZE + 1)))
    with pytest.raises(BadRequest, match="(?i)^file is too big$"):
        await bot.get_file(too_big.file_id)
    assert too_big.file_path is None
    assert "bot getFile FAILED: 400 Bad Request: file is too big" in ann.transcript()

    just_fits = ann.sent_file(await ann.send_document("big.pdf", b"\x01" * MAX_DOWNLOAD_SIZE))
    file = await bot.get_file(just_fits.file_id)
    assert file.file_size == MAX_DOWNLOAD_SIZE
    assert await file.download_as_bytearray() == just_fits.content


async def test_a_file_the_fake_never_had_the_bytes_of_has_no_path(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    sent = await bot.send_document(ann.id, "https://example.org/plan.pdf")  # not fetched
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is None and file.file_size is None
    with pytest.raises(RuntimeError, match="No `file_path`"):
        await file.download_as_bytearray()


async def test_downloads_need_the_right_token_and_a_path_getfile_gave(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    file_id = ann.sent_file(await ann.send_voice(content=VOICE)).file_id
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    async with aiohttp.ClientSession() as http:

        async def get(url: str) -> tuple[int, object]:
            async with http.get(url) as response:
                if response.status == 200:
                    return 200, await response.read()
                return response.status, await response.json()

        # Before getFile the file has no path yet: nothing to guess.
        assert await get(file_url(fake_telegram, "voice/file_0.oga")) == (404, not_found)
        await bot.get_file(file_id)
        assert await get(file_url(fake_telegram, "voice/file_0.oga")) == (200, VOICE)
        wrong_token = file_url(fake_telegram, "voice/file_0.oga", token="123456:wrong")
        assert await get(wrong_token) == (404, not_found)
        assert await get(file_url(fake_telegram, "voice/file_1.oga")) == (404, not_found)
        assert await get(file_url(fake_telegram, "voice")) == (404, not_found)
    assert [(d.file_path, d.status, d.file_id) for d in fake_telegram.downloads] == [
        ("voice/file_0.oga", 404, None),
        ("voice/file_0.oga", 200, file_id),
        ("voice/file_0.oga", 404, None),
        ("voice/file_1.oga", 404, None),
        ("voice", 404, None),
    ]

    # PTB with the wrong file address (the API's, as a bot without base_file_url set to
    # the fake's would have): Telegram's 404 reaches it as InvalidToken("Not Found").
    file = await bot.get_file(file_id)
    misdirected = type(file).de_json(
        {**file.to_dict(), "file_path": file_url(fake_telegram, "voice/file_0.oga", "1:x")}, bot
    )
    with pytest.raises(TelegramError, match="Not Found"):
        await misdirected.download_as_bytearray()


# --------------------------------------------------------------------------- injected failures


async def test_get_file_fails_as_injected_then_works(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    file_id = ann.sent_file(await ann.send_voice(content=VOICE)).file_id
    fake_telegram.fail_next("getFile", error_code=500, description="Internal Server Error")
    fake_telegram.fail_next("getFile", retry_after=2)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_file(file_id)
    with pytest.raises(RetryAfter):
        await bot.get_file(file_id)
    file = await bot.get_file(file_id)
    assert await file.download_as_bytearray() == VOICE
    assert len(fake_telegram.calls("getFile")) == 3
    assert "bot getFile FAILED: 500 Internal Server Error" in ann.transcript()


async def test_a_failed_download_answers_the_status_and_the_next_one_works(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser, tmp_path: Path
) -> None:
    file = await bot.get_file(ann.sent_file(await ann.send_voice(content=VOICE)).file_id)
    fake_telegram.fail_next_download()
    fake_telegram.fail_next_download(502)
    with pytest.raises(NetworkError, match="^Internal Server Error$"):
        await file.download_to_drive(tmp_path / "first.oga")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await file.download_to_drive(tmp_path / "second.oga")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    assert (await file.download_to_drive(tmp_path / "third.oga")).read_bytes() == VOICE
    assert [(d.status, d.fault) for d in fake_telegram.downloads] == [
        (500, "error"),
        (502, "error"),
        (200, None),
    ]
    assert "bot download of voice/file_0.oga FAILED: 502 Bad Gateway" in ann.transcript()
    with pytest.raises(ValueError, match="4xx or 5xx"):
        fake_telegram.fail_next_download(200)


async def test_a_slow_download_arrives_late_or_times_out(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    file = await bot.get_file(ann.sent_file(await ann.send_voice(content=VOICE)).file_id)
    fake_telegram.slow_next_download(0.4)
    started = time.monotonic()
    assert await file.download_as_bytearray() == VOICE
    assert 0.4 <= time.monotonic() - started < 2.0

    fake_telegram.slow_next_download(3.0)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await file.download_as_bytearray(read_timeout=0.3)
    assert time.monotonic() - started < 2.0  # the client gave up, not the server
    await confirm_updates(bot)
    await fake_telegram.wait_idle(quiet=0.05, timeout=2.0)  # the abandoned download ended
    assert await file.download_as_bytearray() == VOICE
    assert [(d.status, d.fault) for d in fake_telegram.downloads] == [
        (200, "slow"),
        (200, "slow"),
        (200, None),
    ]


async def test_a_download_in_progress_keeps_the_server_busy(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    file = await bot.get_file(ann.sent_file(await ann.send_voice(content=VOICE)).file_id)
    await confirm_updates(bot)
    fake_telegram.slow_next_download(0.6)
    download = asyncio.create_task(file.download_as_bytearray())
    await asyncio.sleep(0.1)
    with pytest.raises(AssertionError, match="1 calls in flight"):
        await fake_telegram.wait_idle(quiet=0.05, timeout=0.2)
    assert await download == VOICE
    await fake_telegram.wait_idle(quiet=0.05, timeout=1.0)


async def test_a_cut_download_is_a_network_error_and_writes_nothing(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser, tmp_path: Path
) -> None:
    file = await bot.get_file(ann.sent_file(await ann.send_voice(content=VOICE)).file_id)
    fake_telegram.cut_next_download()
    with pytest.raises(NetworkError, match="without sending complete message body") as raised:
        await file.download_to_drive(tmp_path / "note.oga")
    assert not isinstance(raised.value, TimedOut)
    assert not (tmp_path / "note.oga").exists()
    assert (await file.download_to_drive(tmp_path / "note.oga")).read_bytes() == VOICE


async def test_download_faults_queue_up_in_order(
    fake_telegram: FakeBotApi, bot: Bot, ann: FakeUser
) -> None:
    file = await bot.get_file(ann.sent_file(await ann.send_voice(content=VOICE)).file_id)
    fake_telegram.cut_next_download()
    fake_telegram.fail_next_download(503)
    fake_telegram.slow_next_download(0.1)
    outcomes = []
    for _ in range(4):
        try:
            outcomes.append(len(await file.download_as_bytearray()))
        except NetworkError as error:
            outcomes.append(type(error).__name__)
    assert outcomes == ["NetworkError", "NetworkError", len(VOICE), len(VOICE)]
    assert [d.fault for d in fake_telegram.downloads] == ["cut", "error", "slow", None]


# --------------------------------------------------------------------------- a bot that listens


async def fetch_recording(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a voice note or audio file; say how many bytes (and their digest) arrived,
    or that it could not be fetched."""
    message = update.effective_message
    media = message.voice or message.audio
    try:
        file = await media.get_file()
        data = bytes(await file.download_as_bytearray(read_timeout=1.0))
    except TelegramError as error:
        await message.reply_text(f"could not fetch it: {type(error).__name__}")
        return
    await message.reply_text(f"got {len(data)} bytes {hashlib.sha256(data).hexdigest()[:12]}")


def listening_application(server: FakeBotApi) -> Application:
    application = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.VOICE | filters.AUDIO, fetch_recording))
    return application


async def test_an_application_fetches_what_users_send_and_reports_failures(
    fake_telegram: FakeBotApi, ann: FakeUser
) -> None:
    digest = hashlib.sha256(VOICE).hexdigest()[:12]
    async with run_application(listening_application(fake_telegram)):
        await ann.send_voice(duration=4, content=VOICE)
        assert (await ann.next_message()).text == f"got {len(VOICE)} bytes {digest}"
        await ann.send_audio(MP3, 60, title="Interview")
        assert (await ann.next_message()).text.startswith(f"got {len(MP3)} bytes")

        fake_telegram.fail_next("getFile", error_code=502, description="Bad Gateway")
        await ann.send_voice(content=VOICE)
        assert (await ann.next_message()).text == "could not fetch it: NetworkError"
        fake_telegram.fail_next_download(500)
        await ann.send_voice(content=VOICE)
        assert (await ann.next_message()).text == "could not fetch it: NetworkError"
        fake_telegram.slow_next_download(3.0)
        await ann.send_voice(content=VOICE)
        assert (await ann.next_message(timeout=3.0)).text == "could not fetch it: TimedOut"
        await fake_telegram.wait_idle()
    assert [d.status for d in fake_telegram.downloads] == [200, 200, 500, 200]
    assert len(fake_telegram.calls("getFile")) == 5


def test_the_bots_settings_give_the_fakes_file_address(
    fake_telegram: FakeBotApi, bot_settings: Settings
) -> None:
    assert bot_settings.api_base_url == fake_telegram.base_url
    assert bot_settings.file_base_url == fake_telegram.base_file_url
