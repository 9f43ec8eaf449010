from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import delete

from klarsyn.collect.importer import import_file
from klarsyn.storage import mirror
from klarsyn.storage.columnar import feedback_frame
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback


def write(path: Path, start: int, stop: int, region: str) -> Path:
    lines = [f"id{i},2026-0{1 + i % 9}-01,{i % 11},{region}" for i in range(start, stop)]
    path.write_text("id,received_at,nps,region\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_mirror_holds_what_the_store_holds(store: Store, tmp_path: Path) -> None:
    import_file(write(tmp_path / "a.csv", 0, 300, "Skåne"), kind="feedback", store=store)
    assert mirror.refresh(store) == 300
    assert mirror.refresh(store) == 0

    import_file(write(tmp_path / "b.csv", 300, 420, "Oslo"), kind="feedback", store=store)
    scanned = mirror.scan_feedback(store).collect()

    assert len(mirror.parts(store.columnar_dir / "feedback")) == 2
    expected = feedback_frame(store).sort("id")
    got = scanned.drop("row_id").select(expected.columns).sort("id")
    assert got.equals(expected)
    assert scanned.group_by("region").len().sort("region")["len"].to_list() == [120, 300]


def test_deleted_rows_make_the_mirror_rebuild(store: Store, tmp_path: Path) -> None:
    import_file(write(tmp_path / "a.csv", 0, 50, "Skåne"), kind="feedback", store=store)
    mirror.refresh(store)
    with store.begin() as connection:
        connection.execute(delete(feedback).where(feedback.c.external_id == "id7"))
    scanned = mirror.scan_feedback(store).collect()
    assert scanned.height == 49 and "id7" not in scanned["id"].to_list()


def test_an_empty_store_scans_to_an_empty_frame(store: Store) -> None:
    scanned = mirror.scan_feedback(store).collect()
    assert scanned.height == 0 and "received_at" in scanned.columns
    assert isinstance(scanned, pl.DataFrame)
