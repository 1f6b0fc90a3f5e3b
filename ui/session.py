"""The database a window is working on. The recently opened ones are the core's list
(jiaoyuapp/recent_databases.py), shared with the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jiaoyuapp.exchange import township
from jiaoyuapp.recent_databases import recent, remember  # noqa: F401 - recent() is imported from here too
from jiaoyuapp.school import open_school, school_info
from jiaoyuapp.store import Store
from jiaoyuapp.store.damage import corruption_error, is_corruption


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
