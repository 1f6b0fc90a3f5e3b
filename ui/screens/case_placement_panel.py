"""The part of a case page about where the child is and what a 销号 rests on: the placement and the
disability record behind 随班就读 / 送教上门, the 送教上门 sessions against the monthly frequency
(short months in red), the 销号 evidence (school days back, 就读证明 images), and the county's
quarterly 复核. Every action here is also a method taking the form's values, so a test can drive it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QGroupBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import case_closing, case_placement, case_review, disability_proof, home_teaching
from jiaoyuapp.ledgers.attachments import read_file
from ui import file_dialogs
from ui.dialogs import show_error
from ui.screens.base import button, left_row, wrapped
from ui.screens.case_dialogs import PHOTO_FILTER, DisabilityDialog, HomeTeachingDialog, ReviewDialog

def _table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setMaximumHeight(140)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            t.setItem(i, j, QTableWidgetItem(v))


class CasePlacementPanel(QWidget):
    def __init__(self, screen):
        super().__init__()
        self.screen = screen
        self.case: dict | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        box = QGroupBox("安置与残疾情况")
        b = QVBoxLayout(box)
        self.placement = wrapped("")
        self.placement.setObjectName("casePlacement")
        self.disability = wrapped("")
        self.disability.setObjectName("caseDisability")
        b.addWidget(self.placement)
        b.addWidget(self.disability)
        b.addLayout(left_row(button("登记残疾情况…", lambda: self.record_disability(), "recordDisability")))
        layout.addWidget(box)

        self.teaching = QGroupBox("送教上门（只适用于有残疾记录的学生）")
        t = QVBoxLayout(self.teaching)
        self.frequency = wrapped("")
        self.frequency.setObjectName("teachFrequency")
        self.sessions = _table("teachSessions", ["日期", "送教教师", "课时", "内容", "照片"])
        self.teach_button = button("登记一次送教…", lambda: self.add_session(), "addHomeTeaching")
        t.addWidget(self.frequency)
        t.addWidget(self.sessions)
        t.addLayout(left_row(self.teach_button))
        layout.addWidget(self.teaching)

        box = QGroupBox("销号依据")
        c = QVBoxLayout(box)
        self.closing = wrapped("")
        self.closing.setObjectName("closingEvidence")
        c.addWidget(self.closing)
        c.addLayout(left_row(button("上传就读证明或依据材料…", lambda: self.add_proof(), "addProof")))
        layout.addWidget(box)

        box = QGroupBox("季度复核（县教体局）")
        r = QVBoxLayout(box)
        self.review = wrapped("")
        self.review.setObjectName("reviewState")
        self.reviews = _table("caseReviews", ["复核日期", "季度", "复核人", "结果与意见"])
        r.addWidget(self.review)
        r.addWidget(self.reviews)
        r.addLayout(left_row(button("登记复核…", lambda: self.add_review(), "addReview")))
        layout.addWidget(box)

    @property
    def store(self):
        return self.screen.store

    def today(self) -> dt.date:
        return self.screen.today()

    # -- showing a case -------------------------------------------------------------------------
    def show_case(self, case_uuid: str) -> None:
        c = self.case = self.store.get("cases", case_uuid)
        d = disability_proof.disability_of(self.store, c["student_uuid"])
        placed = case_placement.placement_text(self.store, c)
        self.placement.setText(f"安置方式：{placed}" if placed else "安置方式：尚未复学（复学时默认插班就读）")
        self.placement.setStyleSheet("color: #c0392b" if case_placement.needs_check(self.store, c) else "")
        refusal = case_placement.describe_refusal(self.store, c["student_uuid"])
        self.disability.setText(f"残疾情况：{disability_proof.describe(d)}。" + (refusal or "可以随班就读或送教上门。"))

        taught = home_teaching.sessions(self.store, case_uuid)
        f = home_teaching.frequency(self.store, case_uuid, today=self.today())
        self.teaching.setVisible(bool(f or taught))
        self.frequency.setText(home_teaching.frequency_text(f) if f else "案件已不在送教上门。")
        self.frequency.setStyleSheet("color: #c0392b" if f and f["overdue"] else "")
        _fill(self.sessions, [[s["on_date"], "、".join(s["teachers"]), f"{s['hours']:g}", s["content"],
                               f"{len(s['photos'])}张"] for s in taught])
        self.teach_button.setEnabled(c["status"] == home_teaching.STATUS)

        self.closing.setText(self._closing_text(c))
        self.review.setText(case_review.review_text(self.store, case_uuid, self.today()))
        _fill(self.reviews, [[r["on_date"], r["quarter"], r["reviewer"], r["result"] + (f"；{r['note']}" if r["note"] else "")]
                             for r in case_review.reviews(self.store, case_uuid)])

    def _closing_text(self, c: dict) -> str:
        lines = []
        if c["closed_on"]:
            lines.append(f"已于{c['closed_on']}销号（{c['outcome']}），确认人{c['confirmed_by']}；依据：{c['evidence'] or '未写'}。")
        back = case_closing.days_in_school(self.store, c, min(self.today(), dt.date.fromisoformat(c["closed_on"]))
                                           if c["closed_on"] else self.today())
        if back["back"]:
            lines.append(f"{back['back']}复学，至今在校{back['days']}个教学日；以“已复学”销号需满{back['need']}个教学日。")
        else:
            lines.append("以“已复学”销号：复学后在校满规定的教学日（按考勤）。")
        proofs = case_closing.proofs(self.store, c["uuid"])
        lines.append(f"转学、在外地就读销号需要就读证明，免学、其他需要书面依据材料：已上传{len(proofs)}份。" +
                     "".join(f"（{p['note']}）" for p in proofs if p["note"]))
        return "\n".join(lines)

    # -- actions ----------------------------------------------------------------------------------
    def _done(self, work) -> bool:
        try:
            work()
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.screen._changed()
        return True

    def record_disability(self, values: dict | None = None) -> bool:
        if values is None:
            dialog = DisabilityDialog(self, disability_proof.disability_of(self.store, self.case["student_uuid"]))
            if not dialog.exec():
                return False
            values = dialog.values()
        return self._done(lambda: disability_proof.record(self.store, self.case["student_uuid"], actor="窗口", **values))

    def add_session(self, values: dict | None = None) -> bool:
        if values is None:
            teachers = self.store.query("SELECT uuid, name, role FROM teachers WHERE active = 1 ORDER BY role, name")
            dialog = HomeTeachingDialog(self, teachers)
            if not dialog.exec():
                return False
            values = dialog.values()
        return self._done(lambda: home_teaching.add_session(self.store, self.case["uuid"], actor="窗口", **values))

    def add_proof(self, path: str | None = None, note: str | None = None) -> bool:
        if path is None:
            path = file_dialogs.open_file(self, "选择就读证明或依据材料的照片或扫描件", PHOTO_FILTER, "photo")
            if not path:
                return False
        return self._done(lambda: case_closing.add_proof(self.store, self.case["uuid"], read_file(path), note=note,
                                                         actor="窗口"))

    def add_review(self, values: dict | None = None) -> bool:
        if values is None:
            dialog = ReviewDialog(self)
            if not dialog.exec():
                return False
            values = dialog.values()
        return self._done(lambda: case_review.record_review(self.store, self.case["uuid"], today=self.today(),
                                                            actor="窗口", **values))

