"""The township center (中心校 mode): registering schools, importing their packets with every
check, merging them into one copy per school, receipts, and the status board.

A packet is refused — with a message a person can act on and with nothing merged — when it
cannot be decrypted by this center, is altered or truncated, is signed by an unknown or a
different school, has members missing, added or changed, is replayed out of order, or skips a
number. Importing the same packet again is a no-op.
"""

from __future__ import annotations

import contextlib
import io
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from jiaoyuapp.atomic_write import fsync_dir, write_bytes_atomically
from jiaoyuapp.errors import DataError, NotFoundError, UsageError
from jiaoyuapp.exchange import identity, merge, peers, snapshot
from jiaoyuapp.exchange.container import PacketError, open_sealed, read_header
from jiaoyuapp.exchange.packet_export import CHANGES_DB, MANIFEST, SIGNATURE
from jiaoyuapp.exchange.snapshot import SNAPSHOT_DB
from jiaoyuapp.roster import search_index
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import now_iso

MODE_KEY = "mode"


def mode(store: Store) -> str:
    return store.scalar("SELECT value FROM local_settings WHERE key = ?", (MODE_KEY,)) or "school"


def require_township(store: Store) -> dict:
    if mode(store) != "township":
        raise UsageError("这个数据库不是中心校数据库。请先用 jiaoyu township init 建立中心校数据库（使用单独的 --db 文件）。")
    return identity.active(store)


def init(store: Store, *, name: str, code: str | None = None, passphrase: str | None) -> dict:
    if store.scalar("SELECT 1 FROM school LIMIT 1") or store.scalar("SELECT 1 FROM students LIMIT 1"):
        raise UsageError("这个数据库已经是学校数据库。中心校请使用单独的数据库文件（--db 中心校.db）。")
    if mode(store) == "township":
        return identity.active(store)
    code = "".join((code or "0000000000").split())  # the center's own 学校标识码, when given
    if not (code.isdigit() and len(code) == 10):
        raise UsageError("中心校标识码应为10位数字（用中心校自己的学校标识码）。")
    row = identity.create(store, kind="township", code=code, name=name, passphrase=passphrase)
    with store.local():
        store.conn.execute("INSERT OR REPLACE INTO local_settings (key, value) VALUES (?, 'township')", (MODE_KEY,))
    return row


def replica_path(store: Store, code: str) -> Path:
    return store.path.parent / f"{store.path.stem}_学校数据" / f"{code}.db"


def open_replica(store: Store, code: str) -> Store:
    from jiaoyuapp.school import open_school
    return open_school(replica_path(store, code))


def _building(final: Path) -> Path:
    return final.with_name(final.name + ".building")


def _clear_building(final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    for leftover in final.parent.glob(final.name + ".building*"):
        leftover.unlink()


def _finish_copy(final: Path) -> None:
    """The built copy, complete and closed, on the disk under its final name."""
    fd = os.open(_building(final), os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(_building(final), final)
    fsync_dir(final.parent)


def _place_snapshot(path: Path, final: Path, blobs: dict[str, bytes], manifest: dict) -> int:
    """A school's first copy from a checked snapshot: the file becomes the copy (upgraded to this
    program's schema if the school's is older), with the packet's photos, the log position, and
    search keys recomputed wherever the school's do not match the name. Returns the entries it holds."""
    from jiaoyuapp.school import open_school
    _clear_building(final)
    shutil.move(path, _building(final))
    replica = open_school(_building(final))
    try:
        code = manifest["school_code"]
        with replica.write("merge", f"学校{code}", f"合并第{manifest['packet_no']}号数据包") as w:
            for data in blobs.values():
                w.put_blob(data)
            search_index.repair(w.conn)
            with replica.local():
                replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('school_seq', ?)",
                                     (str(manifest["log_to"]),))
        count = replica.scalar("SELECT count(*) FROM change_log")
    finally:
        replica.close()
    _finish_copy(final)
    return count


def _new_replica(final: Path) -> Store:
    """A school's first copy is built beside its final name and renamed into place when complete:
    a cut-off import leaves nothing that looks like a copy. While it is built it is written once,
    through a rollback journal, instead of twice (into the WAL, then into the file)."""
    from jiaoyuapp.school import open_school
    _clear_building(final)
    _building(final).write_bytes(snapshot.empty_database())  # made durable by the first commit's fsync
    replica = open_school(_building(final))
    replica.conn.execute("PRAGMA journal_mode=DELETE")
    return replica


@dataclass
class ImportResult:
    file: str
    school_code: str = ""
    school_name: str = ""
    packet_no: int = 0
    status: str = ""               # 已接收 / 已导入过 / 拒收
    message: str = ""
    changes: int = 0
    conflicts: int = 0
    receipt: str | None = None
    details: dict = field(default_factory=dict)


def _registered(store: Store, code: str) -> dict:
    try:
        return peers.school_peer(store, code)
    except NotFoundError as exc:
        raise PacketError(exc.message) from None


class _HashingReader:
    """Reads a file while hashing every byte read, so the packet is read from the stick once."""

    def __init__(self, fh):
        self.fh, self.h = fh, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.h.update(data)
        return data


def check_packet(store: Store, path: Path, *, passphrase: str | None) -> dict:
    """Every check an import makes, without merging; returns the manifest."""
    work = Path(tempfile.mkdtemp(prefix="jiaoyu-verify-"))
    try:
        manifest, _, zf, _, _ = _open(store, path, passphrase, work)
        zf.close()
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


# A packet up to this size is opened in memory; a larger one (many photos) through temporary files.
# Memory spares the disk two writes a packet (the decrypted zip and the changes file) that a busy
# disk makes the import wait for.
IN_MEMORY = 256 << 20


def _open(store: Store, path: Path, passphrase: str | None,
          work: Path) -> tuple[dict, bytes, zipfile.ZipFile, str, bytes | Path]:
    """Decrypt and check the packet; returns (manifest, manifest bytes, open zip, file's SHA-256,
    the changes file: its bytes, or its path in `work` when large)."""
    me = require_township(store)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise PacketError(f"读不了数据包文件：{exc.strerror}。") from None
    with fh:
        header, _ = read_header(fh)
        if header.get("recipient") != me["fingerprint"]:
            raise PacketError("这个数据包不是发给本中心校的（加密所用的证书不是本中心校的）。"
                              "请让学校用本中心校的证书（--to）重新导出。")
        _registered(store, str(header.get("school_code")))
        fh.seek(0)
        own = identity.encryption_key(me, passphrase)
        in_memory = os.fstat(fh.fileno()).st_size <= IN_MEMORY
        inner: io.BytesIO | Path = io.BytesIO() if in_memory else work / "inner.zip"
        reader = _HashingReader(fh)
        with contextlib.nullcontext(inner) if in_memory else open(inner, "wb") as out:
            for block in open_sealed(reader, own):
                out.write(block)
        packet_sha = reader.h.hexdigest()
    try:
        zf = zipfile.ZipFile(inner)
        body = zf.read(MANIFEST)
        signature = bytes.fromhex(zf.read(SIGNATURE).decode("ascii"))
        manifest = json.loads(body.decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError):
        raise PacketError("数据包内部结构已损坏（缺少清单或签名），已拒收。请让学校重新导出。") from None
    code = manifest.get("school_code")
    if code != header.get("school_code") or manifest.get("packet_no") != header.get("packet_no"):
        raise PacketError("数据包的文件头与清单不一致（文件被改动），已拒收。")
    registered = _registered(store, code)
    cert_pem = manifest.get("certificate", "")
    if cert_pem != registered["certificate"]:
        if not peers.accept_rotation(store, code, cert_pem, manifest.get("rotation_statement")):
            raise PacketError(f"数据包的签名证书与登记的“{registered['name']}”证书不符（可能是其他学校签的，"
                              "或学校重新生成了密钥）。如学校确实换了密钥，请电话核对新指纹后重新登记。")
    if not identity.verify(identity.load_certificate(cert_pem), signature, body):
        raise PacketError(f"数据包清单的签名无效（内容被改动，或不是“{registered['name']}”签的），已拒收。")
    unknown = [m for m in manifest.get("schema", []) if m not in store.schema.migration_names()]
    if unknown:
        raise PacketError(f"“{registered['name']}”用的软件比本中心校新（数据格式 {unknown[0]}），本中心校还读不了它的数据。"
                          "请先把中心校的软件升级到最新版本，再导入这个数据包（数据包本身完好，请保留）。")
    listed = {m["name"]: m for m in manifest.get("members", [])}
    # a full packet carries a snapshot (one from before snapshots existed, its changes from the start)
    if len({CHANGES_DB, SNAPSHOT_DB} & set(listed)) != 1 or (SNAPSHOT_DB in listed and manifest.get("log_from") != 1):
        raise PacketError("数据包的清单中没有变更记录文件，已拒收。请让学校用本软件重新导出。")
    present = set(zf.namelist()) - {MANIFEST, SIGNATURE}
    if present - set(listed):
        raise PacketError(f"数据包中多出了清单里没有的文件（{'、'.join(sorted(present - set(listed)))}），已拒收。")
    if set(listed) - present:
        raise PacketError(f"数据包缺少清单中的文件（{'、'.join(sorted(set(listed) - present))}），已拒收。")
    changes: bytes | Path = b""
    for name, m in listed.items():
        h, size = hashlib.sha256(), 0
        keep = None
        if name in (CHANGES_DB, SNAPSHOT_DB):  # extracted while checked
            small = name == CHANGES_DB and zf.getinfo(name).file_size <= IN_MEMORY
            keep = io.BytesIO() if small else open(work / name, "wb")
        try:
            with zf.open(name) as member:
                while chunk := member.read(1 << 20):
                    h.update(chunk)
                    size += len(chunk)
                    if keep:
                        keep.write(chunk)
        finally:
            if isinstance(keep, io.BytesIO):
                changes = keep.getvalue()
            elif keep:
                keep.close()
                changes = work / name
        if h.hexdigest() != m["sha256"] or size != m["size"]:
            raise PacketError(f"数据包中的“{name}”与清单不符（被改动或损坏），已拒收。")
    if SNAPSHOT_DB in listed:
        snapshot.check_snapshot(work / SNAPSHOT_DB, migrations=manifest.get("schema", []),
                                known=store.schema.migration_names(), school_tables=store.schema.school_tables,
                                log_to=manifest.get("log_to"))
    return manifest, body, zf, packet_sha, changes


def import_packet(store: Store, path: str | Path, *, passphrase: str | None, receipts_dir: str | Path | None = None) -> ImportResult:
    """Check and merge one packet; a refused packet raises PacketError and merges nothing."""
    path = Path(path)
    result = ImportResult(file=path.name)
    work = Path(tempfile.mkdtemp(prefix="jiaoyu-import-"))
    try:
        manifest, body, zf, packet_sha, changes = _open(store, path, passphrase, work)
        with zf:
            code, number = manifest["school_code"], int(manifest["packet_no"])
            result.school_code, result.school_name, result.packet_no = code, manifest["school_name"], number
            manifest_sha = hashlib.sha256(body).hexdigest()
            seen = store.query("SELECT * FROM packets_received WHERE school_code = ? ORDER BY packet_no", (code,))
            same = [r for r in seen if r["packet_no"] == number]
            if same and same[0]["manifest_sha256"] == manifest_sha:
                result.status, result.message = "已导入过", f"第{number}号数据包此前已导入，本次未作任何改动。"
                return result
            last = seen[-1] if seen else None
            expected = (last["packet_no"] + 1) if last else 1
            if number < expected:
                raise PacketError(f"这是旧的或重复编号的数据包（第{number}号；本中心校已收到第{expected - 1}号），"
                                  "内容与已收到的不同，已拒收。请核实U盘上的文件是否是最新导出的。")
            if number > expected:
                missing = "、".join(f"第{n}号" for n in range(expected, number))
                raise PacketError(f"缺少{missing}数据包：收到的是第{number}号。请先导入{missing}，再导入这一个。")
            if manifest.get("previous_packet", "") != (last["manifest_sha256"] if last else ""):
                raise PacketError("数据包与上一个数据包接不上（链条校验不符），已拒收。请让学校核实后重新导出。")
            if manifest["log_from"] > 1 and not last:
                raise PacketError("这是学校的增量数据包，但本中心校还没有该校的数据。请让学校导出完整数据包（--full）。")
            blobs = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if n.startswith("attachments/")}
            final = replica_path(store, code)
            fresh = not final.exists()
            placed = False
            if isinstance(changes, Path) and changes.name == SNAPSHOT_DB:
                if fresh:  # the checked snapshot becomes the copy
                    result.changes, placed = _place_snapshot(changes, final, blobs, manifest), True
                else:      # a copy exists: merge the snapshot's changes like any packet's
                    changes = snapshot.as_changes(changes, store.schema.school_tables)
            if not placed:
                replica = _new_replica(final) if fresh else open_replica(store, code)
                try:
                    result.changes, result.conflicts = merge.merge(replica, changes, blobs, packet_no=number,
                                                                   school_code=code)
                    if fresh:
                        replica.conn.execute("PRAGMA journal_mode=WAL")
                finally:
                    replica.close()
                if fresh:
                    _finish_copy(final)
            with store.local():
                store.conn.execute(
                    "INSERT INTO packets_received (school_code, packet_no, manifest_sha256, packet_sha256, created_at, "
                    "log_from, log_to, changes, conflicts, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (code, number, manifest_sha, packet_sha, manifest["created_at"], manifest["log_from"],
                     manifest["log_to"], result.changes, result.conflicts, now_iso()))
        result.status = "已接收"
        result.message = f"已接收{manifest['school_name']}第{number}号数据包：合并{result.changes}条变更" + (
            f"，{result.conflicts}处双方都改过的字段待决定" if result.conflicts else "")
        if receipts_dir:
            result.receipt = str(write_receipt(store, code, receipts_dir, passphrase=passphrase))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def import_packets(store: Store, paths: list, *, passphrase: str | None, receipts_dir: str | Path | None = None,
                   progress=None, cancel=None) -> list[dict]:
    """Import several packets in order; a refused one is a result saying why (nothing of it
    merged), never a reason to stop the others."""
    from jiaoyuapp.errors import CancelledError
    results = []
    for i, path in enumerate(paths):
        if cancel and cancel():
            raise CancelledError()
        if progress:
            progress(i, len(paths), Path(path).name)
        try:
            results.append(import_packet(store, path, passphrase=passphrase, receipts_dir=receipts_dir).__dict__)
        except PacketError as exc:
            results.append({"file": Path(path).name, "status": "拒收", "message": exc.message})
    if progress:
        progress(len(paths), len(paths), "完成")
    return results


def open_conflicts(store: Store, code: str) -> list[dict]:
    """Fields the school and the center both changed, waiting for a person's decision; each with
    the student it concerns (`who`) when there is one."""
    require_township(store)
    replica = open_replica(store, code)
    try:
        rows = replica.query("SELECT * FROM merge_conflicts WHERE decided_at IS NULL ORDER BY noted_at")
        for r in rows:
            record = replica.get(r["tbl"], r["record_uuid"]) if r["tbl"] in replica.schema.school_tables else None
            student = record if r["tbl"] == "students" else (
                replica.get("students", record["student_uuid"]) if record and record.get("student_uuid") else None)
            r["who"] = student["name"] if student else ""
    finally:
        replica.close()
    return rows


def decide(store: Store, code: str, conflict_uuid: str, take: str, actor: str = "") -> None:
    """Settle a conflict: keep the center's value, or take the school's (through the copy's write path)."""
    if take not in ("school", "center"):
        raise UsageError("请选择采用哪一方的值：school（学校）或 center（中心校）。")
    replica = open_replica(store, code)
    try:
        rows = replica.query("SELECT * FROM merge_conflicts WHERE uuid = ?", (conflict_uuid,))
        if not rows:
            raise NotFoundError("找不到这条待决定的冲突，请用 jiaoyu township conflicts 查看编号。")
        c = rows[0]
        if c["decided_at"]:
            raise DataError("这条冲突已经决定过了。")
        with replica.write("conflict-decision", actor, f"决定冲突：采用{'学校' if take == 'school' else '中心校'}的值") as w:
            if take == "school" and not c["field"].startswith("（"):
                w.update(c["tbl"], c["record_uuid"], {c["field"]: json.loads(c["school_value"])})
            w.conn.execute("UPDATE merge_conflicts SET decided_at = ?, decision = ? WHERE uuid = ?",
                           (now_iso(), take, conflict_uuid))
    finally:
        replica.close()


def write_receipt(store: Store, code: str, folder: str | Path, *, passphrase: str | None) -> Path:
    """A receipt (回执) for the school's latest accepted packet, signed by the center."""
    me = require_township(store)
    key = identity.signing_key(me, passphrase)
    rows = store.query("SELECT * FROM packets_received WHERE school_code = ? ORDER BY packet_no DESC LIMIT 1", (code,))
    if not rows:
        raise DataError(f"还没有收到学校（{code}）的数据包，无法出具回执。")
    r = rows[0]
    school = peers.school_peer(store, code)
    body = json.dumps({"kind": "jiaoyu-receipt", "school_code": code, "school_name": school["name"],
                       "packet_no": r["packet_no"], "manifest_sha256": r["manifest_sha256"], "log_to": r["log_to"],
                       "accepted_at": r["imported_at"], "center_code": me["code"], "center_name": me["name"],
                       "center_fingerprint": me["fingerprint"]}, ensure_ascii=False, sort_keys=True)
    data = json.dumps({"receipt": body, "signature": identity.sign(key, body.encode("utf-8")).hex()},
                      ensure_ascii=False).encode("utf-8")
    return write_bytes_atomically(Path(folder) / f"回执_{school['name']}_第{r['packet_no']}号.jyr", data)


def status_board(store: Store, today: dt.date | None = None) -> list[dict]:
    """One line per registered school, from its copy, with the core's own reports."""
    from jiaoyuapp.ledgers.aid import unaided
    from jiaoyuapp.ledgers.cases import list_cases
    from jiaoyuapp.ledgers.coverage import coverage
    require_township(store)
    today = today or dt.date.today()
    board = []
    for peer in store.query("SELECT * FROM peers WHERE role = 'school' AND replaced_at IS NULL ORDER BY code"):
        got = store.query("SELECT * FROM packets_received WHERE school_code = ? ORDER BY packet_no", (peer["code"],))
        row = {"school_code": peer["code"], "school_name": peer["name"], "fingerprint": peer["fingerprint"],
               "packets": len(got), "last_packet": got[-1]["packet_no"] if got else None,
               "last_packet_date": got[-1]["created_at"][:10] if got else None,
               "students": 0, "visits": 0, "coverage": None, "open_cases": 0, "overdue_cases": 0, "unaided": 0,
               "conflicts": 0}
        if got:
            replica = open_replica(store, peer["code"])
            try:
                row["students"] = replica.scalar("SELECT count(*) FROM students WHERE status = '在读'")
                row["open_cases"] = len([c for c in list_cases(replica, today=today) if c["status"] != "已销号"])
                row["overdue_cases"] = len(list_cases(replica, overdue=True, today=today))
                row["conflicts"] = replica.scalar("SELECT count(*) FROM merge_conflicts WHERE decided_at IS NULL")
                try:
                    cov = coverage(replica, today=today)
                    row["visits"] = replica.scalar("SELECT count(*) FROM current_visits WHERE day BETWEEN ? AND ?",
                                                   (cov["start"], cov["end"]))
                    row["coverage"] = round(cov["visited"] / cov["students"], 3) if cov["students"] else None
                    row["unaided"] = len(unaided(replica, today=today)["students"])
                except DataError:
                    pass
            finally:
                replica.close()
        board.append(row)
    return board
