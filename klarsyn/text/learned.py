"""Layer 2: a linear model learned from the organisation's own labelled or scored comments.

A model directory holds ``manifest.json`` (what was trained, on what, and how it compared with
the lexicon per language) and ``model.npz`` (the idf weights and the non-zero coefficients).
There is no pickle: loading a model runs no code from the file. The model speaks only for the
languages where cross-validation showed it beats layer 1 and abstains elsewhere. A model
trained with a sentence encoder (layer 3) names it in the manifest, and loading the model loads
the encoder from local files.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from klarsyn.errors import InputError
from klarsyn.text.base import Judgement
from klarsyn.text.encoders import load_encoder
from klarsyn.text.features import Featurizer
from klarsyn.text.lexicon import Lexicon
from klarsyn.text.sentiment import label as threshold_label

#: 2: separately normalised feature families, negation scopes, softmax heads.
FORMAT = 2
MANIFEST = "manifest.json"
ARRAYS = "model.npz"
#: Backend names: a model with a sentence encoder is layer 3.
LEARNED, SENTENCE_TRANSFORMERS = "learned", "sentence-transformers"


@dataclass(frozen=True, slots=True)
class LinearHead:
    """A linear classifier over the features: one row of weights per class (one if binary)."""

    classes: tuple[str, ...]
    coef: npt.NDArray[np.float32]  # (rows, features)
    intercept: npt.NDArray[np.float32]  # (rows,)
    independent: bool = False  # one yes/no classifier per class (multi-label themes)

    def probabilities(self, features: Any) -> npt.NDArray[np.float64]:
        """Per class: a probability (rows sum to 1 unless the head is ``independent``)."""
        logits = np.asarray(features @ self.coef.T, dtype=np.float64) + self.intercept
        if self.independent or self.coef.shape[0] == 1:
            sigmoid: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
            if self.independent:
                return sigmoid
            # Binary: the row scores the second class.
            return np.column_stack([1.0 - sigmoid[:, 0], sigmoid[:, 0]])
        # The weights were scaled in training so that this softmax is calibrated.
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
        return result


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """Sentiment (and optionally themes) learned from labelled comments."""

    featurizer: Featurizer
    sentiment: LinearHead | None
    themes: LinearHead | None
    manifest: Mapping[str, Any]
    version: str = field(default="")

    @property
    def name(self) -> str:
        return LEARNED if self.featurizer.encoder is None else SENTENCE_TRANSFORMERS

    @property
    def languages(self) -> frozenset[str]:
        """Languages where the model beat the lexicon in cross-validation."""
        return frozenset(self.manifest.get("sentiment", {}).get("use_for", []))

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> list[Judgement | None]:
        """A judgement for each text in a language the model speaks for, else ``None``."""
        if self.sentiment is None:
            return [None] * len(texts)
        use_all = "*" in self.languages
        chosen = [
            i for i, lang in enumerate(languages) if use_all or (lang or "") in self.languages
        ]
        results: list[Judgement | None] = [None] * len(texts)
        if not chosen:
            return results
        features = self.featurizer.transform(
            [texts[i] for i in chosen], languages=[languages[i] for i in chosen]
        )
        probabilities = self.sentiment.probabilities(features)
        classes = self.sentiment.classes
        for row, i in enumerate(chosen):
            p = dict(zip(classes, probabilities[row], strict=True))
            score = float(p.get("positive", 0.0) - p.get("negative", 0.0))
            if "neutral" in p:
                verdict = classes[int(np.argmax(probabilities[row]))]
            else:
                verdict = threshold_label(score)
            results[i] = Judgement(label=verdict, score=score)
        return results

    def predict_themes(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> list[list[str]]:
        """Learned themes per text (empty lists when no theme model was trained)."""
        if self.themes is None or not texts:
            return [[] for _ in texts]
        probabilities = self.themes.probabilities(
            self.featurizer.transform(texts, languages=languages)
        )
        classes = self.themes.classes
        if not self.manifest["themes"]["multilabel"]:
            return [[classes[int(np.argmax(row))]] for row in probabilities]
        threshold = float(self.manifest["themes"]["threshold"])
        return [
            [c for c, p in zip(classes, row, strict=True) if p >= threshold]
            for row in probabilities
        ]


def save_model(model: LearnedModel, directory: Path) -> str:
    """Write ``model`` to ``directory`` (created if needed); returns the model version."""
    arrays: dict[str, npt.NDArray[Any]] = {"idf": model.featurizer.idf}
    for prefix, head in (("sentiment", model.sentiment), ("themes", model.themes)):
        if head is not None:
            columns = np.flatnonzero(np.any(head.coef != 0, axis=0))
            arrays[f"{prefix}_columns"] = columns.astype(np.int64)
            arrays[f"{prefix}_values"] = head.coef[:, columns]
            arrays[f"{prefix}_intercept"] = head.intercept
            arrays[f"{prefix}_width"] = np.array([head.coef.shape[1]])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload)
    encoder = model.featurizer.encoder
    if encoder is not None:  # the same weights on another encoder's vectors are another model
        digest.update(encoder.name.encode())
    version = digest.hexdigest()[:12]
    manifest = {**model.manifest, "format": FORMAT, "version": version}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ARRAYS).write_bytes(payload)
    (directory / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return version


def load_model(directory: Path, *, lexicon: Lexicon | None = None) -> LearnedModel:
    """Read a model directory written by :func:`save_model`.

    A model trained with the lexicon's reading as features needs the same lexicon version
    (``lexicon``, the built-in one by default).
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file() or not (directory / ARRAYS).is_file():
        raise InputError(
            f"{str(directory)!r} is not a model directory (no {MANIFEST} and {ARRAYS})",
            hint="train one with `klarsyn text train … --out DIR`",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise InputError(
            f"model {str(directory)!r} has format {manifest.get('format')!r}, "
            f"this Klarsyn reads format {FORMAT}",
            hint="train the model again with `klarsyn text train`",
        )
    if manifest.get("lexicon_version") is not None:
        if lexicon is None:
            from klarsyn.text.lexicon import default_lexicon

            lexicon = default_lexicon()
        if lexicon.version != manifest["lexicon_version"]:
            raise InputError(
                f"model {str(directory)!r} was trained with lexicon "
                f"{manifest['lexicon_version']}, this lexicon is {lexicon.version}",
                hint="train the model again with `klarsyn text train`",
            )
    described = manifest.get("encoder")
    encoder = load_encoder(str(described["model"])) if described else None
    if encoder is not None and encoder.dimensions != int(described["dimensions"]):
        raise InputError(
            f"model {str(directory)!r} was trained on {described['dimensions']}-dimensional "
            f"vectors from {described['model']!r}, which now gives {encoder.dimensions}",
            hint="train the model again with `klarsyn text train --encoder …`",
        )
    with np.load(directory / ARRAYS, allow_pickle=False) as arrays:
        featurizer = Featurizer(
            idf=arrays["idf"],
            lexicon=lexicon if manifest.get("lexicon_version") else None,
            lexicon_weight=float(manifest.get("lexicon_weight", 1.0)),
            encoder=encoder,
        )
        heads = {
            prefix: _head(arrays, prefix, manifest[prefix])
            for prefix in ("sentiment", "themes")
            if f"{prefix}_columns" in arrays
        }
    return LearnedModel(
        featurizer=featurizer,
        sentiment=heads.get("sentiment"),
        themes=heads.get("themes"),
        manifest=manifest,
        version=str(manifest["version"]),
    )


def _head(arrays: Any, prefix: str, described: Mapping[str, Any]) -> LinearHead:
    values = arrays[f"{prefix}_values"]
    coef = np.zeros((values.shape[0], int(arrays[f"{prefix}_width"][0])), dtype=np.float32)
    coef[:, arrays[f"{prefix}_columns"]] = values
    return LinearHead(
        classes=tuple(str(c) for c in described["classes"]),
        coef=coef,
        intercept=arrays[f"{prefix}_intercept"],
        independent=bool(described.get("multilabel", False)),
    )
