"""Receipts (回执): the center signs one for a school's latest accepted packet; the school
imports it, and its next packet starts after the acknowledged changes.

A receipt is small and comes from outside: it is read with a size bound, its signature checked
against the center the school registered before its contents are believed, and every field it
must have is checked before use."""

from __future__ import annotations

import json
from pathlib import Path

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import identity, peers
from jiaoyuapp.exchange.township import require_township
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import now_iso

MAX_RECEIPT = 64 << 10
NOT_A_RECEIPT = "这不是有效的回执文件（.jyr），或文件已损坏。请从中心校重新拷贝回执。"


def write_receipt(store: Store, code: str, folder: str | Path, *, passphrase: str | None) -> Path:
    """A receipt for the school's latest accepted packet, signed by the center. Named by the
    school's code (never by text from its certificate)."""
    me = require_township(store)
    key = identity.signing_key(me, passphrase, store=store)
    if not peers.valid_code(code):
        raise DataError("学校标识码应为10位数字。")
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
    return write_bytes_atomically(Path(folder) / f"回执_{code}_第{r['packet_no']}号.jyr", data)


def _read(path: Path) -> tuple[str, bytes]:
    if path.is_dir():
        raise DataError(f"“{path.name}”是一个文件夹，不是回执文件。请选择文件夹中以 .jyr 结尾的回执文件。")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RECEIPT + 1)
    except FileNotFoundError:
        raise DataError(f"找不到回执文件“{path}”。") from None
    except OSError as exc:
        raise DataError(f"读不了回执文件“{path.name}”：{exc.strerror}。") from None
    if len(raw) > MAX_RECEIPT:
        raise DataError(NOT_A_RECEIPT)
    try:
        outer = json.loads(raw.decode("utf-8"))
        body, signature = outer["receipt"], bytes.fromhex(outer["signature"])
        if not isinstance(body, str):
            raise TypeError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        raise DataError(NOT_A_RECEIPT) from None
    return body, signature


def import_receipt(store: Store, path: str | Path) -> dict:
    path = Path(path)
    body, signature = _read(path)
    center = peers.township(store)
    if not identity.verify(identity.load_certificate(center["certificate"]), signature, body.encode("utf-8")):
        raise DataError("回执的签名不是本校登记的中心校签的（或回执被改动），不能导入。")
    try:
        receipt = json.loads(body)
        number, manifest_sha = receipt["packet_no"], receipt["manifest_sha256"]
        code, log_to = receipt["school_code"], receipt["log_to"]
        if not (isinstance(number, int) and isinstance(manifest_sha, str) and isinstance(code, str)
                and isinstance(log_to, int)):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise DataError("回执内容不完整（缺少数据包编号或校验值），不能导入。请让中心校重新出具回执。") from None
    school = require_school(store)
    if code != school["code"]:
        raise DataError(f"这是给其他学校（标识码{code}）的回执，不能导入。")
    sent = store.query("SELECT * FROM packets_sent WHERE packet_no = ?", (number,))
    if not sent or sent[0]["manifest_sha256"] != manifest_sha:
        raise DataError(f"回执所指的第{number}号数据包与本校导出的记录不符，不能导入。")
    if sent[0]["acknowledged_at"]:
        return {"packet_no": number, "already": True}
    with store.local():
        store.conn.execute("UPDATE packets_sent SET acknowledged_at = ?, receipt = ? WHERE packet_no <= ? "
                           "AND acknowledged_at IS NULL", (now_iso(), body, number))
    return {"packet_no": number, "already": False, "log_to": log_to}
