"""Text fixtures: the built-in parts, loaded once per session (the language model is 5 MB)."""

from __future__ import annotations

import pytest

from klarsyn.text.lexicon import Lexicon, default_lexicon
from klarsyn.text.pipeline import TextPipeline, build_pipeline
from klarsyn.text.taxonomy import Taxonomy, default_taxonomy


@pytest.fixture(scope="session")
def pipeline() -> TextPipeline:
    return build_pipeline()


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return default_lexicon()


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return default_taxonomy()
