"""`jiaoyu` commands for keys and, later, packets and the township center."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from jiaoyuapp.cli import _out
from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.exchange import identity


def passphrase(prompt: str = "校长密钥口令：", confirm: bool = False) -> str | None:
    """From JIAOYU_PASSPHRASE, or asked at a terminal; None when neither is possible."""
    found = identity.passphrase_from_env()
    if found or not sys.stdin.isatty():
        return found
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != first:
        raise UsageError("两次输入的口令不一致。")
    return first


def add_commands(sub, common) -> None:
    k = sub.add_parser("key", help="学校密钥：生成、指纹、导出证书、更换", parents=[common])
    ks = k.add_subparsers(dest="action", metavar="操作", required=True)
    p = ks.add_parser("create", help="生成密钥（需要校长设置口令）", parents=[common])
    p.add_argument("--replace", action="store_true", help="忘记口令时重新生成（须到中心校重新登记）")
    ks.add_parser("fingerprint", help="显示密钥指纹", parents=[common])
    p = ks.add_parser("export-certificate", help="导出证书（交给中心校登记）", parents=[common])
    p.add_argument("file")
    ks.add_parser("rotate", help="更换密钥（用旧口令证明，中心校可自动接续）", parents=[common])
    ks.add_parser("history", help="密钥历史", parents=[common])

    e = sub.add_parser("export", help="导出：台账Excel、迎检档案PDF、数据包", parents=[common])
    es = e.add_subparsers(dest="action", metavar="类型", required=True)
    p = es.add_parser("ledgers", help="台账工作簿（学生花名册、家访、控辍、劝返、送教、资助、统计）", parents=[common])
    p.add_argument("out")
    p.add_argument("--public", action="store_true", help="公示版：隐藏身份证号和电话的中间位")
    p.add_argument("--as-of", help="统计截至日期（默认今天）")
    p = es.add_parser("folder", help="迎检档案PDF（学校签章）", parents=[common])
    p.add_argument("out")
    p.add_argument("--as-of", help="统计截至日期（默认今天）")


def cmd_key(store, args):
    from jiaoyuapp.school import require_school
    a = args.action
    if a == "create":
        school = require_school(store)
        row = identity.create(store, kind="school", code=school["code"], name=school["name"],
                              passphrase=passphrase(confirm=True), replace=args.replace)
        _out(args, {"fingerprint": row["fingerprint"]},
             f"已生成密钥。请校长把下面的指纹抄在纸上，登记时向中心校核对：\n{row['fingerprint']}")
    elif a == "fingerprint":
        row = identity.active(store)
        _out(args, {"fingerprint": row["fingerprint"], "name": row["name"], "code": row["code"]},
             f"{row['name']}（{row['code']}）的密钥指纹：\n{row['fingerprint']}")
    elif a == "export-certificate":
        row = identity.active(store)
        path = Path(args.file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(row["certificate"], encoding="ascii")
        except OSError as exc:
            raise DataError(f"无法写入“{path}”：{exc.strerror}") from None
        _out(args, {"file": str(path), "fingerprint": row["fingerprint"]},
             f"证书已导出到 {path}\n指纹：{row['fingerprint']}")
    elif a == "rotate":
        old = passphrase("当前口令：")
        new = passphrase("新口令（直接回车表示不变）：") or old
        row = identity.rotate(store, old, new)
        _out(args, {"fingerprint": row["fingerprint"]}, f"已更换密钥，新指纹：\n{row['fingerprint']}")
    else:
        rows = identity.history(store)
        _out(args, rows, "\n".join(f"{r['created_at']}\t{r['fingerprint']}\t{'在用' if not r['retired_at'] else '已停用'}"
                                   for r in rows) or "还没有密钥。")


def cmd_export(store, args):
    import datetime as dt

    from jiaoyuapp.documents.ledger_workbook import write_ledgers
    from jiaoyuapp.ledgers.school_calendar import as_date
    today = as_date(args.as_of) if args.as_of else dt.date.today()
    if args.action == "folder":
        from jiaoyuapp.documents.inspection_folder import write_folder
        path = write_folder(store, args.out, passphrase=passphrase(), today=today)
        key = identity.active(store)
        _out(args, {"file": str(path), "fingerprint": key["fingerprint"]},
             f"已导出迎检档案（已用学校密钥签章）：{path}\n学校密钥指纹：{key['fingerprint']}")
        return
    path = write_ledgers(store, args.out, masked=args.public, today=today)
    _out(args, {"file": str(path)}, f"已导出{'公示版' if args.public else ''}台账：{path}")


COMMANDS = {"key": cmd_key, "export": cmd_export}
