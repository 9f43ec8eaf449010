"""``klarsyn metrics`` end to end: import through the CLI, read the JSON contract back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from klarsyn.analytics import nps, poststratify
from klarsyn.cli.main import app

runner = CliRunner()

FEEDBACK = (
    "id,received_at,channel,customer_id,nps,csat,region\n"
    "a,2026-01-05 10:00,survey,c1,10,5,north\n"
    "b,2026-01-06 11:00,survey,c2,9,4,north\n"
    "c,2026-01-07 12:00,email,c3,3,2,south\n"
    "d,2026-01-31T23:30:00Z,survey,c4,6,,south\n"
    "e,2026-02-04 12:00,survey,,8,3,south\n"
    "f,2026-02-05 12:00,survey,c1,,5,north\n"
    "g,2026-02-06 12:00,chat,c5,2,1,\n"
)
CUSTOMERS = (
    "customer_id,region,segment\n"
    "c1,north,private\nc2,north,business\nc3,south,private\n"
    "c4,south,private\nc5,south,private\nc6,south,business\nc7,north,private\n"
)
KEYS = {"period", "segment", "n", "customers", "value", "ci_low", "ci_high", "n_eff", "small_n"}


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    for kind, text in (("feedback", FEEDBACK), ("customers", CUSTOMERS)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["--db", database_url, "import", kind, str(path)])
        assert result.exit_code == 0, result.output
    return database_url


def metrics_json(db: str, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["--db", db, "metrics", *args, "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_json_follows_the_output_contract(db: str) -> None:
    rows = metrics_json(db, "--metric", "nps", "--by", "region", "--period", "month")
    assert all(set(row) == KEYS for row in rows)
    # 2026-01-31 23:30 UTC is already February in Stockholm, the default zone.
    keyed = {(row["period"], row["segment"]["region"]): row for row in rows}
    assert set(keyed) == {
        ("2026-01-01", "north"),
        ("2026-01-01", "south"),
        ("2026-02-01", "north"),
        ("2026-02-01", "south"),
        ("2026-02-01", None),
    }
    january_north = keyed[("2026-01-01", "north")]
    expected = nps(pl.Series([10, 9]))
    assert (january_north["n"], january_north["customers"]) == (2, 2)
    assert (january_north["value"], january_north["ci_low"], january_north["ci_high"]) == (
        pytest.approx((expected.value, expected.low, expected.high), abs=1e-9)
    )
    assert january_north["small_n"] is True
    february_south = keyed[("2026-02-01", "south")]
    # One response from c4 and one anonymous: two voices.
    assert (february_south["n"], february_south["customers"]) == (2, 2)
    empty = keyed[("2026-02-01", "north")]
    assert (empty["n"], empty["value"], empty["ci_low"]) == (0, None, None)


def test_without_options_one_overall_row(db: str) -> None:
    [row] = metrics_json(db, "--metric", "csat")
    assert (row["period"], row["segment"], row["n"]) == (None, {}, 6)
    assert row["value"] == pytest.approx(50.0)


def test_the_table_marks_small_samples(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--by", "channel"])
    assert result.exit_code == 0, result.output
    assert "NPS with 95% confidence intervals" in result.output
    assert "small sample" in result.output and "*" in result.output


def test_weighted_figures_sit_beside_the_unweighted(db: str) -> None:
    rows = metrics_json(db, "--metric", "nps", "--weighted", "--weight-by", "region")
    [row] = rows
    # Scored responses with a customer record: c1 10 (north), c2 9 (north), c3 3, c4 6,
    # c5 2 (south); the customer base is 3 north to 4 south.
    respondents = pl.DataFrame(
        {"region": ["north", "north", "south", "south", "south"], "nps": [10, 9, 3, 6, 2]}
    )
    population = {"north": 3, "south": 4}
    weights = poststratify(respondents, population, by=["region"]).weights
    expected = nps(respondents.get_column("nps"), weights=weights)
    assert row["value"] == pytest.approx(expected.value, abs=1e-9)
    assert row["unweighted_value"] == pytest.approx(nps(pl.Series([10, 9, 3, 6, 8, 2])).value)
    assert row["n_eff"] == pytest.approx(expected.n_eff)
    result = runner.invoke(app, ["--db", db, "metrics", "--weighted", "--weight-by", "region"])
    assert "1 scored responses have no customer record" in result.output
    assert "weighted" in result.output and "n eff" in result.output


def test_weighted_by_segment_adds_an_overall_row_per_period(db: str) -> None:
    rows = metrics_json(db, "--by", "region", "--period", "month", "--weighted")
    overall = [row for row in rows if row["segment"] == {}]
    assert [row["period"] for row in overall] == ["2026-01-01", "2026-02-01"]
    assert {"unweighted_value", "unweighted_ci_low", "unweighted_ci_high"} <= set(rows[0])
    table = runner.invoke(app, ["--db", db, "metrics", "--by", "region", "--weighted"])
    assert table.exit_code == 0, table.output
    assert "all" in table.output and "(none)" in table.output


def test_unknown_attributes_are_named_with_the_alternatives(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--by", "regoin"])
    assert result.exit_code == 1
    assert "no attribute 'regoin'" in result.output and "region" in result.output


def test_weighting_needs_customer_attributes(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--by", "channel", "--weighted"])
    assert result.exit_code == 1
    assert "--weight-by" in result.output and "segment" in result.output


def test_an_empty_store_says_so(database_url: str) -> None:
    result = runner.invoke(app, ["--db", database_url, "metrics"])
    assert result.exit_code == 0 and "No feedback with a nps score" in result.output
    assert json.loads(runner.invoke(app, ["--db", database_url, "metrics", "--json"]).stdout) == [
        {
            "period": None,
            "segment": {},
            "n": 0,
            "customers": 0,
            "value": None,
            "ci_low": None,
            "ci_high": None,
            "n_eff": 0.0,
            "small_n": True,
        }
    ]


def test_a_table_with_empty_periods_and_full_customer_records(db: str) -> None:
    result = runner.invoke(
        app,
        [
            "--db",
            db,
            "metrics",
            "-m",
            "ces",
            "--period",
            "month",
            "--weighted",
            "--weight-by",
            "segment",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no customer record" not in result.output
    table = runner.invoke(app, ["--db", db, "metrics", "--by", "region", "--period", "month"])
    # February has no scored response from the north: shown, with no value.
    assert table.exit_code == 0 and " - " in table.output


def test_control_flags_the_week_that_leaves_the_band_and_not_the_wobble(
    database_url: str, tmp_path: Path
) -> None:
    # Eight steady weeks of mostly promoters with a small wobble, then a week of detractors.
    lines = ["id,received_at,customer_id,nps,region"]
    for week in range(9):
        for i in range(60):
            score = (2 if i % 3 else 9) if week == 8 else (10 if (i + week) % 5 else 5)
            day = date(2026, 3, 2) + timedelta(weeks=week)
            lines.append(f"w{week}-{i},{day} 10:00,c{week}-{i},{score},north")
    path = tmp_path / "weeks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner.invoke(app, ["--db", database_url, "import", "feedback", str(path)])

    rows = metrics_json(database_url, "--period", "week", "--control")
    signals = [row["signal"] for row in rows]
    assert signals[-1] == "below"
    assert signals[:-1] == [None] * 8

    table = runner.invoke(app, ["--db", database_url, "metrics", "--period", "week", "--control"])
    assert "below band" in table.output


def test_control_needs_a_period(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--control"])
    assert result.exit_code == 1 and "--control needs --period" in result.output
