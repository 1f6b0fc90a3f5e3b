"""Exporting a packet at the school: the changes since the last packet the township acknowledged
(or, for a first or full packet, a snapshot of the data: see `snapshot`), the ledgers workbook, the
signed folder and the attachments those changes name — under a manifest signed with the school's
key (laid out as packet_layout says, signature first), encrypted to the township center, written
to the stick atomically and read back before it is reported done.

Nothing in the school's data is changed or deleted by exporting; only the local record of sent
packets grows. The plaintext is assembled in a private work folder under the app's data
directory (work_folders), never on the stick nor in the shared temp folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable

from jiaoyuapp import __version__
from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.disk_space import full_error, is_disk_full, require_free
from jiaoyuapp.errors import CancelledError, DataError
from jiaoyuapp.exchange import changes_file, container, identity, packet_layout, peers
from jiaoyuapp.exchange.changes_file import CHANGES_DB
from jiaoyuapp.exchange.packet_layout import frame, member_from_bytes, member_from_file
from jiaoyuapp.exchange.snapshot import SNAPSHOT_DB, write_snapshot
from jiaoyuapp.pause_points import reached
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store, changelog
from jiaoyuapp.store.writes import now_iso
from jiaoyuapp.work_folders import remove_unfinished, work_folder, writing

Progress = Callable[[int, int | None, str], None]
PART = ".part"


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _plan(store: Store, full: bool) -> tuple[int, int, int, str]:
    """(packet number, first seq, last seq, previous manifest hash)."""
    last = store.query("SELECT packet_no, manifest_sha256 FROM packets_sent ORDER BY packet_no DESC LIMIT 1")
    acked = store.scalar("SELECT max(log_to) FROM packets_sent WHERE acknowledged_at IS NOT NULL") or 0
    number = (last[0]["packet_no"] + 1) if last else 1
    log_to = store.scalar("SELECT max(seq) FROM change_log") or 0
    return number, 1 if full else acked + 1, log_to, last[0]["manifest_sha256"] if last else ""


def write_documents(store: Store, work: Path, passphrase: str | None, today: dt.date) -> tuple[Path, Path]:
    """The ledgers workbook and the signed folder that travel in the packet."""
    from jiaoyuapp.documents.inspection_folder import write_folder
    from jiaoyuapp.documents.ledger_workbook import write_ledgers
    return (write_ledgers(store, work / "ledgers.xlsx", today=today),
            write_folder(store, work / "folder.pdf", passphrase=passphrase, today=today))


def file_name(school_name: str, day: dt.date, number: int) -> str:
    """The packet's file name: the school's name as people read it, without anything a file
    system would take for a path or refuse."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", school_name).strip(" .") or "学校"
    return f"{safe[:60]}_{day:%Y-%m-%d}_第{number}号.jyp"


def export_packet(store: Store, folder: str | Path, *, passphrase: str | None, full: bool = False,
                  center_certificate: str | None = None, today: dt.date | None = None,
                  progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                  documents: Callable[[Store, Path, str | None, dt.date], tuple[Path, Path]] = write_documents,
                  snapshot: bool = True) -> Path:
    """Write one .jyp file into `folder`; returns its path. A full packet carries a snapshot of the
    data; with snapshot=False it carries every change from the start instead (a changes file that
    begins at the first entry), which centers accept as well."""
    folder = Path(folder)
    school = require_school(store)
    me = identity.active(store)
    key = identity.signing_key(me, passphrase, store=store)
    if center_certificate:
        peers.set_township(store, center_certificate)
    center = peers.township(store)
    recipient = identity.encryption_public_key(identity.load_certificate(center["certificate"]))
    number, log_from, log_to, previous = _plan(store, full)
    today = today or dt.date.today()
    step = _stepper(progress, cancel)
    with work_folder("数据包") as work:
        members: list[dict] = []
        parts: list[bytes | Path] = []

        def add(entry_and_stored):
            entry, stored = entry_and_stored
            members.append(entry)
            parts.append(stored)

        step(1, "整理变更记录")
        if log_from == 1 and snapshot:  # everything: the data as a database, which a new copy becomes
            log_to = write_snapshot(store, work / SNAPSHOT_DB)
            _sendable(store, work / SNAPSHOT_DB, "change_log", "record_uuid")
            add(member_from_file(work / SNAPSHOT_DB, SNAPSHOT_DB, True, work))
        else:
            log_to = _write_changes(store, work / CHANGES_DB, log_from, log_to)
            _sendable(store, work / CHANGES_DB, "changes", "uuid")
            add(member_from_file(work / CHANGES_DB, CHANGES_DB, True, work))
        count = log_to - log_from + 1
        add(member_from_bytes(_batches(store, log_from, log_to), "batches.jsonl", True))
        reached("export-changes")
        step(2, "导出台账、生成签章档案")
        ledgers, folder_pdf = documents(store, work, passphrase, today)
        reached("export-documents")
        step(3, "打包台账与档案")
        add(member_from_file(ledgers, "ledgers.xlsx", False, work))
        add(member_from_file(folder_pdf, "folder.pdf", False, work))
        step(4, "附件")
        for sha, data in _attachments(store, log_from, log_to):
            add(member_from_bytes(data, f"attachments/{sha}", False))
        digest, _ = changelog.digest(store, log_to)
        manifest = {
            "format": packet_layout.FORMAT, "kind": "jiaoyu-packet", "school_code": school["code"],
            "school_name": school["name"], "packet_no": number, "created_at": now_iso(), "app_version": __version__,
            "full": full, "log_from": log_from, "log_to": log_to, "changes": count, "data_digest": digest,
            "previous_packet": previous, "members": members, "certificate_fingerprint": me["fingerprint"],
            "recipient_fingerprint": center["fingerprint"],
            "schema": [r[0] for r in store.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'jiaoyu' ORDER BY rowid")],
        }
        body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        rotation = bytes.fromhex(me["rotation_statement"]) if me["rotation_statement"] else b""
        preamble = (packet_layout.LAYOUT_MAGIC + frame(me["certificate"].encode("ascii")) + frame(rotation)
                    + frame(body) + frame(identity.sign(key, body)))
        manifest_sha = hashlib.sha256(body).hexdigest()
        step(5, "加密并写入")
        name = file_name(school["name"], today, number)
        path = _write_sealed(packet_layout.Concatenated([preamble, *parts]), folder / name,
                             {"school_code": school["code"], "packet_no": number, "recipient": center["fingerprint"]},
                             recipient)
    packet_sha, _ = _sha256_file(path)
    with store.local():
        store.conn.execute(
            "INSERT INTO packets_sent (packet_no, file_name, created_at, full, log_from, log_to, manifest_sha256, "
            "packet_sha256, recipient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, path.name, manifest["created_at"], int(full), log_from, log_to, manifest_sha, packet_sha,
             center["fingerprint"]))
    step(6, "完成")
    return path


def _stepper(progress: Progress | None, cancel: Callable[[], bool] | None):
    def step(n: int, stage: str) -> None:
        if cancel and cancel():
            raise CancelledError()
        if progress:
            progress(n, 6, stage)
    return step


def _sendable(store: Store, path: Path, table: str, uuid_col: str) -> None:
    """The center checks every entry as hostile; what it would refuse is said here, at the school,
    where it can be put right, instead of a packet that no center accepts."""
    import contextlib
    import sqlite3
    columns = {t: [r[1] for r in store.conn.execute(f"PRAGMA table_info([{t}])")] for t in store.schema.school_tables}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            changes_file.check_entries(conn, table, uuid_col, columns)
        except changes_file.Malformed as exc:
            raise DataError(f"本校的数据{exc}，中心校不会接收这样的数据包。请在相应的记录中改正后再导出。") from None


def _write_changes(store: Store, path: Path, log_from: int, log_to: int) -> int:
    """The changes file (changes_file) of entries log_from..log_to; returns log_to."""
    store.conn.execute("ATTACH DATABASE ? AS pk", (str(path),))
    try:
        store.conn.execute("BEGIN")
        try:
            changes_file.write(store.conn, "pk", "main", log_from, log_to)
            store.conn.execute("COMMIT")
        except BaseException:
            store.conn.execute("ROLLBACK")
            raise
    finally:
        store.conn.execute("DETACH DATABASE pk")
    return log_to


def _batches(store: Store, log_from: int, log_to: int) -> bytes:
    rows = store.query("SELECT uuid, kind, actor, at, summary FROM batches WHERE first_seq <= ? AND last_seq >= ?",
                       (log_to, log_from))
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def _attachments(store: Store, log_from: int, log_to: int):
    """(sha256, bytes) of every attachment the shipped changes insert (original and printing copy),
    one at a time."""
    wanted: list[str] = []
    for (changes,) in store.conn.execute("SELECT changes FROM change_log WHERE tbl = 'attachments' AND op = 'insert' "
                                         "AND seq BETWEEN ? AND ?", (log_from, log_to)):
        fields = json.loads(changes)
        wanted += [fields[k][1] for k in ("sha256", "print_sha256") if fields.get(k) and fields[k][1]]
    from jiaoyuapp.ledgers.attachments import blob
    for sha in dict.fromkeys(wanted):
        yield sha, blob(store, sha)


def sealed_size(size: int) -> int:
    """How large the container of `size` plaintext bytes is (header and per-chunk overhead)."""
    return size + container.MAX_HEADER + 20 * (size // container.CHUNK + 1)


def _write_sealed(plain: packet_layout.Concatenated, target: Path, header: dict, recipient) -> Path:
    """Encrypt under a temporary name with an "unfinished" mark, fsync, read back, rename, and only
    then stamp the real mark: a write cut off at any point leaves a file every center refuses
    (and the next export into that folder removes it). A stick without room for the whole packet
    is refused before anything is written."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise full_error(target.parent, sealed_size(plain.size), done="数据包没有写出") from None
        raise DataError(f"无法使用文件夹“{target.parent}”：{exc.strerror}。请换一个U盘或文件夹。") from None
    remove_unfinished(target.parent, "*.jyp" + PART)
    require_free(target.parent, sealed_size(plain.size), margin=1 << 20)
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{target.stem.split('（')[0]}（{n}）{target.suffix}")
    tmp = target.with_name(target.name + PART)
    h = hashlib.sha256()
    try:
        with writing(tmp):
            with plain, open(tmp, "wb") as out:
                container.seal(_HashingWriter(out, h), plain, plain.size, header, recipient, magic=container.UNFINISHED)
                reached("export-sealing")
                out.flush()
                os.fsync(out.fileno())
            if _sha256_file(tmp)[0] != h.hexdigest():
                raise DataError("写入U盘后读回校验不一致（U盘可能有坏块）。请换一个U盘重新导出。")
            os.replace(tmp, target)
        reached("export-renamed")
        with open(target, "r+b") as fh:
            fh.write(container.MAGIC)
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise full_error(target.parent, sealed_size(plain.size), done="数据包没有写完，未完成的文件已清除") from None
        raise DataError(f"写入数据包失败：{exc.strerror or exc}。已清除未完成的文件，请检查U盘后重新导出。") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


class _HashingWriter:
    def __init__(self, out, h):
        self.out, self.h = out, h

    def write(self, data: bytes) -> int:
        self.h.update(data)
        return self.out.write(data)
