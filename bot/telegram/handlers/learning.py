"""Professional learning: a reflection marked as a learning activity (kind, then hours),
linked to a goal; /goals (set, review, close); and what is typed for them (hours, a
goal, a review note, the registration details in /settings)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.services import ServiceError
from bot.services.nudge_settings import InvalidSetting
from bot.services.typed_settings import Awaiting
from bot.telegram import callback_data as cd
from bot.telegram import learning_views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply
from bot.telegram.views import View
from prompts import plain, t
from storage import LearningMark, User

CLOSED_KEYS = {"achieved": "goals.closed_achieved", "dropped": "goals.closed_dropped"}


def _marked(context: Context, user: User, mark: LearningMark) -> View:
    learning = context.services.learning
    has_goals = bool(learning.open_goals(user.id))
    return learning_views.marked(mark, learning.hours(user), has_goals)


async def ask_kind(update: Update, context: Context, user_id: int, reflection_id: int) -> None:
    """Ask what kind of learning a reflection was, in a new message."""
    mark = context.services.learning.mark_of(user_id, reflection_id)
    await reply(update, learning_views.kind_menu(reflection_id, mark))


@button_handler(cd.LearningTap)
async def learning_tap(
    update: Update, context: Context, user: User, action: cd.LearningTap
) -> None:
    """The kinds (a new message), then the hours (in place), then recorded."""
    query, services = update.callback_query, context.services
    learning, rid = services.learning, action.reflection_id
    if action.kind is None and not action.remove:
        view = learning_views.kind_menu(rid, learning.mark_of(user.id, rid))
        await query.answer()
        await reply(update, view)
    elif action.remove:
        learning.unmark(user.id, rid)
        await query.answer()
        await edit(query, t("learning.removed"))
    elif action.quarters == 0:
        learning.mark_of(user.id, rid)  # theirs, and still there
        await query.answer()
        await edit(query, learning_views.hours_menu(rid, action.kind))
    elif action.quarters == -1:
        learning.mark_of(user.id, rid)
        services.typed_settings.expect(user.id, "learning_hours", target_id=rid, detail=action.kind)
        await query.answer()
        await edit(query, learning_views.hours_typed_ask())
    else:
        mark = learning.mark(user.id, rid, action.kind, action.quarters / 4)
        await query.answer(t("settings.saved"))
        await edit(query, _marked(context, user, mark))


@button_handler(cd.GoalLink)
async def goal_link(update: Update, context: Context, user: User, action: cd.GoalLink) -> None:
    """The open goals to link a reflection to (a new message), then linked (in place)."""
    query, learning = update.callback_query, context.services.learning
    rid = action.reflection_id
    if action.goal_id is None:
        current = learning.reflection(user.id, rid).goal_id
        await query.answer()
        await reply(
            update, learning_views.goal_link_menu(rid, learning.open_goals(user.id), current)
        )
        return
    goal_id = action.goal_id or None
    learning.link(user.id, rid, goal_id)
    await query.answer(t("settings.saved"))
    if goal_id is None:
        await edit(query, t("goals.unlinked"))
    else:
        goal = learning.goal(user.id, goal_id)
        await edit(query, t("goals.linked", text=escape(goal.text)))


# ---- /goals


async def goals(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    await reply(update, learning_views.goals_list(context.services.learning.goals(user.id)))


def _detail(context: Context, user: User, goal_id: int, note: str = "") -> View:
    summary = context.services.learning.summary(user.id, goal_id)
    return learning_views.goal_detail(summary, user.timezone, note)


@button_handler(cd.GoalTap)
async def goal_tap(update: Update, context: Context, user: User, action: cd.GoalTap) -> None:
    query, services = update.callback_query, context.services
    learning, gid = services.learning, action.goal_id
    toast: str | None = None
    match action.step:
        case "list":
            view = learning_views.goals_list(learning.goals(user.id))
        case "closed":
            view = learning_views.closed_goals(learning.goals(user.id), user.timezone)
        case "new":
            try:
                learning.check_room_for_a_goal(user.id)
            except InvalidSetting as problem:
                await query.answer(plain(t(problem.key)), show_alert=True)
                return
            services.typed_settings.expect(user.id, "goal_text")
            view = learning_views.typed_ask("goals.text_ask")
        case "open":
            view = _detail(context, user, gid)
        case "comp":
            view = learning_views.competences_menu(learning.goal(user.id, gid), services.framework)
        case "toggle":
            if action.competence not in {c.number for c in services.framework.competences}:
                raise ServiceError(f"no competence {action.competence}")
            goal = learning.toggle_competence(user.id, gid, action.competence)
            view = learning_views.competences_menu(goal, services.framework)
        case "review":
            learning.goal(user.id, gid)
            services.typed_settings.expect(user.id, "goal_review", target_id=gid)
            view = learning_views.typed_ask("goals.review_ask")
        case "achieved" | "dropped":
            learning.close(user.id, gid, action.step)
            toast = t(CLOSED_KEYS[action.step])
            view = _detail(context, user, gid)
        case "reopen":
            learning.close(user.id, gid, None)
            toast = t("goals.reopened")
            view = _detail(context, user, gid)
    await query.answer(plain(toast) if toast else None)
    await edit(query, view)


# ---- typed after a tap (called from the settings' typed-input gate)


def registration_view(context: Context, user: User, note: str = "") -> View:
    learning = context.services.learning
    text, markup = learning_views.registration_menu(
        learning.registration(user.id), learning.hours(user)
    )
    return (f"{note}\n\n{text}" if note else text), markup


def typed(context: Context, user: User, awaiting: Awaiting, text: str) -> View:
    """Store hours, a goal, a review note or a registration detail as typed; the reply.
    Raises InvalidSetting (the practitioner can type it again)."""
    learning = context.services.learning
    try:
        match awaiting.what:
            case "weekly_hours":
                learning.set_weekly_hours(user.id, text)
                return registration_view(context, user, t("learning.registration_saved"))
            case "cycle_start":
                learning.set_cycle_start(user, text)
                return registration_view(context, user, t("learning.registration_saved"))
            case "learning_hours":
                assert awaiting.target_id is not None and awaiting.detail is not None
                mark = learning.set_hours(user.id, awaiting.target_id, awaiting.detail, text)
                return _marked(context, user, mark)
            case "goal_text":
                goal = learning.add_goal(user.id, text)
                return _detail(context, user, goal.id, t("goals.created"))
            case "goal_review":
                assert awaiting.target_id is not None
                learning.review(user.id, awaiting.target_id, text)
                return _detail(context, user, awaiting.target_id, t("goals.reviewed"))
    except ServiceError:  # the reflection or goal went meanwhile
        return t("errors.stale_button"), None
    raise ValueError(f"not typed for learning: {awaiting.what}")
