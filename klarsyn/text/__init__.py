"""Understanding what customers write: language, personal data, sentiment and themes, offline.

The public surface: :func:`build_pipeline` loads the parts once, :func:`analyze` runs them over
a frame; taxonomies, the lexicon, layer-2 training and discovery have their own modules.
Enrichment of the store lives in :mod:`klarsyn.text.enrichment`.
"""

from klarsyn.text.base import Judgement, TextModel, text_model
from klarsyn.text.discovery import Suggestion, accept_suggestion, discover_themes
from klarsyn.text.learned import LearnedModel, load_model, save_model
from klarsyn.text.pii import mask_pii
from klarsyn.text.pipeline import OUTPUT_COLUMNS, TextPipeline, analyze, build_pipeline
from klarsyn.text.taxonomy import Taxonomy, Theme, default_taxonomy, load_taxonomy
from klarsyn.text.training import train_model

__all__ = [
    "OUTPUT_COLUMNS",
    "Judgement",
    "LearnedModel",
    "Suggestion",
    "Taxonomy",
    "TextModel",
    "TextPipeline",
    "Theme",
    "accept_suggestion",
    "analyze",
    "build_pipeline",
    "default_taxonomy",
    "discover_themes",
    "load_model",
    "load_taxonomy",
    "mask_pii",
    "save_model",
    "text_model",
    "train_model",
]
