"""Importing a roster workbook: choose the file → every problem shown by row and column (a dry
run, nothing written) → import all, import only the valid rows, or cancel. Hidden sheets are
skipped and named, with a button to read them too. Reading and writing run off the UI thread
with a progress bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

from jiaoyuapp.roster.roster_import import ImportReport
from ui.tasks import CoreCall, run_with_progress


def _import(session, path: str, **options) -> CoreCall:
    return CoreCall("jiaoyuapp.roster.roster_import:import_roster", db=str(session.path), args=(path,),
                    kwargs=dict(options, actor="窗口导入"))


class ImportDialog(QDialog):
    """Shows the dry run's report; `result` is the final ImportReport once written."""

    def __init__(self, parent, session, path: str, on_written=None):
        super().__init__(parent)
        self.session, self.path, self.on_written = session, path, on_written
        self.report: ImportReport | None = None
        self.result: ImportReport | None = None
        self.include_hidden = False
        self.setWindowTitle(f"导入学生花名册：{Path(path).name}")
        self.resize(860, 540)
        layout = QVBoxLayout(self)
        self.summary = QLabel("正在检查……")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.problems = QTableWidget(0, 4)
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels(["工作表·行", "列", "问题", "原值"])
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setColumnWidth(2, 420)
        layout.addWidget(self.problems, 1)
        buttons = QHBoxLayout()
        self.all_button = QPushButton("全部导入")
        self.valid_button = QPushButton("只导入没有问题的行")
        self.cancel_button = QPushButton("取消")
        self.hidden_button = QPushButton("也读取隐藏的工作表")
        self.all_button.setObjectName("importAll")
        self.valid_button.setObjectName("importValid")
        self.hidden_button.setObjectName("importIncludeHidden")
        self.hidden_button.setVisible(False)
        for b in (self.all_button, self.valid_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        buttons.addWidget(self.hidden_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.all_button.clicked.connect(lambda: self._write(only_valid=False))
        self.valid_button.clicked.connect(lambda: self._write(only_valid=True))
        self.hidden_button.clicked.connect(self._read_hidden)
        self.cancel_button.clicked.connect(self.reject)

    def start(self) -> None:
        """The dry run (nothing written)."""
        self.show()
        self._check()

    def _check(self) -> None:
        run_with_progress(self, "检查花名册", _import(self.session, self.path, dry_run=True,
                                                 include_hidden=self.include_hidden), self._checked,
                          on_failed=self._failed)

    def _read_hidden(self) -> None:
        """Check again with the hidden sheets read too; importing then reads them as well."""
        self.include_hidden = True
        self.hidden_button.setVisible(False)
        self.all_button.setEnabled(False)
        self.valid_button.setEnabled(False)
        self.summary.setText("正在检查（包括隐藏的工作表）……")
        self._check()

    def _failed(self, message: str) -> None:
        self.summary.setText(f"无法导入：{message}")

    def _checked(self, report: ImportReport) -> None:
        self.report = report
        bad_rows = len({(p.get("sheet"), p["row"]) for p in report.problems})
        if report.sheets:
            text = (f"工作表：{report.sheet}（表头在第{report.header_row}行），共{report.rows}行学生："
                    f"可以导入{report.valid}行" + (f"，有问题{bad_rows}行（见下表，改好Excel后可重新导入）" if bad_rows else
                                               "，没有发现问题") + "。")
        else:
            text = "可见的工作表中没有找到学生名单，没有读取任何学生。"
        if report.hidden_sheets:
            text += (f" 隐藏的工作表“{'”“'.join(report.hidden_sheets)}”没有读取；如果其中有要导入的学生，"
                     "请点“也读取隐藏的工作表”。")
        if report.chart_sheets:
            text += f" 图表等非表格工作表（没有数据）：{'、'.join(report.chart_sheets)}。"
        if report.ignored_columns:
            text += f" 未使用的列：{'、'.join(report.ignored_columns)}。"
        if report.warnings:
            text += f" 提示{len(report.warnings)}条（已列在表中，不影响导入）。"
        self.summary.setText(text)
        rows = [(p, "问题") for p in report.problems] + [(w, "提示") for w in report.warnings]
        self.problems.setRowCount(len(rows))
        for i, (p, kind) in enumerate(rows):
            where = f"{p.get('sheet') or ''} 第{p['row']}行".strip()
            column = f"{p.get('column', '')}（{p.get('letter', '')}列）" if p.get("letter") else p.get("column", "")
            for j, value in enumerate([where, column, f"{kind}：{p.get('message', '')}", str(p.get("value") or "")]):
                self.problems.setItem(i, j, QTableWidgetItem(value))
        self.all_button.setEnabled(report.rows > 0 and not report.problems)
        self.valid_button.setEnabled(report.valid > 0 and bool(report.problems))
        self.hidden_button.setVisible(bool(report.hidden_sheets) and not self.include_hidden)

    def _write(self, only_valid: bool) -> None:
        self.all_button.setEnabled(False)
        self.valid_button.setEnabled(False)
        self.hidden_button.setVisible(False)
        run_with_progress(self, "导入花名册", _import(self.session, self.path, only_valid=only_valid,
                                                 include_hidden=self.include_hidden), self._written,
                          on_failed=self._failed)

    def _written(self, report: ImportReport) -> None:
        self.result = report
        self.summary.setText(f"已导入：新增{report.created}名，更新{report.updated}名，未变{report.unchanged}名。"
                             + (f"未导入的有问题的行：{len(report.problems)}处。" if report.problems else ""))
        self.cancel_button.setText("关闭")
        if self.on_written:
            self.on_written(report)
