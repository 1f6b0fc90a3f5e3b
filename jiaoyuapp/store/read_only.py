"""Opening a database file read-only, whatever its path holds.

SQLite reads `file:` addresses as URIs: a folder named 备份#2 or 50%进度 would end the path at the
`#` or be refused at the `%`, so a valid backup on a stick looked like no database at all. The path
is turned into a proper file URI (every such character escaped) before `?mode=ro` is added.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def read_only_uri(path: str | Path) -> str:
    return Path(path).absolute().as_uri() + "?mode=ro"


def connect_read_only(path: str | Path, **options) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, **options)
