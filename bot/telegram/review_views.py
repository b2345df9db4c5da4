"""Rendering verified reviews: the verifier records a discussion date and a note, the
practitioner accepts it."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from telegram import InlineKeyboardMarkup

from bot.portfolio.wording import day
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button
from prompts import t
from storage import User, VerifiedReview


def date_ask(link_id: int, practitioner: User, today: date) -> View:
    return t("review.date_ask", name=escape(practitioner.display_name)), InlineKeyboardMarkup(
        [
            [
                button(t("review.today_button"), cd.ReviewTap(link_id, "date", today)),
                button(
                    t("review.yesterday_button"),
                    cd.ReviewTap(link_id, "date", today - timedelta(days=1)),
                ),
            ],
            [button(t("review.other_date_button"), cd.ReviewTap(link_id, "type"))],
        ]
    )


def date_typed_ask() -> str:
    return "\n\n".join([t("review.date_typed_ask"), t("settings.cancel_hint")])


def note_ask(link_id: int, on: date) -> View:
    return t("review.note_ask", date=day(on)), InlineKeyboardMarkup(
        [[button(t("review.no_note_button"), cd.ReviewTap(link_id, "save", on))]]
    )


def recorded(review: VerifiedReview, practitioner: User) -> str:
    return t(
        "review.recorded", name=escape(practitioner.display_name), date=day(review.discussed_on)
    )


def told(review: VerifiedReview) -> View:
    """To the practitioner: the review to accept."""
    note = t("review.told_note", note=escape(review.note)) if review.note else ""
    text = t(
        "review.told",
        name=escape(review.verifier_name),
        date=day(review.discussed_on),
        note=note,
    )
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("review.accept_button"), cd.ReviewAnswer(review.id, True)),
                button(t("review.decline_button"), cd.ReviewAnswer(review.id, False)),
            ]
        ]
    )


def answered(review: VerifiedReview) -> str:
    if review.accepted_at is not None:
        return t("review.accepted")
    return t("review.declined", name=escape(review.verifier_name))


def told_answer(review: VerifiedReview, practitioner_name: str) -> str:
    """To the verifier: the practitioner's answer."""
    key = "review.told_accepted" if review.accepted_at is not None else "review.told_declined"
    return t(key, name=escape(practitioner_name), date=day(review.discussed_on))
