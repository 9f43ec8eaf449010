"""Language identification for sv, da, nb, fi and en, per comment, with a confidence.

The model is py3langid's naive Bayes over byte n-grams, restricted to the expected languages.
Its own ``classify`` walks the n-gram automaton one byte at a time in Python (about 10,000
texts/s); :class:`LanguageIdentifier` walks the same automaton for a whole batch at once in
numpy, one step per byte position, which is what lets the full pipeline keep up with imports.
Danish and Norwegian are the only pair the model confuses, so a low-confidence da/nb decision
falls back to the source's configured language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

#: Languages Klarsyn understands, as stored (Norwegian Bokmål is ``nb``).
LANGUAGES = ("sv", "da", "nb", "fi", "en")
# py3langid calls Norwegian ``no``; everything stored uses ``nb``.
_MODEL_CODES = {"sv": "sv", "da": "da", "nb": "no", "fi": "fi", "en": "en"}
#: Below this confidence a Danish/Norwegian decision is a coin toss between the two.
SCANDINAVIAN_FLOOR = 0.9
#: Bytes read per text; language is clear long before this and it bounds the batch walk.
MAX_BYTES = 300


@dataclass(frozen=True, slots=True)
class Languages:
    """The language of each text in a batch (``None`` where a text has no letters)."""

    codes: list[str | None]
    confidences: list[float | None]


class LanguageIdentifier:
    """A batch language identifier over a fixed set of languages."""

    def __init__(self, languages: Sequence[str] = LANGUAGES) -> None:
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as Model

        unknown = [code for code in languages if code not in _MODEL_CODES]
        if unknown:
            raise ValueError(f"languages {unknown} are not among {LANGUAGES}")
        model = Model.from_model_file(MODEL_FILE, norm_probs=True)
        model.set_languages([_MODEL_CODES[code] for code in languages])
        by_model_code = {_MODEL_CODES[code]: code for code in languages}
        self.languages = [by_model_code[c] for c in model.nb_classes]
        self._nextmove = np.asarray(model.tk_nextmove, dtype=np.int64)
        self._rowbase = np.asarray(model._rowbase, dtype=np.int64)
        self._output = np.asarray(model.tk_output, dtype=np.int64)
        self._weights = np.asarray(model.nb_ptc, dtype=np.float32)
        self._prior = np.asarray(model.nb_pc, dtype=np.float32)

    def identify(
        self,
        texts: Sequence[str | None],
        *,
        default: str | None = None,
        defaults: Sequence[str | None] | None = None,
    ) -> Languages:
        """Identify the language of each text.

        ``default`` is the language the source is configured with (``defaults``: one per text):
        it replaces a da/nb decision made with less than :data:`SCANDINAVIAN_FLOOR` confidence,
        since those two are written so alike that the model's guess is then worse than what the
        organisation knows.
        """
        if defaults is None:
            defaults = [default] * len(texts)
        encoded = [_encode(text) for text in texts]
        scores = self._scores(encoded)
        best = scores.argmax(axis=1)
        codes: list[str | None] = []
        confidences: list[float | None] = []
        fallbacks = {code: normalise_language(code) for code in set(defaults)}
        chosen = scores[np.arange(len(encoded)), best].tolist()
        names = [self.languages[i] for i in best.tolist()]
        for row, data in enumerate(encoded):
            if not any(map(str.isalpha, data.decode("utf-8", "ignore"))):
                codes.append(None)
                confidences.append(None)
                continue
            code = names[row]
            confidence = chosen[row]
            default = fallbacks[defaults[row]]
            if (
                default is not None
                and code in {"da", "nb"}
                and default in {"da", "nb"}
                and confidence < SCANDINAVIAN_FLOOR
            ):
                code = default
            codes.append(code)
            confidences.append(round(confidence, 4))
        return Languages(codes=codes, confidences=confidences)

    def _scores(self, encoded: list[bytes]) -> npt.NDArray[np.float32]:
        n = len(encoded)
        if n == 0:
            return np.zeros((0, len(self.languages)), dtype=np.float32)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        rows, features = self._walk(encoded, lengths)
        counts = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, features)),
            shape=(n, self._weights.shape[0]),
        )
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        raw: npt.NDArray[np.float32] = np.asarray(counts @ self._weights, dtype=np.float32)
        raw += self._prior
        # py3langid tempers the posterior by sqrt(length) so confidence is comparable across
        # short and long texts; do the same so its calibration carries over.
        raw *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
        raw -= raw.max(axis=1, keepdims=True)
        probabilities: npt.NDArray[np.float32] = np.exp(raw)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return probabilities

    def _walk(
        self, encoded: list[bytes], lengths: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every (text, n-gram feature) hit, walking all texts one byte position at a time."""
        # Longest texts first, one row per byte position: the texts still being read at a
        # position are then a prefix of that row, a slice rather than a gather.
        order = np.argsort(-lengths, kind="stable")
        ordered = lengths[order]
        width = int(ordered[0])
        grid = np.zeros((max(width, 1), len(encoded)), dtype=np.uint8)
        flat = np.frombuffer(b"".join([encoded[i] for i in order.tolist()]), dtype=np.uint8)
        starts = np.cumsum(ordered) - ordered
        columns = np.repeat(np.arange(len(encoded)), ordered)
        grid[np.arange(len(flat)) - np.repeat(starts, ordered), columns] = flat
        # How many texts are longer than each position.
        reading = np.searchsorted(-ordered, -np.arange(width), side="left")
        state = np.zeros(len(encoded), dtype=np.int64)
        hit_rows: list[npt.NDArray[np.int64]] = []
        hit_features: list[npt.NDArray[np.int64]] = []
        nextmove, rowbase, output = self._nextmove, self._rowbase, self._output
        for position in range(width):
            active = int(reading[position])
            current = nextmove[rowbase[state[:active]] + grid[position, :active]]
            state[:active] = current
            feature = output[current]
            found = np.flatnonzero(feature >= 0)
            hit_rows.append(found)
            hit_features.append(feature[found])
        if not hit_rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return order[np.concatenate(hit_rows)], np.concatenate(hit_features)


def _encode(text: str | None) -> bytes:
    # Same normalisation as py3langid: an all-caps text is read in lower case, NFC.
    if not text:
        return b""
    if text.isupper():
        text = text.lower()
    data = unicodedata.normalize("NFC", text).encode("utf-8", errors="ignore")
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES].decode("utf-8", errors="ignore").encode("utf-8")
    return data


def normalise_language(code: str | None) -> str | None:
    """``sv-SE`` → ``sv``, ``no``/``nn`` → ``nb``; ``None`` for anything Klarsyn does not read."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    base = {"no": "nb", "nn": "nb", "nob": "nb", "swe": "sv", "dan": "da", "fin": "fi"}.get(
        base, base
    )
    return base if base in LANGUAGES else None


@cache
def language_identifier(languages: tuple[str, ...] = LANGUAGES) -> LanguageIdentifier:
    """The identifier for ``languages``, loaded once per process (the model is 5 MB)."""
    return LanguageIdentifier(languages)
