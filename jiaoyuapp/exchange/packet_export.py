"""Exporting a packet at the school: the changes since the last packet the township acknowledged
(or, for a first or full packet, a snapshot of the data: see `snapshot`), the ledgers workbook, the signed folder and the attachments those
changes name — under a manifest signed with the school's key, encrypted to the township center,
written to the stick atomically and read back before it is reported done.

Nothing in the school's data is changed or deleted by exporting; only the local record of sent
packets grows. The plaintext is assembled in a local temporary folder, never on the stick.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from jiaoyuapp import __version__
from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.errors import CancelledError, DataError
from jiaoyuapp.exchange import container, identity, peers
from jiaoyuapp.exchange.snapshot import SNAPSHOT_DB, write_snapshot
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store, changelog
from jiaoyuapp.store.writes import now_iso

Progress = Callable[[int, int | None, str], None]
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"


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


def export_packet(store: Store, folder: str | Path, *, passphrase: str | None, full: bool = False,
                  center_certificate: str | None = None, today: dt.date | None = None,
                  progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                  documents: Callable[[Store, Path, str | None, dt.date], tuple[Path, Path]] = write_documents,
                  snapshot: bool = True) -> Path:
    """Write one .jyp file into `folder`; returns its path. A full packet carries a snapshot of the
    data; with snapshot=False it carries every change from the start instead, as packets of
    versions before snapshots did (centers still accept that form)."""
    folder = Path(folder)
    school = require_school(store)
    me = identity.active(store)
    key = identity.signing_key(me, passphrase)
    if center_certificate:
        peers.set_township(store, center_certificate)
    center = peers.township(store)
    recipient = identity.encryption_public_key(identity.load_certificate(center["certificate"]))
    number, log_from, log_to, previous = _plan(store, full)
    today = today or dt.date.today()
    step = _stepper(progress, cancel)
    work = Path(tempfile.mkdtemp(prefix="jiaoyu-packet-"))
    try:
        inner = work / "inner.zip"
        members: list[dict] = []
        with zipfile.ZipFile(inner, "w", allowZip64=True) as zf:
            step(1, "整理变更记录")
            if log_from == 1 and snapshot:  # everything: the data as a database, which a new copy becomes
                log_to = write_snapshot(store, work / SNAPSHOT_DB)
                _add_file(zf, members, work / SNAPSHOT_DB, SNAPSHOT_DB, compress=True)
                count = store.scalar("SELECT count(*) FROM change_log WHERE seq <= ?", (log_to,))
            else:
                count = _add_changes(store, zf, members, log_from, log_to, work)
            _add_batches(store, zf, members, log_from, log_to)
            step(2, "导出台账、生成签章档案")
            ledgers, folder_pdf = documents(store, work, passphrase, today)
            step(3, "打包台账与档案")
            _add_file(zf, members, ledgers, "ledgers.xlsx")
            _add_file(zf, members, folder_pdf, "folder.pdf")
            step(4, "附件")
            _add_attachments(store, zf, members, log_from, log_to)
            digest, _ = changelog.digest(store, log_to)
            manifest = {
                "format": container.FORMAT, "kind": "jiaoyu-packet", "school_code": school["code"],
                "school_name": school["name"], "packet_no": number, "created_at": now_iso(), "app_version": __version__,
                "full": full, "log_from": log_from, "log_to": log_to, "changes": count, "data_digest": digest,
                "previous_packet": previous, "members": members, "certificate": me["certificate"],
                "certificate_fingerprint": me["fingerprint"], "rotation_statement": me["rotation_statement"],
                "recipient_fingerprint": center["fingerprint"],
                "schema": [r[0] for r in store.conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'jiaoyu' ORDER BY rowid")],
            }
            body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
            zf.writestr(MANIFEST, body)
            zf.writestr(SIGNATURE, identity.sign(key, body).hex())
        manifest_sha = hashlib.sha256(body).hexdigest()
        step(5, "加密并写入")
        name = f"{school['name']}_{today:%Y-%m-%d}_第{number}号.jyp"
        path = _write_sealed(inner, folder / name, {"school_code": school["code"], "packet_no": number,
                                                    "recipient": center["fingerprint"]}, recipient)
        packet_sha, _ = _sha256_file(path)
        with store.local():
            store.conn.execute(
                "INSERT INTO packets_sent (packet_no, file_name, created_at, full, log_from, log_to, manifest_sha256, "
                "packet_sha256, recipient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (number, name, manifest["created_at"], int(full), log_from, log_to, manifest_sha, packet_sha,
                 center["fingerprint"]))
        step(6, "完成")
        return path
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stepper(progress: Progress | None, cancel: Callable[[], bool] | None):
    def step(n: int, stage: str) -> None:
        if cancel and cancel():
            raise CancelledError()
        if progress:
            progress(n, 6, stage)
    return step


def _add_bytes(zf: zipfile.ZipFile, members: list[dict], name: str, data: bytes, compress: bool) -> None:
    zf.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data,
                compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    members.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})


def _add_file(zf: zipfile.ZipFile, members: list[dict], path: Path, name: str, compress: bool = False) -> None:
    zf.write(path, name, compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    sha, size = _sha256_file(path)
    members.append({"name": name, "sha256": sha, "size": size})


CHANGES_DB = "changes.sqlite"
SEARCH_KEYS = "search_keys"


def _add_changes(store: Store, zf: zipfile.ZipFile, members: list[dict], log_from: int, log_to: int,
                 work: Path) -> int:
    """The changes as a small SQLite file: `changes` (the log entries as they are), per school
    table `rows_<table>` with the records the entries insert already in columns — the center
    copies those with INSERT … SELECT instead of taking JSON apart row by row — and the new
    students' search keys."""
    path = work / CHANGES_DB
    store.conn.execute("ATTACH DATABASE ? AS pk", (str(path),))
    try:
        store.conn.execute("CREATE TABLE pk.changes (seq INTEGER PRIMARY KEY, batch TEXT, tbl TEXT, uuid TEXT, "
                           "op TEXT, changes TEXT, actor TEXT, at TEXT)")
        store.conn.execute("INSERT INTO pk.changes SELECT c.seq, b.uuid, c.tbl, c.record_uuid, c.op, c.changes, "
                           "coalesce(c.actor, b.actor), coalesce(c.at, b.at) FROM main.change_log c "
                           "JOIN main.batches b ON b.id = c.batch WHERE c.seq BETWEEN ? AND ? ORDER BY c.seq",
                           (log_from, log_to))
        fill_changes_db(store.conn, "pk", "main", store.schema.school_tables)
        count = store.scalar("SELECT count(*) FROM pk.changes")
    finally:
        store.conn.execute("DETACH DATABASE pk")
    _add_file(zf, members, path, CHANGES_DB, compress=True)
    return count


def fill_changes_db(conn, target: str, source: str, school_tables) -> None:
    """Given `target.changes`, add the records its entries insert in columns (`rows_<table>`) and
    the search keys of its students from `source.student_search`: derived data the center would
    otherwise compute again; it keeps them only where the name matches (search_index checks)."""
    for table in school_tables:
        cols = [r[1] for r in conn.execute(f"PRAGMA {source}.table_info([{table}])") if r[1] != "uuid"]
        conn.execute(f"CREATE TABLE {target}.[rows_{table}] (seq INTEGER PRIMARY KEY, uuid TEXT, "
                     f"{', '.join(f'[{c}]' for c in cols)})")
        fields = ", ".join(f"json_extract(changes, '$.{c}[1]')" for c in cols)
        conn.execute(f"INSERT INTO {target}.[rows_{table}] SELECT seq, uuid, {fields} FROM {target}.changes "
                     f"WHERE tbl = ? AND op = 'insert' ORDER BY seq", (table,))
    conn.execute(f"CREATE TABLE {target}.{SEARCH_KEYS} (uuid TEXT, name TEXT, pinyin TEXT, "
                 "initials TEXT, given_pinyin TEXT)")
    conn.execute(f"INSERT INTO {target}.{SEARCH_KEYS} SELECT x.uuid, x.name, x.pinyin, x.initials, x.given_pinyin "
                 f"FROM {source}.student_search x WHERE x.uuid IN (SELECT uuid FROM {target}.rows_students)")


def _add_batches(store: Store, zf: zipfile.ZipFile, members: list[dict], log_from: int, log_to: int) -> None:
    rows = store.query("SELECT uuid, kind, actor, at, summary FROM batches WHERE first_seq <= ? AND last_seq >= ?",
                       (log_to, log_from))
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    _add_bytes(zf, members, "batches.jsonl", body.encode("utf-8"), compress=True)


def _add_attachments(store: Store, zf: zipfile.ZipFile, members: list[dict], log_from: int, log_to: int) -> None:
    """The bytes of every attachment the shipped changes insert (original and printing copy)."""
    wanted: list[str] = []
    for (changes,) in store.conn.execute("SELECT changes FROM change_log WHERE tbl = 'attachments' AND op = 'insert' "
                                         "AND seq BETWEEN ? AND ?", (log_from, log_to)):
        fields = json.loads(changes)
        wanted += [fields[k][1] for k in ("sha256", "print_sha256") if fields.get(k) and fields[k][1]]
    from jiaoyuapp.ledgers.attachments import blob
    for sha in dict.fromkeys(wanted):
        _add_bytes(zf, members, f"attachments/{sha}", blob(store, sha), compress=False)


def _write_sealed(inner: Path, target: Path, header: dict, recipient) -> Path:
    """Encrypt under a temporary name with an "unfinished" mark, fsync, read back, rename, and only
    then stamp the real mark: a write cut off at any point leaves a file every center refuses."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"无法使用文件夹“{target.parent}”：{exc.strerror}。请换一个U盘或文件夹。") from None
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{target.stem.split('（')[0]}（{n}）{target.suffix}")
    tmp = target.with_name(target.name + ".part")
    h = hashlib.sha256()
    try:
        size = inner.stat().st_size
        with open(inner, "rb") as src, open(tmp, "wb") as out:
            container.seal(_HashingWriter(out, h), src, size, header, recipient, magic=container.UNFINISHED)
            out.flush()
            os.fsync(out.fileno())
        if _sha256_file(tmp)[0] != h.hexdigest():
            raise DataError("写入U盘后读回校验不一致（U盘可能有坏块）。请换一个U盘重新导出。")
        os.replace(tmp, target)
        with open(target, "r+b") as fh:
            fh.write(container.MAGIC)
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        full = getattr(exc, "errno", None) == 28
        raise DataError(("U盘空间不足，数据包没有写完（已清除未完成的文件）。请清理空间或换一个U盘后重新导出。" if full else
                         f"写入数据包失败：{exc.strerror or exc}。已清除未完成的文件，请检查U盘后重新导出。")) from None
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
