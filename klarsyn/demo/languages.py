"""The languages Nordhem's customers write in, each with its phrasebook."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from klarsyn.demo.phrasebook import Phrasebook
from klarsyn.demo.phrases_da import DANISH
from klarsyn.demo.phrases_en import ENGLISH
from klarsyn.demo.phrases_fi import FINNISH
from klarsyn.demo.phrases_nb import NORWEGIAN
from klarsyn.demo.phrases_sv import SWEDISH

PHRASEBOOKS: Mapping[str, Phrasebook] = MappingProxyType(
    {book.language: book for book in (SWEDISH, DANISH, NORWEGIAN, ENGLISH, FINNISH)}
)
"""Phrasebook per language code, in the order of :data:`klarsyn.demo.geography.LANGUAGES`."""
