from __future__ import annotations

import contextlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import DropConstraint, DropIndex

from klarsyn.collect import importer
from klarsyn.collect.importer import _write_batch, import_file
from klarsyn.collect.mapping import parse_mapping
from klarsyn.errors import InputError, MappingError
from klarsyn.storage import deferred_indexes
from klarsyn.storage.columnar import customers_frame, events_frame, feedback_frame
from klarsyn.storage.imports import Counts
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback, import_runs, quarantine

HEADER = "id,received_at,channel,customer_id,nps,csat,ces,rating,text,language,region\n"
GOOD = [
    'f1,2026-05-04T10:15:00+02:00,survey,c1,9,,,,"Snabb leverans, tack!",sv,Skåne\n',
    "f2,2026-05-04 10:15,survey,c2,3,,,,Priset är alldeles för högt,sv,Stockholm\n",
    'f3,04.05.2026,ticket,c3,,,,,"Ingen svarer; jeg har ventet i 40 min",da,Hovedstaden\n',
    'f4,2026-05-05,chat,c1,,4,6,,"Two lines:\nfirst, then second",en,Oslo\n',
    "f5,2026-05-06T08:00:00Z,review,,,,,5,,,\n",
    "f1,2026-05-04T10:15:00+02:00,survey,c1,9,,,,Same id again,sv,Skåne\n",
]
BAD = {
    "f6,yesterday,survey,c4,5,,,,text,sv,\n": "received_at 'yesterday' is not a date and time",
    "f7,2026-05-06,survey,c4,11,,,,text,sv,\n": "nps '11' is outside 0-10",
    "f8,2026-05-06,survey,c4,abc,,,,text,sv,\n": "nps 'abc' is not a number",
    "f9,2026-05-06,survey,c4,7.5,,,,text,sv,\n": "nps '7.5' is not a whole number",
    "f10,2026-05-06,survey,c4,,0,8,6,text,sv,\n": (
        "csat '0' is outside 1-5; ces '8' is outside 1-7; rating '6' is outside 1-5"
    ),
    "f11,,survey,c4,5,,,,text,sv,\n": "missing required field received_at",
    "f12,2026-05-06,survey,c4,,,,,,sv,\n": "row has no score and no text",
    "f13,2026-05-06,survey,c4,5,,,,too,many,fields,here\n": (
        "row has 12 fields but the header has 11"
    ),
    "f14,2026-03-29 02:30,survey,c4,5,,,,DST gap,sv,\n": (
        "is not a date and time in Europe/Stockholm"
    ),
    f"f15,2026-05-06,{'x' * 51},c4,5,,,,text,sv,\n": "channel is longer than 50 characters",
}
BROKEN_BYTES = b"f16,2026-05-06,survey,c4,5,,,,caf\xe9 au lait,fr,\n"


def bad_rows_file(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.csv"
    body = (HEADER + "".join(GOOD) + "".join(BAD)).encode("utf-8")
    # A multi-line quoted field makes physical lines and rows differ: row numbers follow records.
    path.write_bytes(body + BROKEN_BYTES)
    return path


def count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_good_rows_go_in_and_every_bad_row_is_quarantined_with_its_reason(
    store: Store, tmp_path: Path
) -> None:
    report = import_file(bad_rows_file(tmp_path), kind="feedback", store=store)

    assert report.counts.imported == 5
    assert report.counts.duplicates == 1
    assert report.counts.quarantined == len(BAD) + 1
    assert report.counts.rows_read == len(GOOD) + len(BAD) + 1
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(quarantine.c.row_number, quarantine.c.reason, quarantine.c.raw).order_by(
                quarantine.c.row_number
            )
        ).all()
    first_bad_row = 2 + len(GOOD)
    for (_, reason, raw), (line, expected) in zip(rows, BAD.items(), strict=False):
        assert expected in reason, (line, reason)
        assert raw  # the raw row is kept, so it can be fixed and imported again
    assert [r.row_number for r in rows] == list(range(first_bad_row, first_bad_row + len(BAD) + 1))
    broken = rows[-1]
    assert "not valid utf-8" in broken.reason
    assert "text, language" not in broken.reason and "text" in broken.reason
    assert broken.raw["text"] == "caf\\xe9 au lait"  # undecodable bytes kept, escaped


def test_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = bad_rows_file(tmp_path)
    import_file(path, kind="feedback", store=store)
    before = count(store, feedback)

    again = import_file(path, kind="feedback", store=store)

    assert again.counts.imported == 0
    assert again.counts.duplicates == 6
    assert count(store, feedback) == before == 5


def test_values_are_typed_and_times_read_in_the_configured_zone(
    store: Store, tmp_path: Path
) -> None:
    import_file(bad_rows_file(tmp_path), kind="feedback", store=store)
    frame = feedback_frame(store).sort("id")
    rows = {r["id"]: r for r in frame.to_dicts()}

    assert rows["f1"]["received_at"] == datetime(2026, 5, 4, 8, 15, tzinfo=UTC)
    assert rows["f2"]["received_at"] == datetime(2026, 5, 4, 8, 15, tzinfo=UTC)  # CEST
    assert rows["f3"]["received_at"] == datetime(2026, 5, 3, 22, 0, tzinfo=UTC)
    assert rows["f2"]["nps"] == 3 and rows["f2"]["text"] == "Priset är alldeles för högt"
    assert rows["f4"]["text"] == "Two lines:\nfirst, then second"
    assert (rows["f4"]["csat"], rows["f4"]["ces"]) == (4, 6)
    assert rows["f1"]["region"] == "Skåne" and rows["f5"]["region"] is None
    assert rows["f5"]["customer_id"] is None and rows["f5"]["rating"] == 5


def test_winter_time_is_read_with_its_own_offset(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "winter.csv"
    path.write_text("id,received_at,nps\nw1,2026-01-15 10:00,8\n", encoding="utf-8")
    import_file(path, kind="feedback", store=store, time_zone="Europe/Oslo")
    assert feedback_frame(store)["received_at"][0] == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def test_nordic_excel_exports_in_cp1252_with_semicolons(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = (
        "id;received_at;nps;text\n"
        "x1;2026-02-01 09:00;2;Kundtjänsten svarade aldrig, öppettiderna är dåliga\n"
    )
    path.write_bytes(text.encode("cp1252"))
    report = import_file(path, kind="feedback", store=store)
    assert report.counts.imported == 1
    assert feedback_frame(store)["text"][0].startswith("Kundtjänsten svarade aldrig, öppettiderna")


def test_utf8_with_bom_and_mapped_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(
        "\ufeffSvar-ID\tDatum\tRek\tKommentar\tButik\nA-1\t2026-03-01\t10\tToppen!\tMalmö\n".encode()
    )
    report = import_file(
        path,
        kind="feedback",
        store=store,
        mapping=parse_mapping("Svar-ID=id,Datum=received_at,Rek=nps,Kommentar=text,Butik=store"),
        channel="survey",
    )
    assert report.counts.imported == 1
    row = feedback_frame(store).to_dicts()[0]
    assert (row["id"], row["nps"], row["text"], row["store"], row["channel"]) == (
        "A-1",
        10,
        "Toppen!",
        "Malmö",
        "survey",
    )


def test_json_lines_excel_and_json_arrays(store: Store, tmp_path: Path) -> None:
    lines = tmp_path / "feedback.jsonl"
    lines.write_text(
        '{"id": "j1", "received_at": "2026-04-01T10:00:00+02:00", "nps": 10, "tags": ["a"]}\n'
        "{not json}\n"
        '{"id": "j2", "received_at": "2026-04-02", "text": "ok", "region": "Oslo"}\n',
        encoding="utf-8",
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "received_at", "nps", "text"])
    sheet.append(["x1", datetime(2026, 4, 3, 12, 0), 9, "Bra"])
    sheet.append(["x2", "2026-04-04", 42, "Too high"])
    excel = tmp_path / "feedback.xlsx"
    workbook.save(excel)
    array = tmp_path / "feedback.json"
    array.write_text(json.dumps([{"id": "a1", "received_at": "2026-04-05", "csat": 5}]))

    jsonl_report = import_file(lines, kind="feedback", store=store)
    excel_report = import_file(excel, kind="feedback", store=store)
    array_report = import_file(array, kind="feedback", store=store)

    assert (jsonl_report.counts.imported, jsonl_report.counts.quarantined) == (2, 1)
    assert (excel_report.counts.imported, excel_report.counts.quarantined) == (1, 1)
    assert array_report.counts.imported == 1
    rows = {r["id"]: r for r in feedback_frame(store).to_dicts()}
    assert rows["j1"]["tags"] == '["a"]' and rows["j2"]["region"] == "Oslo"
    assert rows["x1"]["nps"] == 9
    assert rows["x1"]["received_at"] == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)


def test_rows_without_an_id_are_deduplicated_by_content(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(
        "received_at,rating,text\n2026-01-01,5,Great\n2026-01-01,5,Great\n2026-01-02,1,Bad\n",
        encoding="utf-8",
    )
    first = import_file(path, kind="feedback", store=store)
    reordered = tmp_path / "reviews2.csv"
    reordered.write_text("text,rating,received_at\nGreat,5,2026-01-01\n", encoding="utf-8")
    second = import_file(reordered, kind="feedback", store=store, source="reviews.csv")
    assert (first.counts.imported, first.counts.duplicates) == (2, 1)
    assert (second.counts.imported, second.counts.duplicates) == (0, 1)


def test_customers_are_updated_when_the_crm_changes(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,segment,annual_value,churned_at\n"
        'c1,private,"12 500,50",\nc2,business,1.234.567,2026-03-01\nc3,private,,\n',
        encoding="utf-8",
    )
    first = import_file(path, kind="customers", store=store)
    path.write_text(
        "customer_id,segment,annual_value,churned_at\n"
        'c1,private,"12 500,50",\nc2,business,1.234.567,2026-03-01\nc3,vip,,\n',
        encoding="utf-8",
    )
    second = import_file(path, kind="customers", store=store)

    assert (first.counts.imported, first.counts.updated) == (3, 0)
    assert (second.counts.imported, second.counts.updated, second.counts.duplicates) == (0, 1, 2)
    rows = {r["customer_id"]: r for r in customers_frame(store).to_dicts()}
    assert rows["c1"]["annual_value"] == 12500.5
    assert rows["c2"]["annual_value"] == 1234567.0
    assert rows["c2"]["churned_at"] == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert rows["c3"]["segment"] == "vip"


def test_a_partial_crm_export_updates_only_what_it_brings(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,segment,region,annual_value,churned_at\n"
        "c1,private,Syd,100,2026-03-01\nc2,business,Nord,200,\n",
        encoding="utf-8",
    )
    import_file(path, kind="customers", store=store)
    values = tmp_path / "values.csv"  # no churn dates, another attribute, one emptied
    values.write_text("customer_id,annual_value,segment,tier\nc1,150,,gold\nc2,200,business,\n")
    again = import_file(values, kind="customers", store=store)
    unchanged = import_file(values, kind="customers", store=store)

    assert again.counts.updated == 1 and unchanged.counts.updated == 0  # c2 did not change
    rows = {r["customer_id"]: r for r in customers_frame(store).to_dicts()}
    assert rows["c1"]["annual_value"] == 150.0
    assert rows["c1"]["churned_at"] == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert (rows["c1"]["segment"], rows["c1"]["region"], rows["c1"]["tier"]) == (
        None,
        "Syd",
        "gold",
    )
    assert (rows["c2"]["segment"], rows["c2"]["region"], rows["c2"]["tier"]) == (
        "business",
        "Nord",
        None,
    )


def test_events_keep_their_attributes(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "customer_id,occurred_at,type,campaign,late_minutes\n"
        "c1,2026-06-01 08:00,campaign,Summer Max,\n"
        "c1,2026-06-03 17:30,delivery,,95\n"
        ",2026-06-03 17:30,delivery,,5\n",
        encoding="utf-8",
    )
    report = import_file(path, kind="events", store=store)
    assert (report.counts.imported, report.counts.quarantined) == (2, 1)
    frame = events_frame(store)
    assert frame["type"].to_list() == ["campaign", "delivery"]
    assert frame["campaign"].to_list() == ["Summer Max", None]
    assert frame["late_minutes"].to_list() == [None, "95"]


def test_a_crash_mid_import_leaves_whole_batches_and_a_rerun_completes(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    body = "".join(f"id{i},2026-01-01,{i % 11},comment {i}\n" for i in range(250))
    path.write_text("id,received_at,nps,text\n" + body, encoding="utf-8")
    calls = {"n": 0}

    def crash_after_two_batches(_done: int, _total: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_file(
            path, kind="feedback", store=store, batch_size=100, on_progress=crash_after_two_batches
        )
    assert count(store, feedback) == 200
    with store.engine.connect() as connection:
        assert connection.execute(select(import_runs.c.status)).scalar_one() == "failed"

    rerun = import_file(path, kind="feedback", store=store, batch_size=100)
    assert (rerun.counts.imported, rerun.counts.duplicates) == (50, 200)
    assert count(store, feedback) == 250


def test_a_missing_required_column_stops_before_anything_is_written(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text("customer_id,when,type\nc1,2026-01-01,order\n", encoding="utf-8")
    with pytest.raises(MappingError, match="occurred_at") as caught:
        import_file(path, kind="events", store=store)
    assert caught.value.hint is not None and "--map" in caught.value.hint
    with pytest.raises(MappingError, match="does not have"):
        import_file(path, kind="events", store=store, mapping={"When": "occurred_at"})
    assert count(store, import_runs) == 0


def test_feedback_without_dates_is_dated_at_import_with_a_warning(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text("text,label\nBra service,pos\n", encoding="utf-8")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    report = import_file(path, kind="feedback", store=store, now=now)
    assert report.warnings and "received_at" in report.warnings[0]
    assert feedback_frame(store)["received_at"][0] == now


def test_unreadable_files_are_refused_clearly(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_file(tmp_path / "missing.csv", kind="feedback", store=store)
    odd = tmp_path / "data.xml"
    odd.write_text("<x/>")
    with pytest.raises(InputError, match="cannot read"):
        import_file(odd, kind="feedback", store=store)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        import_file(empty, kind="feedback", store=store)


def test_export_round_trips_through_import(store: Store, tmp_path: Path) -> None:
    import_file(bad_rows_file(tmp_path), kind="feedback", store=store)
    exported = tmp_path / "export.csv"
    feedback_frame(store).drop("source").write_csv(
        exported, datetime_format="%Y-%m-%dT%H:%M:%S%.f%:z"
    )
    with Store.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        report = import_file(exported, kind="feedback", store=copy)
        assert report.counts.imported == 5
        original = feedback_frame(store).drop("source").sort("id")
        again = feedback_frame(copy).drop("source").sort("id")
        assert again.select(original.columns).equals(original)
        assert isinstance(again, pl.DataFrame)


def _numbered_feedback(path: Path, ids: range) -> Path:
    body = "".join(f"id{i},2026-01-01,{i % 11},comment {i}\n" for i in ids)
    path.write_text("id,received_at,nps,text\n" + body, encoding="utf-8")
    return path


def _missing_while_writing(monkeypatch: pytest.MonkeyPatch, *, crash_at: int = 0) -> list[int]:
    """Patch the batch writer to note how many feedback indexes are missing at each batch."""
    seen: list[int] = []
    write_batch = importer._write_batch

    def spy(connection: Connection, *args: Any) -> Counts:
        seen.append(len(deferred_indexes.missing_indexes(connection, feedback)))
        if len(seen) == crash_at:
            raise RuntimeError("disk full")
        return write_batch(connection, *args)

    monkeypatch.setattr(importer, "_write_batch", spy)
    return seen


def _missing_now(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return [str(i.name) for i in deferred_indexes.missing_indexes(connection, feedback)]


def test_a_large_first_import_writes_without_secondary_indexes_and_builds_them_after(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 100)
    seen = _missing_while_writing(monkeypatch)
    path = _numbered_feedback(tmp_path / "many.csv", range(250))
    report = import_file(path, kind="feedback", store=store, batch_size=100)
    assert report.counts.imported == 250
    assert seen == [3, 3, 3]
    assert _missing_now(store) == []
    # The rebuilt index serves the queries it exists for.
    frame = feedback_frame(store, since=datetime(2025, 12, 31, tzinfo=UTC))
    assert frame.height == 250


def test_a_small_import_into_a_larger_table_keeps_the_indexes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 100)
    import_file(
        _numbered_feedback(tmp_path / "first.csv", range(300)), kind="feedback", store=store
    )
    seen = _missing_while_writing(monkeypatch)
    path = _numbered_feedback(tmp_path / "more.csv", range(300, 450))
    report = import_file(path, kind="feedback", store=store, batch_size=100)
    assert report.counts.imported == 150
    assert seen == [0, 0]


def test_a_crash_in_a_deferred_import_leaves_every_index_and_a_rerun_completes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 100)
    seen = _missing_while_writing(monkeypatch, crash_at=2)
    path = _numbered_feedback(tmp_path / "many.csv", range(250))
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(path, kind="feedback", store=store, batch_size=100)
    assert seen[:2] == [3, 3]  # PostgreSQL's second writer may have taken the third batch
    assert _missing_now(store) == []
    with store.engine.connect() as connection:
        ids = connection.execute(select(feedback.c.external_id)).scalars()
        stored = {int(i[2:]) // 100 for i in ids}
        run = connection.execute(select(import_runs.c.status, import_runs.c.error)).one()
    assert run.status == "failed" and "disk full" in run.error
    # Whole batches only: each batch's rows are all stored or none is.
    written = count(store, feedback)
    assert written == sum(min(100, 250 - 100 * b) for b in stored) < 250

    monkeypatch.setattr(importer, "_write_batch", _write_batch)
    rerun = import_file(path, kind="feedback", store=store, batch_size=100)
    assert (rerun.counts.imported, rerun.counts.duplicates) == (250 - written, written)
    assert count(store, feedback) == 250
    assert _missing_now(store) == []


def test_indexes_a_killed_import_left_missing_are_built_by_the_next_import(
    store: Store, tmp_path: Path
) -> None:
    # A process killed outright runs no cleanup: it leaves the dropped indexes missing.
    with store.begin() as connection:
        for index in deferred_indexes.secondary_indexes(feedback):
            connection.execute(DropIndex(index))
        for constraint in deferred_indexes.deferred_foreign_keys(connection, feedback):
            connection.execute(DropConstraint(constraint))
        keys = len(deferred_indexes.missing_foreign_keys(connection, feedback))
    assert len(_missing_now(store)) == 3 and keys == (store.dialect == "postgresql")
    report = import_file(bad_rows_file(tmp_path), kind="feedback", store=store)
    assert report.counts.imported == 5
    assert _missing_now(store) == []
    with store.engine.connect() as connection:
        assert deferred_indexes.missing_foreign_keys(connection, feedback) == []


def test_a_repeat_in_a_later_batch_keeps_the_first_row(store: Store, tmp_path: Path) -> None:
    rows = [f"id{i},2026-01-01,5,first {i}\n" for i in range(300)]
    repeats = [f"id{i},2026-01-02,9,again {i}\n" for i in range(0, 300, 7)]
    # Each repeat follows its original by at least a batch; some batches are mostly repeats.
    body = rows[:150] + repeats[:10] + rows[150:] + repeats[10:]
    path = tmp_path / "repeats.csv"
    path.write_text("id,received_at,nps,text\n" + "".join(body), encoding="utf-8")
    report = import_file(path, kind="feedback", store=store, batch_size=25)
    assert (report.counts.imported, report.counts.duplicates) == (300, len(repeats))
    stored = feedback_frame(store)
    assert stored.height == 300
    assert stored["text"].str.starts_with("first").all() and (stored["nps"] == 5).all()


def test_postgresql_writes_two_batches_of_facts_at_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two writers must be inside a batch's transaction together to pass the barrier; one
    # writer (SQLite, or master data) never is.
    together = threading.Barrier(2, timeout=5)
    writers: set[str] = set()

    def meeting(connection: Connection, *args: Any) -> Counts:
        writers.add(threading.current_thread().name)
        if len(writers) <= 2:
            with contextlib.suppress(threading.BrokenBarrierError):
                together.wait()
        return _write_batch(connection, *args)

    monkeypatch.setattr(importer, "_write_batch", meeting)
    path = _numbered_feedback(tmp_path / "many.csv", range(100))
    report = import_file(path, kind="feedback", store=store, batch_size=10)
    assert report.counts.imported == count(store, feedback) == 100
    assert len(writers) == (2 if store.dialect == "postgresql" else 1)
    assert together.broken == (store.dialect != "postgresql")


def test_postgresql_sets_the_foreign_keys_aside_with_the_indexes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_ROWS", 100)
    keys: list[int] = []
    write_batch = importer._write_batch

    def spy(connection: Connection, *args: Any) -> Counts:
        keys.append(len(deferred_indexes.missing_foreign_keys(connection, feedback)))
        return write_batch(connection, *args)

    monkeypatch.setattr(importer, "_write_batch", spy)
    import_file(_numbered_feedback(tmp_path / "a.csv", range(250)), kind="feedback", store=store)
    postgresql = store.dialect == "postgresql"
    assert set(keys) == ({1} if postgresql else {0})
    with store.engine.connect() as connection:
        assert deferred_indexes.missing_foreign_keys(connection, feedback) == []
        names = [fk["name"] for fk in inspect(connection).get_foreign_keys("feedback")]
    assert names == ["fk_feedback_import_run_id_import_runs"]
    if postgresql:  # the key is enforced again
        with pytest.raises(IntegrityError), store.begin() as connection:
            connection.execute(feedback.update().values(import_run_id=999_999))
