"""Finding what ships beside the code (resources/): in a checkout, an installed tree, or a
PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jiaoyuapp.errors import DatabaseError


def resource(relative: str) -> Path:
    candidates = []
    if os.environ.get("JIAOYU_RESOURCES"):
        candidates.append(Path(os.environ["JIAOYU_RESOURCES"]))
    if getattr(sys, "_MEIPASS", None):
        candidates.append(Path(sys._MEIPASS) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for base in candidates:
        path = base / relative
        if path.exists():
            return path
    raise DatabaseError(f"软件安装不完整：缺少文件 resources/{relative}。请重新安装本软件。")


def cjk_font() -> Path:
    return resource("fonts/wqy-microhei.ttc")
