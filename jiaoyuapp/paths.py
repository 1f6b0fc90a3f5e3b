"""Where things live by default: the user's data directory, overridable."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_DIR_NAME = "jiaoyu"


def data_dir() -> Path:
    return Path(os.environ.get("JIAOYU_DATA_DIR") or user_data_dir(APP_DIR_NAME, appauthor=False))


def default_db_path() -> Path:
    """`--db` beats `JIAOYU_DB`, which beats the data directory."""
    env = os.environ.get("JIAOYU_DB")
    return Path(env) if env else data_dir() / "school.db"


def auto_backup_dir(db_path: Path) -> Path:
    """Automatic backups sit beside the database, in a folder named for it."""
    return db_path.parent / "自动备份" / db_path.stem
