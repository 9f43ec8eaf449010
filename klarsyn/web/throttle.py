"""Slowing down password guessing: failed sign-ins per address and per client are counted.

After ``limit`` failures within ``window`` the key is refused until the oldest failure ages out.
The count lives in the process: enough for one server, and it forgets on restart, which only
ever helps the legitimate user.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from klarsyn.errors import KlarsynError


class TooManyAttempts(KlarsynError):
    status = 429
    title = "Too many attempts"


class LoginThrottle:
    def __init__(self, *, limit: int = 10, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, *keys: str) -> None:
        """Raise :class:`TooManyAttempts` if any key has failed ``limit`` times recently."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.limit:
                    wait = int(self.window - (now - failures[0])) // 60 + 1
                    raise TooManyAttempts(
                        f"too many failed sign-ins; try again in {wait} minutes",
                        hint="ask an admin to set a new password if you have forgotten it",
                    )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
