"""Labelled reflections in JSONL: ``{"id": ..., "text": ..., "labels": [ids, best first]}``.

The same format serves evaluation sets and the labelled reflections the suggester learns
from; an empty ``labels`` list means the reflection evidences nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from framework.model import Framework


class DatasetError(ValueError):
    """A JSONL file is malformed; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class LabelledItem:
    id: str
    text: str
    labels: tuple[str, ...]


def read_jsonl(path: str | Path, framework: Framework | None = None) -> list[LabelledItem]:
    """Read labelled items; unknown indicator ids are an error when a framework is given."""
    path = Path(path)
    items: list[LabelledItem] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read ({error.strerror})") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{where}: not valid JSON ({error.msg})") from error
        if not isinstance(raw, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        item_id, text, labels = raw.get("id"), raw.get("text"), raw.get("labels", [])
        if not isinstance(item_id, str) or not item_id:
            raise DatasetError(f"{where}: 'id' must be non-empty text")
        if item_id in seen:
            raise DatasetError(f"{where}: id {item_id!r} appears twice")
        if not isinstance(text, str):
            raise DatasetError(f"{where}: 'text' must be text")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise DatasetError(f"{where}: 'labels' must be a list of indicator ids")
        if framework is not None:
            unknown = [x for x in labels if framework.get_indicator(x) is None]
            if unknown:
                raise DatasetError(f"{where}: unknown indicator id(s) {unknown}")
        seen.add(item_id)
        items.append(LabelledItem(item_id, text, tuple(labels)))
    return items
