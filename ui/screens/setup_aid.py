"""学校设置 → 资助项目: the programs aid is recorded under. The national ones of the school's 学段 are
one click away; amounts are the school's to change (past records keep theirs); a county or charity
program can be added, and one no longer paid retired (its records stay)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import aid
from ui.dialogs import show_error
from ui.list_form import ListFormTab
from ui.screens.base import button, left_row, wrapped

COLUMNS = ["项目", "学段", "对象", "每学期（元）", "每在校日（元）", "状态", "已发放"]
ANY_LEVEL = "不限"


def _money(value) -> str:
    return "" if value is None else f"{value:g}"


class AidProgramsTab(ListFormTab):
    columns = COLUMNS
    table_name = "programTable"
    sizes = (660, 400)

    def _top(self, outer) -> None:
        bar = QHBoxLayout()
        self.offer = QLabel()
        self.offer.setWordWrap(True)
        self.defaults_button = button("添加国家默认资助项目", self.add_defaults, "aidDefaults")
        bar.addWidget(self.offer, 1)
        bar.addWidget(self.defaults_button)
        outer.addLayout(bar)

    def _form(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.title = QLabel("新增资助项目")
        form.addRow(self.title)
        self.name, self.per_term, self.per_day, self.note = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.name.setObjectName("programName")
        self.per_term.setObjectName("programPerTerm")
        self.per_day.setObjectName("programPerDay")
        self.per_term.setPlaceholderText("按学期发放的金额，如 500")
        self.per_day.setPlaceholderText("按在校日计的金额，如营养餐 5")
        self.level = QComboBox()
        self.level.setObjectName("programLevel")
        self.level.addItems([ANY_LEVEL, *aid.LEVELS])
        self.boarding = QCheckBox("只面向寄宿生")
        form.addRow("名称：", self.name)
        form.addRow("学段：", self.level)
        form.addRow("", self.boarding)
        form.addRow("每学期（元）：", self.per_term)
        form.addRow("每在校日（元）：", self.per_day)
        form.addRow("说明：", self.note)
        self.add_button = button("新增项目", self.add, "addProgram")
        self.save_button = button("保存修改", self.save, "saveProgram")
        self.retire_button = button("停用", self.toggle_active, "retireProgram")
        self.new_button = button("清空", self.clear)
        form.addRow(left_row(self.add_button, self.save_button, self.retire_button, self.new_button))
        form.addRow(wrapped("改金额只影响以后的登记，已登记的资助记录保留原金额。停用的项目不再出现在“资助”中，"
                      "已有记录仍保留。"))
        return box

    # -- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.screen.store
        self.show_records(aid.list_programs(store))
        missing = aid.default_programs(store)
        levels = "、".join(aid.school_levels(store))
        if missing:
            self.offer.setText(f"本校（{levels}）还可添加国家资助项目：{'、'.join(r['name'] for r in missing)}。")
        else:
            self.offer.setText(f"本校（{levels}）的国家资助项目都已添加。金额可按本省标准修改。")
        self.defaults_button.setEnabled(bool(missing))

    def row_texts(self, p: dict) -> list[str]:
        return [p["name"], p["level"] or ANY_LEVEL, "寄宿生" if p["boarding_only"] else "全体",
                _money(p["amount_per_term"]), _money(p["amount_per_day"]), "在用" if p["active"] else "已停用",
                f"{p['records']}条"]

    def fill_form(self, p: dict) -> None:
        self.name.setText(p["name"])
        self.level.setCurrentText(p["level"] or ANY_LEVEL)
        self.boarding.setChecked(bool(p["boarding_only"]))
        self.per_term.setText(_money(p["amount_per_term"]))
        self.per_day.setText(_money(p["amount_per_day"]))
        self.note.setText(p["note"] or "")

    def clear_form(self) -> None:
        for edit in (self.name, self.per_term, self.per_day, self.note):
            edit.clear()
        self.level.setCurrentText(ANY_LEVEL)
        self.boarding.setChecked(False)

    def _show_buttons(self) -> None:
        p = self.chosen
        self.title.setText(f"修改：{p['name']}" if p else "新增资助项目")
        self.save_button.setEnabled(p is not None)
        self.retire_button.setEnabled(p is not None)
        self.retire_button.setText("重新启用" if p and not p["active"] else "停用")

    # -- writes ----------------------------------------------------------------------------
    def _values(self) -> dict:
        """The form as the core takes it; amounts are read (and refused) by the core."""
        return {"name": self.name.text(), "level": None if self.level.currentText() == ANY_LEVEL else self.level.currentText(),
                "boarding_only": self.boarding.isChecked(),
                "amount_per_term": aid.parse_amount(self.per_term.text(), "每学期金额"),
                "amount_per_day": aid.parse_amount(self.per_day.text(), "每在校日金额"),
                "note": self.note.text().strip() or None}

    def add_defaults(self) -> bool:
        return self.write(aid.ensure_default_programs, levels=None) is not None

    def add(self) -> bool:
        try:
            values = self._values()
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        if self.write(aid.add_program, **values) is not None:
            self.clear()
            return True
        return False

    def save(self) -> bool:
        if not self.chosen:
            show_error(self, "请先在左侧列表中点选要修改的项目。")
            return False
        try:
            values = self._values()
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        values["boarding_only"] = int(values["boarding_only"])
        return self.write(aid.update_program, self.chosen["uuid"], **values) is not None

    def toggle_active(self) -> bool:
        if not self.chosen:
            return False
        return self.write(aid.update_program, self.chosen["uuid"], active=0 if self.chosen["active"] else 1) is not None
