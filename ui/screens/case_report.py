"""控辍保学 → 辍学学生情况报告表: what the case's form says, and the dates the school signed it and
sent it to the 乡镇 and the 县 (the core checks the dates; ledgers/case_reports.py). The form itself
prints in 导出与回执 and in the 迎检档案."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from jiaoyuapp.documents.report_forms import form
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import case_reports
from ui.dialogs import answer_buttons, show_error
from ui.optional_date import OptionalDate


class CaseReportDialog(QDialog):
    def __init__(self, parent, store, case_uuid: str):
        super().__init__(parent)
        self.store, self.case_uuid = store, case_uuid
        self.setWindowTitle("辍学学生情况报告表")
        self.setObjectName("caseReportDialog")
        outer = QVBoxLayout(self)
        f = form(store, case_uuid, masked=True)
        summary = QLabel("；".join(f"{k}：{v}" for k, v in f["fields"] if k in (
            "学生姓名", "年级班级", "登记疑似辍学日期", "辍学原因", "去向")) + f"；劝返{len(f['attempts'])}次。")
        summary.setWordWrap(True)
        outer.addWidget(summary)
        hint = QLabel("报告表由校长签字、学校盖章后报送乡镇和县教育局。报送后在这里记下日期；"
                      "报告表在“导出与回执”中导出，也印在迎检档案里。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555")
        outer.addWidget(hint)
        sent = case_reports.sent(store, case_uuid)
        box = QFormLayout()
        self.signed_by = QLineEdit(sent["signed_by"] or case_reports.principal(store) or "")
        self.signed_by.setObjectName("reportSignedBy")
        self.signed_on = OptionalDate("已签字", "reportSignedOn")
        self.township_on = OptionalDate("已报送", "reportTownshipOn")
        self.county_on = OptionalDate("已报送", "reportCountyOn")
        for edit, key in ((self.signed_on, "signed_on"), (self.township_on, "township_on"),
                          (self.county_on, "county_on")):
            if sent[key]:
                edit.setText(sent[key])
        box.addRow("签字校长：", self.signed_by)
        box.addRow("校长签字日期：", self.signed_on)
        box.addRow("报送乡镇日期：", self.township_on)
        box.addRow("报送县教育局日期：", self.county_on)
        outer.addLayout(box)
        outer.addWidget(answer_buttons(self.save, self.reject, yes="保存"))
        self.setMinimumWidth(520)

    def save(self) -> bool:
        try:
            case_reports.record_sent(self.store, self.case_uuid, signed_by=self.signed_by.text(),
                                     signed_on=self.signed_on.text() or None,
                                     township_on=self.township_on.text() or None,
                                     county_on=self.county_on.text() or None, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.accept()
        return True
