"""Building the PTB Application: handlers, command menu, error handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services.container import Services
from bot.telegram import callback_data as cd
from bot.telegram import gate
from bot.telegram.bulk import BulkSender
from bot.telegram.context import CONTEXT_TYPES, BotData, Context
from bot.telegram.digest_jobs import DigestJobs
from bot.telegram.handlers import (
    about,
    export,
    fallbacks,
    guard,
    history,
    learning,
    nudges,
    onboarding,
    privacy,
    progress,
    reflecting,
    review,
    settings,
    supervision,
    tagging,
    voice,
)
from bot.telegram.inbox import InboxQueue
from bot.telegram.nudge_jobs import NudgeJobs
from bot.telegram.sending import RetryingRateLimiter
from bot.telegram.update_processor import PerPractitionerUpdateProcessor
from prompts import t

COMMANDS = (
    "start",
    "reflect",
    "skip",
    "cancel",
    "history",
    "progress",
    "export",
    "goals",
    "supervisor",
    "supervisors",
    "settings",
    "pause",
    "resume",
    "mydata",
    "forget",
    "help",
)
COMMAND_DESCRIPTION_KEYS = {
    "start": "commands.start",
    "reflect": "commands.reflect",
    "skip": "commands.skip",
    "cancel": "commands.cancel",
    "history": "commands.history",
    "progress": "commands.progress",
    "export": "commands.export",
    "goals": "commands.goals",
    "supervisor": "commands.supervisor",
    "supervisors": "commands.supervisors",
    "settings": "commands.settings",
    "pause": "commands.pause",
    "resume": "commands.resume",
    "mydata": "commands.mydata",
    "forget": "commands.forget",
    "help": "commands.help",
}
# Loose text never saved is deleted 24 hours after it arrived: checked this often.
PURGE_INTERVAL = timedelta(minutes=10)
CONNECTIONS = 16  # to the Bot API, shared by all replies (getUpdates has its own)
POOL_WAIT_SECONDS = 10.0
log = logging.getLogger(__name__)
_background: set[asyncio.Task] = set()  # strong references until they finish


def _carries(kind: type) -> Callable[[object], bool]:
    """A callback-data pattern matching well-formed button data of one kind only."""
    return lambda data: isinstance(cd.parse(data), kind)


def _matches_nothing(data: object) -> bool:
    return False


def build_application(
    services: Services, *, purge_interval: timedelta = PURGE_INTERVAL
) -> Application:
    """The bot, wired to ``services``, talking to the Bot API at the configured address."""
    settings = services.settings
    queue = InboxQueue()
    queue.inbox = services.inbox
    application = (
        ApplicationBuilder()
        .token(settings.token.get())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)  # voice notes are fetched from the same server
        .context_types(CONTEXT_TYPES)
        .post_init(_start_up)
        .post_stop(_shut_down)
        # Also after a start that failed once post_init had run (a refused webhook, say),
        # when PTB shuts down without stopping: nothing is left pending either way.
        .post_shutdown(_shut_down)
        # Each update written down before Telegram is told it arrived, and marked handled
        # once dealt with; each practitioner's in order, different ones side by side.
        .update_queue(queue)
        .rate_limiter(RetryingRateLimiter())
        # A few connections, reused: httpx looks over every pooled connection on each
        # request, and PTB's 256 made that half of the event loop's work under load.
        # A request waits up to POOL_WAIT_SECONDS for one, then counts as a network error.
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(POOL_WAIT_SECONDS)
        .concurrent_updates(PerPractitionerUpdateProcessor(on_handled=queue.handled))
        .build()
    )
    bot_data: BotData = application.bot_data
    bot_data.services = services
    bot_data.sender = BulkSender(application.bot, on_blocked=services.users.blocked)
    bot_data.nudge_jobs = NudgeJobs(application, services, bot_data.sender)
    bot_data.digest_jobs = DigestJobs(application, services, bot_data.sender)
    add_handlers(application)
    application.job_queue.run_repeating(
        _purge_unsaved, interval=purge_interval, first=purge_interval, name="purge-unsaved"
    )
    return application


def add_handlers(application: Application) -> None:
    # Before anything else: private chats only, at a human pace; someone who blocked the
    # bot and writes again is active again; a rewrite from /history takes only the next
    # message; so does a setting asked for by a button (a time, a date, a name), before
    # it could be taken as an answer; so does the correction of a voice note's transcript.
    # (Each group runs in turn, lowest first.)
    application.add_handler(TypeHandler(Update, gate.private_chats_only), group=-6)
    application.add_handler(TypeHandler(Update, gate.at_a_human_pace), group=-5)
    application.add_handler(TypeHandler(Update, gate.present_again), group=-4)
    application.add_handler(TypeHandler(Update, gate.rewrites_take_the_next_message), group=-3)
    application.add_handler(TypeHandler(Update, settings.typed_input), group=-2)
    application.add_handler(TypeHandler(Update, voice.corrections_take_the_next_message), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start),
            CommandHandler("help", onboarding.help_command),
            CommandHandler("reflect", reflecting.reflect),
            CommandHandler("skip", reflecting.skip),
            CommandHandler("cancel", reflecting.cancel),
            CommandHandler("history", history.history),
            CommandHandler("progress", progress.progress),
            CommandHandler("export", export.export),
            CommandHandler("goals", learning.goals),
            CommandHandler("supervisor", supervision.supervisor),
            CommandHandler("supervisors", supervision.supervisors),
            CommandHandler("mydata", privacy.mydata),
            CommandHandler("forget", privacy.forget),
            CommandHandler("settings", settings.settings_command),
            CommandHandler("pause", settings.pause_command),
            CommandHandler("resume", settings.resume_command),
            MessageHandler(new_messages & filters.COMMAND, fallbacks.unknown_command),
            MessageHandler(new_messages & filters.TEXT, reflecting.text_message),
            MessageHandler(
                filters.UpdateType.EDITED_MESSAGE & filters.TEXT, fallbacks.edited_message
            ),
            MessageHandler(new_messages & (filters.VOICE | filters.AUDIO), voice.voice_note),
            MessageHandler(new_messages & ~filters.TEXT, fallbacks.not_text),
            # PTB hands a button with empty data to the first CallbackQueryHandler whatever
            # its pattern: this one, whose pattern matches nothing else, answers it.
            CallbackQueryHandler(fallbacks.stale_button, pattern=_matches_nothing),
            CallbackQueryHandler(onboarding.consent, pattern=_carries(cd.Consent)),
            CallbackQueryHandler(reflecting.choose_set, pattern=_carries(cd.ChooseSet)),
            CallbackQueryHandler(reflecting.open_choice, pattern=_carries(cd.OpenChoice)),
            CallbackQueryHandler(reflecting.cancel_choice, pattern=_carries(cd.CancelChoice)),
            CallbackQueryHandler(reflecting.note_choice, pattern=_carries(cd.NoteChoice)),
            CallbackQueryHandler(tagging.tag_tap, pattern=_carries(cd.TagTap)),
            CallbackQueryHandler(tagging.tag_action, pattern=_carries(cd.TagAction)),
            CallbackQueryHandler(tagging.pick_competence, pattern=_carries(cd.PickCompetence)),
            CallbackQueryHandler(about.about_tap, pattern=_carries(cd.AboutTap)),
            CallbackQueryHandler(history.history_page, pattern=_carries(cd.HistoryPageNav)),
            CallbackQueryHandler(
                history.history_filter_menu, pattern=_carries(cd.HistoryFilterMenu)
            ),
            CallbackQueryHandler(
                history.history_indicator_menu, pattern=_carries(cd.HistoryIndicatorMenu)
            ),
            CallbackQueryHandler(history.history_tags, pattern=_carries(cd.HistoryTags)),
            CallbackQueryHandler(history.history_open, pattern=_carries(cd.HistoryOpen)),
            CallbackQueryHandler(history.delete_reflection, pattern=_carries(cd.DeleteReflection)),
            CallbackQueryHandler(history.edit_answer, pattern=_carries(cd.EditAnswer)),
            CallbackQueryHandler(guard.held_choice, pattern=_carries(cd.HeldChoice)),
            CallbackQueryHandler(privacy.forget_choice, pattern=_carries(cd.ForgetChoice)),
            CallbackQueryHandler(nudges.nudge_choice, pattern=_carries(cd.NudgeChoice)),
            CallbackQueryHandler(settings.settings_menu, pattern=_carries(cd.SettingsMenu)),
            CallbackQueryHandler(settings.settings_ask, pattern=_carries(cd.SettingsAsk)),
            CallbackQueryHandler(settings.set_zone, pattern=_carries(cd.SetZone)),
            CallbackQueryHandler(settings.set_quiet, pattern=_carries(cd.SetQuiet)),
            CallbackQueryHandler(settings.set_weekly, pattern=_carries(cd.SetWeekly)),
            CallbackQueryHandler(settings.set_sessions_on, pattern=_carries(cd.SetSessionsOn)),
            CallbackQueryHandler(settings.set_default_set, pattern=_carries(cd.SetDefaultSet)),
            CallbackQueryHandler(settings.new_session_days, pattern=_carries(cd.NewSessionDays)),
            CallbackQueryHandler(settings.new_session_end, pattern=_carries(cd.NewSessionEnd)),
            CallbackQueryHandler(settings.session_menu, pattern=_carries(cd.SessionMenu)),
            CallbackQueryHandler(settings.remove_session, pattern=_carries(cd.RemoveSession)),
            CallbackQueryHandler(settings.skip_session_day, pattern=_carries(cd.SkipSessionDay)),
            CallbackQueryHandler(settings.pause_choice, pattern=_carries(cd.PauseChoice)),
            CallbackQueryHandler(learning.learning_tap, pattern=_carries(cd.LearningTap)),
            CallbackQueryHandler(learning.goal_link, pattern=_carries(cd.GoalLink)),
            CallbackQueryHandler(learning.goal_tap, pattern=_carries(cd.GoalTap)),
            CallbackQueryHandler(progress.progress_tap, pattern=_carries(cd.ProgressTap)),
            CallbackQueryHandler(export.export_tap, pattern=_carries(cd.ExportTap)),
            CallbackQueryHandler(supervision.invite, pattern=_carries(cd.Invite)),
            CallbackQueryHandler(
                supervision.invitation_answer, pattern=_carries(cd.InvitationAnswer)
            ),
            CallbackQueryHandler(supervision.link_tap, pattern=_carries(cd.LinkTap)),
            CallbackQueryHandler(supervision.share_tap, pattern=_carries(cd.ShareTap)),
            CallbackQueryHandler(supervision.share_default, pattern=_carries(cd.ShareDefault)),
            CallbackQueryHandler(supervision.read_shared, pattern=_carries(cd.ReadShared)),
            CallbackQueryHandler(supervision.comment_on, pattern=_carries(cd.CommentOn)),
            CallbackQueryHandler(review.review_tap, pattern=_carries(cd.ReviewTap)),
            CallbackQueryHandler(review.review_answer, pattern=_carries(cd.ReviewAnswer)),
            CallbackQueryHandler(supervision.digest_choice, pattern=_carries(cd.DigestChoice)),
            CallbackQueryHandler(voice.voice_choice, pattern=_carries(cd.VoiceChoice)),
            CallbackQueryHandler(fallbacks.stale_button),
            ChatMemberHandler(fallbacks.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(fallbacks.on_error)


async def _start_up(application: Application) -> None:
    """Queue the updates left unhandled when the bot stopped (they go first); delete
    unsaved text that expired while the bot was stopped, and audio a kill left behind;
    in the background, load both text models (so the first message does not wait for
    them; the speech model loads with the first voice note, as few practitioners may use
    voice), load the stored vectors of practitioners' decisions, and give suggestions to
    any reflection a crash left without them; set the command menu."""
    services = application.bot_data.services
    queue = application.update_queue
    if isinstance(queue, InboxQueue):
        replayed = queue.replay(application.bot)
        if replayed:
            log.info("start-up: handling %d updates left unhandled when the bot stopped", replayed)
    _in_background(services.intake.warm(), "warm-guard")
    _in_background(services.reflecting.warm(), "warm-suggester")
    _in_background(services.feedback.load(), "load-feedback")
    _in_background(_repair(services), "repair-suggestions")
    nudge_jobs = application.bot_data.nudge_jobs
    if nudge_jobs is not None:  # timers for everybody; nudges missed while stopped
        _in_background(nudge_jobs.start(), "start-nudges")
    digest_jobs = application.bot_data.digest_jobs
    if digest_jobs is not None:  # supervisors' timers; a digest missed while stopped
        _in_background(digest_jobs.start(), "start-digests")
    purged = services.privacy.purge_expired()
    log.info("start-up: deleted %d unsaved notes, %d held texts", purged.notes, purged.waiting)
    if left := services.voice.delete_leftovers():
        log.info("start-up: deleted %d voice notes left by a stop mid-transcription", left)
    try:
        await application.bot.set_my_commands(
            [BotCommand(name, t(COMMAND_DESCRIPTION_KEYS[name])) for name in COMMANDS]
        )
    except TelegramError as error:  # the menu is a convenience: serve people without it
        log.warning("could not set the command menu: %s", error)


async def _shut_down(application: Application) -> None:
    """Stop background work before the database closes (safe to run twice)."""
    for task in list(_background):
        task.cancel()
    await asyncio.gather(*_background, return_exceptions=True)
    await application.bot_data.services.feedback.stop()
    if isinstance(application.update_queue, InboxQueue):
        application.update_queue.mark_handled()  # the last ones, before the database closes


def _in_background(work: Coroutine, name: str) -> None:
    """Start work that nobody waits for, keeping a reference until it is done."""
    task = asyncio.create_task(work, name=name)
    _background.add(task)
    task.add_done_callback(_finished_in_background)


async def _repair(services: Services) -> None:
    repaired = await services.reflecting.repair_unsuggested()
    if repaired:
        log.info("gave suggestions to %d reflections saved without them", repaired)


def _finished_in_background(task: asyncio.Task) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("%s failed", task.get_name(), exc_info=task.exception())


async def _purge_unsaved(context: Context) -> None:
    context.services.inbox.prune()  # ids of long-handled updates, kept to spot redeliveries
    purged = context.services.privacy.purge_expired()
    if purged.notes or purged.waiting:
        log.info("deleted %d unsaved notes, %d held texts", purged.notes, purged.waiting)
