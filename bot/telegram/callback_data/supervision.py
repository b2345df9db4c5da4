"""Buttons of supervision: invitations, links, sharing, reading and commenting, verified
reviews, and a supervisor's digest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from bot.telegram.callback_data.fields import (
    CLOCK,
    NUMBER,
    TOKEN,
    Groups,
    Rule,
    clock,
    hhmm,
    yyyymmdd,
)


@dataclass(frozen=True)
class Invite:
    """/supervisor: make an invitation (``verifier``: for the registration verifier)."""

    verifier: bool


@dataclass(frozen=True)
class InvitationAnswer:
    """The invited supervisor accepts or declines."""

    accept: bool
    token: str


@dataclass(frozen=True)
class LinkTap:
    """/supervisors: end a link (asked, then confirmed or kept), or make the supervisor
    the practitioner's registration verifier (or not)."""

    link_id: int
    step: Literal["end", "end_yes", "keep", "verifier", "not_verifier", "overview"]


@dataclass(frozen=True)
class ReadShared:
    """A supervisor opens a reflection shared with them in full."""

    reflection_id: int


@dataclass(frozen=True)
class CommentOn:
    """A supervisor comments on a reflection shared with them (the comment is typed)."""

    reflection_id: int


@dataclass(frozen=True)
class ShareTap:
    """Share a reflection with supervisors in full (or not), flag it to discuss (or not)."""

    reflection_id: int
    what: Literal["full", "private", "discuss", "undiscuss"]


@dataclass(frozen=True)
class ReviewTap:
    """A verifier records a review of a supervisee's learning: ask the date (no ``on``,
    ``step`` 'ask'), a date chosen (then a note is asked), the date to be typed, or saved
    without a note."""

    link_id: int
    step: Literal["ask", "date", "type", "save"]
    on: date | None = None


@dataclass(frozen=True)
class ReviewAnswer:
    """The practitioner accepts a verified review, or says it is not right."""

    review_id: int
    accept: bool


@dataclass(frozen=True)
class DigestChoice:
    """/settings, as a supervisor: the digest's weekday (0 Monday), its time (``at``), or
    what a quiet week brings ('line' or 'none'); ``ask``: the time is to be typed."""

    day: int | None = None
    at: time | None = None
    when_empty: Literal["line", "none"] | None = None
    ask: bool = False


@dataclass(frozen=True)
class ShareDefault:
    """/settings: share every new reflection in full with supervisors (or not)."""

    on: bool


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them (or not of a
    shape a button carries, such as a review date with step 'ask')."""
    match action:
        case Invite(verifier):
            return f"in:{'v' if verifier else 'p'}"
        case InvitationAnswer(accept, token):
            return f"ia:{'yes' if accept else 'no'}:{token}"
        case LinkTap(link_id, step):
            return f"lk:{link_id}:{step}"
        case ShareTap(rid, what):
            return f"sh:{rid}:{what}"
        case ShareDefault(on):
            return f"sb:{'on' if on else 'off'}"
        case ReadShared(rid):
            return f"rs:{rid}"
        case CommentOn(rid):
            return f"cm:{rid}"
        case ReviewTap(link_id, "ask" | "type" as step, None):
            return f"rv:{link_id}:{step}"
        case ReviewTap(link_id, "date" | "save" as step, date() as on):
            return f"rv:{link_id}:{step}:{on:%Y%m%d}"
        case ReviewAnswer(review_id, accept):
            return f"ra:{review_id}:{'yes' if accept else 'no'}"
        case DigestChoice(int() as day, None, None, False):
            return f"dg:d{day}"
        case DigestChoice(None, time() as at, None, False):
            return f"dg:t{hhmm(at)}"
        case DigestChoice(None, None, str() as when_empty, False):
            return f"dg:e:{when_empty}"
        case DigestChoice(None, None, None, True):
            return "dg:ask"
    return None


def _invite(groups: Groups) -> Invite:
    return Invite(groups[0] == "v")


def _invitation_answer(groups: Groups) -> InvitationAnswer:
    return InvitationAnswer(groups[0] == "yes", groups[1])  # type: ignore[arg-type]


def _link(groups: Groups) -> LinkTap:
    return LinkTap(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _read_shared(groups: Groups) -> ReadShared:
    return ReadShared(int(groups[0]))  # type: ignore[arg-type]


def _comment_on(groups: Groups) -> CommentOn:
    return CommentOn(int(groups[0]))  # type: ignore[arg-type]


def _review(groups: Groups) -> ReviewTap | None:
    link_id, no_date_step, date_step, digits = groups
    if no_date_step is not None:
        return ReviewTap(int(link_id), no_date_step)  # type: ignore[arg-type]
    on = yyyymmdd(digits)
    return None if on is None else ReviewTap(int(link_id), date_step, on)  # type: ignore[arg-type]


def _review_answer(groups: Groups) -> ReviewAnswer:
    return ReviewAnswer(int(groups[0]), groups[1] == "yes")  # type: ignore[arg-type]


def _digest(groups: Groups) -> DigestChoice:
    day, hour, minute, when_empty, _ask = groups
    if day is not None:
        return DigestChoice(day=int(day))
    if hour is not None:
        return DigestChoice(at=clock(hour, minute))
    if when_empty is not None:
        return DigestChoice(when_empty=when_empty)  # type: ignore[arg-type]
    return DigestChoice(ask=True)


def _share(groups: Groups) -> ShareTap:
    return ShareTap(int(groups[0]), groups[1])  # type: ignore[arg-type]


def _share_default(groups: Groups) -> ShareDefault:
    return ShareDefault(groups[0] == "on")


PATTERNS: list[Rule] = [
    (re.compile(r"in:(p|v)"), _invite),
    (re.compile(rf"ia:(yes|no):{TOKEN}"), _invitation_answer),
    (re.compile(rf"lk:{NUMBER}:(end|end_yes|keep|verifier|not_verifier|overview)"), _link),
    (re.compile(rf"rs:{NUMBER}"), _read_shared),
    (re.compile(rf"cm:{NUMBER}"), _comment_on),
    (re.compile(rf"rv:{NUMBER}:(?:(ask|type)|(date|save):(\d{{8}}))"), _review),
    (re.compile(rf"ra:{NUMBER}:(yes|no)"), _review_answer),
    (re.compile(rf"dg:(?:d([0-6])|t{CLOCK}|e:(line|none)|(ask))"), _digest),
    (re.compile(rf"sh:{NUMBER}:(full|private|discuss|undiscuss)"), _share),
    (re.compile(r"sb:(on|off)"), _share_default),
]
