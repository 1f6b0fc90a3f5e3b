"""Damaging a database file on purpose, the way a bad sector does: one page of junk bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def pages_of(path: Path, name: str, kind: str = "leaf") -> list[int]:
    """The page numbers of one table's or index's b-tree (leaf or internal pages), in order."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno",
                                           (name, kind))]
    finally:
        conn.close()


def junk_page(path: Path, page: int) -> None:
    """Overwrite one page with bytes no b-tree page can start with."""
    conn = sqlite3.connect(path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xde\xad\xbe\xef" * (size // 4))


def damage(path: Path, name: str, where: float = 0.5, kind: str = "leaf") -> int:
    """Junk one page in the middle (or at `where`, 0..1) of `name`'s b-tree; returns its number."""
    pages = pages_of(path, name, kind)
    page = pages[min(int(len(pages) * where), len(pages) - 1)]
    junk_page(path, page)
    return page
