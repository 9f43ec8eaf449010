"""End to end on Nordhem, the demo company: generator → import → text pipeline → priorities.

Unlike ``test_drivers_demo.py`` (theme flags from the generator's truth table), the theme flags
here are what the text pipeline read in the comments, so this is the issue's acceptance: the
priority list names, with money values, the themes the generator planted as negative drivers,
and the loud-but-rare packaging complaint is not among them nor among the top themes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klarsyn.analytics.drivers import KeyDrivers
from klarsyn.cli.main import app
from klarsyn.demo import DRIVER_EFFECTS, LOUD_CUSTOMERS, LOUD_THEME, THEMES
from klarsyn.storage.driver_inputs import driver_inputs, drivers_of, theme_flag
from klarsyn.storage.store import Store
from klarsyn.storage.theme_inputs import ThemeOverview, theme_inputs, theme_overview

pytestmark = pytest.mark.slow

# The generator's theme names → the taxonomy's top-level theme ids that cover them.
TAXONOMY_THEME = {
    "price": "price",
    "delivery": "delivery",
    "customer_service": "service",
    "waiting_time": "service",
    "opening_hours": "store",
    "billing": "billing",
    "website_app": "digital",
    "returns": "returns",
    "product_range": "product",
    "quality": "product",
    "staff_attitude": "staff",
    "packaging": "sustainability",
    "marketing": "communication",
}
PLANTED_NEGATIVE = {
    TAXONOMY_THEME[theme] for (theme, tone), effect in DRIVER_EFFECTS.items() if effect < 0
}
LOUD = TAXONOMY_THEME[LOUD_THEME]


def test_every_generator_theme_is_mapped() -> None:
    assert set(TAXONOMY_THEME) == set(THEMES)
    assert PLANTED_NEGATIVE == {"delivery", "service", "price", "product"}


@pytest.fixture(scope="module")
def nordhem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("nordhem") / "demo.db"
    url = f"sqlite:///{path}"
    args = ["--db", url, "demo", "--no-serve", "--feedback", "20000"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with Store.open(url) as store:
        yield store


@pytest.fixture(scope="module")
def priorities(nordhem: Store) -> KeyDrivers:
    """The analysis as the CLI and the dashboard run it (themes 30+ customers complain about)."""
    return drivers_of(driver_inputs(nordhem), metric="nps", seed=1)


@pytest.fixture(scope="module")
def with_rare_themes(nordhem: Store) -> KeyDrivers:
    """Five customers are enough to enter the model here, so the loud complaint competes too."""
    inputs = driver_inputs(nordhem, min_customers=5)
    assert theme_flag(LOUD) in inputs.themes
    return drivers_of(inputs, metric="nps", seed=1)


def _themes(result: KeyDrivers) -> list[str]:
    return [name.removesuffix("_negative") for name in result.priorities]


def test_priorities_are_planted_negative_drivers(priorities: KeyDrivers) -> None:
    named = _themes(priorities)
    assert 3 <= len(named) <= 5
    assert set(named) <= PLANTED_NEGATIVE
    assert named[0] in PLANTED_NEGATIVE


def test_priorities_carry_money_customers_and_examples(priorities: KeyDrivers) -> None:
    by_name = {d.driver: d for d in priorities.drivers}
    for name in priorities.priorities:
        driver = by_name[name]
        assert driver.value_at_stake is not None and driver.value_at_stake > 0
        assert driver.customers >= 30
        assert driver.uplift_low > 0
        assert driver.examples and all(isinstance(text, str) for text in driver.examples)


def test_the_loud_complaint_is_not_a_priority_even_when_modelled(
    with_rare_themes: KeyDrivers,
) -> None:
    assert theme_flag(LOUD) not in with_rare_themes.priorities
    assert set(_themes(with_rare_themes)) <= PLANTED_NEGATIVE
    loud = next(d for d in with_rare_themes.drivers if d.driver == theme_flag(LOUD))
    assert loud.customers < 30


@pytest.fixture(scope="module")
def themes(nordhem: Store) -> ThemeOverview:
    return theme_overview(nordhem, level="all")


def test_loud_theme_is_not_among_the_top_themes_by_customers(themes: ThemeOverview) -> None:
    row = themes.table.filter(themes.table["theme"] == LOUD).row(0, named=True)
    top = themes.table.sort("rank").head(10)["theme"].to_list()
    assert LOUD not in top
    # By message count the few loud customers would lift it far up the list.
    assert row["feedback_rank"] + 10 <= row["rank"]
    assert row["loud"] and row["top_k_share"] > 50


def test_loud_customers_wrote_most_of_the_loud_theme(nordhem: Store) -> None:
    window = theme_inputs(nordhem, level="all").current
    loud = window.mentions.filter(window.mentions["theme"] == LOUD)
    from_loud = loud.filter(loud["customer_id"].is_in(list(LOUD_CUSTOMERS))).height
    assert from_loud / loud.height > 0.5
