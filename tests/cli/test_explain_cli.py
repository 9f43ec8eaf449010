"""``klarsyn explain`` and ``klarsyn findings`` end to end: import through the CLI, read back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from klarsyn.cli.main import app

runner = CliRunner()
CHANGE_KEYS = {"metric", "period", "vs", "value_before", "value_after", "delta", "ci_low"}
CHANGE_KEYS |= {"ci_high", "p_value"}
CAUSE_KEYS = {"kind", "dimension", "value", "effect", "explained_share", "p_value", "summary"}
CAUSE_KEYS |= {"symptoms", "examples"}
MARKUP = "[bold red]not markup[/] ok"


def write_company(folder: Path, *, drop: float, seed: int) -> dict[str, Path]:
    """Feedback for April to June 2026 where region 'west' loses ``drop`` points in June, and a
    campaign sent in June that nobody minds."""
    rng = np.random.default_rng(seed)
    n = 4_500
    month = np.repeat([4, 5, 6], n // 3)
    day = rng.integers(2, 28, n)
    region = rng.choice(["north", "south", "east", "west"], n)
    latent = 7.6 + rng.normal(0, 2.0, n) - drop * ((month == 6) & (region == "west"))
    received = [f"2026-{m:02d}-{d:02d}T12:00:00+02:00" for m, d in zip(month, day, strict=True)]
    texts = [f"{MARKUP} {i}" for i in range(n)]
    feedback = pl.DataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "received_at": received,
            "channel": ["survey"] * n,
            "customer_id": [f"c{i}" for i in rng.integers(0, 3_000, n)],
            "nps": np.clip(np.rint(latent), 0, 10).astype(np.int64),
            "text": texts,
            "region": region,
        }
    )
    customers = [f"c{i}" for i in range(0, 3_000, 3)]
    sent = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC).isoformat()
    events = pl.DataFrame(
        {
            "id": [f"e{i}" for i in range(len(customers))],
            "customer_id": customers,
            "occurred_at": [sent] * len(customers),
            "type": ["campaign"] * len(customers),
            "campaign": ["Midsommar"] * len(customers),
        }
    )
    paths = {"feedback": folder / "feedback.csv", "events": folder / "events.csv"}
    feedback.write_csv(paths["feedback"])
    events.write_csv(paths["events"])
    return paths


def imported(database_url: str, folder: Path, *, drop: float, seed: int) -> str:
    for kind, path in write_company(folder, drop=drop, seed=seed).items():
        result = runner.invoke(app, ["--db", database_url, "import", kind, str(path)])
        assert result.exit_code == 0, result.output
    return database_url


@pytest.fixture
def planted(database_url: str, tmp_path: Path) -> str:
    return imported(database_url, tmp_path, drop=3.0, seed=1)


def explain_json(db: str, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["--db", db, "explain", *args, "--json"])
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_json_follows_the_output_contract(planted: str) -> None:
    body = explain_json(planted, "--metric", "nps", "--period", "2026-06", "--vs", "2026-05")
    assert CHANGE_KEYS <= set(body["change"])
    change = body["change"]
    assert (change["metric"], change["period"], change["vs"]) == ("nps", "2026-06", "2026-05")
    assert change["ci_low"] <= change["delta"] <= change["ci_high"] < 0
    first = body["causes"][0]
    assert CAUSE_KEYS <= set(first)
    assert (first["kind"], first["dimension"], first["value"], first["effect"]) == (
        "segment",
        "region",
        "west",
        "rate",
    )
    assert 0.5 < first["explained_share"] <= 1.5
    assert first["p_value"] < 0.001
    assert len(set(first["examples"])) == 6
    # The harmless campaign is not blamed.
    assert all(cause["kind"] != "campaign" for cause in body["causes"])


def test_the_previous_period_is_the_default_and_by_limits_the_search(planted: str) -> None:
    body = explain_json(planted, "--period", "2026-06", "--by", "region")
    assert body["change"]["vs"] == "2026-05"
    assert {cause["dimension"] for cause in body["causes"]} <= {"region", "campaign"}


def test_text_output_reads_well_and_escapes_comments(planted: str) -> None:
    result = runner.invoke(app, ["--db", planted, "explain", "--period", "2026-06"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.stdout.split())
    assert "NPS fell" in output
    assert "region = west" in output
    # A comment that looks like Rich markup is printed as it was written.
    assert "[bold red]not markup[/] ok" in output


def test_no_clear_cause_when_nothing_was_planted(database_url: str, tmp_path: Path) -> None:
    db = imported(database_url, tmp_path, drop=0.0, seed=2)
    body = explain_json(db, "--period", "2026-06")
    assert body["causes"] == []
    result = runner.invoke(app, ["--db", db, "explain", "--period", "2026-06"])
    assert "no clear cause" in result.stdout.lower() or "within normal variation" in result.stdout


def test_bad_input_is_one_red_line(planted: str) -> None:
    result = runner.invoke(app, ["--db", planted, "explain", "--period", "June"])
    assert result.exit_code == 1
    assert "cannot read the period" in result.stderr
    result = runner.invoke(app, ["--db", planted, "explain", "--period", "2030-01"])
    assert result.exit_code == 1
    assert "no feedback" in result.stderr
    result = runner.invoke(app, ["--db", planted, "explain", "--period", "2026-06", "--by", "x"])
    assert result.exit_code == 1


def test_findings_flag_the_planted_month(planted: str) -> None:
    result = runner.invoke(app, ["--db", planted, "findings", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert all(
        set(f) >= {"series", "dimension", "value", "period", "observed", "expected", "p_value"}
        for f in found
    )
    text = runner.invoke(app, ["--db", planted, "findings"])
    assert text.exit_code == 0, text.output
