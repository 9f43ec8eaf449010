"""``klarsyn themes``: prevalence per distinct customer, so a loud few cannot outrank the many.

Three customers write 40 times each about plastic packaging (120 messages); a hundred customers
write once each about slow deliveries (100 messages). Counting messages would put packaging
first; counting customers puts delivery first, and the loudness view says why.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from klarsyn.cli.main import app

runner = CliRunner()
PLASTIC = "Förpackningen var full av plast. Dåligt."
LATE = "Leveransen var sen och paketet kom aldrig. Mycket dåligt."
NICE = "Trevlig personal i butiken."
START = datetime(2026, 1, 1, tzinfo=UTC)


def _rows() -> list[list[str]]:
    rows = [["id", "received_at", "channel", "customer_id", "text", "language", "region"]]
    for c in range(3):
        for k in range(40):
            at = START + timedelta(days=k, hours=c)
            rows.append([f"p{c}-{k}", at.isoformat(), "email", f"loud{c}", PLASTIC, "sv", "SE"])
    for c in range(100):
        at = START + timedelta(days=c % 60, hours=5)
        rows.append([f"d{c}", at.isoformat(), "survey", f"many{c}", LATE, "sv", "DK"])
    for c in range(50):
        at = START + timedelta(days=c, hours=7)
        rows.append([f"n{c}", at.isoformat(), "survey", f"many{c}", NICE, "sv", "DK"])
    return rows


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    path = tmp_path / "feedback.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(_rows())
    for args in (["import", "feedback", str(path)], ["text", "enrich"]):
        result = runner.invoke(app, ["--db", database_url, *args])
        assert result.exit_code == 0, result.output
    return database_url


def themes_json(db: str, *args: str) -> dict[str, dict[str, Any]]:
    result = runner.invoke(app, ["--db", db, "themes", *args, "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return {row["theme"]: row for row in rows}


def test_many_customers_outrank_a_loud_few(db: str) -> None:
    rows = themes_json(db)
    packaging, delivery = rows["sustainability"], rows["delivery"]
    assert packaging["feedback"] == 120 and packaging["customers"] == 3
    assert delivery["feedback"] == 100 and delivery["customers"] == 100
    # By messages packaging would lead; by customers it ranks below delivery.
    assert packaging["feedback_rank"] < delivery["feedback_rank"]
    assert delivery["rank"] < packaging["rank"]
    assert packaging["loud"] and packaging["top_k_share"] == pytest.approx(100.0)
    assert not delivery["loud"] and delivery["top_k_share"] == pytest.approx(3.0)


def test_shares_are_of_commenting_customers(db: str) -> None:
    delivery = themes_json(db)["delivery"]
    # 103 customers commented; 100 of them about delivery, all negatively.
    assert delivery["customer_share"] == pytest.approx(100 / 103 * 100)
    assert delivery["negative_share"] == pytest.approx(100.0)
    assert delivery["customer_share_low"] < delivery["customer_share"]
    assert delivery["trend"] is None  # all time has no period before it


def test_segment_and_level(db: str) -> None:
    danes = themes_json(db, "--segment", "region=DK")
    assert "sustainability" not in danes and danes["delivery"]["customers"] == 100
    top = themes_json(db, "--level", "top")
    assert all("." not in theme for theme in top)


def test_readable_table_marks_loud_themes(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "themes"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    delivery = next(i for i, line in enumerate(lines) if " delivery " in line)
    packaging = next(i for i, line in enumerate(lines) if "sustainability" in line)
    assert delivery < packaging
    assert "loud" in lines[packaging]
