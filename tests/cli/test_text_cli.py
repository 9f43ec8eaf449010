from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from klarsyn.cli.text import text_app

runner = CliRunner()

COMMENTS = (
    "id,comment,score\n"
    '1,"Kundtjänst svarade aldrig, mejla mig på anna@example.se",2\n'
    "2,Great staff and fast delivery!,10\n"
    "3,,5\n"
)


@pytest.fixture
def comments(tmp_path: Path) -> Path:
    path = tmp_path / "comments.csv"
    path.write_text(COMMENTS, encoding="utf-8")
    return path


def test_analyze_csv(comments: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        text_app, ["analyze", str(comments), "--text-column", "comment", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "analysed 3 rows" in result.output
    frame = pl.read_csv(out, infer_schema=False)
    assert frame.columns[:3] == ["id", "comment", "score"]
    first = frame.row(0, named=True)
    assert first["language"] == "sv"
    assert first["sentiment"] == "negative"
    assert first["themes"] == "service.reachability"
    assert first["text_masked"] == "Kundtjänst svarade aldrig, mejla mig på [EMAIL]"
    assert json.loads(first["mentions"])[0]["theme"] == "service"
    assert frame.row(1, named=True)["sentiment"] == "positive"


def test_analyze_jsonl_keeps_lists(comments: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        text_app, ["analyze", str(comments), "--text-column", "comment", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[1]["themes"] == ["staff", "delivery.time"]


def test_analyze_xlsx_in_and_out(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kommentar"])
    sheet.append(["Pakken kom for sent og kundeservice svarede ikke"])
    workbook.save(source)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(
        text_app,
        [
            "analyze",
            str(source),
            "--text-column",
            "kommentar",
            "--out",
            str(out),
            "--language",
            "da",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "themes" in header
    assert row["language"] == "da"
    assert row["sentiment"] == "negative"


def test_unknown_column_and_language_are_errors(comments: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    missing = runner.invoke(
        text_app, ["analyze", str(comments), "--text-column", "body", "--out", str(out)]
    )
    assert missing.exit_code != 0
    assert "body" in str(missing.exception)
    language = runner.invoke(
        text_app,
        [
            "analyze",
            str(comments),
            "--text-column",
            "comment",
            "--out",
            str(out),
            "--language",
            "de",
        ],
    )
    assert language.exit_code != 0


def test_an_edited_taxonomy_is_used(comments: Path, tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.yaml"
    exported = runner.invoke(text_app, ["taxonomy", "--out", str(taxonomy)])
    assert exported.exit_code == 0, exported.output
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(
        text + "- id: email\n  labels: {en: E-mail}\n  terms: {sv: ['mejl*']}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        text_app,
        [
            "analyze",
            str(comments),
            "--text-column",
            "comment",
            "--taxonomy",
            str(taxonomy),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "email" in pl.read_csv(out)["themes"][0].split(";")


def test_taxonomy_prints_yaml() -> None:
    result = runner.invoke(text_app, ["taxonomy"])
    assert result.exit_code == 0
    assert "delivery.time" in result.output


def test_enrich_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from klarsyn.collect.importer import import_file
    from klarsyn.storage.store import Store

    url = f"sqlite:///{tmp_path / 'klarsyn.db'}"
    monkeypatch.setenv("KLARSYN_DATABASE_URL", url)
    source = tmp_path / "feedback.csv"
    source.write_text(
        "id,received_at,channel,text\n"
        "a,2026-04-01 10:00,survey,Kundtjänst svarade aldrig\n"
        "b,2026-04-02 10:00,survey,Great app\n",
        encoding="utf-8",
    )
    with Store.open(url) as store:
        import_file(source, kind="feedback", store=store)
    first = runner.invoke(text_app, ["enrich"])
    assert first.exit_code == 0, first.output
    assert "enriched 2 feedback rows" in first.output
    again = runner.invoke(text_app, ["enrich"])
    assert "enriched 0 feedback rows" in again.output
    taxonomy = tmp_path / "taxonomy.yaml"
    runner.invoke(text_app, ["taxonomy", "--out", str(taxonomy)])
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8")
        + "- id: mobile\n  labels: {en: Mobile}\n  terms: {en: ['app']}\n",
        encoding="utf-8",
    )
    edited = runner.invoke(text_app, ["enrich", "--taxonomy", str(taxonomy)])
    assert edited.exit_code == 0, edited.output
    assert "saved the taxonomy" in edited.output
    assert "enriched 2 feedback rows" in edited.output


def test_train_then_analyze_with_the_model(tmp_path: Path) -> None:
    rows = ["text,stars"]
    for i in range(60):
        rows.append(f"Gul status igen {i},1" if i % 2 else f"Grön status {i},5")
    source = tmp_path / "scored.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = tmp_path / "model"
    trained = runner.invoke(
        text_app,
        [
            "train",
            str(source),
            "--text-column",
            "text",
            "--score-column",
            "stars",
            "--score-scale",
            "stars5",
            "--language",
            "sv",
            "--out",
            str(model),
        ],
    )
    assert trained.exit_code == 0, trained.output
    assert "saved model" in trained.output
    assert (model / "manifest.json").is_file()
    out = tmp_path / "out.csv"
    analysed = runner.invoke(
        text_app,
        ["analyze", str(source), "--text-column", "text", "--model", str(model), "--out", str(out)],
    )
    assert analysed.exit_code == 0, analysed.output
    assert pl.read_csv(out)["sentiment"][1] == "negative"


def test_train_needs_a_target(comments: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        text_app, ["train", str(comments), "--text-column", "comment", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0


def test_discover_then_accept(tmp_path: Path) -> None:
    lines = ["text,date"]
    for i in range(40):
        lines.append(f"QR-skannern vid entrén piper hela tiden {i},2026-04-{1 + i % 28:02d}")
        lines.append(f"Regnigt väder hela veckan {i},2026-01-{1 + i % 28:02d}")
    source = tmp_path / "comments.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    suggestions = tmp_path / "suggestions.json"
    found = runner.invoke(
        text_app,
        [
            "discover",
            str(source),
            "--text-column",
            "text",
            "--time-column",
            "date",
            "--language",
            "sv",
            "--groups",
            "2",
            "--out",
            str(suggestions),
        ],
    )
    assert found.exit_code == 0, found.output
    documents = json.loads(suggestions.read_text(encoding="utf-8"))
    assert len(documents) == 2 and documents[0]["growth"] > documents[1]["growth"]
    taxonomy = tmp_path / "taxonomy.yaml"
    accepted = runner.invoke(
        text_app,
        [
            "accept",
            str(suggestions),
            documents[0]["id"],
            "--language",
            "sv",
            "--as",
            "store.scanner",
            "--out",
            str(taxonomy),
        ],
    )
    assert accepted.exit_code == 0, accepted.output
    assert "store.scanner" in taxonomy.read_text(encoding="utf-8")
    missing = runner.invoke(
        text_app,
        ["accept", str(suggestions), "nope", "--language", "sv", "--out", str(taxonomy)],
    )
    assert missing.exit_code != 0
