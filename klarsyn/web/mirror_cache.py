"""The columnar mirror as the dashboard reads it, kept fresh in the background.

Every aggregate on every page reads the mirror. Checking it against the store costs a scan of
the feedback ids, which a request should not wait for: once the mirror exists, a request older
than ``max_age`` seconds starts a refresh in a background thread and reads the mirror as it is.
New feedback therefore reaches the aggregates a few seconds after it arrives. The refresh scans
only when the store's data version moved, or every :data:`FULL_CHECK_SECONDS` (rows deleted
or another database put in place show in no version), so an idle store costs a few index
reads per check, not a scan of millions of ids. With ``max_age=0`` (tests) every read
refreshes first, in the request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

from klarsyn.storage.mirror import parts, refresh, scan_feedback
from klarsyn.storage.revisions import data_version
from klarsyn.storage.store import Store

T = TypeVar("T")
#: Results remembered at most (each small: a page's numbers, not its rows).
MEMO_ENTRIES = 256
#: Seconds between refreshes that check the mirror against the store whatever the version.
FULL_CHECK_SECONDS = 300.0


class MirrorCache:
    def __init__(self, store: Store, *, max_age: float = 5.0) -> None:
        self.store = store
        self.max_age = max_age
        self._checked = -float("inf")
        self._scanned: tuple[float, tuple[Any, ...]] | None = None  # when, at which version
        self._lock = threading.Lock()
        self._running: threading.Thread | None = None
        self._memo: dict[str, tuple[float, Any]] = {}
        self._filling: set[str] = set()
        self._filling_lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            # Taken before the refresh reads, so a write committed meanwhile moves it again.
            version, now = data_version(self.store), time.monotonic()
            scanned = self._scanned
            if (
                scanned is None
                or scanned[1] != version
                or now - scanned[0] > FULL_CHECK_SECONDS
                or self.max_age == 0
            ):
                refresh(self.store)
                self._scanned = (now, version)
            self._checked = time.monotonic()

    def _check(self) -> None:
        """Refresh when the last check is older than ``max_age``: in the request the first
        time (or in tests), in a background thread afterwards."""
        stale = time.monotonic() - self._checked > self.max_age
        if stale and (self.max_age == 0 or not parts(self.store.columnar_dir / "feedback")):
            self._refresh()
        elif stale and (self._running is None or not self._running.is_alive()):
            self._checked = time.monotonic()  # one refresh at a time, not one per request
            self._running = threading.Thread(target=self._refresh, daemon=True)
            self._running.start()

    def scan(self) -> pl.LazyFrame:
        """All feedback, at most about ``max_age`` seconds behind the store."""
        self._check()
        return scan_feedback(self.store, refreshed=False)

    def version(self) -> tuple[Any, ...]:
        """The store's data version (:func:`data_version`) at the mirror's last check, so
        results keyed by it match the mirror they were computed from."""
        self._check()
        if self._scanned is None:  # an existing mirror, checked in the background so far
            self._refresh()
        assert self._scanned is not None
        return self._scanned[1]

    def memo(self, key: str, compute: Callable[[], T], *, max_age: float = 600.0) -> T:
        """``compute()``, remembered for ``max_age`` seconds (filter menus change rarely)."""
        now = time.monotonic()
        found = self._memo.get(key)
        if found is None or now - found[0] > max_age or self.max_age == 0:
            found = (now, compute())
            self._remember(key, found)
        value: T = found[1]
        return value

    def _remember(self, key: str, entry: tuple[float, Any]) -> None:
        # Keys carry the data version, so live feedback keeps adding new ones: the oldest half
        # goes once there are too many, and a key asked for again is computed again.
        if len(self._memo) >= MEMO_ENTRIES:
            by_age = sorted(self._memo.items(), key=lambda item: item[1][0])
            for old, _ in by_age[: len(by_age) // 2]:
                self._memo.pop(old, None)
        self._memo[key] = entry

    def current(self, key: str, compute: Callable[[], T], *, max_age: float) -> T:
        """``compute()``, computed in a request only the first time; afterwards a value older
        than ``max_age`` is served while its successor is computed in the background."""
        if key not in self._memo or self.max_age == 0:
            return self.memo(key, compute, max_age=max_age)
        found = self.ready(key, compute, max_age=max_age)
        assert found is not None  # remembered above
        return found

    def ready(self, key: str, compute: Callable[[], T], *, max_age: float = 600.0) -> T | None:
        """Like :meth:`memo`, but never makes a request wait for a slow ``compute()``.

        Returns the remembered value (even a stale one while its successor is computed), or
        ``None`` until the first value is ready; the computing happens in a background thread.
        With ``max_age=0`` on the cache (tests) it computes in the request, as :meth:`memo` does.
        """
        if self.max_age == 0:
            return self.memo(key, compute)
        found = self._memo.get(key)
        if found is not None and time.monotonic() - found[0] <= max_age:
            value: T = found[1]
            return value
        with self._filling_lock:
            start = key not in self._filling
            self._filling.add(key)
        if start:
            threading.Thread(
                target=self._fill, args=(key, compute), name=f"klarsyn-{key}", daemon=True
            ).start()
        return None if found is None else found[1]

    def _fill(self, key: str, compute: Callable[[], Any]) -> None:
        try:
            self._remember(key, (time.monotonic(), compute()))
        finally:
            with self._filling_lock:
                self._filling.discard(key)
