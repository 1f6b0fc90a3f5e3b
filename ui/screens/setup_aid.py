"""学校设置 → 资助项目: the programs aid is recorded under, each with its rule (who qualifies: 寄宿生
and which 走读 groups at what share, means-tested or for every pupil, in kind, 试点 only). The national
ones of the school's 学段 are one click away; amounts and rules are the school's (its province's) to
change (past records keep theirs); a county or charity program can be added, one no longer paid retired."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import aid, aid_rules
from ui.dialogs import show_error
from ui.list_form import ListFormTab
from ui.screens.base import button, left_row, wrapped

COLUMNS = ["项目", "学段", "对象", "每学期（元）", "每在校日（元）", "状态", "已发放"]
# The aid_target codes a non-boarder may qualify by, with the short words of the checkboxes.
DAY_GROUPS = {"脱贫": "脱贫家庭", "低保": "低保", "特困": "特困供养", "残疾": "困难残疾", "监测": "监测户"}
ANY_LEVEL = "不限"


def _money(value) -> str:
    return "" if value is None else f"{value:g}"


class AidProgramsTab(ListFormTab):
    columns = COLUMNS
    table_name = "programTable"
    sizes = (520, 640)   # the form has long tick-box labels (按家庭经济困难认定发放…): give it the room

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
        self.level.addItems([ANY_LEVEL, *aid_rules.PROGRAM_LEVELS])
        self.means_tested = QCheckBox("按家庭经济困难认定发放（计入应助未助）")
        self.means_tested.setObjectName("programMeansTested")
        self.boarding = QCheckBox("寄宿生全额；走读生只限下列类别")
        self.boarding.setObjectName("programBoarding")
        groups = QWidget()
        grid = QGridLayout(groups)
        grid.setContentsMargins(0, 0, 0, 0)
        self.day_groups = {}
        for i, (code, words) in enumerate(DAY_GROUPS.items()):
            check = QCheckBox(words)
            check.setObjectName(f"programGroup_{code}")
            self.day_groups[code] = check
            grid.addWidget(check, i // 3, i % 3)
        self.day_rate = QLineEdit()
        self.day_rate.setObjectName("programDayRate")
        self.day_rate.setPlaceholderText("走读生按寄宿生标准的比例，如 50%")
        self.in_kind = QCheckBox("以实物（膳食）方式提供，不发现金")
        self.in_kind.setObjectName("programInKind")
        self.pilot_only = QCheckBox("只在营养改善计划试点学校实施")
        self.pilot_only.setObjectName("programPilotOnly")
        form.addRow("名称：", self.name)
        form.addRow("学段：", self.level)
        form.addRow("", self.means_tested)
        form.addRow("", self.boarding)
        form.addRow("走读类别：", groups)
        form.addRow("走读比例：", self.day_rate)
        form.addRow("", self.in_kind)
        form.addRow("", self.pilot_only)
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
        pilot = "是营养改善计划试点学校" if aid.is_pilot(store) else "不是营养改善计划试点学校"
        if missing:
            self.offer.setText(f"本校（{levels}，{pilot}）还可添加国家资助项目：{'、'.join(r['name'] for r in missing)}。")
        else:
            self.offer.setText(f"本校（{levels}，{pilot}）的国家资助项目都已添加。金额和对象可按本省标准修改。")
        self.defaults_button.setEnabled(bool(missing))

    def row_texts(self, p: dict) -> list[str]:
        return [p["name"], p["level"] or ANY_LEVEL, aid_rules.rule_text(p),
                _money(p["amount_per_term"]), _money(p["amount_per_day"]), "在用" if p["active"] else "已停用",
                f"{p['records']}条"]

    def fill_form(self, p: dict) -> None:
        self.name.setText(p["name"])
        self.level.setCurrentText(p["level"] or ANY_LEVEL)
        self.boarding.setChecked(bool(p["boarding_only"]))
        self.means_tested.setChecked(bool(p["means_tested"]))
        self.in_kind.setChecked(bool(p["in_kind"]))
        self.pilot_only.setChecked(bool(p["pilot_only"]))
        chosen = aid_rules.split_groups(p["day_groups"])
        for code, box in self.day_groups.items():
            box.setChecked(code in chosen)
        self.day_rate.setText(f"{p['day_rate'] * 100:g}%" if p["day_rate"] else "")
        self.per_term.setText(_money(p["amount_per_term"]))
        self.per_day.setText(_money(p["amount_per_day"]))
        self.note.setText(p["note"] or "")

    def clear_form(self) -> None:
        for edit in (self.name, self.per_term, self.per_day, self.note, self.day_rate):
            edit.clear()
        self.level.setCurrentText(ANY_LEVEL)
        for box in (self.boarding, self.means_tested, self.in_kind, self.pilot_only, *self.day_groups.values()):
            box.setChecked(False)

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
                "boarding_only": self.boarding.isChecked(), "means_tested": self.means_tested.isChecked(),
                "in_kind": self.in_kind.isChecked(), "pilot_only": self.pilot_only.isChecked(),
                "day_groups": "|".join(c for c, box in self.day_groups.items() if box.isChecked()) or None,
                "day_rate": aid.parse_rate(self.day_rate.text()),
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
        for key in ("boarding_only", "means_tested", "in_kind", "pilot_only"):
            values[key] = int(values[key])
        return self.write(aid.update_program, self.chosen["uuid"], **values) is not None

    def toggle_active(self) -> bool:
        if not self.chosen:
            return False
        return self.write(aid.update_program, self.chosen["uuid"], active=0 if self.chosen["active"] else 1) is not None
