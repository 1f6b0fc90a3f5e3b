"""The PDF inspection folder (迎检档案): cover with the data fingerprint as text and QR code,
table of contents with page numbers, summary statistics with charts, a one-student file for
every priority student, the case ledger (with the school's sign-off block) and the visit ledger,
the 辍学学生情况报告表 of every case and the 一月一报告 of each month — the CJK font embedded, the
whole signed with the school's certificate (PAdES).

One masking rule for the whole file: every ID number and phone is masked with the school's 打码
settings (学校设置 → 参数设置, mask_*), on the 一生一档 pages as in the tables. The folder is kept by
the school but handed to inspectors, copied and scanned; an inspector checks a student by name,
class and the kept digits, and the full numbers stay in the school's own (unmasked) workbook — the
least exposure 个人信息保护法 asks for, for the children's and the families' numbers alike."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Callable

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.documents import case_evidence, ledger_rows
from jiaoyuapp.documents.aid_ledger_pdf import aid_ledger_pages
from jiaoyuapp.documents.pdf_signing import sign_pdf
from jiaoyuapp.documents.report_forms import reports_story
from jiaoyuapp.documents.pdf_style import FONT, base_table_style, grid, p, pairs, styles
from jiaoyuapp.documents.student_file import student_file
from jiaoyuapp.documents.summary_figures import figures
from jiaoyuapp.documents.visit_evidence import evidence_section
from jiaoyuapp.errors import CancelledError, DataError
from jiaoyuapp.exchange import identity
from jiaoyuapp.ledgers.coverage import coverage, current_term, priority_reasons
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store, changelog
from jiaoyuapp.chinese_dates import long_date

Progress = Callable[[int, int | None, str], None]


def digits(hexdigest: str) -> str:
    value = f"{int(hexdigest[:24], 16) % 10 ** 24:024d}"
    return " ".join(value[i:i + 4] for i in range(0, 24, 4))


class FolderDoc(BaseDocTemplate):
    def __init__(self, buffer, school: dict, data_fp: str, label: str = "迎检档案", **kw):
        super().__init__(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                         bottomMargin=16 * mm, title=f"{school['name']}迎检档案", author=school["name"],
                         subject="控辍保学与家访工作档案", creator="控辍保学与家访台账", initialFontName=FONT, **kw)
        self.school, self.data_fp, self.label = school, data_fp, label
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("cover", [frame]), PageTemplate("body", [frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, A4[1] - 11 * mm, f"{self.school['name']} · {self.label}")
        canvas.drawRightString(A4[0] - 15 * mm, A4[1] - 11 * mm, f"档案指纹 {self.data_fp}")
        canvas.drawCentredString(A4[0] / 2, 9 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    def beforeDocument(self) -> None:
        self._heading_no = 0  # the same keys every pass, so the contents settle after two passes

    def afterFlowable(self, flowable) -> None:
        style = getattr(flowable, "style", None)
        name = getattr(style, "name", "")
        levels = {"h1": 0, "h2": 1, "student": 2}  # students are bookmarked, not listed in the contents
        if name in levels and hasattr(flowable, "getPlainText"):
            level = levels[name]
            text = flowable.getPlainText()
            self._heading_no += 1
            key = f"h{self._heading_no}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
            if level < 2:
                self.notify("TOCEntry", (level, text, self.page, key))


def cover_page(school: dict, term: dict | None, today: dt.date, key_fp: str, data_fp: str, last_seq: int, st,
           subtitle: str = "控辍保学与家访工作档案（迎检档案）", data_label: str = "变更日志第 {} 条") -> list:
    qr = QrCodeWidget(f"JIAOYU|{school['code']}|{data_fp.replace(' ', '')}|{key_fp.replace(' ', '')}|{last_seq}")
    x1, y1, x2, y2 = qr.getBounds()
    size = 45 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(qr)
    period = f"{term['name']}（{term['start_date']} 至 {term['end_date']}）" if term else "—"
    info = [("学校", school["name"]), ("学校标识码", school["code"]),
            ("所属", f"{school['county'] or ''}{school['township'] or ''}"), ("统计时段", period),
            ("截至日期", f"{long_date(today)}"), ("学校密钥指纹", key_fp),
            ("档案指纹", data_fp), ("数据截至", data_label.format(last_seq))]
    sign = grid([["校长签名：", "", "日期：", ""], ["（盖章）", "", "", ""]],
                [25 * mm, 65 * mm, 20 * mm, 50 * mm], st["body"], header=False)
    return [Spacer(1, 30 * mm), p(school["name"], st["title"]), Spacer(1, 4 * mm),
            p(subtitle, st["subtitle"]), Spacer(1, 16 * mm),
            pairs(info[:4], (24 * mm, 66 * mm, 24 * mm, 66 * mm), st["body"]), Spacer(1, 4 * mm),
            pairs(info[4:], (24 * mm, 66 * mm, 24 * mm, 66 * mm), st["body"]), Spacer(1, 10 * mm),
            drawing, p("扫码或核对上方“档案指纹”，即可确认这份档案与学校上报的数据包一致。", st["small"]),
            Spacer(1, 14 * mm), sign]


def bar_chart(title: str, items: list[tuple[str, float]], unit: str, st) -> Drawing:
    items = list(reversed(items[:24])) or [("无", 0)]  # bars are drawn bottom-up: keep the first on top
    height = 18 * mm + 6 * mm * len(items)
    d = Drawing(180 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34 * mm, 8 * mm, 130 * mm, height - 16 * mm
    chart.data = [[v for _, v in items]]
    chart.categoryAxis.categoryNames = [k for k, _ in items]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#4a78b5")
    chart.barLabelFormat = "%g" + unit.replace("%", "%%")
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 8
    d.add(chart)
    d.add(String(0, height - 6 * mm, title, fontName=FONT, fontSize=9))
    return d


def _summary(store: Store, today: dt.date, st) -> list:
    out = [p("一、统计汇总", st["h1"])]
    for section, items in figures(store, today):
        out += [p(section, st["h3"]), pairs([(k, v) for k, v in items], (40 * mm, 50 * mm, 40 * mm, 50 * mm), st["cell"])]
    try:
        cov = coverage(store, today=today)
        out.append(Spacer(1, 4 * mm))
        out.append(bar_chart(f"各班入户家访覆盖率（{cov['school_year']}，电话、视频不计）", [(c["class"], round(c["coverage"] * 100))
                                                               for c in cov["by_class"]], "%", st))
    except DataError:
        pass
    statuses = [(r[0], r[1]) for r in store.conn.execute("SELECT status, count(*) FROM cases GROUP BY status")]
    out.append(bar_chart("控辍案件按状态", statuses, "件", st))
    return out


def _ledger_table(ledger, headers: list[str], store: Store, st) -> list:
    index = [i for i, c in enumerate(ledger.columns) if c.header in headers]
    widths = {"序号": 8, "姓名": 14, "班级": 16, "身份证号": 30, "当前状态": 14, "辍学原因": 18, "离校/缺课起始日期": 18,
              "无故缺课天数": 10, "去向": 16,
              "包保责任人（教育线）": 28, "包保责任人（政府线）": 28, "销号日期": 16, "家访日期": 16, "家访教师": 18,
              "家访形式": 14, "学生姓名": 20, "受访人": 16, "发现问题": 34, "帮扶措施": 34, "照片（张）": 8, "家长签字": 12}
    rows = [[ledger.columns[i].header for i in index]]
    rows += [[row[i] for i in index] for row in ledger.rows(store, True)]
    total = sum(widths[h] for h in rows[0])
    share = [widths[h] * 180 * mm / total for h in rows[0]]
    return [grid(rows, unbroken_widths(rows, share, st["cell"].fontSize), st["cell"])]


_TOKEN = re.compile(r"[0-9A-Za-z*\-:./()（）]+")


def unbroken_widths(rows: list[list], share: list[float], size: float, pad: float = 5.0) -> list[float]:
    """Column widths near `share` in which no number, date or masked ID and no short label (疑似辍学,
    五年级1班) is broken across lines: each column at least as wide as its longest such piece, the
    room for it taken from the columns of running text, which wrap anyway."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    need = []
    for j in range(len(share)):
        widest = 0.0
        for n, row in enumerate(rows):
            text = "" if row[j] is None else str(row[j])
            # a header at least three characters a line (a column of digits otherwise stacks it one a line)
            pieces = _TOKEN.findall(text) + ([text] if n and 0 < len(text) <= 6 else [text[:3]] if not n else [])
            widest = max([widest] + [stringWidth(x, FONT, size) for x in pieces])
        need.append(widest + pad)
    out = [max(s, n) for s, n in zip(share, need)]
    excess = sum(out) - sum(share)
    slack = [max(0.0, w - n) for w, n in zip(out, need)]
    if excess > 0 and sum(slack) > 0:
        cut = min(1.0, excess / sum(slack))
        out = [w - s * cut for w, s in zip(out, slack)]
    return out


def sign_off_table(titles: list[str], st) -> list:
    """The sign-off block under a table: each title whole on one line with room to sign after it
    (three a row, or two when a title is long)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    label = max(stringWidth(t, FONT, 9) for t in titles) + 6
    per_row = 3 if label <= 34 * mm else 2
    sign = 180 * mm / per_row - label
    rows = [titles[i:i + per_row] for i in range(0, len(titles), per_row)]
    cells = [sum(([t, ""] for t in row), []) + ["", ""] * (per_row - len(row)) for row in rows]
    table = Table(cells, colWidths=[label, sign] * per_row, rowHeights=[12 * mm] * len(cells))
    table.setStyle(TableStyle(base_table_style() + [("FONTSIZE", (0, 0), (-1, -1), 9),
                                                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                                    ("LEFTPADDING", (0, 0), (-1, -1), 2)]
                   + [("LINEBELOW", (c, 0), (c, -1), 0.4, colors.grey) for c in range(1, 2 * per_row, 2)]))
    return [Spacer(1, 4 * mm), p("签字：", st["h3"]), table]


def write_folder(store: Store, out: str | Path, *, passphrase: str | None, today: dt.date | None = None,
                 progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> Path:
    """Build, sign and atomically write the folder; returns its path."""
    out = Path(out)
    today = today or dt.date.today()
    school = require_school(store)
    key = identity.active(store)
    # Fail on a wrong passphrase before the long work; an old-form key is re-wrapped here.
    identity.signing_key(key, passphrase, store=store)
    st = styles()
    data_hash, last_seq = changelog.digest(store)
    data_fp = digits(data_hash)
    try:
        _, term = current_term(store, today)
    except DataError:
        term = None
    story = cover_page(school, term, today, key["fingerprint"], data_fp, last_seq, st)
    from reportlab.platypus.doctemplate import NextPageTemplate
    toc = TableOfContents()
    toc.levelStyles = [st["toc1"], st["toc2"]]
    toc.tableStyle = TableStyle(base_table_style() + [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                      ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    story += [NextPageTemplate("body"), PageBreak(), p("目录", st["h1"].clone("toc-title")), toc, PageBreak()]
    story += _summary(store, today, st) + [PageBreak(), p("二、重点关注学生一生一档", st["h1"])]
    reasons = priority_reasons(store)
    students = store.query("SELECT uuid, grade, class_no, name FROM students WHERE status = '在读' "
                           "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name")
    priority = [s for s in students if s["uuid"] in reasons]
    current_class = None
    for n, s in enumerate(priority, 1):
        if (s["grade"], s["class_no"]) != current_class:
            current_class = (s["grade"], s["class_no"])
            size = sum(1 for x in priority if (x["grade"], x["class_no"]) == current_class)
            story.append(p(f"{class_label(*current_class)}（{size}人）", st["h2"]))
        story += student_file(store, s["uuid"], reasons[s["uuid"]], st)
        if n % 50 == 0:
            if cancel and cancel():
                raise CancelledError()
            if progress:
                progress(n, len(priority), "整理一生一档")
    if not priority:
        story.append(p("（暂无重点关注学生）", st["body"]))
    cases_ledger, visit_ledger = ledger_rows.LEDGERS[2], ledger_rows.LEDGERS[1]
    story += [PageBreak(), p("三、控辍保学台账", st["h1"])]
    story += _ledger_table(cases_ledger, ["序号", "姓名", "班级", "身份证号", "离校/缺课起始日期", "无故缺课天数",
                                          "去向", "辍学原因", "包保责任人（教育线）", "包保责任人（政府线）", "当前状态",
                                          "销号日期"], store, st)
    from jiaoyuapp.documents.attempt_evidence import attempts_section
    story += attempts_section(store, st)
    story += case_evidence.folder_section(store, {s["uuid"] for s in priority}, st)
    story += sign_off_table(cases_ledger.sign_off_titles(store), st)
    story += [PageBreak(), p("四、家访记录", st["h1"])]
    story += _ledger_table(visit_ledger, ["序号", "家访日期", "家访教师", "家访形式", "学生姓名", "受访人", "发现问题",
                                          "帮扶措施", "照片（张）", "家长签字"], store, st)
    story += evidence_section(store, st, 180 * mm)
    story += aid_ledger_pages(store, today, st)
    story += [PageBreak()] + reports_story(store, st, today, numbers=("六、", "七、"))
    if progress:
        progress(len(priority), len(priority), "排版")
    # Give the contents its real length before the first pass (the page numbers come in the
    # second): otherwise a two-page contents shifts every page and costs a third layout pass.
    toc._entries = [(0 if getattr(f.style, "name", "") == "h1" else 1, f.getPlainText(), 0, None)
                    for f in story if getattr(getattr(f, "style", None), "name", "") in ("h1", "h2")]
    buffer = io.BytesIO()
    FolderDoc(buffer, school, data_fp).multiBuild(story)
    signed = sign_pdf(buffer.getvalue(), key, passphrase, reason="迎检档案（学校签章）",
                      location=f"{school['county'] or ''}{school['township'] or ''}{school['name']}")
    write_bytes_atomically(out, signed)
    if progress:
        progress(1, 1, "完成")
    return out
