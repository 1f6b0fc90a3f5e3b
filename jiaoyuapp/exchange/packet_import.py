"""Importing packets at the township center: check (packet_checks), then merge into the school's
copy or make the copy from the snapshot, record the packet, write the receipt.

One outcome per packet: merged (已接收), already there (已导入过) or refused (拒收, with the reason
and nothing of it merged). In a run of several packets each is decided on its own; a refusal, or
even an error of the program, never stops the others nor hides what was already merged.

A packet is recorded as received only after its data and every attachment are in the copy, under
the school's lock: a second import of the same packet (another window, a double click) waits and
then finds it already received.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from jiaoyuapp.disk_space import full_error, is_disk_full, require_free
from jiaoyuapp.errors import CancelledError, JiaoyuError
from jiaoyuapp.exchange import center_copies, merge, packet_checks, peers, receipts, township
from jiaoyuapp.exchange.changes_file import CHANGES_DB, from_snapshot
from jiaoyuapp.exchange.container import PacketError
from jiaoyuapp.exchange.packet_checks import Contents, Opened
from jiaoyuapp.exchange.snapshot import SNAPSHOT_DB
from jiaoyuapp.pause_points import reached
from jiaoyuapp.roster import search_index
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import now_iso
from jiaoyuapp.work_folders import work_folder


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


def check_packet(store: Store, path: str | Path, *, passphrase: str | None) -> dict:
    """Every check an import makes that does not need the copy, without merging; returns the manifest."""
    limits = township.limits(store)
    with packet_checks.open_file(Path(path), limits) as fh, work_folder("核验") as work:
        opened = packet_checks.authenticate(store, fh, passphrase, limits)
        contents = packet_checks.extract(opened, work, limits)
        packet_checks.check_snapshot_member(store, opened, contents)
        if contents.changes is not None:
            _check_changes_alone(store, opened, contents)
        return opened.manifest


def _check_changes_alone(store: Store, opened: Opened, contents: Contents) -> None:
    import contextlib
    import sqlite3
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        merge.attach(conn, contents.changes)
        merge.check_changes(conn, "pk", merge.columns(store), opened.manifest["log_from"], opened.manifest["log_to"])


def import_packet(store: Store, path: str | Path, *, passphrase: str | None,
                  receipts_dir: str | Path | None = None) -> ImportResult:
    """Check and merge one packet; a refused packet raises PacketError and merges nothing."""
    path = Path(path)
    result = ImportResult(file=path.name)
    try:
        opened = _import(store, path, passphrase, result)
    except JiaoyuError as exc:
        exc.result = result  # what is known of the packet (school, number) goes with the refusal
        raise
    if result.status == "已导入过":
        return result
    result.status = "已接收"
    result.message = f"已接收{opened.name}第{opened.number}号数据包：" + (
        "它此前已合并进副本（上次导入在记下之前中断），本次补记为已接收" if result.details.get("merged_before") else
        f"合并{result.changes}条变更") + (f"，{result.conflicts}处双方都改过的字段待决定" if result.conflicts else "")
    if receipts_dir:
        try:
            result.receipt = str(receipts.write_receipt(store, opened.code, receipts_dir, passphrase=passphrase))
        except JiaoyuError as exc:  # the packet is in; only the receipt is not
            result.message += f"。但回执没有写成：{exc.message} 数据已合并，可稍后重新出具回执。"
            result.details["receipt_error"] = exc.message
    return result


def _import(store: Store, path: Path, passphrase: str | None, result: ImportResult) -> Opened:
    limits = township.limits(store)
    with packet_checks.open_file(path, limits) as fh, work_folder("导入") as work:
        opened = packet_checks.authenticate(store, fh, passphrase, limits)
        result.school_code, result.school_name, result.packet_no = opened.code, opened.name, opened.number
        with center_copies.writing(store, opened.code):
            if packet_checks.already_received(store, opened):
                result.status, result.message = "已导入过", f"第{opened.number}号数据包此前已导入，本次未作任何改动。"
                return opened
            reached("import-checked")
            merged_before = _copy_follows(store, opened)
            contents = packet_checks.extract(opened, work, limits)
            if merged_before:
                result.details["merged_before"] = True
            else:
                packet_checks.check_snapshot_member(store, opened, contents)
                reached("import-extracted")
                result.changes, result.conflicts = _apply(store, opened, contents)
            reached("import-merged")
            _record(store, opened, contents, result)
    return opened


def _copy_follows(store: Store, opened: Opened) -> bool:
    """Whether the school's copy already took this very packet in (an import killed between the
    merge and its record); refuses a packet the copy cannot take. A copy left from a replaced
    registration is set aside for a full packet, which becomes the new copy."""
    mark = center_copies.last_packet(store, opened.code)
    if mark is None or mark == (0, ""):          # no copy yet, or one from before copies were marked
        return False
    if mark == (opened.number, opened.manifest_sha):
        return True
    last = store.query("SELECT packet_no, manifest_sha256 FROM packets_received WHERE school_code = ? "
                       "ORDER BY packet_no DESC LIMIT 1", (opened.code,))
    if not last:  # the school starts afresh (its key was replaced): the old copy goes out of use
        if not any(m["name"] == SNAPSHOT_DB for m in opened.manifest["members"]):
            raise PacketError("这所学校更换密钥后，中心校需要它的完整数据包，才能重新建立它的数据。"
                              "请让学校导出完整数据包。")
        center_copies.set_aside(store, opened.code)
        return False
    if mark != (last[0]["packet_no"], last[0]["manifest_sha256"]):
        raise PacketError(f"本中心校的副本已经合并过另一个内容不同的第{mark[0]}号数据包（上次导入在记下之前中断了），"
                          f"与这个第{opened.number}号数据包接不上，已拒收。请与学校核实，导入当初的那个数据包。")
    return False


def _apply(store: Store, opened: Opened, contents: Contents) -> tuple[int, int]:
    """Put the checked contents into the school's copy; returns (changes, conflicts). The disk that
    holds the copies must have room for all of it first (a full disk refuses the packet whole)."""
    final = center_copies.replica_path(store, opened.code)
    m = opened.manifest
    needed = sum(e["size"] for e in m["members"] if e["name"] in (SNAPSHOT_DB, CHANGES_DB)
                 or e["name"].startswith("attachments/"))
    final.parent.mkdir(parents=True, exist_ok=True)
    require_free(final.parent, 2 * needed)
    try:
        return _apply_checked(store, opened, contents, final)
    except OSError as exc:
        if is_disk_full(exc):
            raise full_error(final.parent, 2 * needed, done="这个数据包没有合并（原有数据完好）") from None
        raise


def _apply_checked(store: Store, opened: Opened, contents: Contents, final: Path) -> tuple[int, int]:
    m = opened.manifest
    changes = contents.changes
    if contents.snapshot is not None:
        if not final.exists():
            return _place_snapshot(contents, final, opened), 0
        changes = from_snapshot(contents.snapshot, m["log_to"])  # a copy exists: merge like any packet
    fresh = not final.exists()
    replica = center_copies.new_copy(final) if fresh else center_copies.open_replica(store, opened.code)
    try:
        counts = merge.merge(replica, changes, contents.blobs(), packet_no=opened.number, school_code=opened.code,
                             log_from=m["log_from"], log_to=m["log_to"], manifest_sha=opened.manifest_sha)
        if fresh:
            replica.conn.execute("PRAGMA journal_mode=WAL")
    except BaseException:
        replica.close()
        if fresh:
            center_copies.discard_building(final)
        raise
    replica.close()
    if fresh:
        center_copies.finish(final)
    return counts


def _place_snapshot(contents: Contents, final: Path, opened: Opened) -> int:
    """A school's first copy from a checked snapshot: the file becomes the copy (upgraded to this
    program's schema if the school's is older), with the packet's photos, the log position, and
    search keys recomputed wherever the school's do not match the name. Returns the entries it holds."""
    import shutil

    from jiaoyuapp.school import open_school
    shutil.move(contents.snapshot, center_copies.building(final))
    try:
        replica = open_school(center_copies.building(final))
        try:
            with replica.write("merge", f"学校{opened.code}", f"合并第{opened.number}号数据包") as w:
                brought = [w.put_blob(data) for data in contents.blobs()]
                search_index.repair(w.conn)
                merge.require_attachments(w.conn, opened.number, brought)
                with replica.local():
                    replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('school_seq', ?)",
                                         (str(opened.manifest["log_to"]),))
                    replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('snapshot_seq', ?)",
                                         (str(opened.manifest["log_to"]),))
                center_copies.mark_packet(replica, opened.number, opened.manifest_sha)
            count = replica.scalar("SELECT count(*) FROM change_log")
        finally:
            replica.close()
    except BaseException:
        center_copies.discard_building(final)
        raise
    center_copies.finish(final)
    return count


def _record(store: Store, opened: Opened, contents: Contents, result: ImportResult) -> None:
    """The packet (and a key rotation it proved) in the center's own records, in one transaction."""
    m = opened.manifest
    with store.local():
        if opened.rotated_pem:
            peers.record_rotation(store, opened.code, opened.rotated_pem)
        store.conn.execute(
            "INSERT INTO packets_received (school_code, packet_no, manifest_sha256, packet_sha256, created_at, "
            "log_from, log_to, changes, conflicts, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (opened.code, opened.number, opened.manifest_sha, contents.packet_sha, m["created_at"], m["log_from"],
             m["log_to"], result.changes, result.conflicts, now_iso()))


def import_packets(store: Store, paths: list, *, passphrase: str | None, receipts_dir: str | Path | None = None,
                   progress=None, cancel=None) -> list[dict]:
    """Import several packets in order, each merged, already there or refused on its own."""
    center_copies.sweep(store)
    results = []
    for i, path in enumerate(paths):
        if cancel and cancel():
            raise CancelledError()
        if progress:
            progress(i, len(paths), Path(path).name)
        results.append(_one(store, Path(path), passphrase, receipts_dir))
    if progress:
        progress(len(paths), len(paths), "完成")
    return results


def _one(store: Store, path: Path, passphrase: str | None, receipts_dir) -> dict:
    try:
        return import_packet(store, path, passphrase=passphrase, receipts_dir=receipts_dir).__dict__
    except JiaoyuError as exc:  # refused, or e.g. the disk is full: nothing of it merged
        result = getattr(exc, "result", None) or ImportResult(file=path.name)
        result.status, result.message = "拒收", exc.message
        return result.__dict__
    except Exception:  # noqa: BLE001 - a bug must not stop the other packets nor hide what was merged
        from jiaoyuapp.error_log import log_unexpected
        where = log_unexpected(sys.exc_info(), where="township import")
        return ImportResult(file=path.name, status="拒收",
                            message=f"处理这个数据包时程序出错（详情已记录在：{where}），它没有被记为已接收。"
                                    "请把记录文件发给技术支持；其他数据包不受影响，这个可在修复后重新导入。").__dict__
