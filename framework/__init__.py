"""The CLD competence framework as data, and suggestions of which indicators a reflection
evidences. Importing this package is cheap: the embedding model loads on first use."""

from framework.embedding_cache import cache_key, cached_embeddings
from framework.encoder import (
    DEFAULT_MODEL_ID,
    Encoder,
    FakeEncoder,
    ModelLoadError,
    SentenceTransformerEncoder,
    default_model_path,
)
from framework.model import (
    DEFAULT_FRAMEWORK_PATH,
    Competence,
    Framework,
    FrameworkError,
    Indicator,
    load_framework,
)
from framework.suggest import (
    DEFAULT_THRESHOLD,
    IndicatorTextMethod,
    ReferenceMethod,
    Suggester,
    Suggestion,
    indicator_similarity,
    split_sentences,
    top_indicators,
)

__all__ = [
    "DEFAULT_FRAMEWORK_PATH",
    "DEFAULT_MODEL_ID",
    "DEFAULT_THRESHOLD",
    "Competence",
    "Encoder",
    "FakeEncoder",
    "Framework",
    "FrameworkError",
    "Indicator",
    "IndicatorTextMethod",
    "ModelLoadError",
    "ReferenceMethod",
    "SentenceTransformerEncoder",
    "Suggester",
    "Suggestion",
    "cache_key",
    "cached_embeddings",
    "default_model_path",
    "indicator_similarity",
    "load_framework",
    "split_sentences",
    "top_indicators",
]
