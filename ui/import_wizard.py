"""Importing a roster workbook: choose the file → every problem shown by row and column (a dry
run, nothing written) → import all, import only the valid rows, or cancel. Hidden sheets are
skipped and named, with a button to read them too. Reading and writing run off the UI thread
with a progress bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

from jiaoyuapp.roster.problem_workbook import ERROR, grouped, write_problem_workbook
from jiaoyuapp.roster.roster_import import ImportReport
from ui import file_dialogs
from ui.dialogs import guarded, show_info
from ui.tasks import CoreCall, run_with_progress

COLUMNS = ["类别", "工作表", "行", "列", "列名", "原值", "问题"]
FIT_ROWS = 2000  # fitting each row's height to its wrapped message reads every row: a list this long at most


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
        self.resize(980, 540)
        self.setSizeGripEnabled(True)  # the list can be made larger to read long messages
        layout = QVBoxLayout(self)
        self.summary = QLabel("正在检查……")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.problems = QTableWidget(0, len(COLUMNS))
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels(COLUMNS)
        self.problems.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problems.setWordWrap(True)  # the whole message, on as many lines as it needs
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.verticalHeader().setVisible(False)
        layout.addWidget(self.problems, 1)
        self.lines: list[dict] = []
        buttons = QHBoxLayout()
        self.all_button = QPushButton("全部导入")
        self.valid_button = QPushButton("只导入没有问题的行")
        self.cancel_button = QPushButton("取消")
        self.hidden_button = QPushButton("也读取隐藏的工作表")
        self.all_button.setObjectName("importAll")
        self.valid_button.setObjectName("importValid")
        self.hidden_button.setObjectName("importIncludeHidden")
        self.hidden_button.setVisible(False)
        self.save_button = QPushButton("保存问题清单…")
        self.save_button.setObjectName("saveProblems")
        self.save_button.setToolTip("把全部问题存成一个Excel表，按表改好花名册后重新导入")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_problems)
        for b in (self.all_button, self.valid_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        buttons.addWidget(self.hidden_button)
        buttons.addWidget(self.save_button)
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
        self.show_problems(report)
        self.all_button.setEnabled(report.rows > 0 and not report.problems)
        self.valid_button.setEnabled(report.valid > 0 and bool(report.problems))
        self.hidden_button.setVisible(bool(report.hidden_sheets) and not self.include_hidden)

    def show_problems(self, report: ImportReport) -> None:
        """Refusals first, one line each; then each kind of hint once, with how many rows and which."""
        self.lines = grouped(report.problems, report.warnings)
        table = self.problems
        table.setRowCount(len(self.lines))
        for i, line in enumerate(self.lines):
            kind = line["kind"] if line["count"] == 1 else f"{line['kind']}（{line['count']}行）"
            rows = line["rows"] if line["count"] == 1 else f"第{line['rows']}行"
            for j, text in enumerate([kind, line["sheet"], rows, line["letter"], line["column"], line["value"],
                                      line["message"]]):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if line["kind"] == ERROR:
                    item.setForeground(QColor("#c0392b"))
                table.setItem(i, j, item)
        header = table.horizontalHeader()
        table.resizeColumnsToContents()  # the short columns fit their text; 问题 takes the rest and wraps
        for column in (COLUMNS.index("原值"), COLUMNS.index("列名")):
            header.resizeSection(column, min(header.sectionSize(column), 220))
        if len(self.lines) <= FIT_ROWS:
            table.resizeRowsToContents()
        self.save_button.setEnabled(bool(self.lines))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.lines and len(self.lines) <= FIT_ROWS:  # a wider message column needs fewer lines
            self.problems.resizeRowsToContents()

    def _save_problems(self) -> None:
        name = f"{Path(self.path).stem}_问题清单.xlsx"
        out = file_dialogs.save_file(self, "保存问题清单", name, "Excel 工作簿 (*.xlsx)", "export")
        if out:
            self.save_problems(out)

    def save_problems(self, out: str) -> str | None:
        report = self.report
        if report is None or guarded(self, write_problem_workbook, out, report.problems, report.warnings,
                                     Path(self.path).name) is None:
            return None
        show_info(self, f"问题清单已保存：{out}\n共{len(report.problems)}处错误、{len(report.warnings)}条提示，"
                        "错误排在前面。按表改好花名册后，重新导入即可。")
        return out

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
