"""Splitting a comment into lower-cased tokens with their character spans.

Tokens are words, emojis and emoticons, boundaries (``.``, ``!``, ``?``, ``;``, a line
break) that end a sentence, and pauses (a comma, a colon, a dash) that end a clause. Links and
PII masks (``[EMAIL]``) are skipped, so that ``https://`` is not read as ``:/`` and a masked
address is not read as the word *email*.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from klarsyn.text.terms import Memo

_ALTERNATIVES = (
    r"(?P<link>(?:https?://|www\.)\S+|\[[A-Z]+\])"
    r"|(?P<word>\w+(?:['\u2019]\w+)*)"
    r"|(?P<emoticon>[:;]['-]?[()DPp/]|<3)"
    r"|(?P<boundary>[.!?;\n]+)"
    r"|(?P<pause>[,:()\u2013\u2014])"
    r"|(?P<emoji>[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?)"
)
_TOKEN = re.compile(_ALTERNATIVES)
# The same alternatives as one capturing group: ``split`` then hands back gap, token, gap, ...
# entirely in C, and the running sum of the pieces' lengths gives every token's span.
_SPLIT = re.compile("(" + re.sub(r"\(\?P<\w+>", "(?:", _ALTERNATIVES) + ")")

WORD, SYMBOL, BOUNDARY, PAUSE = 0, 1, 2, 3
_SKIPPED = -1

Info = tuple[str, int, bool]  # lower-cased token, kind, shouted
_KINDS = {2: WORD, 3: SYMBOL, 4: BOUNDARY, 5: PAUSE, 6: SYMBOL}


def _read(raw: str) -> Info:
    # The first alternative that matches the token alone is the one that matched it in its
    # text: the pattern has no look-arounds, so context cannot change which one wins.
    match = _TOKEN.match(raw)
    group = match.lastindex if match is not None else None
    if group is None or group == 1:
        return ("", _SKIPPED, False)
    if group == 2:
        lowered = raw.lower()
        shouted = lowered != raw and len(raw) > 2 and raw.isupper()
        return (lowered.replace("\u2019", "'") if "\u2019" in lowered else lowered, WORD, shouted)
    return (raw.rstrip("\ufe0f") if group == 6 else raw, _KINDS[group], False)


# Real text repeats a small vocabulary: each distinct raw token is read once.
_INFO: Memo[str, Info] = Memo(_read, limit=200_000)


# Not frozen: one is built per comment, and a frozen one costs twice as much to build.
@dataclass(slots=True)
class Tokens:
    """Parallel lists: token text (lower case), kind, start, end, and whether it was shouted."""

    text: Sequence[str]
    kinds: Sequence[int]
    starts: Sequence[int]
    ends: Sequence[int]
    shouted: Sequence[bool]

    def __len__(self) -> int:
        return len(self.text)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into tokens; typographic apostrophes read as plain ones (*don't*)."""
    pieces = _SPLIT.split(text)
    raws = pieces[1::2]
    if not raws:
        return Tokens(text=(), kinds=(), starts=(), ends=(), shouted=())
    offsets = list(accumulate(map(len, pieces)))
    words, kinds, shouted = zip(*map(_INFO.__getitem__, raws), strict=True)
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    if _SKIPPED in kinds:
        keep = [i for i, kind in enumerate(kinds) if kind != _SKIPPED]
        words = tuple(words[i] for i in keep)
        kinds = tuple(kinds[i] for i in keep)
        shouted = tuple(shouted[i] for i in keep)
        starts = [starts[i] for i in keep]
        ends = [ends[i] for i in keep]
    return Tokens(text=words, kinds=kinds, starts=starts, ends=ends, shouted=shouted)
