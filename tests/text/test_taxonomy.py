from __future__ import annotations

from pathlib import Path

import pytest

from klarsyn.errors import InputError
from klarsyn.text.taxonomy import (
    Taxonomy,
    Theme,
    dump_taxonomy,
    load_taxonomy,
    parse_taxonomy,
)

LANGUAGES = ("sv", "da", "nb", "fi", "en")


def test_the_default_taxonomy_is_rich_and_hierarchical(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.themes) >= 25
    children = [t for t in taxonomy.themes if t.parent is not None]
    assert len(children) >= 15
    for theme in taxonomy.themes:
        assert set(LANGUAGES) <= set(theme.terms), theme.id
        assert set(LANGUAGES) <= set(theme.labels), theme.id
    for required in (
        "price",
        "price.campaign",
        "billing",
        "delivery.time",
        "delivery.damage",
        "returns",
        "service.reachability",
        "service.waiting_time",
        "staff.attitude",
        "staff.competence",
        "store.opening_hours",
        "digital.website",
        "billing.payment",
        "product.quality",
        "product.range",
        "store.environment",
        "communication",
        "loyalty",
    ):
        assert required in taxonomy


def test_ancestors(taxonomy: Taxonomy) -> None:
    assert taxonomy.ancestors("delivery.time") == ["delivery"]
    assert taxonomy.ancestors("price") == []


def test_a_taxonomy_survives_a_round_trip(taxonomy: Taxonomy, tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(dump_taxonomy(taxonomy), encoding="utf-8")
    loaded = load_taxonomy(path)
    assert loaded == taxonomy
    assert loaded.version == taxonomy.version


def test_an_edit_changes_the_version(taxonomy: Taxonomy) -> None:
    edited = taxonomy.with_theme(
        Theme(id="delivery.drone", labels={"en": "Drones"}, terms={"en": ("drone*",)})
    )
    assert "delivery.drone" in edited
    assert edited.version != taxonomy.version
    assert edited.ancestors("delivery.drone") == ["delivery"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: [", "not valid YAML"),
        ("name: x", "'themes' list"),
        ("themes:\n  - labels: {en: X}", "needs an 'id'"),
        ("themes:\n  - id: a\n  - id: a", "appears twice"),
        ("themes:\n  - id: a.b", "parent 'a'"),
        ("themes:\n  - id: a\n    terms: {en: [1, 2]}", "list of text"),
        ("themes:\n  - id: a\n    terms: {en: ['**']}", "no letters"),
    ],
)
def test_bad_taxonomies_are_explained(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_taxonomy(text)


def test_a_missing_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_taxonomy(tmp_path / "nope.yaml")
