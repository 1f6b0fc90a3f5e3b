"""`jiaoyu` commands for keys, documents, packets and receipts, and the township center."""

from __future__ import annotations

import sys
from pathlib import Path

from jiaoyuapp.cli.chinese_argparse import integer
from jiaoyuapp.cli.common import Commands, as_of, as_of_option, output, passphrase, progress_printer
from jiaoyuapp.errors import DataError, UsageError


def register(commands: Commands) -> None:
    k = commands.group(commands.add("key", "学校密钥：生成、指纹、导出证书、更换", cmd_key))
    p = k.add("create", "生成密钥（需要校长设置口令）")
    p.add_argument("--replace", action="store_true", help="忘记口令时重新生成（须到中心校重新登记）")
    k.add("fingerprint", "显示密钥指纹")
    p = k.add("export-certificate", "导出证书（交给中心校登记）")
    p.add_argument("file", metavar="文件", help="证书写入的文件，如 学校.pem")
    k.add("rotate", "更换密钥（用旧口令证明，中心校可自动接续）")
    k.add("history", "密钥历史")

    e = commands.group(commands.add("export", "导出：台账Excel、迎检档案PDF、数据包", cmd_export), metavar="类型")
    p = e.add("ledgers", "台账工作簿（学生花名册、家访、控辍、劝返、送教、资助、统计）")
    p.add_argument("out", metavar="文件", help="要写入的 .xlsx 文件")
    p.add_argument("--public", action="store_true", help="公示版：隐藏身份证号和电话的中间位")
    as_of_option(p)
    p = e.add("folder", "迎检档案PDF（学校签章）")
    p.add_argument("out", metavar="文件", help="要写入的 .pdf 文件")
    as_of_option(p)
    p = e.add("reports", "辍学学生情况报告表和一月一报告（.pdf 或 .xlsx）")
    p.add_argument("out", metavar="文件", help="要写入的 .pdf 或 .xlsx 文件")
    as_of_option(p)
    p = e.add("packet", "给中心校的数据包（加密、签名），写入U盘等文件夹")
    p.add_argument("dir", metavar="文件夹", help="数据包写入的文件夹（如U盘）")
    p.add_argument("--full", action="store_true", help="完整数据（默认只含中心校尚未确认的变更）")
    p.add_argument("--to", dest="center_cert", metavar="证书文件", help="中心校证书文件（首次导出时需要）")
    p.add_argument("--progress", action="store_true", help="在标准错误输出进度")

    p = commands.add("verify", "检查数据包（中心校：完整核验；学校：核对文件头）", cmd_verify)
    p.add_argument("packet", metavar="数据包", help="数据包文件（.jyp）")

    r = commands.group(commands.add("receipt", "回执", cmd_receipt))
    q = r.add("import", "导入中心校回执")
    q.add_argument("file", metavar="回执文件", help="中心校出具的回执文件")

    t = commands.group(commands.add("township", "中心校：登记学校、导入数据包、回执、汇总", cmd_township))

    def for_school(name: str, text: str):
        """A township sub-command about one registered school, named by its code first."""
        q = t.add(name, text)
        q.add_argument("school_code", metavar="学校标识码", help="学校的10位标识码")
        return q

    q = t.add("init", "建立中心校数据库（单独的 --db 文件）", creates_db=True)
    q.add_argument("--name", required=True, metavar="名称", help="中心校名称")
    q.add_argument("--code", metavar="标识码", help="中心校自己的10位学校标识码（可不填）")
    q = t.add("register", "登记学校证书（核对指纹）")
    q.add_argument("certificate", metavar="证书文件", help="学校导出的证书文件（.pem）")
    q.add_argument("--fingerprint", metavar="指纹", help="校长电话告知的指纹（脚本用；否则在提示时核对）")
    q.add_argument("--replace", action="store_true",
                   help="该校已登记了另一把密钥时，确认更换（仅当学校重新生成了密钥、并已电话核对新指纹）")
    q = t.add("registrations", "各校证书的登记、更换和换钥记录")
    q.add_argument("school_code", nargs="?", metavar="学校标识码", help="只看这所学校（不填列出全部）")
    q = t.add("limit", "查看或设置单个数据包的大小上限（MB）")
    q.add_argument("megabytes", nargs="?", type=integer, metavar="兆字节数", help="新的上限，单位MB（不填只查看）")
    q = t.add("import", "导入数据包（可多个）")
    q.add_argument("packets", nargs="+", metavar="数据包", help="数据包文件（.jyp，可多个）")
    q.add_argument("--receipts", metavar="文件夹", help="同时把回执写入这个文件夹")
    q = for_school("receipt", "为学校最近接收的数据包出具回执")
    q.add_argument("dir", metavar="文件夹", help="回执写入的文件夹")
    q = t.add("status", "各校情况汇总")
    as_of_option(q)
    q = for_school("conflicts", "双方都改过、待决定的字段")
    q = for_school("decide", "决定一处冲突：采用学校或中心校的值")
    q.add_argument("conflict", metavar="冲突编号", help="township conflicts 列出的编号")
    q.add_argument("--take", required=True, choices=["school", "center"], metavar="school|center",
                   help="school 采用学校的值，center 采用中心校的值")
    q = t.add("export", "给县局的乡镇汇总：Excel工作簿和签章PDF")
    q.add_argument("kind", choices=["ledgers", "folder"], metavar="ledgers|folder", help="ledgers汇总工作簿 folder签章PDF")
    q.add_argument("out", metavar="文件", help="要写入的文件")
    as_of_option(q)


def cmd_key(store, args):
    from jiaoyuapp.exchange import identity   # cryptography: loaded only by the commands that sign
    from jiaoyuapp.school import require_school
    a = args.action
    if a == "create":
        school = require_school(store)
        row = identity.create(store, kind="school", code=school["code"], name=school["name"],
                              passphrase=passphrase(confirm=True), replace=args.replace)
        output(args, {"fingerprint": row["fingerprint"]},
             f"已生成密钥。请校长把下面的指纹抄在纸上，登记时向中心校核对：\n{row['fingerprint']}")
    elif a == "fingerprint":
        row = identity.active(store)
        output(args, {"fingerprint": row["fingerprint"], "name": row["name"], "code": row["code"]},
             f"{row['name']}（{row['code']}）的密钥指纹：\n{row['fingerprint']}")
    elif a == "export-certificate":
        row = identity.active(store)
        path = Path(args.file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(row["certificate"], encoding="ascii")
        except OSError as exc:
            raise DataError(f"无法写入“{path}”：{exc.strerror}") from None
        output(args, {"file": str(path), "fingerprint": row["fingerprint"]},
             f"证书已导出到 {path}\n指纹：{row['fingerprint']}")
    elif a == "rotate":
        old = passphrase("当前口令：")
        new = passphrase("新口令（直接回车表示不变）：") or old
        row = identity.rotate(store, old, new)
        output(args, {"fingerprint": row["fingerprint"]}, f"已更换密钥，新指纹：\n{row['fingerprint']}")
    else:
        rows = identity.history(store)
        output(args, rows, "\n".join(f"{r['created_at']}\t{r['fingerprint']}\t{'在用' if not r['retired_at'] else '已停用'}"
                                   for r in rows) or "还没有密钥。")


def cmd_export(store, args):
    from jiaoyuapp.exchange import identity   # cryptography: loaded only by the commands that sign
    import datetime as dt

    from jiaoyuapp.documents.ledger_workbook import write_ledgers
    if args.action == "packet":
        from jiaoyuapp.exchange.packet_export import export_packet
        path = export_packet(store, args.dir, passphrase=passphrase(), full=args.full,
                             center_certificate=args.center_cert, progress=progress_printer(args))
        row = store.query("SELECT * FROM packets_sent ORDER BY packet_no DESC LIMIT 1")[0]
        output(args, {"file": str(path), "packet_no": row["packet_no"], "log_from": row["log_from"],
                    "log_to": row["log_to"], "sha256": row["packet_sha256"]},
             f"已导出第{row['packet_no']}号数据包（变更{row['log_from']}–{row['log_to']}），已加密给中心校：\n{path}")
        return
    today = as_of(args) or dt.date.today()
    if args.action == "reports":
        from jiaoyuapp.documents import report_forms
        write = report_forms.write_reports_pdf if str(args.out).lower().endswith(".pdf") else \
            report_forms.write_reports_workbook
        path = write(store, args.out, today=today)
        output(args, {"file": str(path)}, f"已导出辍学学生情况报告表和一月一报告：{path}")
        return
    if args.action == "folder":
        from jiaoyuapp.documents.inspection_folder import write_folder
        path = write_folder(store, args.out, passphrase=passphrase(), today=today)
        key = identity.active(store)
        output(args, {"file": str(path), "fingerprint": key["fingerprint"]},
             f"已导出迎检档案（已用学校密钥签章）：{path}\n学校密钥指纹：{key['fingerprint']}")
        return
    path = write_ledgers(store, args.out, masked=args.public, today=today)
    output(args, {"file": str(path)}, f"已导出{'公示版' if args.public else ''}台账：{path}")


def cmd_verify(store, args):
    from jiaoyuapp.exchange import peers   # cryptography: loaded only by the commands that sign
    from jiaoyuapp.exchange import packet_import, township
    from jiaoyuapp.exchange.container import PacketError, read_header
    if township.mode(store) == "township":
        try:
            manifest = packet_import.check_packet(store, Path(args.packet), passphrase=passphrase())
        except PacketError as exc:
            output(args, {"ok": False, "message": exc.message}, f"不通过：{exc.message}")
            return 1
        data = {"ok": True, "school_code": manifest["school_code"],
                "school_name": peers.school_peer(store, manifest["school_code"])["name"],
                "packet_no": manifest["packet_no"], "log_from": manifest["log_from"], "log_to": manifest["log_to"],
                "members": len(manifest["members"])}
        output(args, data, f"通过：{data['school_name']}第{manifest['packet_no']}号数据包，签名、加密和"
                         f"{len(manifest['members'])}个文件的校验值都正确。")
        return 0
    import hashlib
    h = hashlib.sha256()
    try:
        with open(args.packet, "rb") as fh:
            header, _ = read_header(fh)
            fh.seek(0)
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except PacketError as exc:
        output(args, {"ok": False, "message": exc.message}, f"不通过：{exc.message}")
        return 1
    except OSError as exc:
        message = f"读不了“{Path(args.packet).name}”：{exc.strerror or exc}。请选择 .jyp 数据包文件。"
        output(args, {"ok": False, "message": message}, f"不通过：{message}")
        return 1
    sent = store.query("SELECT * FROM packets_sent WHERE packet_no = ?", (header.get("packet_no"),))
    actual = h.hexdigest()
    ok = bool(sent) and sent[0]["packet_sha256"] == actual
    output(args, {"ok": ok, "packet_no": header.get("packet_no"), "school_code": header.get("school_code")},
         "通过：与本校导出时的校验值一致（内容已加密，只有中心校能打开）。" if ok else
         "不通过：与本校导出的记录不一致（文件被改动、未写完，或不是本校导出的）。")
    return 0 if ok else 1


def cmd_receipt(store, args):
    from jiaoyuapp.exchange.receipts import import_receipt
    result = import_receipt(store, args.file)
    output(args, result, f"第{result['packet_no']}号数据包已由中心校确认" + ("（此前已导入过这张回执）。" if result["already"]
                                                                   else "，下一个数据包将从其后的变更开始。"))


def cmd_township(store, args):
    from jiaoyuapp.exchange import identity, peers   # cryptography: loaded only by the commands that sign
    from jiaoyuapp.exchange import conflicts, packet_import, receipts, township
    a = args.action
    if a == "init":
        row = township.init(store, name=args.name, code=args.code, passphrase=passphrase(confirm=True))
        output(args, {"fingerprint": row["fingerprint"]},
             f"已建立中心校数据库：{row['name']}。中心校密钥指纹：\n{row['fingerprint']}\n"
             "请用 jiaoyu key export-certificate 导出证书，交给各校（导出数据包时用 --to 指定）。")
        return 0
    township.require_township(store)
    if a == "register":
        pem = peers.read_certificate(args.certificate)
        fp = args.fingerprint
        old = peers.replaced_by(store, pem)
        if old is not None and not args.replace:  # before asking for the fingerprint
            raise peers.replacement_refused(old, identity.fingerprint(pem))
        if fp is None:
            code, name = peers.checked_subject(identity.load_certificate(pem), "学校")
            if not sys.stdin.isatty():
                raise UsageError("请用 --fingerprint 给出校长电话告知的指纹。")
            print(f"证书：{name}（{code}），指纹：{identity.fingerprint(pem)}")
            fp = input("请输入校长告知的指纹（与上面一致才登记）：")
        row = peers.register_school(store, pem, fp, replace=args.replace, actor=args.actor)
        output(args, {"school_code": row["code"], "name": row["name"], "fingerprint": row["fingerprint"],
                      "replaced": old["fingerprint"] if old else None},
               f"已{'更换' if old else ''}登记：{row['name']}（{row['code']}），指纹 {row['fingerprint']}"
               + (f"（原指纹 {old['fingerprint']} 已停用）" if old else ""))
    elif a == "registrations":
        rows = peers.registrations(store, args.school_code)
        output(args, rows, "\n".join(f"{r['at']}\t{r['code']}\t{r['event']}\t{r['old_fingerprint'] or '-'} → "
                                     f"{r['new_fingerprint']}\t{r['actor']}" for r in rows) or "还没有登记记录。")
    elif a == "limit":
        limits = township.set_limit(store, args.megabytes) if args.megabytes is not None else township.limits(store)
        output(args, {"megabytes": limits.total >> 20}, f"单个数据包的大小上限：{limits.total >> 20} MB")
    elif a == "import":
        results = packet_import.import_packets(store, args.packets, passphrase=passphrase(), receipts_dir=args.receipts)
        counts = {s: sum(1 for r in results if r["status"] == s) for s in ("已接收", "已导入过", "拒收")}
        summary = "共{}个数据包：已接收{}个，此前已导入{}个，拒收{}个。".format(len(results), *counts.values())
        output(args, results, "\n".join([f"{r['file']}：{r['status']}。{r['message']}" for r in results] + [summary]))
        return 1 if any(r["status"] == "拒收" for r in results) else 0
    elif a == "receipt":
        path = receipts.write_receipt(store, args.school_code, args.dir, passphrase=passphrase())
        output(args, {"file": str(path)}, f"回执已写入：{path}")
    elif a == "status":
        board = township.status_board(store, today=as_of(args))
        lines = [f"{b['school_name']}（{b['school_code']}）：已收{b['packets']}个数据包，最近第{b['last_packet'] or '-'}号"
                 f"（{b['last_packet_date'] or '-'}）；在读{b['students']}人，本学期家访{b['visits']}次，覆盖率"
                 f"{'-' if b['coverage'] is None else format(b['coverage'], '.0%')}；在案{b['open_cases']}件，逾期"
                 f"{b['overdue_cases']}件；应助未助{b['unaided']}人" + (f"；待决定{b['conflicts']}处" if b["conflicts"] else "")
                 for b in board]
        output(args, board, "\n".join(lines) or "还没有登记学校。")
    elif a == "decide":
        conflicts.decide(store, args.school_code, args.conflict, args.take, actor=args.actor)
        output(args, {"ok": True}, "已决定。")
    elif a == "export":
        from jiaoyuapp.exchange.township_export import write_township_folder, write_township_workbook
        day = as_of(args)
        if args.kind == "ledgers":
            path = write_township_workbook(store, args.out, today=day)
        else:
            path = write_township_folder(store, args.out, passphrase=passphrase(), today=day)
        output(args, {"file": str(path)}, f"已导出乡镇汇总：{path}")
    elif a == "conflicts":
        rows = conflicts.open_conflicts(store, args.school_code)
        output(args, rows, "\n".join(f"{r['uuid']}：第{r['packet_no']}号 {r['tbl']} {r['who'] or r['record_uuid']} {r['field']}："
                                   f"学校改为{r['school_value']}，中心校为{r['center_value']}" for r in rows)
             or "没有待决定的冲突。")
    return 0
