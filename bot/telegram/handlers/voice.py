"""Voice notes: transcribed on this machine, then used, corrected or discarded."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

from telegram import Audio, Update, Voice
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop
from telegram.warnings import PTBDeprecationWarning

from bot.services import NoteOffer
from bot.services.intake import EmptyText, Held, Received
from bot.services.voice_notes import (
    Busy,
    Heard,
    NothingHeard,
    Outcome,
    TooBig,
    TooLong,
    Unreadable,
    VoiceOff,
)
from bot.telegram import callback_data as cd
from bot.telegram import views, voice_views
from bot.telegram.context import Context
from bot.telegram.gate import next_message
from bot.telegram.handlers.common import (
    SLOW_WORK,
    button_handler,
    consented_user,
    edit,
    reply,
    showing,
)
from bot.telegram.handlers.reflecting import own_names, show_finished, show_result
from prompts import t
from storage import User, VoiceTranscript


async def voice_note(update: Update, context: Context) -> None:
    """A voice note or audio file: fetched, transcribed off the event loop (one note at a
    time for the whole bot), and shown back with the choice to use, correct or discard."""
    user = await consented_user(update, context)
    if user is None:
        return
    message = update.message
    media = message.voice or message.audio
    voice = context.services.voice
    earlier = voice.heard_before(user.id, message.message_id)
    if earlier is not None:  # heard before the bot stopped; the reply never went out
        await _show(update, context, user, Heard(earlier))
        return
    refusal = voice.refusal(_seconds(media), media.file_size)
    if refusal is not None:
        await _show(update, context, user, refusal)
        return
    async with showing(update.effective_chat, ChatAction.TYPING):
        with voice.receiving() as path:
            try:
                file = await media.get_file()
                await file.download_to_drive(path)
            except TelegramError:
                await _refuse(update, context, user, t("voice.download_failed"))
                return
            outcome = await voice.transcribe(user.id, path, message.message_id, message.date)
    await _show(update, context, user, outcome)


def _seconds(media: Voice | Audio) -> float:
    """The note's length as Telegram gives it (an int now, a timedelta in a later PTB)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # "will be a timedelta"
        duration = media.duration
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


async def _show(update: Update, context: Context, user: User, outcome: Outcome) -> None:
    match outcome:
        case Heard(transcript):
            step = context.services.reflecting.current_step(user.id)
            await reply(update, voice_views.heard(transcript, step))
        case TooLong(seconds, limit):
            await _refuse(update, context, user, voice_views.too_long(seconds, limit))
        case TooBig():
            await _refuse(update, context, user, t("voice.too_big"))
        case Busy():
            await _refuse(update, context, user, t("voice.busy"))
        case NothingHeard():
            await _refuse(update, context, user, t("voice.nothing"))
        case Unreadable():
            await _refuse(update, context, user, t("voice.unreadable"))
        case VoiceOff():
            await _refuse(update, context, user, t("voice.off"))


async def _refuse(update: Update, context: Context, user: User, why: str) -> None:
    """Say why the note was not used; the question waiting, if any, is asked again."""
    await reply(update, why)
    step = context.services.reflecting.current_step(user.id)
    if step is not None:  # nothing to decide: the question still waits
        await reply(update, views.question(step))


@button_handler(cd.VoiceChoice)
async def voice_choice(
    update: Update, context: Context, user: User, action: cd.VoiceChoice
) -> None:
    query, voice = update.callback_query, context.services.voice
    transcript = voice.owned(user.id, action.transcript_id)
    if action.action == "discard":
        voice.discard(user.id, transcript.id)
        await query.answer()
        await edit(query, t("voice.discarded"))
        return
    if action.action == "correct":
        voice.start_correction(user.id, transcript.id)
        await query.answer()
        await reply(update, t("voice.correct"))
        for block in voice_views.copyable(transcript):
            await reply(update, block)
        return
    await query.answer()
    # Under the voice note's message: a tap repeated after a restart (the transcript not
    # yet forgotten) finds the answer stored already and does not store it twice.
    result, taken = await _go_on(
        update, context, transcript, transcript.text, transcript.message_id, transcript.arrived_at
    )
    if not taken:  # other held text comes first; this transcript waits with its buttons
        await show_result(update, context, result)
        await reply(update, t("voice.waits"))
        return
    if isinstance(result, NoteOffer) and not result.extended:
        # "Use it as a quick note?" was the question: tapping Use it saves it, once.
        async with showing(update.effective_chat, ChatAction.TYPING, after=SLOW_WORK):
            finished = await context.services.reflecting.save_note(user.id, result.reflection.id)
        await show_finished(update, context, finished, query)
        return
    await edit(query, voice_views.used(transcript))
    await show_result(update, context, result)


async def _go_on(
    update: Update,
    context: Context,
    transcript: VoiceTranscript,
    text: str,
    message_id: int,
    sent_at: datetime,
) -> tuple[Received, bool]:
    """``text`` goes on as a typed message would; then the transcript is forgotten (True),
    unless the text was blank or other held text still waits for a choice (the transcript
    then keeps its buttons for later)."""
    async with showing(update.effective_chat, ChatAction.TYPING, after=SLOW_WORK):
        result = await context.services.intake.receive_text(
            transcript.user_id,
            text,
            message_id=message_id,
            sent_at=sent_at,
            own_names=own_names(update),
        )
    taken = not isinstance(result, EmptyText) and not (isinstance(result, Held) and result.again)
    if taken:
        context.services.voice.used(transcript)
    return result, taken


async def corrections_take_the_next_message(update: object, context: Context) -> None:
    """After "Correct it", the practitioner's next text message replaces the transcript
    and goes on as typed text. Anything else they do first (a command, another button, a
    new voice note) ends the correction; the transcript keeps its buttons."""
    kind = next_message(update, (cd.VoiceChoice, cd.HeldChoice))
    if kind == "ignore":
        return
    assert isinstance(update, Update) and update.effective_user is not None
    voice = context.services.voice
    user_id = update.effective_user.id
    transcript = voice.being_corrected(user_id)
    if transcript is None:
        return
    if kind != "text":
        voice.stop_correction(user_id)
        return
    message = update.message
    user = await consented_user(update, context)
    if user is None:
        return
    result, _ = await _go_on(
        update, context, transcript, message.text, message.message_id, message.date
    )
    await show_result(update, context, result)
    raise ApplicationHandlerStop
