"""中心校: register schools (confirming each fingerprint read out on the phone), import packets
(drag them onto the window, or choose files or a folder) with every refusal explained, the status
board across schools, fields both sides changed waiting for a decision, and the township export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.exchange import conflicts, identity, peers, township
from ui import file_dialogs
from ui.dialogs import confirm, export_certificate, guarded, show_error, show_info
from ui.screens.base import Screen, heading
from ui.screens.export import ask_passphrase
from ui.scrolling import scrolling_body
from ui.tasks import CoreCall, Task, run_with_progress

BOARD = [("school_name", "学校"), ("school_code", "标识码"), ("packets", "已收数据包"), ("last_packet_date", "最近"),
         ("students", "在读"), ("visits", "本学期家访"), ("coverage", "入户覆盖率"), ("open_cases", "在案"),
         ("overdue_cases", "逾期"), ("unaided", "应助未助"), ("conflicts", "待决定")]


class TownshipScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.passphrase_source = ask_passphrase
        self.results: list[dict] = []
        self.setAcceptDrops(True)
        layout = scrolling_body(self, "townshipPage")  # three tables and a row of actions: it scrolls when short
        layout.addWidget(heading("中心校：接收各校数据包"))
        self.me = QLabel()
        self.me.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.me, 1)
        limit = QPushButton("数据包大小上限…")
        limit.setObjectName("packetLimit")
        limit.setToolTip("本中心校接收的单个数据包最大多少MB（超过的不读取、直接拒收）")
        limit.clicked.connect(self._set_limit)
        top.addWidget(limit)
        layout.addLayout(top)
        buttons = QGridLayout()  # two rows of three: one row of six is wider than a 1366 screen at 125 %
        for i, (text, slot) in enumerate((("登记学校（证书）…", self._register), ("导入数据包…", self._choose_packets),
                                          ("导入文件夹中的全部数据包…", self._choose_folder),
                                          ("导出本中心校证书…", self._export_certificate),
                                          ("导出乡镇汇总（Excel）…", self._export_workbook),
                                          ("导出乡镇汇总（PDF）…", self._export_folder))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b, i // 3, i % 3)
        buttons.setColumnStretch(3, 1)
        layout.addLayout(buttons)
        drop = QLabel("把U盘里的 .jyp 数据包拖到这里即可导入；回执会写到数据包所在的文件夹，请让学校带回。")
        drop.setStyleSheet("border: 2px dashed #888; padding: 10px")
        layout.addWidget(drop)
        results = QGroupBox("本次导入结果")
        r = QVBoxLayout(results)
        self.result_table = QTableWidget(0, 3)
        self.result_table.setObjectName("importResults")
        self.result_table.setHorizontalHeaderLabels(["文件", "结果", "说明"])
        self.result_table.setColumnWidth(0, 260)
        self.result_table.horizontalHeader().setStretchLastSection(True)
        r.addWidget(self.result_table)
        layout.addWidget(results, 1)
        board = QGroupBox("各校状况（选中一所学校，下方列出双方都改过、待决定的字段）")
        b = QVBoxLayout(board)
        self.board = QTableWidget(0, len(BOARD))
        self.board.setObjectName("statusBoard")
        self.board.setHorizontalHeaderLabels([label for _, label in BOARD])
        self.board.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.board.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.board.currentCellChanged.connect(lambda row, *_: self.show_conflicts(row))
        b.addWidget(self.board)
        layout.addWidget(board, 2)
        conflicts = QGroupBox("待决定（学校和中心校都改过的字段，两边的值都保留着）")
        c = QVBoxLayout(conflicts)
        self.conflicts = QTableWidget(0, 5)
        self.conflicts.setObjectName("conflicts")
        self.conflicts.setHorizontalHeaderLabels(["数据包", "学生", "项目", "学校的值", "中心校的值"])
        self.conflicts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.conflicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        c.addWidget(self.conflicts)
        row = QHBoxLayout()
        take_school, keep_center = QPushButton("采用学校的值"), QPushButton("保留中心校的值")
        take_school.clicked.connect(lambda: self.decide("school"))
        keep_center.clicked.connect(lambda: self.decide("center"))
        row.addWidget(take_school)
        row.addWidget(keep_center)
        row.addStretch(1)
        c.addLayout(row)
        layout.addWidget(conflicts, 1)
        self.board_rows: list[dict] = []
        self.conflict_rows: list[dict] = []
        self.board_ready = False

    def reload(self) -> None:
        """The board opens every school's copy and runs its reports: in a worker process."""
        me = identity.active(self.store, required=False)
        self.me.setText(f"{me['name']}，中心校密钥指纹：{me['fingerprint']}" if me else "")
        self.board_ready = False
        self.board_task = Task(CoreCall("jiaoyuapp.exchange.township:status_board", db=str(self.session.path),
                                        kwargs={"today": self.today()}, progress=False))
        self.board_task.signals.done.connect(self.show_board)
        self.board_task.signals.failed.connect(lambda message, _: show_error(self, message))
        self.board_task.start()

    def show_board(self, rows: list[dict]) -> None:
        self.board_rows = rows
        self.board.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, (key, _) in enumerate(BOARD):
                value = row.get(key)
                text = "-" if value is None else (f"{value:.0%}" if key == "coverage" else str(value))
                self.board.setItem(i, j, QTableWidgetItem(text))
        self.show_conflicts(self.board.currentRow() if self.board.currentRow() >= 0 else 0)
        self.board_ready = True

    # -- decisions ------------------------------------------------------------------
    def show_conflicts(self, row: int) -> None:
        self.conflict_rows = []
        if 0 <= row < len(self.board_rows) and self.board_rows[row]["packets"]:
            self.conflict_rows = conflicts.open_conflicts(self.store, self.board_rows[row]["school_code"])
        self.conflicts.setRowCount(len(self.conflict_rows))
        for i, c in enumerate(self.conflict_rows):
            for j, v in enumerate([f"第{c['packet_no']}号", c["who"], c["field"], c["school_value"], c["center_value"]]):
                self.conflicts.setItem(i, j, QTableWidgetItem(str(v)))

    def decide(self, take: str) -> bool:
        i, school = self.conflicts.currentRow(), self.board.currentRow()
        if not (0 <= i < len(self.conflict_rows)):
            show_error(self, "请先在“待决定”中选中一行。")
            return False
        code = self.board_rows[max(school, 0)]["school_code"]
        try:
            conflicts.decide(self.store, code, self.conflict_rows[i]["uuid"], take, actor="中心校窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.stale = True
        self.refresh()
        return True

    def _set_limit(self) -> None:
        current = township.limits(self.store).total >> 20
        value, ok = QInputDialog.getInt(self, "数据包大小上限", "单个数据包最大（MB）。照片很多的学校可调高；"
                                        "超过上限的数据包不会被读取：", current, 16, 65536, 256)
        if ok:
            guarded(self, township.set_limit, self.store, value)

    # -- registering ----------------------------------------------------------------
    def _register(self) -> None:
        path = file_dialogs.open_file(self, "选择学校证书", "证书 (*.pem *.crt *.cer)", "certificate")
        if not path:
            return
        try:
            pem = peers.read_certificate(path)
            code, name = peers.checked_subject(identity.load_certificate(pem), "学校")
            old = peers.replaced_by(self.store, pem)
        except JiaoyuError as exc:
            show_error(self, exc)
            return
        replace = False
        if old is not None:
            if not confirm(self, f"标识码{code}已登记为“{old['name']}”，登记的证书指纹是\n{old['fingerprint']}\n"
                                 f"这份证书的指纹是\n{identity.fingerprint(pem)}\n\n只有学校确实重新生成了密钥（例如校长忘记口令），"
                                 "并且您已与校长电话核对了新指纹，才更换登记；否则这份证书可能是冒充的。\n\n要更换登记吗？",
                           "更换已登记的证书", yes="更换登记", no="不更换"):
                return
            replace = True
        said, ok = QInputDialog.getText(
            self, "核对指纹", f"证书：{name}（{code}）\n请电话联系该校校长，输入校长念的24位指纹：")
        if ok:
            self.register(pem, said, replace=replace)

    def register(self, pem: str, fingerprint: str, replace: bool = False) -> bool:
        try:
            row = peers.register_school(self.store, pem, fingerprint, replace=replace, actor="中心校（窗口）")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        show_info(self, f"已登记：{row['name']}（{row['code']}）")
        self.stale = True
        self.refresh()
        return True

    # -- importing ------------------------------------------------------------------
    def _choose_packets(self) -> None:
        paths = file_dialogs.open_files(self, "选择数据包", "数据包 (*.jyp)", "packet")
        if paths:
            self.import_files(paths)

    def _choose_folder(self) -> None:
        folder = file_dialogs.choose_folder(self, "选择存放数据包的文件夹（如U盘）", "packet")
        if folder:
            self.import_files([str(p) for p in sorted(Path(folder).glob("*.jyp"))])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.toLocalFile().endswith(".jyp")]
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[str]):
        if not paths:
            show_error(self, "没有找到 .jyp 数据包。")
            return None
        secret = self.passphrase_source(self, "打开数据包和出具回执")
        if not secret:
            return None
        receipts = str(Path(paths[0]).parent)
        work = CoreCall("jiaoyuapp.exchange.packet_import:import_packets", db=str(self.session.path),
                        args=(sorted(paths),), kwargs={"passphrase": secret, "receipts_dir": receipts})
        return run_with_progress(self, "导入数据包", work, self._imported)

    def _imported(self, results: list[dict]) -> None:
        self.results = results
        self.result_table.setRowCount(len(results))
        for i, r in enumerate(results):
            text = r["message"] + (f"　回执：{r['receipt']}" if r.get("receipt") else "")
            for j, v in enumerate([r["file"], r["status"], text]):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                self.result_table.setItem(i, j, item)
        self.stale = True
        self.refresh()

    # -- exports ------------------------------------------------------------------
    def _export_certificate(self) -> None:
        export_certificate(self, self.store, "导出中心校证书（交各校导入）")

    def _export_workbook(self) -> None:
        path = file_dialogs.save_file(self, "导出乡镇汇总", "乡镇汇总.xlsx", "Excel 工作簿 (*.xlsx)", "export")
        if path:
            self._run("导出乡镇汇总", "write_township_workbook", path)

    def _export_folder(self) -> None:
        path = file_dialogs.save_file(self, "导出乡镇汇总（PDF）", "乡镇汇总.pdf", "PDF 文件 (*.pdf)", "export")
        secret = path and self.passphrase_source(self, "乡镇汇总")
        if secret:
            self._run("导出乡镇汇总", "write_township_folder", path, passphrase=secret)

    def _run(self, title: str, function: str, *args, **kwargs) -> None:
        work = CoreCall(f"jiaoyuapp.exchange.township_export:{function}", db=str(self.session.path), args=args,
                        kwargs=kwargs, progress=False)
        run_with_progress(self, title, work, lambda out: show_info(self, f"已导出：{out}"))
