"""The CLD competence framework as validated, immutable data.

The framework lives in a TOML file (`cld.toml` beside this module) so that wording can
be corrected without touching code. `load_framework` checks the file thoroughly and fails
fast with a message naming the file, the competence or indicator, and what is wrong.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FRAMEWORK_PATH: Path = Path(__file__).parent / "cld.toml"
SHORT_LABEL_LIMIT = 40
"""Longest `short` label, in characters: it must fit on a phone button."""

_ID_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
_TOP_LEVEL_KEYS = {"name", "version", "source", "competences"}
_COMPETENCE_KEYS = {"number", "title", "purpose", "context", "indicators"}
_INDICATOR_KEYS = {"id", "text", "short"}


class FrameworkError(ValueError):
    """A framework file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Indicator:
    """One competence indicator, e.g. 2.6 "work towards the resolution of conflict"."""

    id: str
    competence: int
    text: str
    short: str


@dataclass(frozen=True)
class Competence:
    """One of the framework's competences with its indicators in source order."""

    number: int
    title: str
    purpose: str
    context: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Framework:
    """A loaded framework; `content_hash` identifies the exact file it came from."""

    name: str
    version: str
    source: str
    competences: tuple[Competence, ...]
    path: Path
    content_hash: str
    _by_id: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _by_number: dict[int, Competence] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {ind.id: ind for comp in self.competences for ind in comp.indicators}
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_number", {c.number: c for c in self.competences})

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators in framework order."""
        return tuple(self._by_id.values())

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """All indicator ids in framework order."""
        return tuple(self._by_id)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; raises KeyError if there is none."""
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise KeyError(f"no indicator {indicator_id!r} in {self.name}") from None

    def get_indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or None."""
        return self._by_id.get(indicator_id)

    def competence(self, number: int) -> Competence:
        """The competence with this number; raises KeyError if there is none."""
        try:
            return self._by_number[number]
        except KeyError:
            raise KeyError(f"no competence {number!r} in {self.name}") from None


def shorten(text: str, limit: int = SHORT_LABEL_LIMIT) -> str:
    """Cut `text` to at most `limit` characters on a word boundary, marking the cut with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def load_framework(path: str | Path | None = None) -> Framework:
    """Read and validate a framework TOML file (the packaged CLD framework by default)."""
    path = Path(path).absolute() if path is not None else DEFAULT_FRAMEWORK_PATH
    prefix = f"framework file {path}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FrameworkError(f"{prefix}: file not found") from None
    except OSError as exc:
        raise FrameworkError(f"{prefix}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FrameworkError(f"{prefix}: not valid UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{prefix}: invalid TOML: {exc}") from exc

    _reject_unknown_keys(data, _TOP_LEVEL_KEYS, prefix)
    name = _required_text(data, "name", prefix)
    version = _required_text(data, "version", prefix)
    source = _required_text(data, "source", prefix)
    tables = data.get("competences")
    if not isinstance(tables, list) or not tables:
        raise FrameworkError(f"{prefix}: no [[competences]] tables")

    seen_ids: dict[str, str] = {}
    competences: list[Competence] = []
    for position, table in enumerate(tables, start=1):
        competences.append(_parse_competence(table, position, prefix, competences, seen_ids))

    return Framework(
        name=name,
        version=version,
        source=source,
        competences=tuple(competences),
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def _parse_competence(
    table: Any,
    position: int,
    prefix: str,
    earlier: list[Competence],
    seen_ids: dict[str, str],
) -> Competence:
    """Validate one [[competences]] table, given the `earlier` ones and the indicator ids
    already used (`seen_ids`, mapped to where they were used)."""
    where = f"{prefix}: competence #{position} in file"
    if not isinstance(table, dict):
        raise FrameworkError(f"{where}: must be a table")
    number = table.get("number")
    if number is None:
        raise FrameworkError(f"{where}: number is missing")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise FrameworkError(f"{where}: number must be a positive integer, not {number!r}")
    where = f"{prefix}: competence {number}"
    if any(competence.number == number for competence in earlier):
        raise FrameworkError(f"{where}: number is used by more than one competence")
    _reject_unknown_keys(table, _COMPETENCE_KEYS, where)
    title = _required_text(table, "title", where)
    purpose = _required_text(table, "purpose", where)
    context = _required_text(table, "context", where)
    items = table.get("indicators")
    if not isinstance(items, list) or not items:
        raise FrameworkError(f"{where}: has no indicators ([[competences.indicators]])")
    indicators = tuple(
        _parse_indicator(item, number, index, prefix, seen_ids)
        for index, item in enumerate(items, start=1)
    )
    return Competence(number, title, purpose, context, indicators)


def _parse_indicator(
    item: Any, competence: int, position: int, prefix: str, seen_ids: dict[str, str]
) -> Indicator:
    """Validate one indicator: its id must be "<competence>.<position>"."""
    expected = f"{competence}.{position}"
    where = f"{prefix}: competence {competence}, indicator #{position}"
    if not isinstance(item, dict):
        raise FrameworkError(f"{where}: must be a table")
    indicator_id = item.get("id")
    if indicator_id is None:
        raise FrameworkError(f"{where}: id is missing (expected {expected!r})")
    if not isinstance(indicator_id, str) or not _ID_PATTERN.match(indicator_id):
        raise FrameworkError(f'{where}: id {indicator_id!r} is not of the form "C.N"')
    where = f"{prefix}: indicator {indicator_id}"
    if indicator_id in seen_ids:
        raise FrameworkError(f"{where}: duplicate id (already used {seen_ids[indicator_id]})")
    seen_ids[indicator_id] = f"by indicator #{position} of competence {competence}"
    if indicator_id != expected:
        raise FrameworkError(
            f"{where}: id does not match its place; it is indicator #{position} of "
            f"competence {competence}, so its id must be {expected!r}"
        )
    _reject_unknown_keys(item, _INDICATOR_KEYS, where)
    text = _required_text(item, "text", where)
    short = item.get("short")
    if short is None:
        short = shorten(text)
    elif not isinstance(short, str) or not short.strip():
        raise FrameworkError(f"{where}: short must be non-empty text if given")
    elif len(short.strip()) > SHORT_LABEL_LIMIT:
        raise FrameworkError(
            f"{where}: short is {len(short.strip())} characters; the limit is {SHORT_LABEL_LIMIT}"
        )
    return Indicator(id=indicator_id, competence=competence, text=text, short=short.strip())


def _required_text(table: dict[str, Any], key: str, where: str) -> str:
    """The stripped string at `key`, or a FrameworkError if missing, not text, or empty."""
    value = table.get(key)
    if value is None:
        raise FrameworkError(f"{where}: {key} is missing")
    if not isinstance(value, str):
        raise FrameworkError(f"{where}: {key} must be text, not {type(value).__name__}")
    if not value.strip():
        raise FrameworkError(f"{where}: {key} is empty")
    return value.strip()


def _reject_unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    """Catch typos such as `txt = ...`, which would otherwise be silently ignored."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise FrameworkError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}"
        )
