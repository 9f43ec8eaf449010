"""Enriching the store from the command line, with a progress bar: shared by ``text enrich``,
``import`` and ``demo``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from klarsyn.cli.state import console
from klarsyn.storage.store import Store
from klarsyn.text.base import text_model
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.enrichment import EnrichReport, enrich_store
from klarsyn.text.pipeline import build_pipeline


def enrich_with_progress(
    store: Store, *, model: Path | None = None, everything: bool = False, batch_size: int = 2_000
) -> EnrichReport:
    """Run the text pipeline over new (or, with ``everything``, all) feedback in ``store``."""
    pipeline = build_pipeline(
        taxonomy=stored_taxonomy(store),
        model=text_model("learned", path=model) if model else None,
    )
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("enriching text", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return enrich_store(
            store,
            pipeline=pipeline,
            now=datetime.now(UTC),
            batch_size=batch_size,
            everything=everything,
            progress=advance,
        )
