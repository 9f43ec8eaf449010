from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from klarsyn import __version__
from klarsyn.cli.main import app

runner = CliRunner()

FEEDBACK = (
    "id,received_at,channel,nps,text,region\n"
    "a,2026-05-01 10:00,survey,9,Snabbt och smidigt,Skåne\n"
    "b,2026-05-02 11:00,survey,11,Fel skala,Skåne\n"
    "c,2026-05-03 12:00,email,,<script>alert(1)</script>,Oslo\n"
)


def write_feedback(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK, encoding="utf-8")
    return path


def test_help_names_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("import", "export", "quarantine", "demo"):
        assert command in result.output


def test_version() -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"klarsyn {__version__}"


def test_import_prints_a_summary_and_quarantine_lists_the_reason(
    database_url: str, tmp_path: Path
) -> None:
    path = write_feedback(tmp_path)
    result = runner.invoke(app, ["--db", database_url, "import", "feedback", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 · duplicates 0 · quarantined 1 (see klarsyn quarantine list --run 1)" in (
        result.output
    )

    listed = runner.invoke(app, ["--db", database_url, "quarantine", "list", "--json"])
    rows = json.loads(listed.output)
    assert [(r["row_number"], r["reason"]) for r in rows] == [(3, "nps '11' is outside 0-10")]
    assert rows[0]["raw"]["text"] == "Fel skala"

    runs = runner.invoke(app, ["--db", database_url, "quarantine", "runs", "--json"])
    [run] = json.loads(runs.output)
    assert (run["status"], run["source"], run["imported"], run["quarantined"]) == (
        "completed",
        "feedback.csv",
        2,
        1,
    )
    table = runner.invoke(app, ["--db", database_url, "quarantine", "runs"])
    assert table.exit_code == 0 and "Import runs" in table.output


def test_export_in_every_format(database_url: str, tmp_path: Path) -> None:
    runner.invoke(app, ["--db", database_url, "import", "feedback", str(write_feedback(tmp_path))])
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            app, ["--db", database_url, "export", "feedback", "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        frame = (
            pl.read_csv(out)
            if fmt == "csv"
            else pl.read_ndjson(out)
            if fmt == "jsonl"
            else pl.read_parquet(out)
        )
        assert frame["id"].to_list() == ["a", "c"]
        assert frame["region"].to_list() == ["Skåne", "Oslo"]
        assert frame["text"][1] == "<script>alert(1)</script>"

    stdout = runner.invoke(
        app, ["--db", database_url, "export", "feedback", "--channel", "email", "-f", "jsonl"]
    )
    records = [json.loads(line) for line in stdout.output.splitlines()]
    assert [r["id"] for r in records] == ["c"]
    assert records[0]["received_at"].startswith("2026-05-03T10:00:00")

    since = runner.invoke(
        app, ["--db", database_url, "export", "feedback", "--since", "2026-05-02", "-f", "csv"]
    )
    assert pl.read_csv(since.output.encode())["id"].to_list() == ["c"]


def test_errors_are_one_line_with_a_hint_and_exit_code_1(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    missing = runner.invoke(app, ["--db", db, "import", "feedback", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1
    assert "Error: file" in missing.output and "does not exist" in missing.output
    assert "Traceback" not in missing.output

    path = write_feedback(tmp_path)
    bad_map = runner.invoke(app, ["--db", db, "import", "feedback", str(path), "--map", "oops"])
    assert bad_map.exit_code == 1 and "has no '='" in bad_map.output

    bad_db = runner.invoke(app, ["--db", "mysql://x@y/z", "import", "feedback", str(path)])
    assert bad_db.exit_code == 1 and "SQLite or PostgreSQL" in bad_db.output


def test_usage_errors_exit_with_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "surveys", "x.csv"])
    assert result.exit_code == 2


def test_debug_shows_the_exception(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    result = runner.invoke(app, ["--db", db, "--debug", "import", "feedback", "nope.csv"])
    assert result.exit_code == 1
    assert result.exception is not None and "does not exist" in str(result.exception)


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    path = write_feedback(tmp_path)
    result = runner.invoke(
        app, ["import", "feedback", str(path)], env={"KLARSYN_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_quarantined_rows_can_be_fixed_and_imported_again(
    database_url: str, tmp_path: Path
) -> None:
    path = write_feedback(tmp_path)
    runner.invoke(app, ["--db", database_url, "import", "feedback", str(path)])
    fix = tmp_path / "fix.csv"
    result = runner.invoke(
        app, ["--db", database_url, "quarantine", "export", "--run", "1", "--out", str(fix)]
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(fix, infer_schema=False)
    assert rows["_reason"].to_list() == ["nps '11' is outside 0-10"]
    rows.with_columns(pl.lit("10").alias("nps")).write_csv(fix)

    again = runner.invoke(
        app,
        [
            "--db",
            database_url,
            "import",
            "feedback",
            str(fix),
            "--source",
            "feedback.csv",
            "--map",
            "_row=,_reason=",
        ],
    )
    assert "imported 1 · duplicates 0 · quarantined 0" in again.output
    exported = runner.invoke(app, ["--db", database_url, "export", "feedback", "-f", "jsonl"])
    fixed = [json.loads(line) for line in exported.output.splitlines() if '"b"' in line]
    assert fixed and fixed[0]["nps"] == 10 and "_reason" not in fixed[0]
