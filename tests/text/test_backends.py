from __future__ import annotations

import importlib.util

import pytest

from klarsyn.errors import BackendUnavailable
from klarsyn.text.base import text_model


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None,
    reason="the extra is installed here",
)
def test_a_missing_extra_names_the_install_command() -> None:
    with pytest.raises(BackendUnavailable, match=r"pip install 'klarsyn\[embeddings\]'"):
        text_model("sentence-transformers")
