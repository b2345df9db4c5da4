"""Worked examples per indicator: what evidence of it sounds like in a practitioner's voice.

Suggestions compare a reflection with these examples (nearest neighbours) and feed them
to the trained head, so the examples file is as much a part of the method as the code.
The packaged file was written for the CLD framework; another framework needs its own.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from framework.dataset import DatasetError, LabelledItem, read_jsonl
from framework.model import Framework, FrameworkError

DEFAULT_EXAMPLES_PATH = Path(__file__).parent / "data" / "cld_examples.toml"


@dataclass(frozen=True)
class ExampleSet:
    """Examples by indicator id (framework order), and texts that evidence nothing."""

    by_indicator: dict[str, tuple[str, ...]]
    descriptions: dict[str, str]
    none: tuple[str, ...]
    path: Path
    content_hash: str
    reflections: tuple[LabelledItem, ...] = ()  # whole labelled reflections, also learned from

    def references(self, indicator_id: str) -> tuple[str, ...]:
        """Texts standing for an indicator: its examples, then reflections labelled with it."""
        labelled = tuple(r.text for r in self.reflections if indicator_id in r.labels)
        return self.by_indicator[indicator_id] + labelled


def load_examples(framework: Framework, path: str | Path | None = None) -> ExampleSet:
    """Read and check an examples file against ``framework``: every indicator needs examples."""
    path = Path(path) if path is not None else DEFAULT_EXAMPLES_PATH

    def fail(problem: str) -> FrameworkError:
        return FrameworkError(f"examples file {path}: {problem}")

    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as error:
        raise fail(f"cannot read ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise fail(f"not valid TOML ({error})") from error
    indicators = data.get("indicators")
    if not isinstance(indicators, dict):
        raise fail('needs [indicators."C.N"] tables')
    unknown = sorted(set(indicators) - set(framework.indicator_ids))
    if unknown:
        raise fail(f"indicator(s) {unknown} are not in the framework {framework.path}")
    by_indicator: dict[str, tuple[str, ...]] = {}
    descriptions: dict[str, str] = {}
    for indicator_id in framework.indicator_ids:
        table = indicators.get(indicator_id)
        if table is None:
            raise fail(f"indicator {indicator_id} has no examples")
        examples = table.get("examples")
        if not isinstance(examples, list) or not examples:
            raise fail(f"indicator {indicator_id}: 'examples' must be a non-empty list")
        if not all(isinstance(e, str) and e.strip() for e in examples):
            raise fail(f"indicator {indicator_id}: every example must be non-empty text")
        by_indicator[indicator_id] = tuple(e.strip() for e in examples)
        descriptions[indicator_id] = str(table.get("description", "")).strip()
    reflections: list[LabelledItem] = []
    digest = hashlib.sha256(raw)
    listed = data.get("reflections", [])
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise fail("'reflections' must be a list of JSONL file names")
    for name in listed:
        reflections_path = path.parent / name
        try:
            reflections.extend(read_jsonl(reflections_path, framework))
            digest.update(reflections_path.read_bytes())
        except DatasetError as error:
            raise fail(f"reflections: {error}") from error
    none = data.get("none", {}).get("examples", [])
    if not isinstance(none, list) or not all(isinstance(e, str) and e.strip() for e in none):
        raise fail("[none] 'examples' must be a list of non-empty texts")
    return ExampleSet(
        by_indicator=by_indicator,
        descriptions=descriptions,
        none=tuple(e.strip() for e in none),
        path=path,
        content_hash=digest.hexdigest(),
        reflections=tuple(reflections),
    )
