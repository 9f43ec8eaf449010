"""How comments really get typed: slips of the finger, phones without å/ä/ø, caps, emojis.

Text models must cope with all of it, so a share of comments carries some.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

_HAPPY = ("😊", "👍", "🙂", "❤️", "🙌", "⭐⭐⭐⭐⭐", ":)", ":-)")
_ANGRY = ("😡", "😤", "👎", "🙄", "😠", ":(", ">:(")
_SHRUG = ("🤷", "😐")


def roughen(
    text: str,
    *,
    tone: str,
    channel: str,
    plain_letters: Mapping[str, str],
    rng: random.Random,
) -> str:
    """``text`` as a hurried customer might have typed it (most often unchanged)."""
    chatty = channel == "chat"
    if rng.random() < (0.15 if chatty else 0.05):
        text = "".join(plain_letters.get(char, char) for char in text)
    if rng.random() < 0.07:
        text = _slip(text, rng)
    if tone == "negative" and len(text) < 160 and rng.random() < 0.04:
        text = text.upper()
    elif rng.random() < (0.2 if chatty else 0.04):
        text = text[:1].lower() + text[1:]
    if rng.random() < 0.15 and text.endswith("."):
        text = text[:-1]
    if tone == "negative" and text.endswith(".") and rng.random() < 0.06:
        text = text[:-1] + "!!!"
    return _emoji(text, tone=tone, rng=rng)


def _emoji(text: str, *, tone: str, rng: random.Random) -> str:
    chance = {"positive": 0.08, "negative": 0.05}.get(tone, 0.01)
    if rng.random() >= chance:
        return text
    faces = {"positive": _HAPPY, "negative": _ANGRY}.get(tone, _SHRUG)
    return f"{text} {rng.choice(faces)}"


def _slip(text: str, rng: random.Random) -> str:
    """One typo in a longer word: two letters swapped, one dropped or one doubled."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randint(1, len(word) - 3)
    kind = rng.random()
    if kind < 0.45:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind < 0.8:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)
