"""Disk full: a message that says where and how much, before or after the fact.

A full disk is never damage: the message never suggests restoring a backup (which would put older
data over newer). What was there is intact; the unfinished file is gone.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from jiaoyuapp.errors import DataError


class DiskFullError(DataError):
    """Not enough room where a file was to be written; nothing partial was left."""


def _mb(n: int) -> str:
    return f"{max(n, 0) / (1 << 20):.1f} MB" if n < (1 << 30) else f"{n / (1 << 30):.2f} GB"


def free_bytes(path: str | Path) -> int | None:
    """Free space on the disk holding `path` (or its nearest existing parent)."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def full_error(where: str | Path, needed: int | None = None, done: str = "没有写入任何数据（原有数据完好）") -> DiskFullError:
    """The message for a write that ran out of room at `where`; `needed` is what it takes (bytes)."""
    where = Path(where)
    free = free_bytes(where)
    amount = ""
    if needed:
        amount = f"本次操作约需 {_mb(needed)}" + (f"，现只剩 {_mb(free)}" if free is not None else "")
    elif free is not None:
        amount = f"现只剩 {_mb(free)}"
    return DiskFullError(f"磁盘空间不足：“{where}”所在的磁盘{('，' + amount) if amount else ''}。{done}。"
                         "请清理该磁盘（或换一个U盘、文件夹）后重试。")


def require_free(where: str | Path, needed: int, margin: int = 8 << 20) -> None:
    """Refuse before starting when the disk at `where` cannot hold `needed` bytes (plus a margin)."""
    free = free_bytes(where)
    if free is not None and free < needed + margin:
        raise full_error(where, needed + margin, done="还没有开始写入，原有数据完好")


def is_disk_full(exc: BaseException) -> bool:
    """An OSError or SQLite error that means the disk (or the file size limit) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG)
    text = str(exc).lower()
    return "database or disk is full" in text or "disk is full" in text or "sqlite_full" in text
