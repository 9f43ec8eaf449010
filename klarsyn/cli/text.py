"""``klarsyn text``: language, personal data, sentiment and themes in what customers write."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.cli.enriching import enrich_with_progress
from klarsyn.cli.state import console, state
from klarsyn.errors import InputError
from klarsyn.text.base import text_model
from klarsyn.text.catalogue import save_taxonomy
from klarsyn.text.discovery import (
    accept_suggestion,
    discover_themes,
    suggestion_document,
    suggestion_from_document,
)
from klarsyn.text.encoders import load_encoder
from klarsyn.text.files import read_comments, write_analysis
from klarsyn.text.language import LANGUAGES
from klarsyn.text.learned import save_model
from klarsyn.text.pipeline import TextPipeline, analyze, build_pipeline
from klarsyn.text.taxonomy import default_taxonomy, dump_taxonomy, load_taxonomy
from klarsyn.text.training import train_model

text_app = typer.Typer(
    help="Understand what customers write: language, personal data, sentiment and themes.",
    no_args_is_help=True,
)

TaxonomyOption = Annotated[
    Path | None,
    typer.Option(
        "--taxonomy",
        help="Theme taxonomy YAML (default: the built-in one; see `klarsyn text taxonomy`).",
    ),
]
ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="A model directory from `klarsyn text train` (layer 2)."),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        help="The source's language (sv, da, nb, fi, en), used when Danish and Norwegian are "
        "too close to call.",
    ),
]


def make_pipeline(*, taxonomy: Path | None, model: Path | None) -> TextPipeline:
    """The pipeline the options name: a taxonomy file and a learned model, or the built-ins."""
    return build_pipeline(
        taxonomy=load_taxonomy(taxonomy) if taxonomy else None,
        model=text_model("learned", path=model) if model else None,
    )


def check_language(language: str | None) -> str | None:
    if language is not None and language not in LANGUAGES:
        raise InputError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return language


@text_app.command("analyze")
def analyze_command(
    input: Annotated[Path, typer.Argument(help="CSV, TSV, JSON Lines, JSON or Excel file.")],
    text_column: Annotated[str, typer.Option(help="The column holding the comments.")],
    out: Annotated[Path, typer.Option(help="File to write, in the same kind of format.")],
    taxonomy: TaxonomyOption = None,
    model: ModelOption = None,
    language: LanguageOption = None,
) -> None:
    """Add language, sentiment, sentiment_score, themes and text_masked to every row of a file."""
    pipeline = make_pipeline(taxonomy=taxonomy, model=model)
    frame = read_comments(input)
    result = analyze(
        frame,
        pipeline=pipeline,
        text_column=text_column,
        default_language=check_language(language),
    )
    write_analysis(result, out)
    counts = result["sentiment"].value_counts().sort("sentiment", nulls_last=True)
    tally = ", ".join(
        f"{row['sentiment']} {row['count']:,}" for row in counts.iter_rows(named=True)
    )
    console.print(f"analysed {len(result):,} rows ({tally}) → {out}")


@text_app.command("taxonomy")
def taxonomy_command(
    out: Annotated[
        Path | None, typer.Option(help="Write the YAML here; stdout if not given.")
    ] = None,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Print or save a taxonomy (the built-in one by default) to edit and pass to --taxonomy."""
    loaded = load_taxonomy(taxonomy) if taxonomy else default_taxonomy()
    text = dump_taxonomy(loaded)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {len(loaded.themes)} themes (version {loaded.version}) to {out}")


@text_app.command("enrich")
def enrich_command(
    ctx: typer.Context,
    taxonomy: Annotated[
        Path | None,
        typer.Option(
            "--taxonomy",
            help="Save this taxonomy YAML in the store first; it then applies to every run.",
        ),
    ] = None,
    model: ModelOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Re-enrich all feedback, not only new or stale.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Comments per transaction.")] = 2_000,
) -> None:
    """Enrich new feedback in the store, and all of it when the model or taxonomy changed."""
    store = state(ctx).store()
    if taxonomy is not None:
        version = save_taxonomy(store, load_taxonomy(taxonomy))
        console.print(f"saved the taxonomy in the store (version {version})")
    report = enrich_with_progress(store, model=model, everything=everything, batch_size=batch_size)
    console.print(
        f"enriched {report.enriched:,} feedback rows with {report.model} "
        f"{report.model_version}, taxonomy {report.taxonomy_version}"
    )


class ScoreScale(StrEnum):
    nps = "nps"
    stars5 = "stars5"


@text_app.command("train")
def train_command(
    input: Annotated[Path, typer.Argument(help="CSV, TSV, JSON Lines, JSON or Excel file.")],
    text_column: Annotated[str, typer.Option(help="The column holding the comments.")],
    out: Annotated[Path, typer.Option(help="Directory to save the model in.")],
    label_column: Annotated[
        str | None, typer.Option(help="Column of labels: negative/neutral/positive.")
    ] = None,
    score_column: Annotated[
        str | None, typer.Option(help="Column of scores used as labels (see --score-scale).")
    ] = None,
    score_scale: Annotated[
        ScoreScale, typer.Option(help="nps: 0-6 negative, 9-10 positive; stars5: 1-2 / 4-5.")
    ] = ScoreScale.nps,
    theme_column: Annotated[
        str | None, typer.Option(help="Column of theme ids (several joined with ';').")
    ] = None,
    language: LanguageOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the cross-validation folds.")] = 0,
    encoder: Annotated[
        str | None,
        typer.Option(
            help="Add a sentence encoder's vectors to the features (layer 3): 'minilm' for the "
            "English model of the embeddings extra, or a sentence-transformers model directory.",
        ),
    ] = None,
) -> None:
    """Learn sentiment (and themes) from labelled or scored comments; used where it wins."""
    if label_column is None and score_column is None and theme_column is None:
        raise InputError(
            "nothing to learn from",
            hint="give --label-column, --score-column or --theme-column",
        )
    if label_column is not None and score_column is not None:
        raise InputError("give --label-column or --score-column, not both")
    frame = read_comments(input)
    loaded = load_encoder(encoder) if encoder else None
    model, report = train_model(
        frame,
        pipeline=build_pipeline(),
        text_column=text_column,
        now=datetime.now(UTC),
        label_column=label_column,
        score_column=score_column,
        score_scale=score_scale.value,
        theme_column=theme_column,
        default_language=check_language(language),
        seed=seed,
        encoder=loaded,
    )
    version = save_model(model, out)
    table = Table(title=f"Cross-validated macro-F1 on {report.comments:,} comments")
    for column in ("language", "comments", "lexicon", "learned", "used"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for result in report.languages:
        table.add_row(
            result.language,
            f"{result.comments:,}",
            f"{result.lexicon_f1:.3f}",
            f"{result.learned_f1:.3f}",
            "yes" if result.learned_wins else "no",
        )
    if report.languages:
        console.print(table)
    if report.themes:
        f1 = "" if report.theme_micro_f1 is None else f", micro-F1 {report.theme_micro_f1:.3f}"
        console.print(f"learned {report.themes} themes{f1}")
    console.print(f"saved model {version} to {out}")


@text_app.command("discover")
def discover_command(
    input: Annotated[Path, typer.Argument(help="CSV, TSV, JSON Lines, JSON or Excel file.")],
    text_column: Annotated[str, typer.Option(help="The column holding the comments.")],
    out: Annotated[Path, typer.Option(help="JSON file to write the suggestions to.")],
    time_column: Annotated[
        str | None, typer.Option(help="Column of dates, to rank suggestions by growth.")
    ] = None,
    taxonomy: TaxonomyOption = None,
    language: LanguageOption = None,
    groups: Annotated[int | None, typer.Option(min=2, help="Number of clusters.")] = None,
) -> None:
    """Suggest new themes from the comments no theme explains, fastest-growing first."""
    frame = read_comments(input)
    result = analyze(
        frame,
        pipeline=make_pipeline(taxonomy=taxonomy, model=None),
        text_column=text_column,
        default_language=check_language(language),
    )
    now = None
    if time_column is not None:
        if time_column not in result.columns:
            raise InputError(f"the file has no column {time_column!r}")
        result = result.with_columns(
            pl.col(time_column).str.to_datetime(strict=False, time_zone="UTC")
        )
        now = result[time_column].max()
    suggestions = discover_themes(
        result,
        time_column=time_column,
        now=now if isinstance(now, datetime) else None,
        groups=groups,
    )
    out.write_text(
        json.dumps([suggestion_document(s) for s in suggestions], indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    table = Table(title=f"{len(suggestions)} suggested themes")
    for column in ("id", "comments", "growth", "example"):
        table.add_column(column, overflow="fold")
    for s in suggestions:
        table.add_row(escape(s.id), str(s.comments), f"{s.growth:.1f}x", escape(s.examples[0]))
    console.print(table)
    console.print(f"wrote {len(suggestions)} suggestions to {out}")


@text_app.command("accept")
def accept_command(
    suggestions: Annotated[Path, typer.Argument(help="JSON written by `klarsyn text discover`.")],
    suggestion_id: Annotated[str, typer.Argument(help="The id of the suggestion to accept.")],
    language: Annotated[str, typer.Option(help="Language of the comments it came from.")],
    out: Annotated[Path, typer.Option(help="Taxonomy YAML file to write.")],
    taxonomy: TaxonomyOption = None,
    theme_id: Annotated[
        str | None, typer.Option("--as", help="Theme id to give it, e.g. store.scanner.")
    ] = None,
) -> None:
    """Add a suggested theme to a taxonomy (the built-in one by default) and save it."""
    documents = json.loads(suggestions.read_text(encoding="utf-8"))
    found = [d for d in documents if d.get("id") == suggestion_id]
    if not found:
        raise InputError(
            f"no suggestion {suggestion_id!r} in {suggestions.name}",
            hint=f"choose one of {[d.get('id') for d in documents]}",
        )
    chosen = suggestion_from_document(found[0])
    base = load_taxonomy(taxonomy) if taxonomy else default_taxonomy()
    edited = accept_suggestion(
        base, chosen, language=check_language(language) or language, theme_id=theme_id
    )
    out.write_text(dump_taxonomy(edited), encoding="utf-8")
    console.print(f"added {theme_id or chosen.id} to the taxonomy in {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(text_app, name="text", rich_help_panel="Understand")
