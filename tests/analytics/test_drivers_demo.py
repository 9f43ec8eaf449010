"""On Nordhem, the demo company, the priorities are the planted drivers and carry money values.

Theme flags come from the generator's truth table here (what each comment really says), so this
checks the driver analysis alone; with flags from the text pipeline it becomes the end-to-end
acceptance of the priority list.
"""

from __future__ import annotations

import polars as pl
import pytest

from klarsyn.analytics.drivers import KeyDrivers, key_drivers
from klarsyn.demo import DRIVER_EFFECTS, LOUD_THEME, THEMES, generate


@pytest.fixture(scope="module")
def nordhem() -> KeyDrivers:
    company = generate(seed=7, feedback=30_000)
    said = pl.col("theme_sentiments").fill_null("")
    flags = {
        f"{theme}_{tone}": said.str.contains(f"(^|;){theme}:{tone}").cast(pl.Int8)
        for theme in THEMES
        for tone in ("negative", "positive")
    }
    customers = company.customers.select(
        "customer_id", "annual_value", churned=pl.col("churned_at").is_not_null().cast(pl.Int8)
    )
    feedback = (
        company.feedback.join(company.truth.select("id", "theme_sentiments"), on="id", how="left")
        .with_columns(**flags)
        .join(customers, on="customer_id", how="left")
    )
    return key_drivers(
        feedback,
        outcome="nps",
        themes=list(flags),
        value="annual_value",
        churn="churned",
        text="text",
        seed=1,
    )


def test_priorities_are_the_planted_negative_drivers(nordhem: KeyDrivers) -> None:
    planted = {f"{theme}_{tone}" for (theme, tone), effect in DRIVER_EFFECTS.items() if effect < 0}
    assert 3 <= len(nordhem.priorities) <= 5
    assert set(nordhem.priorities) <= planted
    assert nordhem.priorities[0] in planted


def test_the_loud_complaint_is_not_a_priority(nordhem: KeyDrivers) -> None:
    assert f"{LOUD_THEME}_negative" not in nordhem.priorities


def test_priorities_carry_money_and_examples(nordhem: KeyDrivers) -> None:
    for driver in nordhem.drivers:
        if driver.driver in nordhem.priorities:
            assert driver.value_at_stake is not None and driver.value_at_stake > 0
            assert driver.customers > 0 and driver.examples
