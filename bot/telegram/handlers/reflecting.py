"""Writing a reflection: /reflect, answers, /skip, /cancel, and quick notes."""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, Update
from telegram.constants import ChatAction

from bot.services import Finished, NoteOffer, NotFound, QuestionStep
from bot.services.editing import AnswerEdited, EditNotPossible
from bot.services.intake import EmptyText, Held, Received
from bot.services.reflecting import AlreadySaved, Continuation
from bot.telegram import callback_data as cd
from bot.telegram import privacy_views, views
from bot.telegram.context import Context
from bot.telegram.handlers import learning, supervision
from bot.telegram.handlers.common import (
    SLOW_WORK,
    button_handler,
    consented_user,
    edit,
    reply,
    showing,
    working,
)
from bot.telegram.handlers.tagging import tag_editor
from prompts import t
from storage import User

EDIT_PROBLEM_KEYS = {"not_stored": "edit.not_stored", "joined": "edit.joined"}


async def reflect(update: Update, context: Context) -> None:
    """Offer the question sets, or first settle a reflection that is still open."""
    user = await consented_user(update, context)
    if user is None:
        return
    if context.services.intake.waiting(user.id) is not None:
        await reply(update, t("guard.choose_first"))
        return
    if await offer_open_reflection(update, context, user):
        return
    await reply(update, views.choose_set(context.services.reflecting.question_sets()))


async def offer_open_reflection(update: Update, context: Context, user: User) -> bool:
    """If a reflection is still open, offer to resume, keep or delete it; True if one was."""
    reflecting = context.services.reflecting
    open_one = reflecting.open_reflection(user.id)
    if open_one is None:
        return False
    name = reflecting.question_set_of(open_one).name
    started = views.local_time(open_one.started_at, user.timezone)
    await reply(update, views.open_reflection(name, started, open_one.id))
    return True


@button_handler(cd.ChooseSet)
async def choose_set(update: Update, context: Context, user: User, action: cd.ChooseSet) -> None:
    query = update.callback_query
    try:
        step = context.services.reflecting.start(user.id, action.set_id)
    except NotFound:
        await query.answer(t("reflect.unknown_set"), show_alert=True)
        return
    # Any other refusal (a reflection is already open) means this menu is stale.
    await query.answer()
    await edit(query, views.set_chosen(step.question_set))
    await reply(update, views.question(step))


@button_handler(cd.OpenChoice)
async def open_choice(update: Update, context: Context, user: User, action: cd.OpenChoice) -> None:
    """Resume, keep-and-restart, or delete the reflection left open."""
    query, reflecting = update.callback_query, context.services.reflecting
    open_one = reflecting.open_reflection(user.id)
    if open_one is None or open_one.id != action.reflection_id:
        raise NotFound("that reflection is no longer open")
    step = reflecting.current_step(user.id)
    if action.action == "resume" and step is not None:
        await query.answer()
        await edit(query, t("reflect.resumed"))
        await reply(update, views.question(step))
        return
    if action.action in ("resume", "restart"):  # every question answered: it is saved
        await working(update)
        finished = await reflecting.keep(user.id, open_one.id)
        await show_finished(update, context, finished, query)
        if action.action == "resume":
            return
    else:
        await query.answer()
        reflecting.discard(user.id, open_one.id)
        await edit(query, t("cancel.dropped"))
    await reply(update, views.choose_set(reflecting.question_sets()))


async def text_message(update: Update, context: Context) -> None:
    """A plain message: checked, then the answer to the current question, a quick note to
    offer, or the new wording of an answer being rewritten."""
    user = await consented_user(update, context)
    if user is None:
        return
    async with showing(update.effective_chat, ChatAction.TYPING, after=SLOW_WORK):
        result = await context.services.intake.receive_text(
            user.id,
            update.message.text,
            message_id=update.message.message_id,
            sent_at=update.message.date,
            own_names=own_names(update),
        )
    await show_result(update, context, result)


def own_names(update: Update) -> list[str]:
    """The practitioner's own names, which the identifier guard never flags."""
    person = update.effective_user
    return [name for name in (person.first_name, person.last_name) if name]


async def show_result(update: Update, context: Context, result: Received | None) -> None:
    match result:
        case EmptyText():
            await reply(update, t("errors.empty_text"))
        case AlreadySaved(step):
            await reply(update, t("reflect.already_saved"))
            if step is not None:
                await reply(update, views.question(step))
        case Held():
            await reply(update, privacy_views.held(result))
        case AnswerEdited(reflection, question):
            if reflection.status == "done":
                await reply(update, t("edit.updated_saved"))
            else:
                await reply(update, t("edit.updated", question=escape(question)))
        case EditNotPossible(reason):
            await reply(update, t(EDIT_PROBLEM_KEYS[reason]))
        case QuestionStep():
            await reply(update, views.question(result))
        case Finished():
            await show_finished(update, context, result)
        case NoteOffer(reflection, extended):
            chars = len(context.services.reflecting.note_text(reflection.id)) if extended else None
            await reply(update, views.note_offer(reflection.id, chars))
        case Continuation(finished=finished):
            await reply(update, t("reflect.continued"))
            if finished is not None:
                await show_finished(update, context, finished)
        case None:
            await reply(update, t("reflect.all_skipped"))


async def show_finished(
    update: Update,
    context: Context,
    finished: Finished | None,
    query: CallbackQuery | None = None,
) -> None:
    """Saved: show the suggestions with their confirm and reject buttons. Saved by a
    button (``query``): in place of that button's message, so the saving is said once."""
    user_id = update.effective_user.id
    shown: views.View | str = t("cancel.stopped_empty")
    user = context.services.users.get(user_id)
    if finished is not None and user is not None:
        view = context.services.tagging.view(user_id, finished.reflection.id)
        shown = tag_editor(context, user, view)
    await (reply(update, shown) if query is None else edit(query, shown))
    if finished is None:
        return
    reflection = finished.reflection
    if context.services.learning.is_learning_set(reflection.question_set_id):
        await learning.ask_kind(update, context, user_id, reflection.id)
    await supervision.offer_sharing(update, context, user_id, reflection.id)


async def skip(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    reflecting = context.services.reflecting
    if context.services.intake.waiting(user.id) is not None:
        await reply(update, t("guard.choose_first"))
        return
    if reflecting.open_reflection(user.id) is None:
        await reply(update, t("reflect.nothing_to_skip"))
        return
    async with showing(update.effective_chat, ChatAction.TYPING, after=SLOW_WORK):
        result = await reflecting.skip(user.id)  # the last question: the model runs
    await reply(update, t("reflect.skipped"))
    await show_result(update, context, result)


async def cancel(update: Update, context: Context) -> None:
    """Drop a held message or stop rewriting an answer; else ask whether to keep what was
    written so far."""
    user = await consented_user(update, context)
    if user is None:
        return
    services = context.services
    if services.intake.waiting(user.id) is not None:
        await services.intake.resolve(user.id, "rewrite")
        services.editing.cancel_edit(user.id)  # a held rewrite: the answer stays as it was
        await reply(update, t("guard.discarded"))
        return
    if services.editing.cancel_edit(user.id):
        await reply(update, t("edit.cancelled"))
        return
    reflecting = services.reflecting
    open_one = reflecting.open_reflection(user.id)
    if open_one is None:
        await reply(update, t("cancel.nothing"))
        return
    answered = reflecting.answered_count(open_one.id)
    if answered == 0:
        reflecting.discard(user.id, open_one.id)
        await reply(update, t("cancel.stopped_empty"))
        return
    await reply(update, views.cancel_confirm(open_one.id, answered))


@button_handler(cd.CancelChoice)
async def cancel_choice(
    update: Update, context: Context, user: User, action: cd.CancelChoice
) -> None:
    query, reflecting = update.callback_query, context.services.reflecting
    if action.action == "keep":
        reflecting.owned(user.id, action.reflection_id, "open")
        await working(update)
        finished = await reflecting.keep(user.id, action.reflection_id)
        await show_finished(update, context, finished, query)
    elif action.action == "drop":
        reflecting.discard(user.id, action.reflection_id)
        await query.answer()
        await edit(query, t("cancel.dropped"))
    else:
        step = reflecting.current_step(user.id)
        if step is None or step.reflection.id != action.reflection_id:
            raise NotFound("that reflection is no longer open")
        await query.answer()
        await edit(query, t("reflect.resumed"))
        await reply(update, views.question(step))


@button_handler(cd.NoteChoice)
async def note_choice(update: Update, context: Context, user: User, action: cd.NoteChoice) -> None:
    query, reflecting = update.callback_query, context.services.reflecting
    if action.action == "save":
        reflecting.owned(user.id, action.reflection_id, "pending")
        await working(update)
        finished = await reflecting.save_note(user.id, action.reflection_id)
        await show_finished(update, context, finished, query)
    else:
        reflecting.discard(user.id, action.reflection_id)
        await query.answer()
        await edit(query, t("note.dropped"))
