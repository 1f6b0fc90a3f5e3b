"""`jiaoyu case …` sub-commands for what a returnee's placement and a 销号 rest on: a student's
disability record (behind 随班就读 and 送教上门), the 就读证明 behind a transfer's 销号, and the
county's quarterly 复核 — the same rules the case screen uses."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.ledgers import case_closing, case_review, disability_proof
from jiaoyuapp.ledgers.attachments import read_file

ACTIONS = ("disability", "proof", "review")


def register(on_case) -> None:
    p = on_case("disability", "登记学生的残疾情况（随班就读、送教上门需要）")
    p.add_argument("--type", dest="disability_type", metavar="残疾类型", help="如 肢体残疾、智力残疾")
    p.add_argument("--cert-no", metavar="残疾证号", help="残联核发的残疾证号")
    p.add_argument("--assessed-on", metavar="日期", help="评估日期（没有残疾证时）")
    p.add_argument("--assessed-by", metavar="评估机构", help="如 县残疾儿童少年入学评估委员会")
    p.add_argument("--assessment", metavar="结论", help="评估结论")
    p = on_case("proof", "上传就读证明（转学、在外地就读销号需要）或书面依据材料（免学、其他）")
    p.add_argument("image", metavar="图片", help="就读证明或依据材料的照片或扫描件")
    p.add_argument("--note", metavar="说明", help="如 哪所学校出具")
    p = on_case("review", "登记县里的季度复核")
    p.add_argument("--date", metavar="日期", help="复核日期（默认今天）")
    p.add_argument("--by", dest="reviewer", required=True, metavar="复核人", help="复核人姓名和单位")
    p.add_argument("--result", required=True, metavar="结果", help="如 " + "、".join(case_review.RESULTS))
    p.add_argument("--note", metavar="说明", help="复核意见")


def run(store, case: str, args) -> None:
    if args.action == "disability":
        student = store.get("cases", case)["student_uuid"]
        disability_proof.record(store, student, disability_type=args.disability_type, cert_no=args.cert_no,
                                assessed_on=args.assessed_on, assessed_by=args.assessed_by,
                                assessment=args.assessment, actor=args.actor)
    elif args.action == "proof":
        case_closing.add_proof(store, case, read_file(args.image), note=args.note, actor=args.actor)
    elif args.action == "review":
        case_review.record_review(store, case, on=args.date or dt.date.today(), reviewer=args.reviewer,
                                  result=args.result, note=args.note, actor=args.actor)
