"""A demo school database (invented people only) with a term of ledgers, for trying the app."""

from __future__ import annotations

from pathlib import Path

from jiaoyuapp.school import init_school, open_school

DEMO_NAME = "演示学校.db"


def make_demo_school(folder: str | Path, students: int = 300, progress=None, cancel=None) -> Path:
    """The demo school in `folder` (made once; an existing one is reused). Built under a temporary
    name and renamed when complete, so an interrupted build never looks like a demo school."""
    from jiaoyuapp.ledgers.demo_ledgers import fill_term
    from jiaoyuapp.roster.demo import load_demo
    folder = Path(folder)
    path = folder / DEMO_NAME
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(DEMO_NAME + ".part*"):
        leftover.unlink()
    part = folder / (DEMO_NAME + ".part")
    store = open_school(part)
    try:
        init_school(store, code="5100000001", name="演示村小学", township="演示镇", county="演示县", actor="演示数据")
        if progress:
            progress(1, 3, "生成学生")
        load_demo(store, students, seed=7, actor="演示数据")
        if progress:
            progress(2, 3, "生成本学期台账")
        fill_term(store, seed=7, actor="演示数据")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    part.rename(path)
    return path
