"""The public data sets import with the commands docs/import.md shows, with the right counts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from klarsyn.cli.main import app
from klarsyn.storage.columnar import feedback_frame
from klarsyn.storage.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"
REPO = DOC.parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def documented_commands() -> dict[str, list[str]]:
    lines = re.findall(r"^klarsyn import feedback \.\./shared/data/.*$", DOC.read_text(), re.M)
    commands = {}
    for line in lines:
        args = shlex.split(line)[1:]
        args[2] = str((REPO / args[2]).resolve())
        dataset = Path(args[2]).relative_to(SHARED_DATA.resolve()).parts[0]
        commands[dataset] = args
    return commands


COMMANDS = documented_commands()


def expected_rows(dataset: str) -> int:
    """Rows each set should yield, computed here independently of the importer."""
    path = Path(COMMANDS[dataset][2])
    if dataset == "amazon_alexa_reviews_en":
        return pl.read_csv(path, separator="\t", infer_schema=False).unique().height
    if dataset == "cfpb_complaints_sample_en":
        frame = pl.read_csv(path, infer_schema=False)
        return frame.filter(pl.col("Consumer complaint narrative").is_not_null()).height
    if dataset == "norec_sentence_no":
        return pl.read_json(path).height
    if dataset in {"swe_sentiment_sv", "scandisent_mt_en"}:
        return pl.read_csv(path, infer_schema=False).unique().height
    return pl.read_csv(path, infer_schema=False)["tweet_id"].n_unique()


def test_every_public_data_set_has_a_documented_command() -> None:
    assert set(COMMANDS) == {
        p.name for p in SHARED_DATA.iterdir() if p.is_dir() and p.name != "semeval_absa_en"
    }


@pytest.mark.parametrize("dataset", sorted(COMMANDS))
def test_documented_import(dataset: str, database_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", database_url, *COMMANDS[dataset]])
    assert result.exit_code == 0, result.output
    with Store.open(database_url) as store:
        frame = feedback_frame(store)
    assert frame.height == expected_rows(dataset)
    assert frame["received_at"].null_count() == 0
    again = runner.invoke(app, ["--db", database_url, *COMMANDS[dataset]])
    assert "imported 0 ·" in again.output
