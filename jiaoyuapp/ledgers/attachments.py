"""Photos and signature images, stored content-addressed inside the school's database.

The bytes are kept once under their SHA-256 (so a backup or a packet carries
them and the same photo is never stored twice) and never change; a downscaled
copy is kept for printing. The `attachments` row, which names both hashes, goes
through the change log like every other record.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from jiaoyuapp.errors import DataError
from jiaoyuapp.store import Batch, Store

PRINT_MAX_PX = 1200          # long side of the printing copy: ~10 cm at 300 dpi
MAX_BYTES = 40 * 1024 * 1024
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp", "WEBP": "image/webp"}


def read_file(path: str | Path) -> bytes:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"找不到图片文件“{path}”。") from None
    except OSError as exc:
        raise DataError(f"读不了图片文件“{path.name}”：{exc.strerror}。如在手机里，请先复制到电脑上。") from None
    if len(data) > MAX_BYTES:
        raise DataError(f"图片“{path.name}”太大（超过40MB），请换一张或先压缩。")
    return data


def _print_copy(img, fmt: str) -> tuple[bytes, str]:
    """A copy small enough to print many on a page; signatures keep PNG transparency."""
    copy = img.copy()
    copy.thumbnail((PRINT_MAX_PX, PRINT_MAX_PX))
    out = io.BytesIO()
    if fmt == "PNG" or copy.mode in ("RGBA", "LA", "P"):
        copy.save(out, "PNG", optimize=True)
        return out.getvalue(), "PNG"
    copy.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), "JPEG"


def store_image(store: Store, batch: Batch, data: bytes) -> str:
    """Store an image (once) and its printing copy; returns the attachments row's uuid."""
    from PIL import Image, UnidentifiedImageError   # Pillow: loaded when a photo is stored, not at every start
    sha = hashlib.sha256(data).hexdigest()
    existing = store.scalar("SELECT uuid FROM attachments WHERE sha256 = ?", (sha,))
    if existing:
        return existing
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DataError("这个文件不是能识别的图片（支持JPG、PNG等常见格式），请重新选择照片。") from None
    fmt = img.format or "PNG"
    printable, _ = _print_copy(img, fmt)
    batch.put_blob(data)
    print_sha = batch.put_blob(printable)
    return batch.insert("attachments", {"sha256": sha, "mime": MIME.get(fmt, "application/octet-stream"),
                                        "size": len(data), "width": img.width, "height": img.height,
                                        "print_sha256": print_sha})


def blob(store: Store, sha256: str) -> bytes:
    """The stored bytes, checked against their name."""
    row = store.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        raise DataError("附件的内容缺失（数据库可能不完整），请从备份恢复。")
    data = bytes(row[0])
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DataError("附件内容已损坏（校验值不符），请从备份恢复。")
    return data


def verify_blobs(store: Store) -> list[str]:
    """Every attachment's bytes are present and match their hash (for `jiaoyu check`)."""
    problems = []
    wanted = {}
    for uid, sha, print_sha in store.conn.execute("SELECT uuid, sha256, print_sha256 FROM attachments"):
        wanted[sha] = uid
        if print_sha:
            wanted[print_sha] = uid
    have = set()
    for sha, data in store.conn.execute("SELECT sha256, data FROM blobs"):
        have.add(sha)
        if hashlib.sha256(bytes(data)).hexdigest() != sha:
            problems.append(f"附件内容 {sha[:12]}… 已损坏（校验值不符）")
    problems += [f"附件 {uid} 的内容 {sha[:12]}… 缺失" for sha, uid in wanted.items() if sha not in have]
    return problems
