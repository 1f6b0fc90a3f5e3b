"""Writing a file so that a power cut or a pulled stick never leaves half of it under its name:
write a temporary file beside it, fsync, rename, fsync the folder.

A full disk says so, with where and how much (jiaoyuapp.disk_space), and leaves no partial
file; the half-written file of a killed run (a roster on a stick holds children's data) is removed
by the next write of that file. Where the whole content is known first (bytes, a workbook), the room is checked before
anything is written.
"""

from __future__ import annotations

import glob
import io
import os
from pathlib import Path
from typing import Callable

from jiaoyuapp.disk_space import full_error, is_disk_full, require_free
from jiaoyuapp.errors import DataError

MARGIN = 256 << 10  # room for the file system's own records beside a file of known size


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        # Windows cannot flush a folder (its renames are journaled by NTFS); a folder opened
        # read-only, as wine allows, fails in FlushFileBuffers with "Permission denied".
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the rename is still atomic there
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_atomically(out: str | Path, write: Callable[[Path], None], size: int | None = None) -> Path:
    """Call write(temporary path), then put the finished file in place; returns `out`.
    `size`, when known, is checked against the free space first."""
    from jiaoyuapp.work_folders import remove_unfinished, writing
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_unfinished(out.parent, glob.escape(tmp.name))  # what a killed run left under this name
        if size is not None:
            require_free(out.parent, size, margin=MARGIN)
        with writing(tmp):
            write(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        written = _size(tmp)
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            if size is not None:
                raise full_error(out.parent, size, done=f"“{out.name}”没有写成（原有文件没有改动）") from None
            raise full_error(out.parent, done=f"“{out.name}”没有写成：写到 {written / (1 << 20):.1f} MB 时空间用完，"
                                              "文件还要更大（原有文件没有改动）") from None
        raise DataError(f"无法写入“{out}”：{exc.strerror or exc}。如果文件正在Excel、WPS或PDF阅读器中打开，请先关闭；"
                        "如果U盘已拔出或已满，请换一个位置。") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def write_bytes_atomically(out: str | Path, data: bytes) -> Path:
    return write_atomically(out, lambda tmp: tmp.write_bytes(data), size=len(data))


def save_workbook(wb, out: str | Path) -> Path:
    """An openpyxl workbook, saved atomically. It is built in memory first, so a disk without room
    for it is told before anything is written, and how much it needs."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes_atomically(out, buffer.getvalue())
