"""The databases opened lately, newest first (最近打开.json in the data directory).

The window and the command line share this list, so both start with the school last worked on:
the wizard names a new school's file after the school, and without the list `jiaoyu` would look
for a school.db that was never made.
"""

from __future__ import annotations

import json
from pathlib import Path

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.paths import data_dir

RECENT_FILE = "最近打开.json"
KEEP = 10


def _recent_path() -> Path:
    return data_dir() / RECENT_FILE


def recent() -> list[Path]:
    """Databases opened before, newest first, that still exist."""
    try:
        paths = [Path(p) for p in json.loads(_recent_path().read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []
    return [p for p in paths if p.is_file()]


def remember(path: str | Path) -> None:
    """Put `path` first. Never fails: a list of recent files is a convenience, not a reason to stop."""
    try:
        path = Path(path).resolve()
        paths = [path] + [p for p in recent() if p != path]
        body = json.dumps([str(p) for p in paths[:KEEP]], ensure_ascii=False).encode("utf-8")
        write_bytes_atomically(_recent_path(), body)
    except Exception:  # noqa: BLE001 - see the docstring
        pass


def last_opened() -> Path | None:
    found = recent()
    return found[0] if found else None
