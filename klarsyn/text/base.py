"""The contract of a sentiment backend, and the registry that picks one by name.

Layer 1 (the built-in lexicon) always runs; a backend (layer 2, a model learned from the
organisation's own feedback, or a heavier optional one) may replace its comment-level score
where it has proved better. A backend abstains (returns ``None``) where it has not.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from klarsyn.errors import BackendUnavailable, InputError


@dataclass(frozen=True, slots=True)
class Judgement:
    """A model's verdict on one comment: a label and a score in [-1, 1]."""

    label: str
    score: float


@runtime_checkable
class TextModel(Protocol):
    """A model on top of the lexicon: judges comments, or abstains with ``None``."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> list[Judgement | None]: ...

    def predict_themes(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> list[list[str]]: ...


#: Factories by backend name; each takes the model directory (``None`` when it needs none).
Factory = Callable[[Path | None], TextModel | None]


def _lexicon(_path: Path | None) -> TextModel | None:
    # The lexicon is layer 1 and always runs; choosing it means "no layer on top".
    return None


def _learned(path: Path | None) -> TextModel | None:
    from klarsyn.text.learned import load_model

    if path is None:
        raise InputError(
            "the 'learned' text model needs a model directory",
            hint="train one with `klarsyn text train … --out DIR` and pass --model DIR",
        )
    return load_model(path)


def _sentence_transformers(path: Path | None) -> TextModel | None:
    """Layer 3: a model trained with ``klarsyn text train --encoder`` on sentence vectors."""
    if importlib.util.find_spec("sentence_transformers") is None:
        raise BackendUnavailable(
            "the sentence-transformers text model needs: pip install 'klarsyn[embeddings]'",
            hint="or use the built-in lexicon or a model trained with `klarsyn text train`",
        )
    if path is None:
        raise InputError(
            "the 'sentence-transformers' text model needs a model directory",
            hint="train one with `klarsyn text train … --encoder minilm --out DIR`",
        )
    from klarsyn.text.learned import load_model

    model = load_model(path)
    if model.featurizer.encoder is None:
        raise InputError(
            f"{str(path)!r} was trained without a sentence encoder",
            hint="use it as the 'learned' model, or train with `klarsyn text train --encoder`",
        )
    return model


BACKENDS: dict[str, Factory] = {
    "lexicon": _lexicon,
    "learned": _learned,
    "sentence-transformers": _sentence_transformers,
}


def text_model(
    name: str, *, path: Path | None = None, backends: dict[str, Factory] | None = None
) -> TextModel | None:
    """The backend called ``name`` (``None`` for the lexicon alone)."""
    table = BACKENDS if backends is None else backends
    factory = table.get(name)
    if factory is None:
        raise InputError(
            f"text model {name!r} is unknown; expected one of {sorted(table)}",
        )
    return factory(path)
