"""The database a window is working on, and the recently opened ones."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.exchange import township
from jiaoyuapp.paths import data_dir
from jiaoyuapp.school import open_school, school_info
from jiaoyuapp.store import Store
from jiaoyuapp.store.damage import corruption_error, is_corruption

RECENT_FILE = "最近打开.json"


class Session:
    """One open school (or township center) database, used by the UI thread. Long work runs in a
    worker process on its own connection (`ui.tasks.CoreCall` with `db=str(session.path)`)."""

    def __init__(self, path: str | Path, *, create: bool = False):
        self.path = Path(path).resolve()
        self.store: Store = open_school(self.path, create=create)
        try:
            self.title()  # the window needs these at once: damaged pages here mean it cannot show this file
        except sqlite3.DatabaseError as exc:
            self.store.close()
            if is_corruption(exc):
                raise corruption_error(self.path, "打开这个学校") from None
            raise
        remember(self.path)

    @property
    def mode(self) -> str:
        return township.mode(self.store)

    @property
    def school(self) -> dict | None:
        if self.mode == "township":
            from jiaoyuapp.exchange import identity
            me = identity.active(self.store, required=False)
            return {"name": me["name"], "code": me["code"]} if me else None
        return school_info(self.store)

    def title(self) -> str:
        school = self.school
        name = f"{school['name']}（{school['code']}）" if school else "尚未登记学校"
        role = "中心校" if self.mode == "township" else "学校"
        return f"{name} · {role} · {self.path.name}"

    def close(self) -> None:
        self.store.close()


def _recent_path() -> Path:
    return data_dir() / RECENT_FILE


def recent() -> list[Path]:
    """Databases opened before, newest first, that still exist."""
    try:
        paths = [Path(p) for p in json.loads(_recent_path().read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []
    return [p for p in paths if p.exists()]


def remember(path: Path) -> None:
    paths = [path] + [p for p in recent() if p != path]
    body = json.dumps([str(p) for p in paths[:10]], ensure_ascii=False).encode("utf-8")
    try:
        write_bytes_atomically(_recent_path(), body)
    except Exception:  # noqa: BLE001 - a list of recent files is a convenience, never a reason to fail
        pass
