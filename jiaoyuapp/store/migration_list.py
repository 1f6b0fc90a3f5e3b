"""The numbered migrations of a database, registered as sqlite-utils registers them, but without
importing sqlite-utils until one is pending.

sqlite-utils (with the plugin scan and date parser it loads) takes longer to import than the rest
of the core: every start of the window and of each `jiaoyu` command paid for it, though a school's
database is up to date on nearly every start. `apply` hands the same list to sqlite-utils'
Migrations, which records each step in `_sqlite_migrations` as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Migration:
    name: str
    fn: Callable
    transactional: bool = True


class Migrations:
    def __init__(self, name: str):
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(self, *, name: str | None = None, transactional: bool = True):
        def register(fn: Callable) -> Callable:
            step = name or fn.__name__
            if any(m.name == step for m in self._migrations):
                raise ValueError(f"migration {step!r} is already registered in {self.name!r}")
            self._migrations.append(Migration(step, fn, transactional))
            return fn
        return register

    def names(self) -> list[str]:
        return [m.name for m in self._migrations]

    def apply(self, conn, *, stop_before: str | None = None) -> None:
        """Apply the pending migrations (those before `stop_before`, when given) to `conn`."""
        import sqlite_utils
        steps = sqlite_utils.Migrations(self.name)
        for m in self._migrations:
            steps(name=m.name, transactional=m.transactional)(m.fn)
        steps.apply(sqlite_utils.Database(conn), stop_before=stop_before)
