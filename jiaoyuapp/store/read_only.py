"""Opening a database file read-only, whatever its path holds.

SQLite reads `file:` addresses as URIs: a folder named 备份#2 or 50%进度 would end the path at the
`#` or be refused at the `%`, so a valid backup on a stick looked like no database at all. The path
is turned into a file URI with every such character escaped before `?mode=ro` is added. The form
is SQLite's own (https://www.sqlite.org/uri.html): an empty authority, `file:///C:/…` for a drive
letter, and `file:////server/share/…` for a Windows network share, which `Path.as_uri()` would write
as `file://server/…` and SQLite refuse.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote


def uri_for(posix_path: str) -> str:
    """The read-only URI of an absolute path written with forward slashes (/x, C:/x, //server/x)."""
    if not posix_path.startswith("/"):
        posix_path = "/" + posix_path        # C:/学校 → /C:/学校
    return "file://" + quote(posix_path, safe="/:") + "?mode=ro"


def read_only_uri(path: str | Path) -> str:
    return uri_for(Path(path).absolute().as_posix())


def connect_read_only(path: str | Path, **options) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, **options)
