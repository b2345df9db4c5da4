"""The word lists the name rules use, loaded once at import from the package's data files.

Each file is one entry a line with `#` comment lines, so a practitioner or maintainer can
add a theorist or a local place without touching code. A missing or empty file fails at
import with its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


class LexiconError(RuntimeError):
    """A word list of the identifier guard is missing or empty."""


def read_list(filename: str) -> tuple[str, ...]:
    """The entries of a data file in this package: stripped lines, comments dropped."""
    try:
        raw = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        message = f"bot/identifiers/{filename}: cannot read the word list ({exc})"
        raise LexiconError(message) from exc
    entries = tuple(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )
    if not entries:
        raise LexiconError(f"bot/identifiers/{filename}: the word list has no entries")
    return entries


def phrase_key(text: str) -> tuple[str, ...]:
    """A phrase as lower-case words without possessive endings, for matching lists."""
    words = []
    for word in text.replace("’", "'").split():
        word = word.strip('.,;:!?()"').lower()
        if word.endswith("'s"):
            word = word[:-2]
        elif word.endswith("'"):
            word = word[:-1]
        if word:
            words.append(word)
    return tuple(words)


@dataclass(frozen=True)
class Lexicon:
    """Word lists for telling a private person's name from everything else."""

    given_names: frozenset[str]
    surnames: frozenset[str]
    not_name_words: frozenset[str]
    venue_words: frozenset[str]
    public_figures: frozenset[tuple[str, ...]]
    known_non_names: frozenset[tuple[str, ...]]

    @property
    def public_surnames(self) -> frozenset[str]:
        """Single-word entries of the allow-list ("kolb", "freire")."""
        return frozenset(entry[0] for entry in self.public_figures if len(entry) == 1)


def load_lexicon() -> Lexicon:
    """Read every word list from the package."""
    return Lexicon(
        given_names=frozenset(read_list("given_names.txt")),
        surnames=frozenset(read_list("surnames.txt")),
        not_name_words=frozenset(read_list("not_name_words.txt")),
        venue_words=frozenset(read_list("venue_words.txt")),
        public_figures=frozenset(phrase_key(line) for line in read_list("public_figures.txt")),
        known_non_names=frozenset(phrase_key(line) for line in read_list("known_non_names.txt")),
    )


LEXICON = load_lexicon()
"""The packaged word lists."""

PUBLIC_FIGURES: frozenset[tuple[str, ...]] = LEXICON.public_figures
"""The allow-list of theorists, authors and public figures, as `phrase_key` tuples."""
