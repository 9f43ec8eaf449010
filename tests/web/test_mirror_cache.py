"""The dashboard's remembered answers: when a request computes, when the background does."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from klarsyn.collect.importer import import_file
from klarsyn.storage.mirror import refresh
from klarsyn.storage.store import Store
from klarsyn.web import mirror_cache
from klarsyn.web.mirror_cache import MEMO_ENTRIES, MirrorCache
from klarsyn.web.scope import make_scope


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_a_current_value_is_computed_once_in_a_request_then_in_the_background(
    store: Store,
) -> None:
    cache = MirrorCache(store, max_age=5.0)
    calls: list[str] = []
    release = threading.Event()

    def compute() -> int:
        calls.append(threading.current_thread().name)
        if len(calls) > 1:
            release.wait(5)
        return len(calls)

    assert cache.current("version", compute, max_age=60) == 1
    assert calls == [threading.current_thread().name]
    assert cache.current("version", compute, max_age=60) == 1  # fresh: not computed again
    # Older than max_age: the old value is served at once while the new one is computed.
    assert cache.current("version", compute, max_age=0) == 1
    wait_for(lambda: len(calls) == 2)
    assert calls[1] == "klarsyn-version"
    release.set()
    wait_for(lambda: cache.current("version", compute, max_age=60) == 2)
    assert cache.current("version", compute, max_age=60) == 2


def test_remembered_answers_are_bounded(store: Store) -> None:
    cache = MirrorCache(store, max_age=5.0)
    for k in range(MEMO_ENTRIES * 3):
        assert cache.memo(f"key-{k}", lambda k=k: k) == k  # type: ignore[misc]
    assert len(cache._memo) <= MEMO_ENTRIES
    newest = f"key-{MEMO_ENTRIES * 3 - 1}"
    assert newest in cache._memo


def test_a_rolling_window_is_the_same_question_within_a_minute() -> None:
    start = datetime(2026, 6, 30, 12, 0, 5, tzinfo=UTC)
    scopes = [
        make_scope(period="90d", now=start + timedelta(seconds=s), time_zone="Europe/Stockholm")
        for s in (0, 30, 54)
    ]
    assert len({(s.since, s.until) for s in scopes}) == 1
    assert scopes[0].until == datetime(2026, 6, 30, 12, 1, tzinfo=UTC)
    on_the_minute = make_scope(
        period="7d", now=datetime(2026, 6, 30, 12, 0, tzinfo=UTC), time_zone="Europe/Stockholm"
    )
    assert on_the_minute.until == datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def test_the_mirror_is_checked_against_the_store_only_when_the_version_moved(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[int] = []

    def counted(of: Store) -> int:
        scans.append(1)
        return refresh(of)

    monkeypatch.setattr(mirror_cache, "refresh", counted)
    cache = MirrorCache(store, max_age=5.0)
    path = tmp_path / "feedback.csv"
    path.write_text("id,received_at,nps,text\n1,2026-06-01,9,Bra\n", encoding="utf-8")
    import_file(path, kind="feedback", store=store)
    cache._refresh()
    cache._refresh()  # nothing changed: no scan
    assert len(scans) == 1
    assert cache.scan().collect().height == 1

    path.write_text("id,received_at,nps,text\n2,2026-06-02,3,Dåligt\n", encoding="utf-8")
    import_file(path, kind="feedback", store=store)
    cache._refresh()
    assert len(scans) == 2
    assert cache.scan().collect().height == 2

    monkeypatch.setattr(mirror_cache, "FULL_CHECK_SECONDS", 0.0)  # a full check is due
    cache._refresh()
    assert len(scans) == 3
