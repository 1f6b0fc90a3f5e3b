"""导出与回执: the ledgers workbook, the inspection-folder PDF, and the packet to a USB stick or a
folder (removable drives listed first), each with a progress bar and 取消; the result's
fingerprint shown for the principal to note; the township's receipts imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QPushButton)

from jiaoyuapp.documents.inspection_folder import digits
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.exchange import identity, peers
from jiaoyuapp.exchange.receipts import import_receipt
from ui import file_dialogs
from ui.dialogs import export_certificate, guarded, show_error, show_info
from ui.drives import destinations
from ui.screens.base import Screen, heading
from ui.scrolling import scrolling_body
from ui.tasks import CoreCall, run_with_progress


def ask_passphrase(parent, purpose: str) -> str | None:
    text, ok = QInputDialog.getText(parent, "校长口令", f"{purpose}需要学校密钥签名，请输入校长设置的口令：",
                                    QLineEdit.EchoMode.Password)
    return text if ok and text else None


class ExportScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.passphrase_source = ask_passphrase  # tests give the passphrase without a dialog
        self.last_result: dict = {}
        layout = scrolling_body(self, "exportPage")
        layout.addWidget(heading("导出与回执"))
        key_box = QGroupBox("学校密钥与中心校")
        k = QFormLayout(key_box)
        self.key_label = QLabel()
        self.key_label.setObjectName("keyFingerprint")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_button = QPushButton("设置密钥…")
        self.key_button.clicked.connect(self._create_key)
        row = QHBoxLayout()
        row.addWidget(self.key_label, 1)
        row.addWidget(self.key_button)
        k.addRow("本校密钥指纹：", row)
        self.center_label = QLabel()
        center_button = QPushButton("导入中心校证书…")
        center_button.clicked.connect(self._center_certificate)
        row = QHBoxLayout()
        row.addWidget(self.center_label, 1)
        row.addWidget(center_button)
        k.addRow("中心校：", row)
        cert_button = QPushButton("导出本校证书（交中心校登记）…")
        cert_button.clicked.connect(self._export_certificate)
        k.addRow("", cert_button)
        layout.addWidget(key_box)
        docs = QGroupBox("迎检材料")
        d = QHBoxLayout(docs)
        self.public = QCheckBox("公示版（隐藏身份证件号和电话）")
        ledgers, folder = QPushButton("导出台账（Excel）…"), QPushButton("导出迎检档案（PDF，签章）…")
        ledgers.clicked.connect(lambda: self.export_ledgers(self._save_name("台账", "xlsx", "Excel 工作簿 (*.xlsx)")))
        folder.clicked.connect(lambda: self.export_folder(self._save_name("迎检档案", "pdf", "PDF 文件 (*.pdf)")))
        for w in (ledgers, self.public, folder):
            d.addWidget(w)
        d.addStretch(1)
        layout.addWidget(docs)
        layout.addWidget(self._reports_box())
        packet = QGroupBox("交中心校的数据包（加密、签名）")
        p = QFormLayout(packet)
        self.target = QComboBox()
        self.target.setObjectName("packetTarget")
        other = QPushButton("其他文件夹…")
        other.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(other)
        p.addRow("保存到：", row)
        self.full = QCheckBox("完整数据包（中心校第一次接收或要求重发时）")
        p.addRow("", self.full)
        self.packet_button = QPushButton("导出数据包")
        self.packet_button.setObjectName("exportPacket")
        self.packet_button.clicked.connect(self._export_packet_clicked)
        p.addRow("", self.packet_button)
        receipt = QPushButton("导入中心校回执…")
        receipt.clicked.connect(self._choose_receipt)
        p.addRow("回执：", receipt)
        layout.addWidget(packet)
        self.result = QLabel()
        self.result.setObjectName("exportResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def _reports_box(self) -> QGroupBox:
        """控辍保学上报: every case's 辍学学生情况报告表 and the 一月一报告 of this school year (零报告
        for a month with no new case), to print, sign and send."""
        box = QGroupBox("控辍保学上报（辍学学生情况报告表、一月一报告）")
        row = QHBoxLayout(box)
        pdf, xlsx = QPushButton("导出报告表（PDF）…"), QPushButton("导出报告表（Excel）…")
        pdf.setObjectName("exportReportsPdf")
        xlsx.setObjectName("exportReportsXlsx")
        pdf.clicked.connect(lambda: self.export_reports(self._save_name("控辍上报", "pdf", "PDF 文件 (*.pdf)")))
        xlsx.clicked.connect(lambda: self.export_reports(self._save_name("控辍上报", "xlsx", "Excel 工作簿 (*.xlsx)")))
        row.addWidget(pdf)
        row.addWidget(xlsx)
        row.addStretch(1)
        return box

    def export_reports(self, out: str | None):
        if not out:
            return None
        target = "write_reports_pdf" if out.lower().endswith(".pdf") else "write_reports_workbook"
        return run_with_progress(self, "导出报告表", self._call(f"jiaoyuapp.documents.report_forms:{target}", out),
                                 lambda path: self._show(f"已导出辍学学生情况报告表和一月一报告：{path}\n"
                                                         "请校长签字、学校盖章后报送。", file=str(path)))

    def reload(self) -> None:
        me = identity.active(self.store, required=False)
        self.key_label.setText(me["fingerprint"] if me else "还没有密钥（导出签名文件前，请校长设置口令）")
        self.key_button.setVisible(me is None)
        try:
            center = peers.township(self.store)
            self.center_label.setText(f"{center['name']}（指纹 {center['fingerprint']}）")
        except JiaoyuError:
            self.center_label.setText("还没有中心校的证书（向中心校索取证书文件后导入）")
        self.target.clear()
        for label, folder in destinations():
            self.target.addItem(label, str(folder))

    # -- helpers ------------------------------------------------------------------
    def _save_name(self, what: str, ext: str, filt: str) -> str | None:
        school = self.session.school or {"name": "学校"}
        path = file_dialogs.save_file(self, f"导出{what}", f"{school['name']}_{what}_{dt.date.today():%Y%m%d}.{ext}", filt,
                                       "export")
        return path or None

    def _call(self, target: str, *args, **kwargs) -> CoreCall:
        return CoreCall(target, db=str(self.session.path), args=args, kwargs=kwargs)

    def _show(self, text: str, **result) -> None:
        self.last_result = result
        self.result.setText(text)
        show_info(self, text)
        self.window_.data_changed()

    # -- the three exports -----------------------------------------------------------
    def export_ledgers(self, out: str | None):
        if not out:
            return None
        masked = self.public.isChecked()
        return run_with_progress(self, "导出台账", self._call(
            "jiaoyuapp.documents.ledger_workbook:write_ledgers", out, masked=masked),
            lambda path: self._show(f"已导出{'公示版' if masked else ''}台账：{path}", file=str(path)))

    def export_folder(self, out: str | None):
        secret = out and self.passphrase_source(self, "迎检档案")
        if not secret:
            return None
        fp = identity.active(self.store)["fingerprint"]
        return run_with_progress(self, "导出迎检档案", self._call(
            "jiaoyuapp.documents.inspection_folder:write_folder", out, passphrase=secret),
            lambda path: self._show(f"已导出迎检档案（已用学校密钥签章）：{path}\n学校密钥指纹：{fp}", file=str(path)))

    def export_packet(self, folder: Path):
        secret = self.passphrase_source(self, "数据包")
        if not secret:
            return None
        full = self.full.isChecked()

        def done(path) -> None:
            row = self.store.query("SELECT * FROM packets_sent ORDER BY packet_no DESC LIMIT 1")[0]
            fingerprint = digits(row["packet_sha256"])
            self._show(f"已导出第{row['packet_no']}号数据包（已加密给中心校）：\n{path}\n"
                       f"数据包指纹：{fingerprint}（请校长记下，交接时与中心校核对）", file=str(path),
                       packet_no=row["packet_no"], fingerprint=fingerprint)
        return run_with_progress(self, "导出数据包", self._call(
            "jiaoyuapp.exchange.packet_export:export_packet", str(folder), passphrase=secret, full=full), done)

    # -- keys, certificates, receipts ----------------------------------------------------
    def _create_key(self) -> None:
        secret = self.passphrase_source(self, "设置密钥")
        school = self.session.school
        if secret and school and guarded(self, identity.create, self.store, kind="school", code=school["code"],
                                         name=school["name"], passphrase=secret):
            self.stale = True
            self.refresh()

    def _center_certificate(self) -> None:
        path = file_dialogs.open_file(self, "选择中心校证书", "证书 (*.pem *.crt *.cer)", "certificate")
        if path and guarded(self, peers.set_township, self.store, path):
            self.stale = True
            self.refresh()

    def _export_certificate(self) -> None:
        export_certificate(self, self.store, "导出本校证书（交中心校登记）")

    def _export_packet_clicked(self) -> None:
        if not self.target.currentData():
            self._choose_folder()
        if self.target.currentData():
            self.export_packet(Path(self.target.currentData()))

    def _choose_folder(self) -> None:
        folder = file_dialogs.choose_folder(self, "选择保存数据包的文件夹", "packet")
        if folder:
            self.target.insertItem(0, folder, folder)
            self.target.setCurrentIndex(0)

    def _choose_receipt(self) -> None:
        path = file_dialogs.open_file(self, "选择中心校回执", "回执 (*.jyr)", "receipt")
        if path:
            self.import_receipt(path)

    def import_receipt(self, path: str) -> dict | None:
        try:
            result = import_receipt(self.store, path)
        except JiaoyuError as exc:
            show_error(self, exc)
            return None
        self._show(f"第{result['packet_no']}号数据包已由中心校确认" + ("（此前已导入过这张回执）。" if result["already"]
                                                                else "，下一个数据包将从其后的变更开始。"), **result)
        return result
