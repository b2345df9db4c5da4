"""User-facing text looked up by key, so wording changes never touch code."""

from __future__ import annotations

import html
import re
import tomllib
from functools import cache
from pathlib import Path

MESSAGES_PATH = Path(__file__).with_name("messages.toml")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain(text: str) -> str:
    """A message's Telegram HTML as plain text (the terminal, alerts on Telegram)."""
    return html.unescape(_TAG.sub("", text))


class Texts:
    """A flat view of a messages file: ``"saved.heading"`` -> its text."""

    def __init__(self, path: Path = MESSAGES_PATH) -> None:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        self.path = path
        self._texts: dict[str, str] = {}
        self._flatten("", data)

    def _flatten(self, prefix: str, node: dict) -> None:
        for key, value in node.items():
            full = f"{prefix}{key}"
            if isinstance(value, dict):
                self._flatten(full + ".", value)
            elif isinstance(value, str):
                self._texts[full] = value
            else:
                raise ValueError(f"{self.path}: {full} must be text, not {type(value).__name__}")

    def keys(self) -> set[str]:
        return set(self._texts)

    def get(self, key: str, /, **values: object) -> str:
        """The text for ``key`` with ``{placeholders}`` filled from ``values``."""
        try:
            template = self._texts[key]
        except KeyError:
            raise KeyError(f"no text with key {key!r} in {self.path}") from None
        return template.format(**values) if values else template


@cache
def default_texts() -> Texts:
    return Texts()


def t(key: str, /, **values: object) -> str:
    """Look up a message in the packaged messages file."""
    return default_texts().get(key, **values)
