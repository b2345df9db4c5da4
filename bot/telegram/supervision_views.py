"""Rendering supervision: /supervisor and its invitation link, the offer an invited
supervisor sees, /supervisors, and sharing a reflection."""

from __future__ import annotations

import calendar
from datetime import time
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.portfolio.wording import day
from bot.services.supervision import (
    InvitationView,
    Links,
    LinkView,
    NewInvitation,
    Overview,
    Refused,
    SharedReflection,
)
from bot.telegram import callback_data as cd
from bot.telegram.history_views import pack, split_plain
from bot.telegram.views import KIND_KEYS, MESSAGE_CHARS, View, button, local_time
from prompts import plain, t
from storage import Sharing, SupervisionLink, SupervisionSettings

REFUSAL_KEYS = {
    "unknown": "supervision.refused_unknown",
    "used": "supervision.refused_used",
    "expired": "supervision.refused_expired",
    "own": "supervision.refused_own",
    "already": "supervision.refused_already",
}
NAME_CHARS = 24  # a name on a button
DIGEST_TIMES = (time(8, 0), time(9, 0), time(17, 0))


def menu() -> View:
    return t("supervision.menu"), InlineKeyboardMarkup(
        [
            [button(t("supervision.invite_button"), cd.Invite(False))],
            [button(t("supervision.invite_verifier_button"), cd.Invite(True))],
        ]
    )


def invitation_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def invitation(made: NewInvitation, bot_username: str, timezone: str) -> View:
    """The link to pass on, and a button that opens Telegram's share sheet with it."""
    link = invitation_link(bot_username, made.token)
    expires = made.invitation.expires_at.astimezone(ZoneInfo(timezone))
    text = t(
        "supervision.invitation",
        verifier=t("supervision.invitation_verifier") if made.invitation.as_verifier else "",
        expires=f"{day(expires)}, {expires:%H:%M}",
        link=link,
    )
    share = (
        f"https://t.me/share/url?url={quote(link, safe='')}"
        f"&text={quote(plain(t('supervision.share_text')), safe='')}"
    )
    return text, InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("supervision.forward_button"), url=share)]]
    )


def offer(found: InvitationView, token: str) -> View:
    """What the invited supervisor is asked to accept."""
    verifier = t("supervision.offer_verifier") if found.invitation.as_verifier else ""
    text = t("supervision.offer", name=escape(found.practitioner.display_name), verifier=verifier)
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("supervision.accept_button"), cd.InvitationAnswer(True, token)),
                button(t("supervision.decline_button"), cd.InvitationAnswer(False, token)),
            ]
        ]
    )


def refused(refusal: Refused) -> str:
    return t(REFUSAL_KEYS[refusal.reason])


def _verifier(link: SupervisionLink) -> str:
    return t("supervision.verifier_suffix") if link.verifier else ""


def accepted(view: LinkView) -> str:
    """To the supervisor who accepted (``view.other``: the practitioner)."""
    name = escape(view.other.display_name)
    return t("supervision.accepted", name=name, verifier=_verifier(view.link))


def told_accepted(view: LinkView, supervisor_name: str) -> str:
    """To the practitioner whose invitation was accepted."""
    return t(
        "supervision.told_accepted", name=escape(supervisor_name), verifier=_verifier(view.link)
    )


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def links(found: Links, timezone: str) -> View:
    """Both sides of the user's links, with a button to end each (and, for their own
    supervisors, to make one their verifier)."""
    zone = ZoneInfo(timezone)

    def line(view: LinkView) -> str:
        return t(
            "supervision.link_line",
            name=escape(view.other.display_name),
            date=day(view.link.created_at.astimezone(zone)),
            verifier=_verifier(view.link),
        )

    lines = [t("supervision.links_heading")]
    lines += [line(v) for v in found.supervisors] or [t("supervision.links_none")]
    if found.supervisees:
        lines += ["", t("supervision.supervisees_heading"), *(line(v) for v in found.supervisees)]
    rows = []
    for view in found.supervisors:
        name = _short(view.other.display_name)
        verifier = (
            button(
                t("supervision.not_verifier_button", name=name),
                cd.LinkTap(view.link.id, "not_verifier"),
            )
            if view.link.verifier
            else button(
                t("supervision.make_verifier_button", name=name),
                cd.LinkTap(view.link.id, "verifier"),
            )
        )
        rows.append(
            [
                button(t("supervision.end_button", name=name), cd.LinkTap(view.link.id, "end")),
                verifier,
            ]
        )
    for view in found.supervisees:
        name = _short(view.other.display_name)
        rows.append(
            [
                button(
                    t("supervision.overview_button", name=name),
                    cd.LinkTap(view.link.id, "overview"),
                ),
                button(t("supervision.end_button", name=name), cd.LinkTap(view.link.id, "end")),
            ]
        )
        if view.link.verifier:
            rows.append([button(t("review.button", name=name), cd.ReviewTap(view.link.id, "ask"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def end_ask(view: LinkView) -> View:
    link_id = view.link.id
    return t("supervision.end_ask", name=escape(view.other.display_name)), InlineKeyboardMarkup(
        [
            [
                button(t("supervision.end_yes_button"), cd.LinkTap(link_id, "end_yes")),
                button(t("supervision.keep_button"), cd.LinkTap(link_id, "keep")),
            ]
        ]
    )


def told_ended(ended_by_name: str, by_practitioner: bool) -> str:
    key = (
        "supervision.told_ended_by_practitioner"
        if by_practitioner
        else "supervision.told_ended_by_supervisor"
    )
    return t(key, name=escape(ended_by_name))


# ---- sharing


def share_buttons(sharing: Sharing) -> list[InlineKeyboardButton]:
    rid = sharing.reflection_id
    return [
        button(t("supervision.share_private_button"), cd.ShareTap(rid, "private"))
        if sharing.in_full
        else button(t("supervision.share_full_button"), cd.ShareTap(rid, "full")),
        button(t("supervision.undiscuss_button"), cd.ShareTap(rid, "undiscuss"))
        if sharing.to_discuss
        else button(t("supervision.discuss_button"), cd.ShareTap(rid, "discuss")),
    ]


def share_offer(sharing: Sharing) -> View:
    """After a reflection is saved, for a practitioner with supervisors."""
    return share_state(sharing, t("supervision.share_offer"))


def share_state(sharing: Sharing, heading: str = "") -> View:
    text = t("supervision.state_full" if sharing.in_full else "supervision.state_private")
    if sharing.to_discuss:
        text += t("supervision.state_discuss")
    if heading:
        text = f"{heading}\n\n{text}"
    return text, InlineKeyboardMarkup([share_buttons(sharing)])


def sharing_notes(sharing: Sharing) -> list[str]:
    """Lines under a whole reflection in /history."""
    notes = []
    if sharing.in_full:
        notes.append(t("supervision.note_shared"))
    if sharing.to_discuss:
        notes.append(t("supervision.note_discuss"))
    return notes


def settings_line(share_by_default: bool) -> str:
    return t(
        "supervision.settings_line",
        state=t("supervision.on" if share_by_default else "supervision.off"),
    )


def settings_menu(share_by_default: bool, digest: SupervisionSettings) -> View:
    """Sharing (as a practitioner) and the weekly digest (as a supervisor)."""
    state = t("supervision.on" if share_by_default else "supervision.off")
    toggle = (
        button(t("supervision.share_default_off_button"), cd.ShareDefault(False))
        if share_by_default
        else button(t("supervision.share_default_on_button"), cd.ShareDefault(True))
    )
    text = t(
        "supervision.settings_menu",
        state=state,
        day=calendar.day_name[digest.digest_day],
        time=f"{digest.digest_time:%H:%M}",
        when_empty=t(
            "supervision.digest_line"
            if digest.digest_when_empty == "line"
            else "supervision.digest_nothing"
        ),
    )
    days = [
        button(
            ("✓ " if number == digest.digest_day else "") + calendar.day_abbr[number],
            cd.DigestChoice(day=number),
        )
        for number in range(7)
    ]
    times = [
        button(("✓ " if at == digest.digest_time else "") + f"{at:%H:%M}", cd.DigestChoice(at=at))
        for at in DIGEST_TIMES
    ]
    quiet = (
        button(t("supervision.digest_nothing_button"), cd.DigestChoice(when_empty="none"))
        if digest.digest_when_empty == "line"
        else button(t("supervision.digest_line_button"), cd.DigestChoice(when_empty="line"))
    )
    return text, InlineKeyboardMarkup(
        [
            [toggle],
            days[:4],
            days[4:],
            [*times, button(t("supervision.digest_time_button"), cd.DigestChoice(ask=True))],
            [quiet],
            [button(t("settings.back_button"), cd.SettingsMenu("home"))],
        ]
    )


def digest_time_ask() -> View:
    return "\n\n".join([t("supervision.digest_time_ask"), t("settings.cancel_hint")]), (
        InlineKeyboardMarkup([[button(t("settings.back_button"), cd.SettingsMenu("supervision"))]])
    )


# ---- what a supervisor sees

MAX_READ_BUTTONS = 8


def _kind(kind: str) -> str:
    return t(KIND_KEYS.get(kind, "kinds.guided"))


def overview(found: Overview, timezone: str) -> View:
    """A supervisee's last 4 weeks: dates, kinds, confirmed indicators; a button to read
    each reflection shared in full."""
    zone = ZoneInfo(timezone)
    lines = []
    for entry in found.entries:
        marks = (t("supervision.mark_shared") if entry.in_full else "") + (
            t("supervision.mark_discuss") if entry.to_discuss else ""
        )
        lines.append(
            t(
                "supervision.overview_line",
                date=local_time(entry.written_at, timezone),
                kind=_kind(entry.kind),
                indicators=t("supervision.overview_indicators", ids=", ".join(entry.confirmed))
                if entry.confirmed
                else "",
                marks=marks,
            )
        )
    body = "\n".join(lines) if lines else t("supervision.overview_none")
    if lines:
        body += "\n\n" + t("supervision.overview_key")
    text = t("supervision.overview", name=escape(found.practitioner.display_name), lines=body)
    shared = [e for e in found.entries if e.in_full][:MAX_READ_BUTTONS]
    buttons = [
        button(
            t("supervision.read_button", date=day(e.written_at.astimezone(zone))),
            cd.ReadShared(e.reflection_id),
        )
        for e in shared
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return text, InlineKeyboardMarkup(rows) if rows else None


def shared_reflection(shared: SharedReflection, timezone: str) -> list[View]:
    """A reflection shared in full, as its supervisor reads it (split if long), with the
    comments on it and a button to add one on the last message."""
    zone = ZoneInfo(timezone)
    reflection = shared.reflection
    blocks = [
        t(
            "supervision.shared_heading",
            name=escape(shared.practitioner.display_name),
            kind=_kind(reflection.kind).lower(),
            date=day(reflection.started_at.astimezone(zone)),
            discuss=t("supervision.shared_discuss") if shared.sharing.to_discuss else "",
        )
    ]
    for item in shared.detail.items:
        if item.question and reflection.kind != "note":
            blocks.append(t("history.detail_question", question=escape(item.question)))
        blocks.extend(split_plain(item.answer.text, MESSAGE_CHARS))
    blocks.append(
        t("history.tags_line", ids=", ".join(shared.detail.confirmed))
        if shared.detail.confirmed
        else t("history.no_tags")
    )
    if shared.comments:
        blocks.append(t("supervision.comments_heading"))
        for comment in shared.comments:
            blocks.extend(
                t(
                    "supervision.comment_line",
                    date=day(comment.created_at.astimezone(zone)),
                    text=piece,
                )
                for piece in split_plain(comment.text, MESSAGE_CHARS - 100)
            )
    markup = InlineKeyboardMarkup(
        [[button(t("supervision.comment_button"), cd.CommentOn(reflection.id))]]
    )
    pages = pack(blocks, MESSAGE_CHARS)
    return [(page, None) for page in pages[:-1]] + [(pages[-1], markup)]


def comment_ask(shared: SharedReflection, timezone: str) -> str:
    written = shared.reflection.started_at.astimezone(ZoneInfo(timezone))
    name = escape(shared.practitioner.display_name)
    return "\n\n".join(
        [t("supervision.comment_ask", name=name, date=day(written)), t("settings.cancel_hint")]
    )


def told_comment(shared: SharedReflection, supervisor_name: str, text: str) -> str:
    """To the practitioner: their supervisor's comment."""
    practitioner = shared.practitioner
    written = shared.reflection.started_at.astimezone(ZoneInfo(practitioner.timezone))
    return t(
        "supervision.told_comment",
        name=escape(supervisor_name),
        date=day(written),
        text=escape(text),
    )
