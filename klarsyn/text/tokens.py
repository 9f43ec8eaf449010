"""Splitting a comment into lower-cased tokens with their character spans.

Tokens are words, emojis and emoticons, boundaries (``.``, ``!``, ``?``, ``;``, a line
break) that end a sentence, and pauses (a comma, a colon, a dash) that end a clause. Links and
PII masks (``[EMAIL]``) are skipped, so that ``https://`` is not read as ``:/`` and a masked
address is not read as the word *email*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<link>(?:https?://|www\.)\S+|\[[A-Z]+\])"
    r"|(?P<word>\w+(?:['\u2019]\w+)*)"
    r"|(?P<emoticon>[:;]['-]?[()DPp/]|<3)"
    r"|(?P<boundary>[.!?;\n]+)"
    r"|(?P<pause>[,:()\u2013\u2014])"
    r"|(?P<emoji>[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?)"
)

WORD, SYMBOL, BOUNDARY, PAUSE = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Tokens:
    """Parallel lists: token text (lower case), kind, start, end, and whether it was shouted."""

    text: list[str]
    kinds: list[int]
    starts: list[int]
    ends: list[int]
    shouted: list[bool]

    def __len__(self) -> int:
        return len(self.text)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into tokens; typographic apostrophes read as plain ones (*don't*)."""
    words: list[str] = []
    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    shouted: list[bool] = []
    # Groups by number (1 link, 2 word, 3 emoticon, 4 boundary, 5 pause, 6 emoji): reading
    # lastindex and span once per token is the cheapest way through the match objects.
    for match in _TOKEN.finditer(text):
        group = match.lastindex
        if group == 1:
            continue
        start, end = match.span()
        value = text[start:end]
        if group == 2:
            kinds.append(WORD)
            lowered = value.lower()
            shouted.append(lowered != value and len(value) > 2 and value.isupper())
            value = lowered.replace("\u2019", "'") if "\u2019" in lowered else lowered
        else:
            kinds.append(BOUNDARY if group == 4 else PAUSE if group == 5 else SYMBOL)
            shouted.append(False)
            if group == 6:
                value = value.rstrip("\ufe0f")
        words.append(value)
        starts.append(start)
        ends.append(end)
    return Tokens(text=words, kinds=kinds, starts=starts, ends=ends, shouted=shouted)
