"""Drafts of forms being typed (a home visit, …), kept so a crash or a power cut loses at most
a few seconds of typing.

A draft is not school data: it lives beside the database's automatic backups in the user's
data directory, one JSON file per form, written atomically (temporary file, fsync, rename), and
is removed when the form is saved or thrown away. Photos and the signature are kept as files
next to it, so a long visit with pictures comes back whole.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.paths import data_dir


def _folder(db_path: str | Path) -> Path:
    tag = hashlib.sha256(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()[:12]
    return data_dir() / "草稿" / f"{Path(db_path).stem}-{tag}"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def save(db_path: str | Path, kind: str, fields: dict, files: dict[str, bytes] | None = None) -> Path:
    """Keep the form's fields (JSON-able values) and its files (name → bytes); returns the draft's path."""
    folder = _folder(db_path) / _safe(kind)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name, data in (files or {}).items():
        target = folder / _safe(name)
        if not target.exists() or target.stat().st_size != len(data):
            write_bytes_atomically(target, data)
        names.append(target.name)
    for stale in folder.iterdir():
        if stale.name != "draft.json" and stale.name not in names and not stale.name.startswith("."):
            stale.unlink(missing_ok=True)
    body = json.dumps({"fields": fields, "files": names}, ensure_ascii=False, indent=1)
    write_bytes_atomically(folder / "draft.json", body.encode("utf-8"))
    return folder / "draft.json"


def load(db_path: str | Path, kind: str) -> tuple[dict, dict[str, bytes]] | None:
    """The saved draft (fields, files), or None when there is none or it cannot be read."""
    folder = _folder(db_path) / _safe(kind)
    try:
        doc = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
        files = {name: (folder / name).read_bytes() for name in doc.get("files", [])}
    except (OSError, ValueError):
        return None
    fields = doc.get("fields")
    return (fields, files) if isinstance(fields, dict) else None


def discard(db_path: str | Path, kind: str) -> None:
    shutil.rmtree(_folder(db_path) / _safe(kind), ignore_errors=True)
