"""The township center (中心校 mode): its own database, what it accepts from one packet, and its
status board — one line per registered school, computed from that school's copy with the core's
own reports (the same figures the school sees).
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.exchange import identity
from jiaoyuapp.exchange.center_copies import open_replica
from jiaoyuapp.exchange.packet_layout import Limits
from jiaoyuapp.store import Store

MODE_KEY = "mode"
LIMIT_KEY = "packet_limit_mb"


def mode(store: Store) -> str:
    return store.scalar("SELECT value FROM local_settings WHERE key = ?", (MODE_KEY,)) or "school"


def require_township(store: Store) -> dict:
    if mode(store) != "township":
        raise UsageError("这个数据库不是中心校数据库。中心校的工作请在单独建立的中心校数据库中进行。", todo="township")
    return identity.active(store)


def init(store: Store, *, name: str, code: str | None = None, passphrase: str | None) -> dict:
    if store.scalar("SELECT 1 FROM school LIMIT 1") or store.scalar("SELECT 1 FROM students LIMIT 1"):
        raise UsageError("这个数据库已经是学校数据库。中心校请使用单独的数据库文件。", todo="township")
    if mode(store) == "township":
        return identity.active(store)
    code = "".join((code or "0000000000").split())  # the center's own 学校标识码, when given
    if not (code.isdigit() and len(code) == 10):
        raise UsageError("中心校标识码应为10位数字（用中心校自己的学校标识码）。")
    row = identity.create(store, kind="township", code=code, name=name, passphrase=passphrase)
    with store.local():
        store.conn.execute("INSERT OR REPLACE INTO local_settings (key, value) VALUES (?, 'township')", (MODE_KEY,))
    return row


def limits(store: Store) -> Limits:
    """What this center accepts from one packet (the total size can be set: set_limit)."""
    value = store.scalar("SELECT value FROM local_settings WHERE key = ?", (LIMIT_KEY,))
    return Limits(total=int(value) << 20) if value else Limits()


def set_limit(store: Store, megabytes: int) -> Limits:
    require_township(store)
    if not 16 <= megabytes <= 64 * 1024:
        raise UsageError("数据包大小上限应在 16 MB 到 65536 MB 之间。")
    with store.local():
        store.conn.execute("INSERT OR REPLACE INTO local_settings (key, value) VALUES (?, ?)", (LIMIT_KEY, str(megabytes)))
    return limits(store)


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
                    # 入户 coverage of the school year, as each school's own 首页 counts it: a call is not a visit
                    row["coverage"] = round(cov["home_visited"] / cov["students"], 3) if cov["students"] else None
                    row["unaided"] = len(unaided(replica, today=today)["students"])
                except DataError:
                    pass
            finally:
                replica.close()
        board.append(row)
    return board
