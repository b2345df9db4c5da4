"""The CLD competence framework as data, and suggestions of which indicators a reflection
evidences. Importing this package is cheap: the embedding model loads on first use."""

from framework.embedding_cache import cache_key, cached_embeddings
from framework.encoder import (
    DEFAULT_MODEL_ID,
    STOCK_MODEL,
    TUNED_MODEL_DIR,
    Encoder,
    FakeEncoder,
    ModelLoadError,
    SentenceTransformerEncoder,
    default_model_path,
)
from framework.examples import DEFAULT_EXAMPLES_PATH, ExampleSet, load_examples
from framework.head import DEFAULT_HEAD_PATH, LinearHead, load_head
from framework.model import (
    DEFAULT_FRAMEWORK_PATH,
    Competence,
    Framework,
    FrameworkError,
    Indicator,
    load_framework,
)
from framework.scoring import ScoringParameters
from framework.shown import ShownRule, load_rule
from framework.suggest import FeedbackExample, Suggester, Suggestion, split_sentences

__all__ = [
    "DEFAULT_EXAMPLES_PATH",
    "DEFAULT_FRAMEWORK_PATH",
    "DEFAULT_HEAD_PATH",
    "DEFAULT_MODEL_ID",
    "Competence",
    "Encoder",
    "ExampleSet",
    "FakeEncoder",
    "FeedbackExample",
    "Framework",
    "FrameworkError",
    "Indicator",
    "LinearHead",
    "ModelLoadError",
    "ScoringParameters",
    "ShownRule",
    "STOCK_MODEL",
    "SentenceTransformerEncoder",
    "TUNED_MODEL_DIR",
    "Suggester",
    "Suggestion",
    "cache_key",
    "cached_embeddings",
    "default_model_path",
    "load_examples",
    "load_framework",
    "load_head",
    "load_rule",
    "split_sentences",
]
