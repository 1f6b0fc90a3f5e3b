"""The first-run wizard: the school, whether this PC is a school or the township center, the
principal's passphrase for the signing key, the roster from Excel, then the teachers — or a demo
school to try. A school it makes has this school year's calendar and the aid programs of its 学段
already, so visits, absences and aid can be recorded the same day."""

from __future__ import annotations

from pathlib import Path

import datetime as dt

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QTableWidget, QVBoxLayout, QWizard, QWizardPage)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.exchange import identity, township
from jiaoyuapp.ledgers import aid, school_calendar, teachers
from jiaoyuapp.paths import data_dir
from jiaoyuapp.school import SCHOOL_TYPES, init_school
from ui import file_dialogs
from ui.dialogs import show_error
from ui.session import Session
from ui.todo_hints import window_text

class SchoolPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第一步：学校信息")
        self.setSubTitle("按学籍系统“学校信息”填写。只想先看看软件，可以直接打开演示学校。")
        form = QFormLayout(self)
        self.name, self.code, self.township, self.county = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.name.setObjectName("schoolName")
        self.code.setObjectName("schoolCode")
        self.code.setPlaceholderText("10位数字")
        self.code.setMaxLength(10)
        form.addRow("学校名称：", self.name)
        form.addRow("学校标识码：", self.code)
        self.kind = QComboBox()
        self.kind.setObjectName("schoolType")
        self.kind.addItems(list(SCHOOL_TYPES))
        self.kind_chosen = False  # guessed from the name until the principal picks one
        self.kind.activated.connect(lambda _: setattr(self, "kind_chosen", True))
        self.name.textChanged.connect(self._guess_kind)
        form.addRow("学校类型：", self.kind)
        form.addRow("所属乡镇：", self.township)
        form.addRow("所属县（区）：", self.county)
        row = QHBoxLayout()
        self.school_mode, self.center_mode = QRadioButton("本校使用（学校、教学点）"), QRadioButton("乡镇中心校汇总（接收各校数据包）")
        self.school_mode.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.school_mode)
        group.addButton(self.center_mode)
        row.addWidget(self.school_mode)
        row.addWidget(self.center_mode)
        form.addRow("这台电脑用于：", row)
        self.demo = QPushButton("先打开演示学校看看（虚构数据）")
        self.demo.setObjectName("openDemo")
        form.addRow("", self.demo)
        self.registerField("name*", self.name)

    def _guess_kind(self, name: str) -> None:
        if not self.kind_chosen:
            self.kind.setCurrentText("初中" if ("中学" in name or "初中" in name) else "小学")

    def validatePage(self) -> bool:
        code = "".join(self.code.text().split())
        if not (len(code) == 10 and code.isdigit()):
            show_error(self, "学校标识码应为10位数字（见学籍系统“学校信息”），请核对后重新输入。")
            return False
        return True


class KeyPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第二步：校长设置密钥口令")
        self.setSubTitle("导出给中心校的数据包和迎检档案要用学校的密钥签名，口令只有校长知道。"
                         "也可以以后在“导出与回执”里再设置。")
        form = QFormLayout(self)
        self.secret, self.again = QLineEdit(), QLineEdit()
        for box in (self.secret, self.again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setObjectName("passphrase")
        self.again.setObjectName("passphraseAgain")
        form.addRow("口令：", self.secret)
        form.addRow("再输一遍：", self.again)
        form.addRow(QLabel("忘记口令只能重新生成密钥并到中心校重新登记，请记在安全的地方。"))

    def validatePage(self) -> bool:
        if not self.secret.text() and not self.again.text():
            return not self.wizard().page(0).center_mode.isChecked() or self._refuse("中心校必须设置口令：接收数据包要用它解密。")
        if self.secret.text() != self.again.text():
            return self._refuse("两次输入的口令不一样，请重新输入。")
        try:
            identity.check_passphrase(self.secret.text())
        except JiaoyuError as exc:
            return self._refuse(window_text(exc))
        return True

    def _refuse(self, message: str) -> bool:
        show_error(self, message)
        return False


class StartPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第三步：数据从哪里来")
        layout = QVBoxLayout(self)
        self.import_roster = QRadioButton("从Excel导入学生花名册（学籍系统导出的表，或各班自己的表）")
        self.empty = QRadioButton("先不导入，以后再说")
        self.import_roster.setChecked(True)
        layout.addWidget(self.import_roster)
        row = QHBoxLayout()
        self.file = QLineEdit()
        self.file.setObjectName("rosterFile")
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        self.where = QLabel()
        self.where.setWordWrap(True)
        layout.addWidget(self.where)

    def initializePage(self) -> None:
        wizard = self.wizard()
        self.where.setText(f"数据库文件将保存在：{wizard.database_path()}")
        center = wizard.page(0).center_mode.isChecked()
        for w in (self.import_roster, self.file, self.empty):
            w.setEnabled(not center)

    def _browse(self) -> None:
        path = file_dialogs.open_file(self, "选择学生花名册", file_dialogs.ROSTER_FILTER, "roster")
        if path:
            self.file.setText(path)

    def nextId(self) -> int:
        """A township center has no teachers of its own to register: it finishes here."""
        return -1 if self.wizard().page(0).center_mode.isChecked() else super().nextId()


TEACHER_COLUMNS = ("姓名", "职务", "所带班级", "电话")
TEACHER_ROWS = 6


class TeachersPage(QWizardPage):
    """Several teachers at once, each row checked by the core before anything is made; rows left
    empty are skipped, and more can be added later in 学校设置 → 教师."""

    def __init__(self):
        super().__init__()
        self.setTitle("第四步：登记教师（可以以后再加）")
        self.setSubTitle("家访记录要写明家访教师。先登记校长和各班班主任，其他教师以后可在“学校设置 → 教师”中添加。")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(TEACHER_COLUMNS))
        self.table.setObjectName("wizardTeachers")
        self.table.setHorizontalHeaderLabels(list(TEACHER_COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 110)
        self.table.setColumnWidth(2, 170)
        layout.addWidget(self.table, 1)
        more = QPushButton("再加一行")
        more.clicked.connect(self.add_row)
        row = QHBoxLayout()
        row.addWidget(more)
        row.addWidget(QLabel("所带班级写成“三年级1班”，带几个班用顿号隔开。"), 1)
        layout.addLayout(row)
        made = QLabel("点“完成”后，还会按通常安排建好本学年的校历（秋季、春季两个学期和法定节假日）和本学段的"
                      "资助项目。开学、放假日期和补助标准各地不同，请到“学校设置 → 校历 / 资助项目”核对修改。")
        made.setObjectName("wizardAlsoMade")
        made.setWordWrap(True)
        layout.addWidget(made)
        for _ in range(TEACHER_ROWS):
            self.add_row()

    def add_row(self) -> int:
        r = self.table.rowCount()
        self.table.insertRow(r)
        role = QComboBox()
        role.addItems(table("teacher_role").labels())
        role.setCurrentText("班主任" if r else "校长")
        self.table.setCellWidget(r, 1, role)
        for c in (0, 2, 3):
            self.table.setCellWidget(r, c, QLineEdit())
        return r

    def fill(self, r: int, name: str, role: str, classes: str = "", phone: str = "") -> None:
        """Type one row (as the principal would)."""
        while r >= self.table.rowCount():
            self.add_row()
        self.table.cellWidget(r, 0).setText(name)
        self.table.cellWidget(r, 1).setCurrentText(role)
        self.table.cellWidget(r, 2).setText(classes)
        self.table.cellWidget(r, 3).setText(phone)

    def rows(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            name, classes, phone = (self.table.cellWidget(r, c).text().strip() for c in (0, 2, 3))
            if name or classes or phone:
                out.append({"row": r + 1, "name": name, "role": self.table.cellWidget(r, 1).currentText(),
                            "classes": classes, "phone": phone})
        return out

    def validatePage(self) -> bool:
        for row in self.rows():
            try:
                teachers.check_teacher(row["name"], row["role"], row["phone"], row["classes"])
            except JiaoyuError as exc:
                show_error(self, f"第{row['row']}行：{window_text(exc)}")
                return False
        return True


class FirstRunWizard(QWizard):
    """On finish, `session` is the new database and `roster_file` the workbook to import (or None)."""

    def __init__(self, parent=None, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("建立学校数据库")
        self.folder = folder or data_dir()
        self.session: Session | None = None
        self.roster_file: str | None = None
        self.school_page, self.key_page, self.start_page = SchoolPage(), KeyPage(), StartPage()
        self.teachers_page = TeachersPage()
        for page in (self.school_page, self.key_page, self.start_page, self.teachers_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.school_page.demo.clicked.connect(self.open_demo)
        self.resize(640, 460)

    def database_path(self) -> Path:
        name = "".join(c for c in self.school_page.name.text().strip() if c not in '\\/:*?"<>|') or "学校"
        return self.folder / f"{name}.db"

    def open_demo(self) -> None:
        from ui.tasks import CoreCall, run_with_progress

        def opened(path) -> None:
            self.session = Session(path)
            super(FirstRunWizard, self).accept()

        run_with_progress(self, "生成演示学校", CoreCall("jiaoyuapp.demo_school:make_demo_school",
                                                      args=(str(self.folder),)), opened)

    def _set_up_school(self, store) -> None:
        """This school year's terms and holidays, the aid programs of the school's 学段 and the
        teachers typed on the last page: what the first visit, absence and aid need."""
        school_calendar.set_up_school_year(store, school_calendar.school_year_of(dt.date.today()), actor="建库向导")
        aid.ensure_default_programs(store, actor="建库向导", levels=None)
        for row in self.teachers_page.rows():
            teachers.add_teacher(store, row["name"], row["role"], row["phone"], row["classes"], actor="建库向导")

    def accept(self) -> None:
        if not self.validateCurrentPage():  # this override stands in for QWizard's, which checks the page
            return
        path = self.database_path()
        if path.exists():
            show_error(self, f"“{path.name}”已经存在。请用“文件 → 打开学校数据库”打开它，或换一个学校名称。")
            return
        page = self.school_page
        secret = self.key_page.secret.text() or None
        session = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            session = Session(path, create=True)
            code = "".join(page.code.text().split())
            if page.center_mode.isChecked():
                township.init(session.store, name=page.name.text().strip(), code=code, passphrase=secret)
            else:
                init_school(session.store, code=code, name=page.name.text(), township=page.township.text(),
                            county=page.county.text(), school_type=page.kind.currentText())
                self._set_up_school(session.store)
                if secret:
                    identity.create(session.store, kind="school", code=code, name=page.name.text().strip(),
                                    passphrase=secret)
        except JiaoyuError as exc:
            if session:  # nothing half-made is left behind
                session.close()
                for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    leftover.unlink(missing_ok=True)
            show_error(self, exc)
            return
        self.session = session
        if self.start_page.import_roster.isChecked() and self.start_page.file.text().strip():
            self.roster_file = self.start_page.file.text().strip()
        super().accept()
