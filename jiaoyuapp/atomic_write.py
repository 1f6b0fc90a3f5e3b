"""Writing a file so that a power cut or a pulled stick never leaves half of it under its name:
write a temporary file beside it, fsync, rename, fsync the folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

from jiaoyuapp.errors import DataError


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename is still atomic there
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(out: str | Path, write: Callable[[Path], None]) -> Path:
    """Call write(temporary path), then put the finished file in place; returns `out`."""
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise DataError(f"“{out.parent}”空间不足，“{out.name}”没有写成（原有数据没有改动）。请清理空间或换一个U盘。") from None
        raise DataError(f"无法写入“{out}”：{exc.strerror or exc}。如果文件正在Excel、WPS或PDF阅读器中打开，请先关闭；"
                        "如果U盘已拔出或已满，请换一个位置。") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def write_bytes_atomically(out: str | Path, data: bytes) -> Path:
    return write_atomically(out, lambda tmp: tmp.write_bytes(data))


def save_workbook(wb, out: str | Path) -> Path:
    """An openpyxl workbook, saved atomically."""
    return write_atomically(out, wb.save)
