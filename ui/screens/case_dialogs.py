"""The small forms of a case's placement panel: a student's disability record, one 送教上门 session
(several teachers, hours, content, photos), and the county's quarterly 复核. Each returns plain
values; the rules (what is required, what is refused) are the core's."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget)
from PySide6.QtCore import Qt

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import case_review
from jiaoyuapp.ledgers.attachments import read_file
from ui import file_dialogs
from ui.dialogs import answer_buttons, show_error
from ui.optional_date import OptionalDate
from ui.screens.base import date_edit

PHOTO_FILTER = "图片 (*.jpg *.jpeg *.png *.bmp)"


def _buttons(dialog: QDialog, form: QFormLayout) -> None:
    form.addRow(answer_buttons(dialog.accept, dialog.reject))
    dialog.setMinimumWidth(520)


class DisabilityDialog(QDialog):
    """残疾类型 and the 残疾证号 or assessment behind 随班就读 / 送教上门."""

    def __init__(self, parent: QWidget, current: dict):
        super().__init__(parent)
        self.setWindowTitle("登记残疾情况")
        form = QFormLayout(self)
        t = table("disability_type")
        self.kind = QComboBox()
        self.kind.addItems([label for code, label in zip(t.codes(), t.labels()) if code != "0"])
        if current.get("type_label"):
            self.kind.setCurrentText(current["type_label"])
        self.cert_no = QLineEdit(current.get("cert_no") or "")
        self.cert_no.setPlaceholderText("残联核发的残疾证上的号码；没有残疾证就填下面的评估")
        self.assessed_on = OptionalDate("经过评估", "assessedOn")
        if current.get("assessed_on"):
            self.assessed_on.setText(current["assessed_on"])
        self.assessed_by = QLineEdit(current.get("assessed_by") or "")
        self.assessed_by.setPlaceholderText("如：县残疾儿童少年入学评估专家委员会")
        self.assessment = QLineEdit(current.get("assessment") or "")
        self.assessment.setPlaceholderText("如：重度肢体残疾，不能到校，建议送教上门")
        for label, w in (("残疾类型", self.kind), ("残疾证号", self.cert_no), ("评估日期", self.assessed_on),
                         ("评估机构", self.assessed_by), ("评估结论", self.assessment)):
            form.addRow(label + "：", w)
        _buttons(self, form)

    def values(self) -> dict:
        return {"disability_type": self.kind.currentText(), "cert_no": self.cert_no.text().strip() or None,
                "assessed_on": self.assessed_on.text().strip() or None,
                "assessed_by": self.assessed_by.text().strip() or None,
                "assessment": self.assessment.text().strip() or None}


class HomeTeachingDialog(QDialog):
    """One session: the teachers who went (tick the school's, or type other names), hours, content, photos."""

    def __init__(self, parent: QWidget, teachers: list[dict]):
        super().__init__(parent)
        self.setWindowTitle("登记一次送教上门")
        form = QFormLayout(self)
        self.on = date_edit("teachOn")
        self.teachers = QListWidget()
        self.teachers.setObjectName("teachTeachers")
        self.teachers.setMaximumHeight(110)
        for t in teachers:
            item = QListWidgetItem(f"{t['name']}（{t['role'] or '教师'}）")
            item.setData(Qt.ItemDataRole.UserRole, (t["uuid"], t["name"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.teachers.addItem(item)
        self.others = QLineEdit()
        self.others.setPlaceholderText("不在教师名单里的人员，几位用“、”分开，如：特教学校刘老师、康复师张医生")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0.5, 12)
        self.hours.setSingleStep(0.5)
        self.hours.setValue(2)
        self.hours.setSuffix(" 课时")
        self.content = QLineEdit()
        self.content.setObjectName("teachContent")
        self.content.setPlaceholderText("如：生活自理训练、认识数字、康复训练")
        self.photos: list[bytes] = []
        self.photo_label = QLabel("还没有照片")
        choose = QPushButton("选择照片…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addWidget(self.photo_label, 1)
        for label, w in (("送教日期", self.on), ("送教教师", self.teachers), ("其他人员", self.others),
                         ("课时", self.hours), ("送教内容", self.content)):
            form.addRow(label + "：", w)
        form.addRow("照片：", row)
        _buttons(self, form)

    def _choose(self) -> None:
        for path in file_dialogs.open_files(self, "选择送教照片", PHOTO_FILTER, "photo"):
            self.add_photo(path)

    def add_photo(self, path: str) -> bool:
        try:
            self.photos.append(read_file(path))
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.photo_label.setText(f"已选{len(self.photos)}张照片")
        return True

    def check(self, name: str) -> None:
        for i in range(self.teachers.count()):
            item = self.teachers.item(i)
            if item.data(Qt.ItemDataRole.UserRole)[1] == name:
                item.setCheckState(Qt.CheckState.Checked)

    def values(self) -> dict:
        people = []
        for i in range(self.teachers.count()):
            item = self.teachers.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                uuid, name = item.data(Qt.ItemDataRole.UserRole)
                people.append({"name": name, "teacher_uuid": uuid})
        people += [{"name": n.strip()} for n in self.others.text().replace("，", "、").replace(",", "、").split("、")
                   if n.strip()]
        return {"on": self.on.date().toString("yyyy-MM-dd"), "teachers": people, "hours": self.hours.value(),
                "content": self.content.text().strip(), "photos": list(self.photos)}


class ReviewDialog(QDialog):
    """The county's quarterly 复核: when, by whom, what they found."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("登记季度复核")
        form = QFormLayout(self)
        self.on = date_edit("reviewOn")
        self.reviewer = QLineEdit()
        self.reviewer.setObjectName("reviewer")
        self.reviewer.setPlaceholderText("复核人姓名和单位，如：县教体局基教股 张股长")
        self.result = QComboBox()
        self.result.setEditable(True)
        self.result.addItems(case_review.RESULTS)
        self.note = QLineEdit()
        self.note.setPlaceholderText("复核意见，如：送教记录齐全；下季度继续跟踪")
        for label, w in (("复核日期", self.on), ("复核人", self.reviewer), ("复核结果", self.result),
                         ("复核意见", self.note)):
            form.addRow(label + "：", w)
        _buttons(self, form)

    def values(self) -> dict:
        return {"on": self.on.date().toString("yyyy-MM-dd"), "reviewer": self.reviewer.text().strip(),
                "result": self.result.currentText().strip(), "note": self.note.text().strip() or None}
