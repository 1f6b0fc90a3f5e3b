"""What the township center sends up to the county: a summary workbook (the board, then every
ledger of every school with a 学校 column) and a signed PDF, in the same formats as a school's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents
from reportlab.platypus.doctemplate import NextPageTemplate

from jiaoyuapp.atomic_write import save_workbook, write_bytes_atomically
from jiaoyuapp.documents.inspection_folder import FolderDoc, bar_chart, cover_page, digits
from jiaoyuapp.documents.ledger_rows import Column
from jiaoyuapp.documents.ledger_workbook import CENTER, cell, put, setup_sheet, sign_off_block, write_ledger_sheets
from jiaoyuapp.documents.pdf_signing import sign_pdf
from jiaoyuapp.documents.pdf_style import base_table_style, grid, p, pairs, styles
from jiaoyuapp.documents.summary_figures import figures
from jiaoyuapp.exchange import center_copies, identity, township
from jiaoyuapp.store import Store
from jiaoyuapp.chinese_dates import long_date

BOARD_COLUMNS = [("学校", "school_name", 22), ("学校标识码", "school_code", 13), ("已收数据包", "packets", 10),
                 ("最近数据包", "last_packet", 10), ("数据包日期", "last_packet_date", 12), ("在读学生", "students", 10),
                 ("本学期家访", "visits", 10), ("入户家访覆盖率", "coverage", 12), ("在案控辍案件", "open_cases", 12),
                 ("劝返逾期", "overdue_cases", 10), ("应助未助", "unaided", 10), ("待决定冲突", "conflicts", 10)]


def _value(row: dict, key: str):
    value = row[key]
    if key == "coverage":
        return "—" if value is None else f"{value:.0%}"
    return "—" if value is None else value


def _sources(center: Store) -> list[tuple[str, Store]]:
    rows = center.query("SELECT DISTINCT p.code, p.name FROM peers p JOIN packets_received r ON r.school_code = p.code "
                        "WHERE p.role = 'school' AND p.replaced_at IS NULL ORDER BY p.code")
    return [(r["name"], center_copies.open_replica(center, r["code"])) for r in rows]


def write_township_workbook(center: Store, out: str | Path, *, today: dt.date | None = None) -> Path:
    me = township.require_township(center)
    today = today or dt.date.today()
    board = township.status_board(center, today=today)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("各校汇总")
    columns = [Column(h, w) for h, _, w in BOARD_COLUMNS]
    setup_sheet(ws, columns, "各校汇总")
    put(ws, [cell(ws, f"{me['name']}各校控辍保学与家访工作汇总（截至{long_date(today)}）",
                     font=Font(bold=True, size=14), align=CENTER, border=False)])
    put(ws, [cell(ws, h, font=Font(bold=True), align=CENTER) for h, _, _ in BOARD_COLUMNS])
    for row in board:
        put(ws, [cell(ws, _value(row, key), text=key == "school_code") for _, key, _ in BOARD_COLUMNS])
    sign_off_block(ws, columns, ["制表人：", "审核人：", "日期："])
    sources = _sources(center)
    try:
        write_ledger_sheets(wb, me["name"], sources, masked=False, today=today)
    finally:
        for _, replica in sources:
            replica.close()
    save_workbook(wb, Path(out))
    return Path(out)


def write_township_folder(center: Store, out: str | Path, *, passphrase: str | None, today: dt.date | None = None) -> Path:
    me = township.require_township(center)
    identity.signing_key(me, passphrase, store=center)
    today = today or dt.date.today()
    st = styles()
    board = township.status_board(center, today=today)
    h = hashlib.sha256()
    for r in center.query("SELECT school_code, packet_no, manifest_sha256 FROM packets_received ORDER BY 1, 2"):
        h.update(f"{r['school_code']}|{r['packet_no']}|{r['manifest_sha256']}\n".encode())
    data_fp = digits(h.hexdigest())
    owner = {"name": me["name"], "code": me["code"], "county": "", "township": ""}
    received = center.scalar("SELECT count(*) FROM packets_received") or 0
    story = cover_page(owner, None, today, me["fingerprint"], data_fp, received, st,
                   subtitle="乡镇控辍保学与家访工作汇总（报县教育局）", data_label="已接收数据包 {} 个")
    toc = TableOfContents()
    toc.levelStyles = [st["toc1"], st["toc2"]]
    toc.tableStyle = TableStyle(base_table_style())
    story += [NextPageTemplate("body"), PageBreak(), p("目录", st["h1"].clone("toc-title")), toc, PageBreak(),
              p("一、各校汇总", st["h1"])]
    short = [("学校", "school_name"), ("在读", "students"), ("家访", "visits"), ("入户覆盖率", "coverage"),
             ("在案", "open_cases"), ("逾期", "overdue_cases"), ("应助未助", "unaided"), ("数据包", "last_packet")]
    story.append(grid([[h for h, _ in short]] + [[_value(r, k) for _, k in short] for r in board],
                      [50 * mm] + [18.5 * mm] * 7, st["cell"]))
    story.append(bar_chart("各校入户家访覆盖率（本学年）", [(r["school_name"], round((r["coverage"] or 0) * 100)) for r in board], "%", st))
    story.append(bar_chart("各校在案控辍案件", [(r["school_name"], r["open_cases"]) for r in board], "件", st))
    story += [PageBreak(), p("二、各校统计", st["h1"])]
    sources = _sources(center)
    try:
        for name, replica in sources:
            story.append(p(name, st["h2"]))
            for section, items in figures(replica, today):
                story += [p(section, st["h3"]), pairs(list(items), (40 * mm, 50 * mm, 40 * mm, 50 * mm), st["cell"])]
    finally:
        for _, replica in sources:
            replica.close()
    toc._entries = [(0 if f.style.name == "h1" else 1, f.getPlainText(), 0, None)
                    for f in story if getattr(getattr(f, "style", None), "name", "") in ("h1", "h2")]
    buffer = io.BytesIO()
    FolderDoc(buffer, owner, data_fp, label="乡镇汇总").multiBuild(story)
    signed = sign_pdf(buffer.getvalue(), me, passphrase, reason="乡镇汇总（中心校签章）", location=me["name"])
    write_bytes_atomically(out, signed)
    return Path(out)
