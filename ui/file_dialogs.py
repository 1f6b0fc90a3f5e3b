"""Choosing files and folders: every dialog starts in the folder last used for its kind of file.

A teacher who took the roster from the USB stick yesterday expects today's dialog to open there
again, not in the home folder. The last folder per kind ("roster", "packet", "backup" …) is kept
in the data folder (a small JSON file, written atomically); a folder that no longer exists (the
stick is out) falls back to the last one used for anything, then to the home folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.paths import data_dir

FOLDERS_FILE = "最近文件夹.json"
ANY = "*"


def _file() -> Path:
    return data_dir() / FOLDERS_FILE


def _remembered() -> dict[str, str]:
    try:
        found = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(found, dict) else {}


def last_folder(kind: str) -> str:
    """The folder to start in for this kind of file: its last one, the last one of any kind, home."""
    known = _remembered()
    for key in (kind, ANY):
        folder = known.get(key)
        if folder and Path(folder).is_dir():
            return folder
    return str(Path.home())


def remember_folder(kind: str, chosen: str | Path) -> None:
    """Keep the folder of a chosen file (or the chosen folder itself) for next time."""
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    known = _remembered()
    known[kind] = known[ANY] = str(folder)
    try:
        write_bytes_atomically(_file(), json.dumps(known, ensure_ascii=False).encode("utf-8"))
    except Exception:  # noqa: BLE001 - a remembered folder is a convenience, never a reason to fail
        pass


def open_file(parent: QWidget | None, title: str, filters: str, kind: str) -> str:
    """One existing file, or "" when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_folder(kind), filters)
    if path:
        remember_folder(kind, path)
    return path


def open_files(parent: QWidget | None, title: str, filters: str, kind: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, last_folder(kind), filters)
    if paths:
        remember_folder(kind, paths[0])
    return paths


def save_file(parent: QWidget | None, title: str, suggested_name: str, filters: str, kind: str) -> str:
    """Where to save a new file (the suggested name in the last folder), or "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(last_folder(kind)) / suggested_name), filters)
    if path:
        remember_folder(kind, path)
    return path


def choose_folder(parent: QWidget | None, title: str, kind: str) -> str:
    folder = QFileDialog.getExistingDirectory(parent, title, last_folder(kind))
    if folder:
        remember_folder(kind, folder)
    return folder


# Every format a school's roster arrives in: the 学籍 system's .xls export, Excel's .xlsx, WPS's own .et
# saved as xlsx, LibreOffice's .ods.
ROSTER_FILTER = "Excel 或 WPS 表格 (*.xlsx *.xlsm *.xls *.ods);;所有文件 (*)"
