"""``klarsyn drivers`` end to end: import and enrich through the CLI, read the JSON back.

The company is generated here with a known truth: a late delivery costs four NPS points, a high
price two, praise of the staff nothing; customers who complained of late deliveries churned.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from klarsyn.cli.main import app

runner = CliRunner()
LATE = "Leveransen var sen och paketet kom aldrig. Mycket dåligt."
PRICEY = "Alldeles för dyrt, priset är orimligt."
NICE = "Trevlig personal i butiken."
CONTRACT = {
    "driver",
    "kind",
    "importance",
    "importance_low",
    "importance_high",
    "performance",
    "uplift",
    "uplift_low",
    "uplift_high",
    "customers",
    "value_at_stake",
}


def write_company(
    folder: Path, *, customers: int = 240, seed: int = 3, late_cost: dict[str, int] | None = None
) -> dict[str, Path]:
    """``late_cost``: NPS points a late delivery costs per region (4 everywhere by default)."""
    cost = late_cost or {"SE": 4, "DK": 4}
    rng = random.Random(seed)
    feedback = [
        ["id", "received_at", "channel", "customer_id", "nps", "text", "language", "region"]
    ]
    people = [["customer_id", "annual_value", "churned_at"]]
    for c in range(customers):
        customer = f"c{c:04d}"
        region = "SE" if c % 2 else "DK"
        late_customer = rng.random() < 0.3
        for k in range(rng.choice((1, 2))):
            late = late_customer and k == 0
            pricey = rng.random() < 0.25
            text = " ".join([LATE] * late + [PRICEY] * pricey + [NICE] * (not late and not pricey))
            score = 9 - cost[region] * late - 2 * pricey + rng.choice((-1, 0, 0, 1))
            day = 1 + (c + k) % 28
            feedback.append(
                [f"f{c}-{k}", f"2026-0{3 + k}-{day:02d} 10:00", "survey", customer,
                 str(max(0, min(10, score))), text, "sv", region]
            )  # fmt: skip
        churned = "2026-06-01" if late_customer and rng.random() < 0.6 else ""
        people.append([customer, str(rng.randint(500, 5000)), churned])
    paths = {}
    for kind, rows in (("customers", people), ("feedback", feedback)):
        paths[kind] = folder / f"{kind}.csv"
        with paths[kind].open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return paths


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    for kind, path in write_company(tmp_path).items():
        result = runner.invoke(app, ["--db", database_url, "import", kind, str(path)])
        assert result.exit_code == 0, result.output
    enriched = runner.invoke(app, ["--db", database_url, "text", "enrich"])
    assert enriched.exit_code == 0, enriched.output
    return database_url


def drivers_json(db: str, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["--db", db, "drivers", *args, "--json", "--replicates", "100"])
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_json_follows_the_output_contract(db: str) -> None:
    body = drivers_json(db, "--metric", "nps", "--min-customers", "10")
    assert {"drivers", "priorities"} <= set(body)
    assert all(CONTRACT <= set(driver) for driver in body["drivers"])
    names = [driver["driver"] for driver in body["drivers"]]
    assert set(body["priorities"]) <= set(names)
    assert body["drivers"][0]["kind"] == "theme"


def test_the_planted_drivers_come_first_with_money(db: str) -> None:
    body = drivers_json(db, "--min-customers", "10")
    drivers = {driver["driver"]: driver for driver in body["drivers"]}
    assert body["priorities"][0] == "delivery_negative"
    late = drivers["delivery_negative"]
    assert late["uplift_low"] > 0 and late["importance_low"] > 0
    assert late["value_at_stake"] > 0
    assert drivers["price_negative"]["uplift"] > 0
    assert "staff_negative" not in drivers  # praise is not a complaint


def test_segment_narrows_the_responses(db: str) -> None:
    everyone = drivers_json(db, "--min-customers", "10")
    swedes = drivers_json(db, "--min-customers", "10", "--segment", "region=SE")
    assert swedes["segment"] == {"region": "SE"}
    assert 0 < swedes["rows"] < everyone["rows"]


def test_readable_table(db: str) -> None:
    result = runner.invoke(
        app, ["--db", db, "drivers", "--replicates", "20", "--min-customers", "10"]
    )
    assert result.exit_code == 0, result.output
    assert "Key drivers of nps" in result.output and "Priorities" in result.output
    assert "1. delivery" in result.output


def test_unknown_segment_attribute_is_one_red_line(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "drivers", "--segment", "colour=red"])
    assert result.exit_code == 1
    assert "no attribute 'colour'" in result.output and "region" in result.output


def test_nothing_enriched_says_what_to_do(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "fb.csv"
    path.write_text("id,received_at,channel,nps\na,2026-04-01 10:00,survey,9\n", encoding="utf-8")
    assert (
        runner.invoke(app, ["--db", database_url, "import", "feedback", str(path)]).exit_code == 0
    )
    result = runner.invoke(app, ["--db", database_url, "drivers"])
    assert result.exit_code == 1
    assert "enrich" in result.output


def test_compare_shows_where_a_driver_matters_more(database_url: str, tmp_path: Path) -> None:
    # Late deliveries hurt Danish customers badly and Swedish ones not at all.
    for kind, path in write_company(tmp_path, late_cost={"DK": 7, "SE": 0}).items():
        result = runner.invoke(app, ["--db", database_url, "import", kind, str(path)])
        assert result.exit_code == 0, result.output
    comparison = drivers_json(database_url, "--compare", "region")["comparison"]
    assert comparison["by"] == "region"
    assert set(comparison["priorities"]) == {"DK", "SE"}
    delivery = [
        row
        for row in comparison["differences"]
        if row["driver"] == "delivery_negative" and row["significant"]
    ]
    assert len(delivery) == 1
    row = delivery[0]
    dk, se = (
        (row["importance_a"], row["importance_b"])
        if row["segment_a"] == "DK"
        else (row["importance_b"], row["importance_a"])
    )
    assert dk > se


def test_compare_by_an_unknown_attribute_is_refused(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "drivers", "--compare", "planet"])
    assert result.exit_code == 1
    assert "no attribute 'planet'" in result.output
