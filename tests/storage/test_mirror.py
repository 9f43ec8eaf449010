from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import delete, update

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


def test_the_bulk_read_keeps_nulls_empty_strings_quotes_and_fractions_apart(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "awkward.csv"
    path.write_text(
        "id,received_at,channel,customer_id,nps,text,language,region\n"
        'a1,2026-05-04T10:15:00.123456+02:00,survey,c1,9,"He said ""no"", then left",sv,Skåne\n'
        'a2,2026-05-04 10:15,ticket,,,"two\nlines, one comma",,\n'
        "a3,2026-05-05T00:00:00Z,chat,c3,0,\\N,en,\n",
        encoding="utf-8",
    )
    import_file(path, kind="feedback", store=store)
    # A value that only looks like a null marker stays text; so does an empty attribute.
    with store.begin() as connection:
        connection.execute(
            update(feedback).where(feedback.c.external_id == "a3").values(attributes={"region": ""})
        )
    assert mirror.refresh(store) == 3
    scanned = mirror.scan_feedback(store, refreshed=False).collect().sort("id")
    expected = feedback_frame(store).sort("id")
    assert scanned.drop("row_id").select(expected.columns).equals(expected)
    assert scanned["text"].to_list() == ['He said "no", then left', "two\nlines, one comma", "\\N"]
    assert scanned["customer_id"].to_list() == ["c1", None, "c3"]
    assert scanned["region"].to_list() == ["Skåne", None, ""]
    assert scanned["received_at"][0] == datetime(2026, 5, 4, 8, 15, 0, 123456, tzinfo=UTC)
    assert scanned["nps"].to_list() == [9, None, 0]


def test_a_large_first_build_is_written_in_parts_read_in_pieces(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mirror, "READ_ROWS", 70)
    monkeypatch.setattr(mirror, "CHUNK_ROWS", 200)
    import_file(write(tmp_path / "a.csv", 0, 450, "Skåne"), kind="feedback", store=store)
    assert mirror.refresh(store) == 450
    found = mirror.parts(store.columnar_dir / "feedback")
    assert [p.rows for p in found] == [200, 200, 50]
    scanned = mirror.scan_feedback(store, refreshed=False).collect()
    assert scanned["row_id"].to_list() == sorted(scanned["row_id"].to_list())
    assert scanned["row_id"].n_unique() == 450
