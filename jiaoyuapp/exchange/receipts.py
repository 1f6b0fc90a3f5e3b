"""Importing the center's receipt (回执) at the school: the acknowledged changes are delivered,
so the next packet starts after them."""

from __future__ import annotations

import json
from pathlib import Path

from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import identity, peers
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import now_iso


def import_receipt(store: Store, path: str | Path) -> dict:
    path = Path(path)
    try:
        outer = json.loads(path.read_text(encoding="utf-8"))
        body, signature = outer["receipt"], bytes.fromhex(outer["signature"])
        receipt = json.loads(body)
    except FileNotFoundError:
        raise DataError(f"找不到回执文件“{path}”。") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise DataError("这不是有效的回执文件（.jyr），或文件已损坏。") from None
    center = peers.township(store)
    if not identity.verify(identity.load_certificate(center["certificate"]), signature, body.encode("utf-8")):
        raise DataError("回执的签名不是本校登记的中心校签的（或回执被改动），不能导入。")
    school = require_school(store)
    if receipt.get("school_code") != school["code"]:
        raise DataError(f"这是给其他学校（{receipt.get('school_name')}）的回执，不能导入。")
    sent = store.query("SELECT * FROM packets_sent WHERE packet_no = ?", (receipt["packet_no"],))
    if not sent or sent[0]["manifest_sha256"] != receipt["manifest_sha256"]:
        raise DataError(f"回执所指的第{receipt['packet_no']}号数据包与本校导出的记录不符，不能导入。")
    if sent[0]["acknowledged_at"]:
        return {"packet_no": receipt["packet_no"], "already": True}
    with store.local():
        store.conn.execute("UPDATE packets_sent SET acknowledged_at = ?, receipt = ? WHERE packet_no <= ? "
                           "AND acknowledged_at IS NULL", (now_iso(), body, receipt["packet_no"]))
    return {"packet_no": receipt["packet_no"], "already": False, "log_to": receipt["log_to"]}
