"""What every command shares: settings, the store and the console."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer
from rich.console import Console

from klarsyn.config import Settings
from klarsyn.storage.store import Store

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


@dataclass
class State:
    settings: Settings
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        """The store named by ``--db`` / ``KLARSYN_DATABASE_URL``, opened and migrated once."""
        if self._store is None:
            self._store = Store.open(self.settings.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(Settings())
    return root.obj


def store(ctx: typer.Context) -> Store:
    return state(ctx).store()
