"""Supervision: a practitioner invites a supervisor (a single-use link that expires), the
supervisor accepts, and from then on sees what the practitioner chooses to share, until
either side ends the link.

What a supervisor may see of a supervisee, and nothing more: the dates and kinds of their
reflections and the indicators they confirmed; the whole text only of reflections shared
in full; which ones are flagged to discuss. Every read and comment checks, at that moment,
that the link is active and the reflection shared: ending a link stops sharing at once.
A refusal never says whether a reflection exists (one NotFound for everything).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.history import HistoryService, ReflectionDetail
from bot.services.ownership import owned_reflection
from storage import Comment, Invitation, Reflection, Sharing, SupervisionLink, User

INVITATION_LIFETIME = timedelta(days=7)
TOKEN_BYTES = 24  # 192 random bits; 32 URL-safe characters, within a /start payload's 64
TOKEN_SHAPE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_COMMENT_CHARS = 2000
Refusal = Literal["unknown", "used", "expired", "own", "already"]


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (a token is random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _indicator_order(indicator_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in indicator_id.split(".") if part.isdigit())


def looks_like_token(text: str) -> bool:
    return len(text) == 32 and set(text) <= TOKEN_SHAPE


@dataclass(frozen=True)
class NewInvitation:
    token: str  # given once, to put in the link; only its hash is stored
    invitation: Invitation


@dataclass(frozen=True)
class InvitationView:
    """An invitation as its would-be supervisor sees it before accepting."""

    invitation: Invitation
    practitioner: User


@dataclass(frozen=True)
class Refused:
    """An invitation that links nobody: forged, used, expired, or the inviter's own."""

    reason: Refusal


@dataclass(frozen=True)
class LinkView:
    link: SupervisionLink
    other: User  # the supervisor (for a practitioner) or the supervisee (for a supervisor)


@dataclass(frozen=True)
class Links:
    supervisors: list[LinkView]  # the user's own supervisors
    supervisees: list[LinkView]  # the practitioners the user supervises


@dataclass(frozen=True)
class Ended:
    link: SupervisionLink
    other: User | None  # the side to tell (None if they are gone)


@dataclass(frozen=True)
class SharedReflection:
    """A whole reflection shared in full with a supervisor, with their comments on it."""

    detail: ReflectionDetail
    practitioner: User
    sharing: Sharing
    comments: list[Comment]

    @property
    def reflection(self) -> Reflection:
        return self.detail.reflection


@dataclass(frozen=True)
class OverviewEntry:
    """One reflection as a supervisor may see it: no text unless shared in full."""

    reflection_id: int
    written_at: datetime
    kind: str
    confirmed: list[str]
    in_full: bool
    to_discuss: bool


@dataclass(frozen=True)
class Overview:
    """A supervisee's recent reflections, as their supervisor may see them."""

    link: SupervisionLink
    practitioner: User
    since: datetime
    entries: list[OverviewEntry]  # newest first


OVERVIEW_DAYS = 28


class SupervisionService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Callable[[], datetime],
        history: HistoryService,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(TOKEN_BYTES),
    ) -> None:
        self._db = db
        self._clock = clock
        self._history = history
        self._new_token = new_token

    # ---- invitations

    def _agreed(self, user_id: int) -> None:
        if storage.get_user(self._db, user_id) is None:
            raise NotAllowed(f"user {user_id} has not agreed to storage")

    def invite(self, user_id: int, as_verifier: bool = False) -> NewInvitation:
        """A new single-use invitation from this practitioner, valid for 7 days."""
        self._agreed(user_id)
        now = self._clock()
        token = self._new_token()
        invitation = storage.add_invitation(
            self._db, user_id, token_hash(token), as_verifier, now, now + INVITATION_LIFETIME
        )
        return NewInvitation(token, invitation)

    def look_up(self, token: str, visitor_id: int) -> InvitationView | Refused:
        """What an invitation offers the person who opened it; changes nothing."""
        invitation = (
            storage.invitation_by_hash(self._db, token_hash(token))
            if looks_like_token(token)
            else None
        )
        practitioner = (
            None if invitation is None else storage.get_user(self._db, invitation.user_id)
        )
        if invitation is None or practitioner is None:
            return Refused("unknown")
        if invitation.user_id == visitor_id:
            return Refused("own")
        if invitation.used_at is not None:
            return Refused("used")
        if invitation.expires_at <= self._clock():
            return Refused("expired")
        link = storage.active_link(self._db, invitation.user_id, visitor_id)
        if link is not None and (link.verifier or not invitation.as_verifier):
            return Refused("already")
        return InvitationView(invitation, practitioner)

    def accept(self, token: str, supervisor_id: int) -> LinkView | Refused:
        """Link the invitation's practitioner to the supervisor (who has agreed to storage)."""
        found = self.look_up(token, supervisor_id)
        if isinstance(found, Refused):
            return found
        self._agreed(supervisor_id)
        link = storage.accept_invitation(
            self._db, found.invitation.id, supervisor_id, self._clock()
        )
        if link is None:  # used, expired or withdrawn in the meantime: say which
            again = self.look_up(token, supervisor_id)
            return again if isinstance(again, Refused) else Refused("used")
        return LinkView(link, found.practitioner)

    # ---- links

    def links(self, user_id: int) -> Links:
        def view(link: SupervisionLink, other_id: int) -> LinkView | None:
            other = storage.get_user(self._db, other_id)
            return None if other is None else LinkView(link, other)

        supervisors = [
            view(link, link.supervisor_id)
            for link in storage.active_links(self._db, practitioner_id=user_id)
        ]
        supervisees = [
            view(link, link.practitioner_id)
            for link in storage.active_links(self._db, supervisor_id=user_id)
        ]
        return Links(
            [v for v in supervisors if v is not None], [v for v in supervisees if v is not None]
        )

    def _own_link(self, user_id: int, link_id: int) -> SupervisionLink:
        link = storage.get_link(self._db, link_id)
        if link is None or not link.active:
            raise NotFound(f"link {link_id} is not active")
        if user_id not in (link.practitioner_id, link.supervisor_id):
            raise NotAllowed(f"link {link_id} is someone else's")
        return link

    def link(self, user_id: int, link_id: int) -> LinkView:
        """An active link of the user's, with the other side."""
        link = self._own_link(user_id, link_id)
        other_id = link.supervisor_id if user_id == link.practitioner_id else link.practitioner_id
        other = storage.get_user(self._db, other_id)
        if other is None:
            raise NotFound(f"user {other_id} is gone")
        return LinkView(link, other)

    def end(self, user_id: int, link_id: int) -> Ended:
        """Either side ends a link: nothing more is shared from now on."""
        link = self._own_link(user_id, link_id)
        if not storage.end_link(self._db, link_id, user_id, self._clock()):
            raise NotFound(f"link {link_id} has ended already")
        other_id = link.supervisor_id if user_id == link.practitioner_id else link.practitioner_id
        return Ended(storage.get_link(self._db, link_id), storage.get_user(self._db, other_id))

    def set_verifier(self, user_id: int, link_id: int, verifier: bool) -> SupervisionLink:
        """The practitioner says whether this supervisor is their registration verifier."""
        link = self._own_link(user_id, link_id)
        if link.practitioner_id != user_id:
            raise NotAllowed("only the practitioner chooses their verifier")
        storage.set_verifier(self._db, link_id, verifier)
        return storage.get_link(self._db, link_id)

    def is_supervised(self, user_id: int) -> bool:
        return bool(storage.active_links(self._db, practitioner_id=user_id))

    # ---- what the practitioner shares

    def sharing(self, user_id: int, reflection_id: int) -> Sharing:
        owned_reflection(self._db, user_id, reflection_id)
        return storage.sharing_of(self._db, reflection_id)

    def share(
        self,
        user_id: int,
        reflection_id: int,
        *,
        in_full: bool | None = None,
        to_discuss: bool | None = None,
    ) -> Sharing:
        """Share a reflection in full (or not), flag it to discuss (or not)."""
        current = self.sharing(user_id, reflection_id)
        changed = Sharing(
            reflection_id,
            current.in_full if in_full is None else in_full,
            current.to_discuss if to_discuss is None else to_discuss,
        )
        storage.set_sharing(self._db, changed, self._clock())
        return changed

    def share_by_default(self, user_id: int) -> bool:
        return storage.supervision_settings(self._db, user_id).share_by_default

    def set_share_by_default(self, user_id: int, on: bool) -> None:
        """From now on, each reflection finished is shared in full (or not) unless the
        practitioner says otherwise; reflections already written keep their choice."""
        self._agreed(user_id)
        settings = storage.supervision_settings(self._db, user_id)
        storage.save_supervision_settings(
            self._db,
            storage.SupervisionSettings(
                user_id,
                on,
                settings.digest_day,
                settings.digest_time,
                settings.digest_when_empty,
            ),
            self._clock(),
        )

    def finished(self, reflection: Reflection) -> None:
        """A reflection was finished for the first time: apply the sharing default."""
        if self.share_by_default(reflection.user_id):
            current = storage.sharing_of(self._db, reflection.id)
            storage.set_sharing(
                self._db, Sharing(reflection.id, True, current.to_discuss), self._clock()
            )

    # ---- what a supervisor may read

    def overview(self, supervisor_id: int, link_id: int, days: int = OVERVIEW_DAYS) -> Overview:
        """The supervisee's reflections of the last ``days`` days: dates, kinds, confirmed
        indicators, and whether each is shared in full or flagged to discuss."""
        link = self._own_link(supervisor_id, link_id)
        if link.supervisor_id != supervisor_id:
            raise NotAllowed("only the supervisor sees a supervisee's overview")
        practitioner = storage.get_user(self._db, link.practitioner_id)
        if practitioner is None:
            raise NotFound("the supervisee is gone")
        now = self._clock()
        since, until = now - timedelta(days=days), now + timedelta(days=1)  # up to now
        found = storage.finished_reflections_between(self._db, practitioner.id, since, until)
        confirmed = storage.confirmed_between(self._db, practitioner.id, since, until)
        shares = storage.sharings_of(self._db, practitioner.id)
        entries = [
            OverviewEntry(
                r.id,
                r.started_at,
                r.kind,
                sorted(set(confirmed.get(r.id, ())), key=_indicator_order),
                shares.get(r.id, Sharing(r.id)).in_full,
                shares.get(r.id, Sharing(r.id)).to_discuss,
            )
            for r in reversed(found)
        ]
        return Overview(link, practitioner, since, entries)

    def shared_with(self, supervisor_id: int, reflection_id: int) -> SharedReflection:
        """A reflection shared in full with this supervisor, now: NotFound otherwise (the
        same for a reflection that does not exist, is not shared, or whose link ended)."""
        reflection = storage.get_reflection(self._db, reflection_id)
        refused = NotFound(f"reflection {reflection_id} is not shared with {supervisor_id}")
        if reflection is None or reflection.status != "done":
            raise refused
        if storage.active_link(self._db, reflection.user_id, supervisor_id) is None:
            raise refused
        sharing = storage.sharing_of(self._db, reflection_id)
        practitioner = storage.get_user(self._db, reflection.user_id)
        if not sharing.in_full or practitioner is None:
            raise refused
        own_comments = [
            c
            for c in storage.comments_on(self._db, reflection_id)
            if c.supervisor_id == supervisor_id
        ]  # not another supervisor's: each relationship is its own
        return SharedReflection(
            self._history.whole(reflection), practitioner, sharing, own_comments
        )

    def comment(self, supervisor_id: int, reflection_id: int, text: str) -> SharedReflection:
        """A supervisor's comment on a reflection shared with them, stored with it; the
        reflection (and so whom to tell) is returned."""
        self.shared_with(supervisor_id, reflection_id)
        text = text.strip()
        if not text:
            raise ValueError("an empty comment")
        storage.add_comment(
            self._db, reflection_id, supervisor_id, text[:MAX_COMMENT_CHARS], self._clock()
        )
        return self.shared_with(supervisor_id, reflection_id)

    def comments(self, user_id: int, reflection_id: int) -> list[Comment]:
        """Comments on one of the practitioner's own reflections."""
        owned_reflection(self._db, user_id, reflection_id)
        return storage.comments_on(self._db, reflection_id)
