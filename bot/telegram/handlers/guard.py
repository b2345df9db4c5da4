"""The identifier guard's question: replace with initials, keep as written, or rewrite."""

from __future__ import annotations

from telegram import Update

from bot.services import NotFound
from bot.services.intake import RewriteInvited
from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit, reply, working
from bot.telegram.handlers.reflecting import show_result
from prompts import t
from storage import User

DONE_KEYS = {"initials": "guard.used_initials", "keep": "guard.kept"}


@button_handler(cd.HeldChoice)
async def held_choice(update: Update, context: Context, user: User, action: cd.HeldChoice) -> None:
    query = update.callback_query
    waiting = context.services.intake.waiting(user.id)
    if waiting is None or waiting.token != action.token:
        raise NotFound("that text is no longer waiting")
    await working(update)  # keeping it may finish a reflection: the model runs
    result = await context.services.intake.resolve(user.id, action.choice, action.token)
    if isinstance(result, RewriteInvited):
        await edit(query, t(_rewrite_key(result, context, user.id)))
        if result.step is not None and result.mode == "new":
            await reply(update, views.question(result.step))
        return
    await edit(query, t(DONE_KEYS[action.choice]))
    await show_result(update, context, result)


def _rewrite_key(result: RewriteInvited, context: Context, user_id: int) -> str:
    if result.mode != "replace":
        return "guard.rewrite"
    if context.services.editing.pending_edit(user_id) is not None:
        return "guard.rewrite_answer"  # rewriting from /history: the next message is it
    return "guard.rewrite_edit"  # an edited Telegram message: edit it again
