"""A local fake of the Telegram Bot API, for driving the real PTB ``Application`` in tests.

``FakeBotApi`` is an aiohttp server on 127.0.0.1 that speaks the Bot API's HTTP protocol
(JSON, urlencoded and multipart requests; ``{"ok": ..., "result": ...}`` answers) well enough
that python-telegram-bot cannot tell it from Telegram: long polling with offsets, messages,
edits, inline keyboards, callback queries, commands, uploads, leaveChat and getChat, and
Telegram's own error texts for the mistakes a bot is likely to make (too long text, bad HTML,
stale edits, writing to a chat that blocked or removed it, ...).

The test plays the other side, chat by chat (every kind is a ``FakeChat``):

- ``FakeUser``: a user in their private chat with the bot, sending text, commands, media and
  button presses, blocking and unblocking the bot;
- ``FakeGroup``: a group or supergroup that members add the bot to and remove it from
  (``my_chat_member`` updates), where they write, reply, press buttons, and where anonymous
  admins, service messages and a linked channel's automatic forwards appear;
- ``FakeChannel``: a channel that makes the bot an administrator and publishes posts.

In each, the test reads or awaits what the bot sent to that chat. Every wait is bounded and
fails with an ``AssertionError`` that shows the chat transcript.

Files work as with Telegram: every file that passes through the fake (a user's voice note,
audio file, document, photo or sticker, or a bot's upload) has a ``file_id``; ``getFile``
answers with its ``file_path`` (``voice/file_0.oga``, ``music/file_1.mp3``,
``documents/file_2.pdf``, ...), and ``GET /file/bot<token>/<file_path>`` serves its bytes
(point PTB's ``base_file_url`` at ``FakeBotApi.base_file_url``). Telegram's limits and
errors: ``invalid file_id``, ``file is too big`` over 20 MB (``MAX_DOWNLOAD_SIZE``), 404 for
a wrong token or an unknown path. ``FakeBotApi.downloads`` records every download;
``fail_next_download``, ``slow_next_download`` and ``cut_next_download`` make the next one go
wrong, as ``fail_next("getFile")`` does getFile.

Webhooks work as with Telegram: after ``setWebhook``, getUpdates fails with 409 Conflict and
pending updates are POSTed as JSON to the webhook (loopback addresses only), with the
``X-Telegram-Bot-Api-Secret-Token`` header, one at a time and in order. An update is
delivered, and forgotten, only when the webhook answers 2xx; otherwise it is tried again
after a short pause (50 ms, doubling up to 0.5 s; at once after a new ``setWebhook``).
Telegram delivers each chat's updates in order and different chats' side by side, over up
to ``max_connections``; the fake records ``max_connections`` but delivers one at a time.
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import json
import mimetypes
import random
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100
# The largest file a bot may download (getFile answers "file is too big" above it).
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Update types delivered when the bot has never sent ``allowed_updates``.
_NOT_DELIVERED_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
_JSON_PARAMETERS = {
    "allowed_updates",
    "caption_entities",
    "commands",
    "entities",
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "scope",
}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_BOT_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_TERMINATED_BY_SET_WEBHOOK = "Conflict: terminated by setWebhook request"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Webhook delivery: how long one POST may take, and the pauses after a failed one.
WEBHOOK_TIMEOUT = 10.0
WEBHOOK_RETRY_FIRST = 0.05
WEBHOOK_RETRY_LONGEST = 0.5


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (entity offsets and limits are in UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- formatting

_HTML_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));")
_HTML_START_TAG = re.compile(r"<([^\s>/]*)")
_HTML_ATTRIBUTE = re.compile(
    r"""\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


def _entity_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


@dataclass
class _OpenEntity:
    tag: str
    offset: int
    attributes: dict[str, str]


class _TextBuilder:
    """Plain text plus entities, with offsets in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[JSON] = []

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_length(text)

    def add_entity(self, entity_type: str, offset: int, **extra: Any) -> None:
        length = self.length - offset
        if length > 0:
            self.entities.append({"type": entity_type, "offset": offset, "length": length, **extra})

    def result(self) -> tuple[str, list[JSON]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: plain text and entities, or Telegram's 400 error.

    Stricter than Telegram in one place: a bare ``&`` that does not start one of the
    supported entities is rejected (Telegram documents that it must be escaped).
    """
    out = _TextBuilder()
    stack: list[_OpenEntity] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            i = _html_entity(source, i, out)
        elif char != "<":
            end = i + 1
            while end < len(source) and source[end] not in "<&":
                end += 1
            out.append(source[i:end])
            i = end
        elif source.startswith("</", i):
            i = _html_end_tag(source, i, stack, out)
        else:
            i = _html_start_tag(source, i, stack, out)
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.result()


def _html_entity(source: str, i: int, out: _TextBuilder) -> int:
    match = _HTML_ENTITY.match(source, i)
    if match is None:
        raise _entity_error(
            f"Character '&' must be escaped as &amp; at byte offset {_byte_offset(source, i)}"
        )
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _HTML_NAMED_ENTITIES:
            raise _entity_error(
                f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(source, i)}'
            )
        out.append(_HTML_NAMED_ENTITIES[name])
    else:
        code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if not 0 < code_point <= 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
            raise _entity_error(
                f"Invalid numeric HTML entity at byte offset {_byte_offset(source, i)}"
            )
        out.append(chr(code_point))
    return match.end()


def _html_start_tag(source: str, i: int, stack: list[_OpenEntity], out: _TextBuilder) -> int:
    match = _HTML_START_TAG.match(source, i)
    assert match is not None  # the pattern matches any "<"
    tag = match.group(1).lower()
    if tag not in _HTML_TAG_ENTITY:
        raise _entity_error(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, i)}'
        )
    attributes: dict[str, str] = {}
    position = match.end()
    while True:
        attribute = _HTML_ATTRIBUTE.match(source, position)
        if attribute is None:
            break
        name, double_quoted, single_quoted, bare = attribute.groups()
        value = next((v for v in (double_quoted, single_quoted, bare) if v is not None), "")
        attributes[name.lower()] = _unescape_attribute(value)
        position = attribute.end()
    while position < len(source) and source[position] in " \t\r\n/":
        position += 1
    if position >= len(source) or source[position] != ">":
        raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise _entity_error('Tag "span" must have class "tg-spoiler"')
    if tag == "tg-emoji" and "emoji-id" not in attributes:
        raise _entity_error('Tag "tg-emoji" must have attribute "emoji-id"')
    stack.append(_OpenEntity(tag, out.length, attributes))
    return position + 1


def _unescape_attribute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            return _HTML_NAMED_ENTITIES.get(name, match.group(0))
        return chr(int(decimal) if decimal is not None else int(hexadecimal, 16))

    return _HTML_ENTITY.sub(replace, value)


def _html_end_tag(source: str, i: int, stack: list[_OpenEntity], out: _TextBuilder) -> int:
    end = source.find(">", i)
    if end == -1:
        raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(source, i)}")
    tag = source[i + 2 : end].strip().lower()
    if not stack:
        raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
    opened = stack[-1]
    if tag and tag != opened.tag:
        raise _entity_error(
            f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
            f'expected "</{opened.tag}>", found "</{tag}>"'
        )
    stack.pop()
    entity_type = _HTML_TAG_ENTITY[opened.tag]
    if opened.tag == "a":
        href = opened.attributes.get("href")
        if href:
            out.add_entity("text_link", opened.offset, url=href)
    elif opened.tag == "blockquote" and "expandable" in opened.attributes:
        out.add_entity("expandable_blockquote", opened.offset)
    elif opened.tag == "tg-emoji":
        out.add_entity("custom_emoji", opened.offset, custom_emoji_id=opened.attributes["emoji-id"])
    elif opened.tag == "pre":
        _close_pre(opened, out)
    elif opened.tag == "code" and opened.attributes.get("class", "").startswith("language-"):
        language = opened.attributes["class"].removeprefix("language-")
        out.add_entity("code", opened.offset, language=language)
    else:
        out.add_entity(entity_type, opened.offset)
    return end + 1


def _close_pre(opened: _OpenEntity, out: _TextBuilder) -> None:
    """``<pre><code class="language-x">`` becomes one pre entity with a language."""
    length = out.length - opened.offset
    for entity in out.entities:
        if (
            entity["type"] == "code"
            and "language" in entity
            and entity["offset"] == opened.offset
            and entity["length"] == length
        ):
            out.entities.remove(entity)
            out.add_entity("pre", opened.offset, language=entity["language"])
            return
    out.add_entity("pre", opened.offset)


_MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MARKDOWN_V2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    """Telegram's MarkdownV2 parse mode, reasonably strictly: unescaped reserved characters,
    unclosed entities and bad links are rejected with Telegram's error texts."""
    out = _TextBuilder()
    stack: list[tuple[str, int, int]] = []  # marker, text offset, source index
    blockquote_start: int | None = None
    i = 0
    line_start = True
    while i < len(source):
        char = source[i]
        if line_start and char == ">":
            if blockquote_start is None:
                blockquote_start = out.length
            i += 1
            line_start = False
            continue
        line_start = False
        if char == "\\" and i + 1 < len(source) and 0 < ord(source[i + 1]) < 127:
            out.append(source[i + 1])
            i += 2
        elif char == "\n":
            if blockquote_start is not None and not source.startswith(">", i + 1):
                out.add_entity("blockquote", blockquote_start)
                blockquote_start = None
            out.append(char)
            line_start = True
            i += 1
        elif source.startswith("```", i):
            i = _markdown_pre(source, i, out)
        elif char == "`":
            i = _markdown_code(source, i, out)
        elif char == "[":
            stack.append(("[", out.length, i))
            i += 1
        elif char == "]" and stack and stack[-1][0] == "[":
            _, offset, opened_at = stack.pop()
            i = _markdown_link_url(source, i + 1, offset, opened_at, out)
        elif source.startswith("__", i) or source.startswith("||", i) or char in "*_~":
            marker = source[i : i + 2] if source[i : i + 2] in ("__", "||") else char
            open_markers = [entry[0] for entry in stack]
            if marker in open_markers:
                if stack[-1][0] != marker:
                    raise _entity_error(
                        f"Can't find end of {_markdown_entity_name(stack[-1][0])} entity at "
                        f"byte offset {_byte_offset(source, stack[-1][2])}"
                    )
                _, offset, _ = stack.pop()
                out.add_entity(_MARKDOWN_V2_MARKERS[marker], offset)
            else:
                stack.append((marker, out.length, i))
            i += len(marker)
        elif char in _MARKDOWN_V2_RESERVED:
            raise _entity_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(char)
            i += 1
    if stack:
        marker, _, index = stack[-1]
        raise _entity_error(
            f"Can't find end of {_markdown_entity_name(marker)} entity at byte offset "
            f"{_byte_offset(source, index)}"
        )
    if blockquote_start is not None:
        out.add_entity("blockquote", blockquote_start)
    return out.result()


def _markdown_entity_name(marker: str) -> str:
    names = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough"}
    return names.get(marker, {"||": "Spoiler", "[": "TextUrl"}.get(marker, marker))


def _markdown_code(source: str, i: int, out: _TextBuilder) -> int:
    offset = out.length
    j = i + 1
    while j < len(source) and source[j] != "`":
        if source[j] == "\\" and j + 1 < len(source):
            j += 1
        out.append(source[j])
        j += 1
    if j >= len(source):
        raise _entity_error(
            f"Can't find end of Code entity at byte offset {_byte_offset(source, i)}"
        )
    out.add_entity("code", offset)
    return j + 1


def _markdown_pre(source: str, i: int, out: _TextBuilder) -> int:
    end = source.find("```", i + 3)
    while end != -1 and source[end - 1] == "\\" and source[end - 2 : end] != "\\\\":
        end = source.find("```", end + 1)
    if end == -1:
        raise _entity_error(
            f"Can't find end of Pre entity at byte offset {_byte_offset(source, i)}"
        )
    body = source[i + 3 : end]
    language = ""
    first_line, newline, rest = body.partition("\n")
    if newline and first_line and " " not in first_line:
        language, body = first_line, rest
    offset = out.length
    out.append(re.sub(r"\\([\\`])", r"\1", body))
    if language:
        out.add_entity("pre", offset, language=language)
    else:
        out.add_entity("pre", offset)
    return end + 3


def _markdown_link_url(source: str, i: int, offset: int, opened_at: int, out: _TextBuilder) -> int:
    if not source.startswith("(", i):
        raise _entity_error(
            f"Can't find end of TextUrl entity at byte offset {_byte_offset(source, opened_at)}"
        )
    j = i + 1
    url: list[str] = []
    while j < len(source) and source[j] != ")":
        if source[j] == "\\" and j + 1 < len(source):
            j += 1
        url.append(source[j])
        j += 1
    if j >= len(source):
        raise _entity_error(f"Can't find end of a URL at byte offset {_byte_offset(source, i)}")
    out.add_entity("text_link", offset, url="".join(url))
    return j + 1


def format_text(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
    """What the user would see: plain text and entities, as Telegram derives them."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode in ("", "markdown"):  # legacy Markdown is accepted unchecked
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return text, list(entities or [])
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------- records


class ApiCall(NamedTuple):
    """One request the bot made: the method name as sent and its decoded parameters."""

    method: str
    params: JSON


@dataclass
class SentFile:
    """A file that went through the fake API (uploaded by the bot, or sent by a user).

    ``folder`` is where Telegram keeps such files (``voice``, ``music``, ``documents``,
    ``photos``, ``stickers``); ``file_path`` is set by the first getFile. ``content`` is None
    for a file the fake never had the bytes of (the bot sent it by URL): no file_path then.
    ``chat_id``: the chat it was sent in by a user, if it was.
    """

    file_id: str
    file_unique_id: str
    filename: str | None
    content: bytes | None
    mime_type: str | None
    folder: str = "documents"
    file_path: str | None = None
    chat_id: int | None = None

    @property
    def size(self) -> int | None:
        return None if self.content is None else len(self.content)


class FileDownload(NamedTuple):
    """One ``GET /file/bot<token>/<file_path>``: the path asked for, the HTTP status it was
    answered with (200 for a slow or cut download too), the file (None if the token or path
    was wrong) and the injected fault, if any: "error", "slow" or "cut"."""

    file_path: str
    status: int
    file_id: str | None
    fault: str | None


@dataclass(frozen=True)
class _DownloadFault:
    kind: str  # "error", "slow" or "cut"
    status: int = 500
    description: str = "Internal Server Error"
    seconds: float = 0.0


@dataclass
class CallbackAnswer:
    """What the bot said when it answered one of the user's button presses."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class MessageVersion:
    """An earlier state of a bot message, kept when the bot edits it."""

    text: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    edit_date: int | None


Buttons = list[list[tuple[str, str | None]]]


@dataclass
class BotMessage:
    """A message the bot sent to a chat, in its current (possibly edited) state.

    ``text`` is what the user sees (HTML/MarkdownV2 already rendered; ``source_text`` is
    what the bot sent). Media messages have ``caption`` and ``document``/``photo`` instead.
    """

    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    source_text: str | None = None
    parse_mode: str | None = None
    caption: str | None = None
    reply_markup: JSON | None = None
    document: SentFile | None = None
    photo: SentFile | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JSON | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    chat: JSON = field(default_factory=dict, repr=False)
    sender: JSON = field(default_factory=dict, repr=False)
    sender_chat: JSON | None = field(default=None, repr=False)

    @property
    def buttons(self) -> Buttons:
        """Inline keyboard as rows of (text, callback_data); [] when there is none."""
        return buttons_of(self.reply_markup)

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def to_api(self) -> JSON:
        """The Bot API ``Message`` object for this message."""
        message: JSON = {"message_id": self.message_id}
        if self.sender:  # a channel's messages have no sender, only sender_chat
            message["from"] = self.sender
        if self.sender_chat is not None:
            message["sender_chat"] = self.sender_chat
        message["chat"] = self.chat
        message["date"] = self.date
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
        if self.caption is not None:
            message["caption"] = self.caption
            if self.entities:
                message["caption_entities"] = self.entities
        if self.document is not None:
            message["document"] = _document_json(self.document)
        if self.photo is not None:
            message["photo"] = [_photo_size_json(self.photo)]
        if self.link_preview_options is not None:
            message["link_preview_options"] = self.link_preview_options
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message

    def describe(self) -> str:
        body = self.text if self.text is not None else self.caption or ""
        if self.document is not None:
            body = f"[document {self.document.filename}] {body}".rstrip()
        if self.photo is not None:
            body = f"[photo] {body}".rstrip()
        texts = self.button_texts
        return body + (f"  {texts}" if texts else "")


def buttons_of(reply_markup: JSON | None) -> Buttons:
    if not reply_markup or "inline_keyboard" not in reply_markup:
        return []
    return [
        [(button.get("text", ""), button.get("callback_data")) for button in row]
        for row in reply_markup["inline_keyboard"]
    ]


def _file_json(file: SentFile, **fields: Any) -> JSON:
    """What Telegram sends of a file: its ids, the ``fields`` given (those not None), and
    its name, MIME type and size when known."""
    found: JSON = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
    found.update({key: value for key, value in fields.items() if value is not None})
    known = {"file_name": file.filename, "mime_type": file.mime_type, "file_size": file.size}
    found.update({key: value for key, value in known.items() if value is not None})
    return found


def _document_json(file: SentFile) -> JSON:
    return _file_json(file)


def _voice_json(file: SentFile, duration: int) -> JSON:
    return _file_json(file, duration=duration)  # a voice note's file has no name


def _audio_json(file: SentFile, duration: int, title: str | None, performer: str | None) -> JSON:
    return _file_json(file, duration=duration, performer=performer, title=title)


# The extension Telegram gives every file of a folder; other folders take the file name's.
_FOLDER_EXTENSIONS = {"voice": ".oga", "photos": ".jpg", "stickers": ".webp"}
_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


def _file_extension(file: SentFile) -> str:
    """The extension of ``file``'s file_path: the folder's, the file name's, or the MIME
    type's (none if neither says)."""
    if file.folder in _FOLDER_EXTENSIONS:
        return _FOLDER_EXTENSIONS[file.folder]
    if file.filename and "." in file.filename:
        extension = "." + file.filename.rsplit(".", 1)[1]
        if _EXTENSION.match(extension):
            return extension.lower()
    guessed = mimetypes.guess_extension(file.mime_type) if file.mime_type else None
    return guessed or ""


def _photo_size_json(file: SentFile) -> JSON:
    photo: JSON = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "width": 320,
        "height": 240,
    }
    if file.size is not None:
        photo["file_size"] = file.size
    return photo


@dataclass
class _CallbackQuery:
    user_id: int
    chat_id: int
    answered: bool = False


@dataclass
class Webhook:
    """The webhook set with setWebhook, and how the last delivery to it failed, if one did."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None

    def to_api(self, pending_update_count: int, allowed_updates: list[str] | None) -> JSON:
        """The Bot API ``WebhookInfo`` object."""
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending_update_count,
            "max_connections": self.max_connections,
        }
        if allowed_updates is not None:
            info["allowed_updates"] = allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


# --------------------------------------------------------------------------- parameters


class _Params:
    """Request parameters from JSON, a form or multipart, with Bot API type coercion."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def __contains__(self, key: str) -> bool:
        return self.values.get(key) is not None

    def raw(self, key: str) -> Any:
        return self.values.get(key)

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.values.get(key)
        if value is None:
            return default
        if isinstance(value, web.FileField):
            raise bad_request(f"parameter {key!r} must be a string")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def number(self, key: str, default: float = 0.0) -> float:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def flag(self, key: str) -> bool:
        value = self.values.get(key)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, key: str) -> Any:
        return self.values.get(key)


async def _read_params(request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            values.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                values[key] = value
    for key in _JSON_PARAMETERS & values.keys():
        value = values[key]
        if isinstance(value, str):
            try:
                values[key] = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
    return values


def _recorded(values: dict[str, Any]) -> JSON:
    """Parameters as stored in ``FakeBotApi.requests``: uploads shown as ``SentFile``."""
    recorded: JSON = {}
    for key, value in values.items():
        if isinstance(value, web.FileField):
            value.file.seek(0)
            content = value.file.read()
            value.file.seek(0)
            recorded[key] = SentFile("", "", value.filename, content, value.content_type)
        else:
            recorded[key] = value
    return recorded


# --------------------------------------------------------------------------- the chats


class FakeChat:
    """A chat as the test sees it: what the bot sent there, and bounded waits for more.

    The kinds are ``FakeUser`` (a private chat), ``FakeGroup`` (a group or supergroup) and
    ``FakeChannel``. ``id`` is the chat id; ``kind`` is the Bot API ``Chat.type``.
    """

    kind: str

    def __init__(self, server: FakeBotApi, chat_id: int):
        self._server = server
        self.id = chat_id
        self.chat_actions: list[str] = []
        self._events: list[str] = []
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        return self.id

    def chat_json(self) -> JSON:
        """The Bot API ``Chat`` object of this chat."""
        raise NotImplementedError

    # ---- what the chat shows

    # Messages handed to a test are snapshots: they do not change under its assertions when
    # the bot edits later. press() and buttons() look the current state up by message id.

    @property
    def messages(self) -> list[BotMessage]:
        """Every message the bot sent to this chat (deleted ones too), oldest first."""
        return [copy.deepcopy(m) for m in self._server._bot_messages[self.id]]

    @property
    def last_message(self) -> BotMessage:
        """The bot's latest message in this chat, as it is now."""
        messages = self._server._bot_messages[self.id]
        if not messages:
            raise AssertionError(f"the bot has sent nothing to {self._name}")
        return copy.deepcopy(messages[-1])

    def buttons(self, message: BotMessage | int | None = None) -> Buttons:
        """Rows of (text, callback_data) of a bot message (default: the last one)."""
        if message is None:
            return self.last_message.buttons
        current = self._server._bot_message(self.id, _message_id(message))
        return current.buttons if current is not None else []

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next new bot message in this chat since the previous call, as it is now.

        Waits up to ``timeout`` seconds, then fails with the transcript."""
        messages = self._server._bot_messages[self.id]
        await self._server._wait_until(
            lambda: len(messages) > self._cursor,
            timeout,
            lambda: f"{self._name} got no new bot message within {timeout}s\n" + self.transcript(),
        )
        self._cursor += 1
        return copy.deepcopy(messages[self._cursor - 1])

    def mark_read(self) -> None:
        """Count every bot message so far as seen: the next ``next_message`` is a new one."""
        self._cursor = len(self._server._bot_messages[self.id])

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool], timeout: float = 5.0
    ) -> BotMessage:
        """Wait until some bot message in this chat, in its current (possibly edited) state,
        satisfies ``predicate``; returns the latest such message as it was at that moment."""
        found: list[BotMessage] = []

        def satisfied() -> bool:
            found[:] = [m for m in self._server._bot_messages[self.id] if predicate(m)]
            return bool(found)

        await self._server._wait_until(
            satisfied,
            timeout,
            lambda: (
                f"no bot message to {self._name} satisfied the predicate within "
                f"{timeout}s\n" + self.transcript()
            ),
        )
        return copy.deepcopy(found[-1])

    def sent_file(self, message_id: int) -> SentFile:
        """The file in message ``message_id`` sent to the bot in this chat (a voice note,
        audio file, document, photo or sticker): its file_id, bytes, and file_path once the
        bot called getFile."""
        message = self._server._user_messages.get((self.id, message_id), {})
        for kind in _MEDIA_KINDS:
            media = message.get(kind)
            if media:
                file_id = media[-1]["file_id"] if kind == "photo" else media["file_id"]
                return self._server._files[file_id]
        raise AssertionError(f"no file in message #{message_id} of {self._chat_name}")

    def transcript(self) -> str:
        """The chat so far, one event per line, for failure messages."""
        lines = self._events or ["(nothing happened)"]
        return f"--- transcript of {self._chat_name} ---\n" + "\n".join(lines)

    # ---- internals

    @property
    def _name(self) -> str:
        """Who or what this chat is, in failure messages."""
        raise NotImplementedError

    @property
    def _chat_name(self) -> str:
        return self._name

    def _refusal(self) -> ApiError | None:
        """The error Telegram gives the bot for sending here now, if any."""
        return None

    def _bot_can_delete_others_messages(self) -> bool:
        return True


class FakeUser(FakeChat):
    """A Telegram user in a private chat with the bot (chat id == user id).

    The same user can also act in a ``FakeGroup``; answers to their button presses are
    collected in ``callback_answers`` wherever they pressed.
    """

    kind = "private"

    def __init__(
        self,
        server: FakeBotApi,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str | None,
    ):
        super().__init__(server, user_id)
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    def to_api(self) -> JSON:
        """The Bot API ``User`` object of this user."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_json(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    # ---- what the user does

    async def send_text(self, text: str, *, reply_to: int | None = None) -> int:
        """Send a text message; a leading ``/command`` gets its bot_command entity.
        ``reply_to`` makes it a reply to that message of this chat (bot's or user's)."""
        return await self._send(_text_content(text), text, reply_to=reply_to)

    async def send_command(self, command: str = "/start", args: str = "") -> int:
        """Send ``/command [args]``, e.g. ``send_command("/start", "deep-link-payload")``."""
        command = command if command.startswith("/") else f"/{command}"
        return await self.send_text(f"{command} {args}".rstrip())

    # Media messages return their message id; ``sent_file(message_id)`` is the file in it.
    # The bot can getFile and download each (the bytes are ``content``).

    async def send_sticker(self, emoji: str = "👍") -> int:
        file = self._new_file(None, b"RIFF\x0c\x00\x00\x00WEBPVP8 ", "image/webp", "stickers")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.size,
        }
        return await self._send({"sticker": sticker}, f"[sticker {emoji}]")

    async def send_photo(self, caption: str | None = None, content: bytes = b"\x89PNG") -> int:
        file = self._new_file("photo.jpg", content, "image/jpeg", "photos")
        message: JSON = {"photo": [_photo_size_json(file)]}
        if caption is not None:
            message["caption"] = caption
        return await self._send(message, f"[photo] {caption or ''}".rstrip())

    async def send_voice(
        self, duration: int = 3, content: bytes = b"OggS", mime_type: str = "audio/ogg"
    ) -> int:
        """A voice note (recorded in Telegram: OGG/Opus, a ``voice`` message) of
        ``duration`` seconds whose file holds ``content``."""
        file = self._new_file(None, content, mime_type, "voice")
        return await self._send({"voice": _voice_json(file, duration)}, f"[voice {duration}s]")

    async def send_audio(
        self,
        content: bytes = b"ID3\x04 fake mp3",
        duration: int = 3,
        title: str | None = None,
        mime_type: str = "audio/mpeg",
        file_name: str = "audio.mp3",
        *,
        performer: str | None = None,
        caption: str | None = None,
    ) -> int:
        """An audio file (music or a recording shared as a file: an ``audio`` message, not
        a voice note) of ``duration`` seconds whose file holds ``content``."""
        file = self._new_file(file_name, content, mime_type, "music")
        message: JSON = {"audio": _audio_json(file, duration, title, performer)}
        if caption is not None:
            message["caption"] = caption
        description = f"[audio {file_name} {duration}s] {caption or ''}".rstrip()
        return await self._send(message, description)

    async def send_document(
        self,
        filename: str = "x.pdf",
        content: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        file = self._new_file(filename, content, mime_type, "documents")
        message: JSON = {"document": _document_json(file)}
        if caption is not None:
            message["caption"] = caption
        return await self._send(message, f"[document {filename}] {caption or ''}".rstrip())

    async def send_location(self, latitude: float = 55.9533, longitude: float = -3.1883) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return await self._send({"location": location}, f"[location {latitude},{longitude}]")

    async def edited_text(self, message_id: int, text: str) -> None:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        await self._server._push_edit(self, self, message_id, text)

    async def press(
        self,
        message: BotMessage | int,
        button_text: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Press an inline button on a bot message; returns the callback query id.

        The button is found by exact ``callback_data`` and/or by ``button_text`` (an exact
        text match wins, else a unique substring match). With neither, the message must
        have exactly one callback button.
        """
        return await self._server._press(self, self, message, button_text, callback_data)

    async def press_raw(self, message_id: int, data: str) -> str:
        """Press a button with arbitrary (forged, stale or empty) data; the message may not
        exist (then the query carries an InaccessibleMessage)."""
        return await self._server._press_raw(self, self, message_id, data=data)

    async def press_game(self, message_id: int, short_name: str = "x") -> str:
        """Press a game button: the query has ``game_short_name`` and no ``data``."""
        return await self._server._press_raw(self, self, message_id, game_short_name=short_name)

    def block_bot(self) -> None:
        """From now on, sending to this user fails with 403 Forbidden (no update is sent)."""
        self.blocked = True
        self._events.append(f"{self.first_name} blocked the bot")

    def unblock_bot(self) -> None:
        self.blocked = False
        self._events.append(f"{self.first_name} unblocked the bot")

    async def block_bot_and_notify(self) -> None:
        """``block_bot()`` plus the ``my_chat_member`` update Telegram sends (now "kicked")."""
        self.block_bot()
        await self._push_my_chat_member("member", "kicked")

    async def unblock_bot_and_notify(self) -> None:
        """``unblock_bot()`` plus the ``my_chat_member`` update (from "kicked" to "member")."""
        self.unblock_bot()
        await self._push_my_chat_member("kicked", "member")

    # ---- internals

    @property
    def _name(self) -> str:
        return self.first_name

    @property
    def _chat_name(self) -> str:
        return f"{self.first_name}'s chat"

    def _refusal(self) -> ApiError | None:
        return ApiError(403, "Forbidden: bot was blocked by the user") if self.blocked else None

    async def _push_my_chat_member(self, old_status: str, new_status: str) -> None:
        bot = self._server.bot_user
        await self._server.push_update(
            {
                "my_chat_member": {
                    "chat": self.chat_json(),
                    "from": self.to_api(),
                    "date": self._server._now(),
                    "old_chat_member": _chat_member(bot, old_status, self.kind),
                    "new_chat_member": _chat_member(bot, new_status, self.kind),
                }
            }
        )

    def _new_file(
        self, filename: str | None, content: bytes, mime_type: str | None, folder: str
    ) -> SentFile:
        return self._server._new_file(filename, content, mime_type, folder=folder, chat=self)

    async def _send(self, content: JSON, description: str, *, reply_to: int | None = None) -> int:
        return await self._server._push_message(
            self,
            content,
            self.first_name,
            description,
            sender=self.to_api(),
            reply_to=reply_to,
        )


# Who Telegram puts into ``from`` for anonymous group admins and for automatic forwards.
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}

_MEMBER_STATUSES = {"member", "administrator", "creator", "restricted"}
# The service messages FakeGroup.service_message() can send, and the details each takes.
_SERVICE_DETAILS = {
    "new_chat_members": {"users"},
    "left_chat_member": {"user"},
    "pinned_message": {"message_id"},
    "new_chat_title": {"title"},
}


class _SharedChat(FakeChat):
    """A group, supergroup or channel: a chat with a title that the bot is added to and
    removed from. ``bot_status`` is the bot's ChatMember status there."""

    def __init__(self, server: FakeBotApi, chat_id: int, title: str, kind: str):
        super().__init__(server, chat_id)
        self.title = title
        self.kind = kind
        self.bot_status = "left"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id}, title={self.title!r}, kind={self.kind!r})"

    @property
    def is_bot_member(self) -> bool:
        return self.bot_status in _MEMBER_STATUSES

    def chat_json(self) -> JSON:
        return {"id": self.id, "title": self.title, "type": self.kind}

    async def remove_bot(self, by: FakeUser, *, kicked: bool = False) -> None:
        """``by`` removes the bot: a ``my_chat_member`` update to "left", or to "kicked"
        (banned) with ``kicked=True``. Sending here then fails with 403."""
        self._server._check_user(by)
        if not self.is_bot_member:
            raise AssertionError(f"the bot is not in {self._name} (status {self.bot_status!r})")
        status = "kicked" if kicked else "left"
        await self._change_bot_status(by.to_api(), status, f"{by.first_name} removed the bot")

    # ---- internals

    @property
    def _name(self) -> str:
        return f"the {self.kind} {self.title!r}"

    def _check_bot_absent(self) -> None:
        if self.is_bot_member:
            raise AssertionError(f"the bot is already in {self._name} ({self.bot_status!r})")

    def _refusal(self) -> ApiError | None:
        if self.is_bot_member:
            return None
        if self.bot_status == "kicked":
            return ApiError(403, f"Forbidden: bot was kicked from the {self.kind} chat")
        return ApiError(403, f"Forbidden: bot is not a member of the {self.kind} chat")

    def _bot_can_delete_others_messages(self) -> bool:
        return self.bot_status in ("administrator", "creator")

    async def _change_bot_status(
        self, by: JSON, status: str, description: str, *, notify: bool = True
    ) -> None:
        bot = self._server.bot_user
        old = _chat_member(bot, self.bot_status, self.kind)
        self.bot_status = status
        self._events.append(f"{description} (bot is now {status!r})")
        if not notify:
            return
        await self._server.push_update(
            {
                "my_chat_member": {
                    "chat": self.chat_json(),
                    "from": by,
                    "date": self._server._now(),
                    "old_chat_member": old,
                    "new_chat_member": _chat_member(bot, status, self.kind),
                }
            }
        )

    def _require_bot(self, what: str) -> None:
        """Telegram delivers nothing from a chat the bot is not in: catch such tests."""
        if not self.is_bot_member:
            raise AssertionError(
                f"the bot is not a member of {self._name} (status {self.bot_status!r}), so "
                f"Telegram would not deliver {what}; call add_bot() first\n" + self.transcript()
            )


class FakeGroup(_SharedChat):
    """A group or supergroup (negative chat id) with the bot in it, played by its members.

    Created by ``FakeBotApi.group()``; the bot is not a member until ``add_bot()``. Every
    message a test sends here is delivered: Telegram's privacy mode (commands and replies
    only, unless the bot is an admin) is not simulated.
    """

    async def add_bot(self, by: FakeUser, *, admin: bool = False, notify: bool = True) -> None:
        """``by`` adds the bot: a ``my_chat_member`` update (from "left" or "kicked" to
        "member", or "administrator" with ``admin=True``) and the service message with
        ``new_chat_members: [bot]``. ``notify=False`` sends neither: the bot joined before
        the test (e.g. while an earlier version of it was running)."""
        self._server._check_user(by)
        self._check_bot_absent()
        status = "administrator" if admin else "member"
        await self._change_bot_status(
            by.to_api(), status, f"{by.first_name} added the bot", notify=notify
        )
        if notify:
            await self._server._push_message(
                self,
                {"new_chat_members": [self._server.bot_user]},
                by.first_name,
                "[added the bot]",
                sender=by.to_api(),
            )

    async def remove_bot(
        self, by: FakeUser, *, kicked: bool = False, service_message: bool = False
    ) -> None:
        """``by`` removes the bot (``my_chat_member`` to "left", or "kicked" with
        ``kicked=True``). ``service_message=True`` also sends the ``left_chat_member``
        message about the bot, which Telegram sends to the removed bot in some groups."""
        await super().remove_bot(by, kicked=kicked)
        if service_message:
            await self._server._push_message(
                self,
                {"left_chat_member": self._server.bot_user},
                by.first_name,
                "[removed the bot]",
                sender=by.to_api(),
            )

    async def send_text(self, user: FakeUser, text: str, *, reply_to: int | None = None) -> int:
        """``user`` writes in the group; a leading ``/command`` or ``/command@bot_name`` gets
        its bot_command entity. ``reply_to`` replies to that message of the group (the bot's
        or a member's): ``reply_to_message`` carries the whole message."""
        self._server._check_user(user)
        self._require_bot("a message")
        return await self._server._push_message(
            self,
            _text_content(text),
            user.first_name,
            text,
            sender=user.to_api(),
            reply_to=reply_to,
        )

    async def send_voice(self, user: FakeUser, duration: int = 3, content: bytes = b"OggS") -> int:
        """``user`` records a voice note in the group (the bot can getFile and download it)."""
        self._server._check_user(user)
        self._require_bot("a message")
        file = self._server._new_file(None, content, "audio/ogg", folder="voice", chat=self)
        return await self._server._push_message(
            self,
            {"voice": _voice_json(file, duration)},
            user.first_name,
            f"[voice {duration}s]",
            sender=user.to_api(),
        )

    async def send_as_anonymous_admin(self, text: str, *, reply_to: int | None = None) -> int:
        """An anonymous admin writes: ``from`` is GroupAnonymousBot, ``sender_chat`` the group."""
        self._require_bot("a message")
        return await self._server._push_message(
            self,
            _text_content(text),
            "anonymous admin",
            text,
            sender=dict(ANONYMOUS_ADMIN),
            sender_chat=self.chat_json(),
            reply_to=reply_to,
        )

    async def service_message(self, kind: str, by: FakeUser, **details: Any) -> int:
        """A service message from ``by``; returns its message id. ``kind`` and details:

        - ``"new_chat_members"``, ``users=[FakeUser, ...]`` (default ``[by]``: joined)
        - ``"left_chat_member"``, ``user=FakeUser`` (default ``by``: left on their own)
        - ``"pinned_message"``, ``message_id=int``: pins a message of this group
        - ``"new_chat_title"``, ``title=str``: renames the group
        """
        self._server._check_user(by)
        self._require_bot(f"a {kind} service message")
        content = self._service_content(kind, by, details)
        description = f"[{kind} {self._describe_service(content[kind])}]"
        return await self._server._push_message(
            self, content, by.first_name, description, sender=by.to_api()
        )

    async def press(
        self,
        user: FakeUser,
        message: BotMessage | int,
        button_text: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """``user`` presses an inline button on a bot message in the group; as
        ``FakeUser.press``. The bot's answer is recorded on ``user.callback_answers``."""
        self._server._check_user(user)
        return await self._server._press(self, user, message, button_text, callback_data)

    async def press_raw(self, user: FakeUser, message_id: int, data: str) -> str:
        """``user`` sends a callback query with arbitrary data on message ``message_id`` of the
        group (an InaccessibleMessage if there is no such bot message)."""
        self._server._check_user(user)
        return await self._server._press_raw(self, user, message_id, data=data)

    async def edited_text(self, user: FakeUser, message_id: int, text: str) -> None:
        """``user`` edits their earlier text message in the group (``edited_message``)."""
        self._server._check_user(user)
        self._require_bot("an edited message")
        await self._server._push_edit(self, user, message_id, text)

    async def automatic_forward_from(
        self, channel: FakeChannel, text: str, *, channel_message_id: int | None = None
    ) -> int:
        """A post of the linked ``channel`` automatically forwarded into this supergroup
        (``is_automatic_forward``, ``from`` the Telegram service user 777000, ``sender_chat``
        the channel, ``forward_origin`` the post). ``channel_message_id`` names a post made
        with ``channel.post()``; without it a new post id is taken in the channel, quietly
        (no ``channel_post`` update)."""
        if self.kind != "supergroup":
            raise ValueError("only a supergroup can be a channel's discussion group")
        self._require_bot("an automatic forward")
        server = self._server
        if channel_message_id is None:
            channel_message_id = server._next_message_id(channel.id)
            server._user_messages[(channel.id, channel_message_id)] = {
                "message_id": channel_message_id,
                "sender_chat": channel.chat_json(),
                "chat": channel.chat_json(),
                "date": server._now(),
                **_text_content(text),
            }
        post = server._user_messages.get((channel.id, channel_message_id))
        if post is None:
            raise AssertionError(f"no post #{channel_message_id} in {channel._name}")
        origin = {
            "type": "channel",
            "chat": channel.chat_json(),
            "message_id": channel_message_id,
            "date": post["date"],
        }
        return await server._push_message(
            self,
            {"forward_origin": origin, "is_automatic_forward": True, **_text_content(text)},
            "automatic forward",
            f"[from {channel.title!r} #{channel_message_id}] {text}",
            sender=dict(TELEGRAM_SERVICE_USER),
            sender_chat=channel.chat_json(),
        )

    # ---- internals

    def _service_content(self, kind: str, by: FakeUser, details: dict[str, Any]) -> JSON:
        if kind not in _SERVICE_DETAILS:
            raise ValueError(
                f"unknown service message {kind!r}; supported: {sorted(_SERVICE_DETAILS)}"
            )
        unknown = details.keys() - _SERVICE_DETAILS[kind]
        if unknown:
            raise TypeError(f"{kind} takes {sorted(_SERVICE_DETAILS[kind])}, not {sorted(unknown)}")
        if kind == "new_chat_members":
            users = list(details.get("users", [by]))
            for user in users:
                self._server._check_user(user)
            return {kind: [user.to_api() for user in users]}
        if kind == "left_chat_member":
            user = details.get("user", by)
            self._server._check_user(user)
            return {kind: user.to_api()}
        if kind == "pinned_message":
            message_id = details["message_id"]
            if not self._server._message_exists(self.id, message_id):
                raise AssertionError(f"no message #{message_id} in {self._name} to pin")
            return {kind: self._server._message_json(self.id, message_id)}
        self.title = str(details["title"])
        return {kind: self.title}

    @staticmethod
    def _describe_service(value: Any) -> str:
        if isinstance(value, list):
            return str([user.get("first_name") for user in value])
        if isinstance(value, dict):
            return f"#{value['message_id']}" if "chat" in value else str(value.get("first_name"))
        return repr(value)


class FakeChannel(_SharedChat):
    """A channel (negative chat id, usually -100...). Bots are only ever administrators in
    channels; ``post()`` and ``edit_post()`` play the channel's own posts."""

    def __init__(self, server: FakeBotApi, chat_id: int, title: str):
        super().__init__(server, chat_id, title, "channel")

    async def add_bot(self, by: FakeUser, *, notify: bool = True) -> None:
        """``by`` makes the bot an administrator of the channel: a ``my_chat_member`` update
        with status "administrator" and the usual channel admin rights."""
        self._server._check_user(by)
        self._check_bot_absent()
        await self._change_bot_status(
            by.to_api(), "administrator", f"{by.first_name} added the bot", notify=notify
        )

    async def post(self, text: str) -> int:
        """A channel post (``channel_post``: no ``from``, ``sender_chat`` is the channel)."""
        self._require_bot("a channel post")
        return await self._server._push_message(
            self,
            _text_content(text),
            "channel post",
            text,
            sender=None,
            sender_chat=self.chat_json(),
            update_type="channel_post",
        )

    async def edit_post(self, message_id: int, text: str) -> None:
        """The channel edits its post ``message_id`` (``edited_channel_post``)."""
        self._require_bot("an edited channel post")
        await self._server._push_edit(self, None, message_id, text)


def _chat_member(user: JSON, status: str, chat_kind: str) -> JSON:
    """A Bot API ``ChatMember`` object of ``user`` with ``status``."""
    member: JSON = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0  # banned forever
    elif status == "administrator":
        member.update(_admin_rights(chat_kind))
    return member


def _admin_rights(chat_kind: str) -> JSON:
    """The rights Telegram's apps grant by default to a bot made administrator."""
    rights: JSON = {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": chat_kind == "channel",
        "can_edit_stories": chat_kind == "channel",
        "can_delete_stories": chat_kind == "channel",
    }
    if chat_kind == "channel":
        rights.update(can_post_messages=True, can_edit_messages=True)
    else:
        rights["can_pin_messages"] = True
    if chat_kind == "supergroup":
        rights["can_manage_topics"] = False
    return rights


def _text_content(text: str) -> JSON:
    """A text message body, with the bot_command entity Telegram adds to a leading command
    (``/history`` and ``/history@some_bot`` alike)."""
    content: JSON = {"text": text}
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_length(command.group(0))}
        ]
    return content


# Where a message carries a file (a photo carries a list of sizes, the largest last).
_MEDIA_KINDS = ("voice", "audio", "document", "photo", "sticker", "video", "video_note")


def _message_id(message: BotMessage | int) -> int:
    return message if isinstance(message, int) else message.message_id


# --------------------------------------------------------------------------- the network

# The Bot API methods that send or change something in a chat: where random faults strike.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "deletemessage",
        "answercallbackquery",
        "sendchataction",
        "senddocument",
        "sendphoto",
    }
)


@dataclass(frozen=True)
class RandomFaults:
    """Telegram and the network failing now and then, for ``FakeBotApi(faults=...)``.

    Each call to one of ``methods`` (lower case; by default the sending ones, not
    getUpdates) fails, with these probabilities, as a 429 "retry after ``retry_after``"
    (``rate_limited``), a 500 (``server_error``), or a late answer (``late``): the call is
    carried out, but its answer comes ``late_seconds`` later, after PTB's 5-second read
    timeout, so the client gives up without knowing that it worked. The draws come from
    ``random.Random(seed)``: the same sequence of faults on every run.
    """

    rate_limited: float = 0.0
    server_error: float = 0.0
    late: float = 0.0
    retry_after: int = 1
    late_seconds: float = 6.0
    seed: int = 0
    methods: frozenset[str] = SENDING_METHODS

    def __post_init__(self) -> None:
        if not 0 <= self.rate_limited + self.server_error + self.late <= 1:
            raise ValueError("the fault probabilities must add up to between 0 and 1")


# --------------------------------------------------------------------------- the server


class FakeBotApi:
    """A fake Telegram Bot API server on 127.0.0.1 for the real PTB ``Application``.

    Point PTB at it with ``ApplicationBuilder().token(api.token).base_url(api.base_url)``
    (and ``.base_file_url(api.base_file_url)`` for downloading files).
    State (users, chats, unconfirmed updates) outlives any one Application, so a test can
    stop the Application and start a new one against the same server to simulate a restart.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "reflect_test_bot",
        *,
        bot_first_name: str = "ReflectBot",
        clock: Callable[[], float] = time.time,
        round_trip: float = 0.0,
        faults: RandomFaults | None = None,
    ):
        """``round_trip``: seconds of simulated network between the bot and the server
        (every call, getUpdates included, arrives half of it late and is answered the
        other half later). ``faults``: random failures of calls (see ``RandomFaults``).
        Both can be changed while the server runs."""
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_first_name = bot_first_name
        self._clock = clock
        self.requests: list[ApiCall] = []
        self.users: dict[int, FakeUser] = {}
        self.groups: dict[int, FakeGroup] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._bot_messages: dict[int, list[BotMessage]] = defaultdict(list)
        # Messages not sent by the bot (users, anonymous admins, channel posts), by chat.
        self._user_messages: dict[tuple[int, int], JSON] = {}
        self._message_counters: dict[int, int] = defaultdict(int)
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._next_callback_id = 1
        self._files: dict[str, SentFile] = {}
        self._next_file = 1
        self._file_paths: dict[str, SentFile] = {}  # what getFile handed out, by file_path
        self._next_file_path = 0
        self.downloads: list[FileDownload] = []
        self._download_faults: deque[_DownloadFault] = deque()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._in_flight = 0
        self._last_activity = 0.0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        # Set by setWebhook, removed by deleteWebhook; while set, updates are POSTed to it.
        self.webhook: Webhook | None = None
        self._webhook_generation = 0
        self._delivery: asyncio.Task | None = None
        self.round_trip = round_trip
        self.faults = faults
        self.injected_faults: Counter[str] = Counter()  # "429", "500", "late": how many
        self._watchers: list[Callable[[FakeChat, BotMessage], None]] = []

    # ---- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._network])
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        # handler_cancellation: a long poll whose client went away (PTB cancels its pending
        # getUpdates on stop) ends at once instead of lingering until its timeout.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._closing = False
        self._delivery = asyncio.create_task(self._deliver_to_webhook(), name="fake-webhook")

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        await self._notify()  # release pending long polls
        if self._delivery is not None:
            self._delivery.cancel()
            [outcome] = await asyncio.gather(self._delivery, return_exceptions=True)
            self._delivery = None
            if isinstance(outcome, Exception):  # a bug in the delivery: fail the test
                raise outcome
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: PTB appends the token and ``/method``."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's ``base_file_url``: PTB appends the token and ``/file_path``."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ---- test-side API

    def user(
        self,
        user_id: int,
        first_name: str = "Ann",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The user with this id (created on first use); their private chat id is user_id."""
        if user_id not in self.users:
            self.users[user_id] = FakeUser(self, user_id, first_name, username, language_code)
        return self.users[user_id]

    def group(
        self, chat_id: int, title: str = "Youth team", *, kind: str = "supergroup"
    ) -> FakeGroup:
        """The group with this chat id (created on first use; the bot is not in it yet).

        ``kind`` is "supergroup" (ids like -1001234567890) or "group" (ids like -4567)."""
        if chat_id not in self.groups:
            if kind not in ("group", "supergroup"):
                raise ValueError(f"kind must be 'group' or 'supergroup', not {kind!r}")
            self._check_new_chat_id(chat_id)
            self.groups[chat_id] = FakeGroup(self, chat_id, title, kind)
        return self.groups[chat_id]

    def channel(self, chat_id: int, title: str = "Our channel") -> FakeChannel:
        """The channel with this chat id, e.g. -1009876543210 (created on first use; the bot
        is not in it yet)."""
        if chat_id not in self.channels:
            self._check_new_chat_id(chat_id)
            self.channels[chat_id] = FakeChannel(self, chat_id, title)
        return self.channels[chat_id]

    def calls(self, method: str) -> list[JSON]:
        """Parameters of every call to ``method`` so far (method names are case-insensitive)."""
        return [call.params for call in self.requests if call.method.lower() == method.lower()]

    @property
    def commands(self) -> list[JSON] | None:
        """The command list last set for the default scope and all languages."""
        return self._commands.get(("default", ""))

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON] | None:
        return self._commands.get((_scope_key(scope), language_code))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by an offset (delivered or not)."""
        return list(self._updates)

    def fail_next(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        error_code: int = 400,
        description: str | None = None,
    ) -> None:
        """Make the next call to ``method`` fail: 429 with ``retry_after`` if given, else
        ``error_code``/``description``. Calls queue up: call twice to fail two calls."""
        if retry_after is not None:
            error = ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        else:
            error = ApiError(error_code, description or "Bad Request: injected failure")
        self._failures[method.lower()].append(error)

    def fail_next_download(self, status: int = 500, description: str | None = None) -> None:
        """Make the next download of a file (one that exists, with the right token) fail:
        answered with HTTP ``status`` and Telegram's JSON error body instead of the bytes.
        Download faults queue up together with ``slow_next_download``/``cut_next_download``,
        one per download, in order. (getFile fails with ``fail_next("getFile", ...)``.)"""
        if not 400 <= status <= 599:
            raise ValueError(f"a failing download answers 4xx or 5xx, not {status}")
        text = description or _HTTP_REASONS.get(status, "injected failure")
        self._download_faults.append(_DownloadFault("error", status, text))

    def slow_next_download(self, seconds: float) -> None:
        """Make the next download stall for ``seconds`` half-way through the bytes (the
        headers and the first half come at once), then finish if the client still waits:
        longer than the client's read timeout (PTB: 5 s, or ``read_timeout=``) and the
        client gives up with TimedOut."""
        self._download_faults.append(_DownloadFault("slow", 200, seconds=seconds))

    def cut_next_download(self) -> None:
        """Make the next download break off: the headers promise every byte
        (Content-Length), half of them come, then the connection closes (for PTB a
        NetworkError)."""
        self._download_faults.append(_DownloadFault("cut", 200))

    @property
    def faults(self) -> RandomFaults | None:
        return self._faults

    @faults.setter
    def faults(self, faults: RandomFaults | None) -> None:
        """Set (or, with None, stop) random faults; the draws start again from the seed."""
        self._faults = faults
        self._fault_draws = random.Random(faults.seed if faults else 0)

    def watch(self, callback: Callable[[FakeChat, BotMessage], None]) -> None:
        """Call ``callback(chat, message)`` whenever the bot sends or edits a message, at the
        moment the server takes it; ``message`` is live (copy it to keep this state)."""
        self._watchers.append(callback)

    async def push_update(self, payload: JSON) -> int:
        """Queue an update (e.g. ``{"my_chat_member": {...}}``); returns its update_id."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        await self._notify()
        return update["update_id"]

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 5.0) -> None:
        """Wait until every queued update was confirmed by the bot, no call is in flight and
        the bot has been silent for ``quiet`` seconds, so "nothing more was sent" holds.

        Only API calls are visible here: raise ``quiet`` if a handler works longer than that
        before it calls the API."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            if not self._updates and not self._in_flight and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                recent = ", ".join(call.method for call in self.requests[-8:])
                raise AssertionError(
                    f"fake Telegram not idle after {timeout}s: {len(self._updates)} "
                    f"unconfirmed updates (is the Application polling?), {self._in_flight} "
                    f"calls in flight; last calls: {recent}"
                )
            await asyncio.sleep(0.02)

    # ---- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(ApiError(401, "Unauthorized").to_json(), 401)
        method = request.match_info["method"]
        handler = self._methods().get(method.lower())
        if handler is None:
            return _json_response(ApiError(404, "Not Found").to_json(), 404)
        polling = method.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
        values: dict[str, Any] = {}
        try:
            values = await _read_params(request)
            self.requests.append(ApiCall(method, _recorded(values)))
            failures = self._failures.get(method.lower())
            if failures:
                raise failures.popleft()
            result = await handler(_Params(values))
        except ApiError as error:
            if not polling:
                self._note_failure(method, values, error)
            return _json_response(error.to_json(), error.error_code)
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = asyncio.get_running_loop().time()
                await self._notify()
        return _json_response({"ok": True, "result": result}, 200)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """``GET /file/bot<token>/<file_path>``: the bytes of a file getFile handed out."""
        file_path = request.match_info["file_path"]
        file = self._file_paths.get(file_path)
        if request.match_info["token"] != self.token or file is None or file.content is None:
            self.downloads.append(FileDownload(file_path, 404, None, None))
            return _json_response(ApiError(404, "Not Found").to_json(), 404)
        fault = self._download_faults.popleft() if self._download_faults else None
        if fault is None:
            self.downloads.append(FileDownload(file_path, 200, file.file_id, None))
        else:
            self.downloads.append(FileDownload(file_path, fault.status, file.file_id, fault.kind))
        if fault is None:
            event = f"bot downloaded {file_path}"
        elif fault.kind == "error":
            event = f"bot download of {file_path} FAILED: {fault.status} {fault.description}"
        else:
            event = f"bot downloaded {file_path} ({fault.kind})"
        chat = self._known_chat(file.chat_id) if file.chat_id is not None else None
        if chat is not None:
            chat._events.append(event)
        self._in_flight += 1
        try:
            if fault is None:
                return web.Response(body=file.content, content_type=_content_type(file))
            if fault.kind == "error":
                error = ApiError(fault.status, fault.description)
                return _json_response(error.to_json(), fault.status)
            return await self._faulty_download(request, file.content, _content_type(file), fault)
        finally:
            self._in_flight -= 1
            self._last_activity = asyncio.get_running_loop().time()
            await self._notify()

    async def _faulty_download(
        self, request: web.Request, content: bytes, content_type: str, fault: _DownloadFault
    ) -> web.StreamResponse:
        """Half the bytes, then a pause and the rest ("slow"), or a closed connection
        ("cut")."""
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.content_length = len(content)
        await response.prepare(request)
        half = len(content) // 2
        await response.write(content[:half])
        if fault.kind == "cut":
            assert request.transport is not None
            request.transport.close()
            return response
        await asyncio.sleep(fault.seconds)
        await response.write(content[half:])
        await response.write_eof()
        return response

    @web.middleware
    async def _network(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Around every call: the simulated round trip, and the random faults."""
        if self.round_trip:
            await asyncio.sleep(self.round_trip / 2)  # the request on its way
        fault = self._draw_fault(request.match_info.get("method", ""))
        if fault == "429":
            retry_after = self._faults.retry_after if self._faults else 1
            error = ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
            response: web.StreamResponse = _json_response(error.to_json(), 429)
        elif fault == "500":
            response = _json_response(ApiError(500, "Internal Server Error").to_json(), 500)
        else:
            response = await handler(request)
            if fault == "late" and self._faults is not None:
                await asyncio.sleep(self._faults.late_seconds)  # the client gives up first
        if self.round_trip:
            await asyncio.sleep(self.round_trip / 2)  # the answer on its way back
        return response

    def _draw_fault(self, method: str) -> str | None:
        faults = self._faults
        if faults is None or method.lower() not in faults.methods:
            return None
        draw = self._fault_draws.random()
        for kind, probability in (
            ("429", faults.rate_limited),
            ("500", faults.server_error),
            ("late", faults.late),
        ):
            if draw < probability:
                self.injected_faults[kind] += 1
                return kind
            draw -= probability
        return None

    def _announce(self, chat: FakeChat, message: BotMessage) -> None:
        for callback in self._watchers:
            callback(chat, message)

    def _methods(self) -> dict[str, Callable[[_Params], Any]]:
        return {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setwebhook": self._set_webhook,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "leavechat": self._leave_chat,
            "getchat": self._get_chat,
            "getfile": self._get_file,
        }

    def _note_failure(self, method: str, values: dict[str, Any], error: ApiError) -> None:
        """Put a failed call into the transcript of the chat it was about, if any."""
        chat: FakeChat | None = None
        query = self._callback_queries.get(str(values.get("callback_query_id")))
        if query is not None:
            chat = self._known_chat(query.chat_id)
        elif isinstance(values.get("chat_id"), str | int):
            try:
                chat = self._known_chat(int(values["chat_id"]))
            except ValueError:
                chat = None
        elif isinstance(values.get("file_id"), str) and values["file_id"] in self._files:
            chat_id = self._files[values["file_id"]].chat_id  # where a user sent the file
            chat = self._known_chat(chat_id) if chat_id is not None else None
        if chat is not None:
            chat._events.append(f"bot {method} FAILED: {error.error_code} {error.description}")

    # ---- methods

    async def _get_me(self, params: _Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _delete_webhook(self, params: _Params) -> bool:
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None  # updates wait for getUpdates again
        self._webhook_generation += 1
        await self._notify()
        return True

    async def _get_webhook_info(self, params: _Params) -> JSON:
        if self.webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        return self.webhook.to_api(len(self._deliverable()), self._allowed_updates)

    async def _set_webhook(self, params: _Params) -> bool:
        """Deliver updates to ``url`` from now on (an empty url: as deleteWebhook)."""
        url = params.string("url") or ""
        if not url:
            return await self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not _is_loopback(parts.hostname):  # unlike Telegram: the fake never calls out
            raise bad_request("bad webhook: the fake Bot API delivers to loopback addresses only")
        secret_token = params.string("secret_token") or None
        if secret_token is not None and not _SECRET_TOKEN.match(secret_token):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections", 40) or 0
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            self._allowed_updates = list(params.json("allowed_updates")) or None
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        self.webhook = Webhook(url, secret_token, max_connections)
        self._webhook_generation += 1
        self._poll_generation += 1  # a pending long poll ends: terminated by setWebhook
        await self._notify()
        return True

    async def _deliver_to_webhook(self) -> None:
        """While a webhook is set, POST the oldest pending update to it until it answers 2xx,
        then the next: one at a time, in order, as long as the server runs."""
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        failures, generation = 0, self._webhook_generation
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while True:
                webhook, update = await self._next_for_webhook()
                if generation != self._webhook_generation:  # set again: start afresh
                    failures, generation = 0, self._webhook_generation
                error = await _post_update(http, webhook, update)
                if error is None:
                    failures = 0
                    delivered = update["update_id"]
                    self._updates = [u for u in self._updates if u["update_id"] != delivered]
                    self._last_activity = asyncio.get_running_loop().time()
                    await self._notify()
                else:
                    failures += 1
                    webhook.last_error_date, webhook.last_error_message = self._now(), error
                    await self._pause_delivery(failures)

    async def _next_for_webhook(self) -> tuple[Webhook, JSON]:
        """Wait until a webhook is set and an update is pending: both, the oldest update."""
        async with self._changed:
            while True:
                if self.webhook is not None:
                    pending = self._deliverable()
                    if pending:
                        return self.webhook, pending[0]
                await self._changed.wait()

    async def _pause_delivery(self, failures: int) -> None:
        """The pause after a failed delivery, cut short by a new setWebhook or deleteWebhook."""
        delay = min(WEBHOOK_RETRY_FIRST * 2 ** min(failures - 1, 10), WEBHOOK_RETRY_LONGEST)
        generation = self._webhook_generation
        try:
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._webhook_generation != generation), delay
                )
        except TimeoutError:
            pass

    async def _get_updates(self, params: _Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = params.integer("offset", 0) or 0
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = max(params.number("timeout", 0.0), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = list(params.json("allowed_updates")) or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        await self._notify()  # an older long poll now ends with 409 Conflict

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._changed:
            while True:
                if generation != self._poll_generation:
                    ended_by = _CONFLICT if self.webhook is None else _TERMINATED_BY_SET_WEBHOOK
                    raise ApiError(409, ended_by)
                batch = self._deliverable()[:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closing:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    pass
        if batch:
            self._last_activity = loop.time()
        return batch

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self._last_activity = asyncio.get_running_loop().time()

    def _deliverable(self) -> list[JSON]:
        """Pending updates of the allowed types; others are dropped, as Telegram does."""
        self._updates = [u for u in self._updates if self._is_allowed(_update_type(u))]
        return list(self._updates)

    def _is_allowed(self, update_type: str) -> bool:
        if self._allowed_updates is None:
            return update_type not in _NOT_DELIVERED_BY_DEFAULT
        return update_type in self._allowed_updates

    async def _send_message(self, params: _Params) -> JSON:
        chat = self._chat(params)
        text = params.string("text") or ""
        if not text.strip():
            raise bad_request("message text is empty")
        plain, entities = format_text(text, params.string("parse_mode"), params.json("entities"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_length(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        markup = self._markup(params)
        message = self._new_bot_message(chat, params)
        message.text, message.entities, message.source_text = plain, entities, text
        message.parse_mode = params.string("parse_mode")
        message.reply_markup = markup
        message.link_preview_options = params.json("link_preview_options")
        if message.link_preview_options is None and params.flag("disable_web_page_preview"):
            message.link_preview_options = {"is_disabled": True}
        return await self._record_bot_message(chat, message)

    async def _send_document(self, params: _Params) -> JSON:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: _Params) -> JSON:
        return await self._send_media(params, "photo")

    async def _send_media(self, params: _Params, kind: str) -> JSON:
        chat = self._chat(params)
        file = self._uploaded_file(params.raw(kind), kind)
        caption = params.string("caption")
        entities: list[JSON] = []
        if caption is not None:
            caption, entities = format_text(
                caption, params.string("parse_mode"), params.json("caption_entities")
            )
            if utf16_length(caption) > MAX_CAPTION_LENGTH:
                raise bad_request("message caption is too long")
        markup = self._markup(params)
        message = self._new_bot_message(chat, params)
        message.caption, message.entities = caption, entities
        message.source_text = params.string("caption")
        message.parse_mode = params.string("parse_mode")
        message.reply_markup = markup
        setattr(message, kind, file)
        return await self._record_bot_message(chat, message)

    async def _edit_message_text(self, params: _Params) -> JSON:
        chat, message = self._message_to_edit(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = params.string("text") or ""
        if not text.strip():
            raise bad_request("message text is empty")
        plain, entities = format_text(text, params.string("parse_mode"), params.json("entities"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_length(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        # Without reply_markup, Telegram removes the inline keyboard.
        markup = self._markup(params)
        if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        self._save_version(message)
        message.text, message.entities, message.source_text = plain, entities, text
        message.parse_mode = params.string("parse_mode")
        message.reply_markup = markup
        if "link_preview_options" in params:
            message.link_preview_options = params.json("link_preview_options")
        chat._events.append(f"bot edited #{message.message_id}: {message.describe()}")
        self._announce(chat, message)
        await self._notify()
        return message.to_api()

    async def _edit_message_reply_markup(self, params: _Params) -> JSON:
        chat, message = self._message_to_edit(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        self._save_version(message)
        message.reply_markup = markup
        chat._events.append(f"bot edited keyboard of #{message.message_id}: {message.button_texts}")
        self._announce(chat, message)
        await self._notify()
        return message.to_api()

    async def _delete_message(self, params: _Params) -> bool:
        chat = self._chat(params)
        message_id = params.integer("message_id")
        message = self._bot_message(chat.id, message_id) if message_id is not None else None
        key = (chat.id, message_id or 0)
        if message is not None and not message.deleted:
            message.deleted = True
            chat._events.append(f"bot deleted #{message.message_id}")
        elif key in self._user_messages:
            if not chat._bot_can_delete_others_messages():
                raise bad_request("message can't be deleted")
            author = _author_name(self._user_messages.pop(key))
            chat._events.append(f"bot deleted {author}'s #{message_id}")
        else:
            raise bad_request("message to delete not found")
        await self._notify()
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.string("callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(_QUERY_TOO_OLD)
        query.answered = True
        answer = CallbackAnswer(
            query_id=query_id,
            text=params.string("text"),
            show_alert=params.flag("show_alert"),
            url=params.string("url"),
        )
        user = self.users[query.user_id]
        user.callback_answers.append(answer)
        chat = self._known_chat(query.chat_id) or user
        whose = "the" if chat is user else f"{user.first_name}'s"
        chat._events.append(
            f"bot answered {whose} press: {answer.text!r}"
            + (" (alert)" if answer.show_alert else "")
        )
        await self._notify()
        return True

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND.match(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be non-empty")
        key = (_scope_key(params.json("scope")), params.string("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: _Params) -> list[JSON]:
        key = (_scope_key(params.json("scope")), params.string("language_code") or "")
        return list(self._commands.get(key, []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        key = (_scope_key(params.json("scope")), params.string("language_code") or "")
        self._commands.pop(key, None)
        return True

    async def _send_chat_action(self, params: _Params) -> bool:
        chat = self._chat(params)
        action = params.string("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        return True

    async def _leave_chat(self, params: _Params) -> bool:
        chat = self._resolve_chat(params)
        if not isinstance(chat, _SharedChat):
            raise bad_request("chat member status can't be changed in private chats")
        refusal = chat._refusal()
        if refusal is not None:
            raise refusal
        # Telegram tells the bot about its own departure, too (``from`` is the bot).
        await chat._change_bot_status(self.bot_user, "left", "the bot left (leaveChat)")
        return True

    async def _get_chat(self, params: _Params) -> JSON:
        """A minimal ChatFullInfo. Groups and channels must have the bot in them."""
        chat = self._resolve_chat(params)
        if isinstance(chat, _SharedChat):
            refusal = chat._refusal()
            if refusal is not None:
                raise refusal
        return {
            **chat.chat_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, params: _Params) -> JSON:
        """A ``File``: the file_path to download from (none if the fake never had the bytes:
        a file the bot sent by URL). Telegram's errors for an unknown or malformed file_id
        and for a file over the 20 MB a bot may download."""
        file = self._files.get(params.string("file_id") or "")
        if file is None:
            raise bad_request("invalid file_id")
        result: JSON = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
        if file.size is None:
            return result
        if file.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        result["file_size"] = file.size
        result["file_path"] = self._file_path(file)
        return result

    # ---- helpers for the methods

    def _chat(self, params: _Params) -> FakeChat:
        """The chat addressed by chat_id, if the bot may send there: 400 if unknown, 403 if
        the user blocked the bot or the bot is not (or no longer) in the group/channel."""
        chat = self._resolve_chat(params)
        refusal = chat._refusal()
        if refusal is not None:
            raise refusal
        return chat

    def _resolve_chat(self, params: _Params) -> FakeChat:
        chat_id = params.string("chat_id")
        if not chat_id:
            raise bad_request("chat_id is empty")
        chat: FakeChat | None
        if chat_id.startswith("@"):
            chat = next((u for u in self.users.values() if f"@{u.username}" == chat_id), None)
        else:
            try:
                chat = self._known_chat(int(chat_id))
            except ValueError:
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _known_chat(self, chat_id: int) -> FakeChat | None:
        return self.users.get(chat_id) or self.groups.get(chat_id) or self.channels.get(chat_id)

    def _check_new_chat_id(self, chat_id: int) -> None:
        if not isinstance(chat_id, int) or chat_id >= 0:
            raise ValueError(f"group and channel chat ids are negative, not {chat_id!r}")
        if self._known_chat(chat_id) is not None:
            raise ValueError(f"chat id {chat_id} is already {self._known_chat(chat_id)!r}")

    def _check_user(self, user: FakeUser) -> None:
        if not isinstance(user, FakeUser) or self.users.get(user.id) is not user:
            raise TypeError(f"expected a FakeUser of this server, got {user!r}")

    def _markup(self, params: _Params) -> JSON | None:
        """reply_markup, validated like Telegram validates inline keyboards."""
        markup = params.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            buttons = [button for row in rows for button in row]
            if len(buttons) > MAX_INLINE_BUTTONS:
                raise bad_request("reply markup is too long")
            for button in buttons:
                _check_inline_button(button)
            return markup
        if {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _new_bot_message(self, chat: FakeChat, params: _Params) -> BotMessage:
        reply_to = None
        reply_parameters = params.json("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        else:
            reply_to = params.integer("reply_to_message_id")
            allow_missing = params.flag("allow_sending_without_reply")
        if reply_to is not None and not self._message_exists(chat.id, int(reply_to)):
            if not allow_missing:
                raise bad_request("message to be replied not found")
            reply_to = None
        in_channel = chat.kind == "channel"  # posted as the channel: no "from"
        return BotMessage(
            message_id=self._next_message_id(chat.id),
            chat_id=chat.id,
            date=self._now(),
            reply_to_message_id=int(reply_to) if reply_to is not None else None,
            chat=chat.chat_json(),
            sender={} if in_channel else self.bot_user,
            sender_chat=chat.chat_json() if in_channel else None,
        )

    async def _record_bot_message(self, chat: FakeChat, message: BotMessage) -> JSON:
        self._bot_messages[chat.id].append(message)
        self._announce(chat, message)
        chat._events.append(f"bot #{message.message_id}: {message.describe()}")
        await self._notify()
        result = message.to_api()
        if message.reply_to_message_id is not None:
            result["reply_to_message"] = self._message_json(chat.id, message.reply_to_message_id)
        return result

    def _message_to_edit(self, params: _Params) -> tuple[FakeChat, BotMessage]:
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")
        chat = self._chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self._bot_message(chat.id, message_id)
        if message is None or message.deleted:
            if (chat.id, message_id) in self._user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    def _save_version(self, message: BotMessage) -> None:
        message.history.append(
            MessageVersion(
                message.text if message.text is not None else message.caption,
                list(message.entities),
                message.reply_markup,
                message.edit_date,
            )
        )
        message.edit_date = self._now()

    def _uploaded_file(self, value: Any, kind: str) -> SentFile:
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        folder = "photos" if kind == "photo" else "documents"
        if isinstance(value, web.FileField):
            value.file.seek(0)
            content = value.file.read()
            if not content:
                raise bad_request("file must be non-empty")
            return self._new_file(value.filename, content, value.content_type, folder=folder)
        if not isinstance(value, str):
            raise bad_request(f"wrong type of the {kind}")
        if value in self._files:
            return self._files[value]
        if value.startswith(("http://", "https://")):
            return self._new_file(value.rsplit("/", 1)[-1] or None, None, None, folder=folder)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _new_file(
        self,
        filename: str | None,
        content: bytes | None,
        mime: str | None,
        *,
        folder: str = "documents",
        chat: FakeChat | None = None,
    ) -> SentFile:
        number = self._next_file
        self._next_file += 1
        file = SentFile(
            f"fake-file-{number}",
            f"fake-unique-{number}",
            filename,
            content,
            mime,
            folder=folder,
            chat_id=chat.id if chat is not None else None,
        )
        self._files[file.file_id] = file
        return file

    def _file_path(self, file: SentFile) -> str:
        """``file``'s path for downloads, chosen at its first getFile and kept after."""
        if file.file_path is None:
            file.file_path = f"{file.folder}/file_{self._next_file_path}{_file_extension(file)}"
            self._next_file_path += 1
            self._file_paths[file.file_path] = file
        return file.file_path

    # ---- helpers for the test-side API

    async def _push_message(
        self,
        chat: FakeChat,
        content: JSON,
        who: str,
        description: str,
        *,
        sender: JSON | None,
        sender_chat: JSON | None = None,
        reply_to: int | None = None,
        update_type: str = "message",
    ) -> int:
        """A message from someone other than the bot, stored and queued as an update."""
        message_id = self._next_message_id(chat.id)
        message: JSON = {"message_id": message_id}
        if sender is not None:
            message["from"] = sender
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        message["chat"] = chat.chat_json()
        message["date"] = self._now()
        if reply_to is not None:
            if not self._message_exists(chat.id, reply_to):
                raise AssertionError(
                    f"no message #{reply_to} in {chat._chat_name} to reply to\n" + chat.transcript()
                )
            message["reply_to_message"] = self._message_json(chat.id, reply_to)
        message.update(content)
        self._user_messages[(chat.id, message_id)] = message
        replying = f" (reply to #{reply_to})" if reply_to is not None else ""
        chat._events.append(f"{who} #{message_id}{replying}: {description}")
        await self.push_update({update_type: message})
        return message_id

    async def _push_edit(
        self, chat: FakeChat, editor: FakeUser | None, message_id: int, text: str
    ) -> None:
        """``editor`` (None: the channel itself) edits their message ``message_id``."""
        original = self._user_messages.get((chat.id, message_id))
        if editor is None:
            mine = original is not None and "from" not in original
            who = "the channel"
        else:
            mine = original is not None and original.get("from", {}).get("id") == editor.id
            who = editor.first_name
        if original is None or not mine:
            raise AssertionError(
                f"{who} sent no message #{message_id} to edit in {chat._chat_name}"
            )
        edited = {**original, "edit_date": self._now()}
        edited.pop("entities", None)
        edited.update(_text_content(text))
        self._user_messages[(chat.id, message_id)] = edited
        chat._events.append(f"{who} edited #{message_id}: {text}")
        update_type = "edited_channel_post" if chat.kind == "channel" else "edited_message"
        await self.push_update({update_type: edited})

    async def _press(
        self,
        chat: FakeChat,
        user: FakeUser,
        message: BotMessage | int,
        button_text: str | None,
        callback_data: str | None,
    ) -> str:
        """``user`` presses a callback button of a bot message in ``chat``."""
        current = self._bot_message(chat.id, _message_id(message))
        if current is None or current.deleted:
            raise AssertionError(
                f"no bot message #{_message_id(message)} in {chat._chat_name}\n" + chat.transcript()
            )
        candidates = [
            (text, data) for row in current.buttons for text, data in row if data is not None
        ]
        if callback_data is not None:
            candidates = [(t, d) for t, d in candidates if d == callback_data]
        if button_text is not None:
            exact = [(t, d) for t, d in candidates if t == button_text]
            candidates = exact or [(t, d) for t, d in candidates if button_text in t]
        if len(candidates) != 1:
            wanted = ", ".join(
                f"{name}={value!r}"
                for name, value in (("text", button_text), ("data", callback_data))
                if value is not None
            )
            problem = "is ambiguous" if candidates else "matches no callback button"
            raise AssertionError(
                f"press({wanted or 'no criteria'}) {problem} on message "
                f"#{current.message_id} {current.text!r}; its buttons are "
                f"{current.buttons}"
            )
        text, data = candidates[0]
        chat._events.append(f"{user.first_name} pressed [{text}] on #{current.message_id}")
        return await self._queue_callback_query(chat, user, current.to_api(), data=data or "")

    async def _press_raw(
        self,
        chat: FakeChat,
        user: FakeUser,
        message_id: int,
        *,
        data: str | None = None,
        game_short_name: str | None = None,
    ) -> str:
        """A callback query on ``message_id``, whatever its buttons (or if it is gone)."""
        current = self._bot_message(chat.id, message_id)
        if current is not None and not current.deleted:
            message = current.to_api()
        else:  # Bot API InaccessibleMessage
            message = {"chat": chat.chat_json(), "message_id": message_id, "date": 0}
        what = f"raw {data!r}" if game_short_name is None else f"game {game_short_name!r}"
        chat._events.append(f"{user.first_name} pressed {what} on #{message_id}")
        return await self._queue_callback_query(
            chat, user, message, data=data, game_short_name=game_short_name
        )

    async def _queue_callback_query(
        self,
        chat: FakeChat,
        user: FakeUser,
        message: JSON,
        *,
        data: str | None,
        game_short_name: str | None = None,
    ) -> str:
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._callback_queries[query_id] = _CallbackQuery(user.id, chat.id)
        query: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "message": message,
            "chat_instance": f"instance-{chat.id}",
        }
        if data is not None:
            query["data"] = data
        if game_short_name is not None:
            query["game_short_name"] = game_short_name
        await self.push_update({"callback_query": query})
        return query_id

    def _bot_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        return next(
            (m for m in self._bot_messages.get(chat_id, []) if m.message_id == message_id), None
        )

    def _message_exists(self, chat_id: int, message_id: int) -> bool:
        bot_message = self._bot_message(chat_id, message_id)
        if bot_message is not None:
            return not bot_message.deleted
        return (chat_id, message_id) in self._user_messages

    def _message_json(self, chat_id: int, message_id: int) -> JSON:
        """A message as Telegram nests it in another (a reply, a pin): one level deep."""
        bot_message = self._bot_message(chat_id, message_id)
        if bot_message is not None:
            return bot_message.to_api()
        message = copy.deepcopy(self._user_messages[(chat_id, message_id)])
        message.pop("reply_to_message", None)
        return message

    def _next_message_id(self, chat_id: int) -> int:
        self._message_counters[chat_id] += 1
        return self._message_counters[chat_id]

    def _now(self) -> int:
        return int(self._clock())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(
        self, condition: Callable[[], bool], timeout: float, failure: Callable[[], str]
    ) -> None:
        """Bounded wait for a condition on server state, re-checked on every change."""
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
        except TimeoutError:
            raise AssertionError(failure()) from None


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    } & button.keys()
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


def _author_name(message: JSON) -> str:
    sender = message.get("sender_chat") or message.get("from") or {}
    return str(sender.get("first_name") or sender.get("title") or "someone")


def _update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def _scope_key(scope: Any) -> str:
    if not scope or (isinstance(scope, dict) and scope.get("type") == "default"):
        return "default"
    return json.dumps(scope, sort_keys=True)


_HTTP_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    404: "Not Found",
}


def _content_type(file: SentFile) -> str:
    return file.mime_type or "application/octet-stream"


def _json_response(body: JSON, status: int) -> web.Response:
    return web.json_response(body, status=status)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _post_update(http: aiohttp.ClientSession, webhook: Webhook, update: JSON) -> str | None:
    """POST one update to the webhook: None if it answered 2xx, else what went wrong, in
    the words of getWebhookInfo's ``last_error_message``."""
    headers = {}
    if webhook.secret_token is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
    try:
        async with http.post(webhook.url, json=update, headers=headers) as response:
            await response.read()
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
    except TimeoutError:
        return "Read timeout expired"
    except aiohttp.ClientConnectorError:
        return "Connection refused"
    except aiohttp.ClientError as error:
        return f"Connection failed: {type(error).__name__}"
