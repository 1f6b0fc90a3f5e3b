"""Where things live by default: the user's data directory, overridable."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from platformdirs import user_data_dir

APP_DIR_NAME = "jiaoyu"


def data_dir() -> Path:
    return Path(os.environ.get("JIAOYU_DATA_DIR") or user_data_dir(APP_DIR_NAME, appauthor=False))


FALLBACK_DB_NAME = "school.db"


def default_db_path(requested: str | Path | None = None) -> Path:
    """The database the command line and the window use: `requested` (their --db), else
    `JIAOYU_DB`, else the last one opened (by either) that still exists, else school.db in the data
    directory. One function, so `jiaoyu` finds the school the window's wizard made."""
    if requested:
        return Path(requested)
    env = os.environ.get("JIAOYU_DB")
    if env:
        return Path(env)
    from jiaoyuapp.recent_databases import last_opened  # it stands on data_dir() below
    return last_opened() or data_dir() / FALLBACK_DB_NAME


def auto_backup_dir(db_path: Path) -> Path:
    """Automatic backups live in the app's data directory, not beside the database (which may be
    on a USB stick), one folder per database file."""
    resolved = str(Path(db_path).resolve())
    tag = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:8]
    return data_dir() / "自动备份" / f"{Path(db_path).stem}-{tag}"


def log_file() -> Path:
    return data_dir() / "日志" / "jiaoyu.log"
