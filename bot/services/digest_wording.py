"""What a supervisor's weekly digest says, as HTML from ``prompts/``: one wording for the
Telegram message (text and read buttons) and ``reflectbot digest --preview``.

A digest is one Telegram message, so it stays under ``MESSAGE_LIMIT`` characters: when
it would not, excerpts go first, then the lists of reflections shared in full or flagged
to discuss shrink to counts, and last the supervisees that do not fit are counted in an
"and N more" line.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from bot.portfolio.wording import day, hours
from bot.services.digests import GAP_WEEKS, Digest, SuperviseeDigest
from prompts import t

MESSAGE_LIMIT = 4096  # Telegram's, in characters; measured on the HTML, which is longer
MAX_LISTED = 5  # reflections listed in one line or list before "and N more"
MAX_READ_BUTTONS = 20  # Telegram allows 100 buttons a message; a phone shows far fewer
KIND_KEYS = {"note": "kinds.note", "guided": "kinds.guided"}

# How much of the lists a section shows, from most to least: what is tried in turn.
Detail = Literal["excerpts", "dates", "count"]
DETAILS: tuple[Detail, ...] = get_args(Detail)


def _kind(kind: str) -> str:
    return t(KIND_KEYS.get(kind, "kinds.guided")).lower()


def _short_day(moment: datetime, zone: ZoneInfo) -> str:
    """Mon 23 Nov"""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}"


def _listed(items: list[str], separator: str = ", ") -> str:
    shown = items[:MAX_LISTED]
    if len(items) > MAX_LISTED:
        shown.append(t("digest.more", count=len(items) - MAX_LISTED))
    return separator.join(shown)


def _reflections(count: int) -> str:
    if count == 0:
        return t("digest.reflections_none")
    if count == 1:
        return t("digest.reflections_one")
    return t("digest.reflections_many", count=count)


def _gaps(found: SuperviseeDigest) -> str:
    never = [str(g.number) for g in found.gaps if g.weeks is None]
    parts = [t("digest.gap_never", numbers=", ".join(never))] if never else []
    parts += [
        t("digest.gap_weeks", number=g.number, weeks=g.weeks)
        for g in found.gaps
        if g.weeks is not None
    ]
    return t("digest.gaps", weeks=GAP_WEEKS, items="; ".join(parts))


def _hours(found: SuperviseeDigest) -> str:
    summary = found.hours
    period = t("learning.this_year" if summary.cycle_start is not None else "learning.rolling_year")
    if summary.required_per_year is None:
        return t("digest.hours_unset", period=period, done=hours(summary.this_year))
    return t(
        "digest.hours",
        period=period,
        done=hours(summary.this_year),
        required=hours(summary.required_per_year),
    )


def _section(found: SuperviseeDigest, zone: ZoneInfo, detail: Detail) -> str:
    """One supervisee: a few short lines, each only when it has something to say."""
    lines = [
        t(
            "digest.supervisee",
            name=escape(found.practitioner.display_name),
            verifier=t("supervision.verifier_suffix") if found.link.verifier else "",
            reflections=_reflections(found.reflections),
        )
    ]
    if found.new_indicators:
        lines.append(t("digest.new_indicators", ids=", ".join(found.new_indicators)))
    if found.gaps:
        lines.append(_gaps(found))
    lines.append(_hours(found))
    if found.to_discuss and detail == "count":
        lines.append(t("digest.to_discuss", items=len(found.to_discuss)))
    elif found.to_discuss:
        items = [
            t("digest.discuss_item", date=_short_day(f.written_at, zone), kind=_kind(f.kind))
            for f in found.to_discuss
        ]
        lines.append(t("digest.to_discuss", items=_listed(items)))
    if found.shared and detail == "count":
        lines.append(t("digest.shared_count", count=len(found.shared)))
    elif found.shared:
        lines.append(t("digest.shared_heading"))
        items = [
            t(
                "digest.shared_line",
                date=_short_day(s.written_at, zone),
                kind=_kind(s.kind),
                excerpt=t("digest.excerpt", text=escape(s.excerpt)) if detail == "excerpts" else "",
            )
            for s in found.shared
        ]
        lines.append(_listed(items, "\n"))
    return "\n".join(lines)


def _layout(digest: Digest) -> tuple[str, list[SuperviseeDigest]]:
    """The digest's text, and the supervisees whose sections it holds."""
    zone = ZoneInfo(digest.supervisor.timezone)
    start, end = day(digest.start.astimezone(zone)), day(digest.end.astimezone(zone))
    if not digest.supervisees:
        return t("digest.nobody"), []
    if digest.empty:
        return t("digest.empty", start=start, end=end), []
    heading = t("digest.heading", start=start, end=end)

    def whole(blocks: list[str], shown: list[SuperviseeDigest], more: int = 0) -> str:
        hint = t("digest.read_hint") if any(s.shared for s in shown) else ""
        tail = t("digest.more_supervisees", count=more) if more else ""
        return "\n\n".join(part for part in (heading, *blocks, tail, hint) if part)

    supervisees = digest.supervisees
    blocks: list[str] = []
    for detail in DETAILS:
        blocks = [_section(s, zone, detail) for s in supervisees]
        text = whole(blocks, supervisees)
        if len(text) <= MESSAGE_LIMIT:
            return text, supervisees

    def first(count: int) -> str:
        return whole(blocks[:count], supervisees[:count], len(blocks) - count)

    # Still too long: as many supervisees as fit, then how many more there are.
    shown = len(blocks) - 1
    while shown > 0 and len(first(shown)) > MESSAGE_LIMIT:
        shown -= 1
    return first(shown), supervisees[:shown]


def digest_text(digest: Digest) -> str:
    """The digest as one message: a heading with the week and a short section per
    supervisee; one line for an empty week, or for someone who supervises nobody."""
    return _layout(digest)[0]


def read_buttons(digest: Digest) -> list[tuple[str, int]]:
    """(label, reflection id) for each reflection shared in full in the digest's
    sections, in their order, up to ``MAX_READ_BUTTONS``."""
    zone = ZoneInfo(digest.supervisor.timezone)
    _, shown = _layout(digest)
    return [
        (
            t(
                "digest.read_button",
                name=found.practitioner.display_name,
                date=_short_day(shared.written_at, zone),
            ),
            shared.reflection_id,
        )
        for found in shown
        for shared in found.shared
    ][:MAX_READ_BUTTONS]
