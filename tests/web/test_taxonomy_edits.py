"""The taxonomy editor's edits: order kept, terms validated, children leave with their parent."""

from __future__ import annotations

import pytest

from klarsyn.errors import InputError, NotFound
from klarsyn.text.taxonomy import default_taxonomy
from klarsyn.web.taxonomy_edits import add_theme, deactivate_theme, edit_theme, split_terms


def test_split_terms_trims_and_drops_repeats() -> None:
    assert split_terms(" late, slow ,, late , delay* ") == ("late", "slow", "delay*")


def test_edit_keeps_the_order_and_other_languages() -> None:
    taxonomy = default_taxonomy()
    edited = edit_theme(
        taxonomy, "delivery", labels={"en": "Shipping", "sv": " "}, terms={"en": "ship*, parcel"}
    )
    assert edited.ids == taxonomy.ids
    assert edited["delivery"].label("en") == "Shipping"
    assert edited["delivery"].label("sv") == taxonomy["delivery"].label("sv")  # blank keeps
    assert edited["delivery"].terms["en"] == ("ship*", "parcel")
    assert edited["delivery"].terms["sv"] == taxonomy["delivery"].terms["sv"]
    assert edited.version != taxonomy.version


def test_an_invalid_term_is_refused() -> None:
    with pytest.raises(InputError):
        edit_theme(default_taxonomy(), "price", labels={}, terms={"en": "**"})


def test_add_a_sub_theme_under_an_existing_parent() -> None:
    added = add_theme(default_taxonomy(), " Delivery.Noise ", label="Noisy", terms={"en": "noisy"})
    assert added.ids[-1] == "delivery.noise" and added["delivery.noise"].parent == "delivery"
    with pytest.raises(InputError, match="parent"):
        add_theme(default_taxonomy(), "nowhere.child", label="", terms={})
    with pytest.raises(InputError, match="already exists"):
        add_theme(default_taxonomy(), "price", label="", terms={})
    with pytest.raises(InputError, match="lower-case"):
        add_theme(default_taxonomy(), "two words", label="", terms={})


def test_deactivate_takes_the_sub_themes_along() -> None:
    taxonomy = default_taxonomy()
    kept = deactivate_theme(taxonomy, "delivery")
    assert not [theme for theme in kept.ids if theme.split(".")[0] == "delivery"]
    assert len(kept.ids) == len(taxonomy.ids) - 1 - len(
        [t for t in taxonomy.ids if t.startswith("delivery.")]
    )
    with pytest.raises(NotFound):
        deactivate_theme(taxonomy, "nope")
