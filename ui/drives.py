"""Where a packet can go: removable drives (USB sticks) first, then the usual folders."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QStorageInfo

LINUX_REMOVABLE = ("/media/", "/run/media/", "/mnt/")


def _removable(root: str) -> bool:
    if sys.platform == "win32":
        import ctypes
        return ctypes.windll.kernel32.GetDriveTypeW(root) == 2  # DRIVE_REMOVABLE
    return root.startswith(LINUX_REMOVABLE)


def destinations() -> list[tuple[str, Path]]:
    """(label, folder) pairs, removable drives first."""
    usb, other = [], []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = volume.rootPath()
        if _removable(root):
            free = volume.bytesAvailable() / 1e9
            usb.append((f"U盘/移动盘：{volume.displayName() or root}（{root}，可用{free:.1f} GB）", Path(root)))
    for kind, label in ((QStandardPaths.StandardLocation.DesktopLocation, "桌面"),
                        (QStandardPaths.StandardLocation.DocumentsLocation, "我的文档")):
        folder = QStandardPaths.writableLocation(kind)
        if folder:
            other.append((f"{label}（{folder}）", Path(folder)))
    return usb + other
