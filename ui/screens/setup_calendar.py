"""学校设置 → 校历: one school year's terms and its special days (holidays, 调休 workdays), to see, add
and remove; the defaults (two terms and the national holidays) one click away. Absences and the
疑似辍学 rule count school days by this calendar."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout

from jiaoyuapp.ledgers import school_calendar as sc
from ui.dialogs import show_error
from ui.record_table import fill_rows, record_table
from ui.screens.base import button, date_edit, left_row
from ui.screens.setup_tab import SetupTab

KINDS = {"holiday": "放假", "workday": "调休上课"}


class CalendarTab(SetupTab):
    def __init__(self, screen):
        super().__init__(screen)
        self.view: dict = {"terms": [], "days": []}
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setObjectName("calendarYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(sc.school_year_of(dt.date.today()))
        self.year.setSuffix("学年")
        self.year.valueChanged.connect(lambda _: self.reload())
        self.defaults_button = button("按默认设置这一学年（秋季、春季学期和法定节假日）", self.fill_defaults, "calendarDefaults")
        bar.addWidget(QLabel("学年："))
        bar.addWidget(self.year)
        bar.addWidget(self.defaults_button)
        bar.addStretch(1)
        outer.addLayout(bar)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        body = QHBoxLayout()
        body.addWidget(self._terms_box(), 1)
        body.addWidget(self._days_box(), 1)
        outer.addLayout(body, 1)

    def _terms_box(self) -> QGroupBox:
        box = QGroupBox("学期")
        layout = QVBoxLayout(box)
        self.terms = record_table("termTable", ["学期", "开始", "结束"])
        layout.addWidget(self.terms, 1)
        add = QHBoxLayout()
        self.term_name = QLineEdit()
        self.term_name.setObjectName("termName")
        self.term_name.setPlaceholderText("如 2026年秋季学期")
        self.term_start, self.term_end = date_edit("termStart"), date_edit("termEnd")
        add.addWidget(self.term_name, 1)
        add.addWidget(self.term_start)
        add.addWidget(QLabel("至"))
        add.addWidget(self.term_end)
        layout.addLayout(add)
        self.add_term_button = button("新增学期", self.add_term, "addTerm")
        self.remove_term_button = button("删除所选学期", self.remove_term)
        layout.addLayout(left_row(self.add_term_button, self.remove_term_button))
        return box

    def _days_box(self) -> QGroupBox:
        box = QGroupBox("节假日与调休上课")
        layout = QVBoxLayout(box)
        self.days = record_table("calendarDays", ["日期", "星期", "安排", "名称"])
        layout.addWidget(self.days, 1)
        add = QHBoxLayout()
        self.day = date_edit("calendarDay")
        self.kind = QComboBox()
        self.kind.setObjectName("calendarDayKind")
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.day_name = QLineEdit()
        self.day_name.setObjectName("calendarDayName")
        self.day_name.setPlaceholderText("如 国庆节、运动会、国庆调休")
        add.addWidget(self.day)
        add.addWidget(self.kind)
        add.addWidget(self.day_name, 1)
        layout.addLayout(add)
        self.add_day_button = button("添加", self.add_day, "addCalendarDay")
        self.remove_day_button = button("删除所选（恢复为普通日）", self.remove_day)
        layout.addLayout(left_row(self.add_day_button, self.remove_day_button))
        note = QLabel("周一至周五在学期内都是教学日，放假的日子除外；周六、周日不上课，登记为调休上课的除外。")
        note.setWordWrap(True)
        layout.addWidget(note)
        return box

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.screen.store
        year = self.year.value()
        self.view = sc.year_view(store, year)
        fill_rows(self.terms, [[t["name"], t["start_date"], t["end_date"]] for t in self.view["terms"]])
        self.terms.resizeColumnsToContents()
        fill_rows(self.days, [[d["day"], d["weekday"], KINDS[d["kind"]], d["name"] or ""] for d in self.view["days"]])
        self.days.resizeColumnsToContents()
        if self.view["terms"]:
            cal = sc.Calendar.load(store)
            counted = sum(len(cal.school_days(dt.date.fromisoformat(t["start_date"]), dt.date.fromisoformat(t["end_date"])))
                          for t in self.view["terms"])
            self.summary.setText(f"{year}学年共{len(self.view['terms'])}个学期、{counted}个教学日；"
                                 f"放假{sum(d['kind'] == 'holiday' for d in self.view['days'])}天，"
                                 f"调休上课{sum(d['kind'] == 'workday' for d in self.view['days'])}天。")
        else:
            self.summary.setText(f"{year}学年还没有设置学期。考勤、家访统计和资助都按学期计算，"
                                 "请点“按默认设置这一学年”，或在下面自己填写学期。")
        if not self.term_name.text():
            self.term_start.setDate(QDate(year, 9, 1))
            self.term_end.setDate(QDate(year + 1, 1, 20))

    def fill_defaults(self) -> bool:
        return self.write(sc.set_up_school_year, self.year.value()) is not None

    def add_term(self) -> bool:
        done = self.write(sc.add_term, self.term_name.text(), self.term_start.date().toPython(),
                          self.term_end.date().toPython()) is not None
        if done:
            self.term_name.clear()
        return done

    def _picked(self, table, ask: str) -> int | None:
        """The row picked in `table`, or None after saying `ask` (which row to pick first)."""
        rows = table.selectionModel().selectedRows()
        if not rows:
            show_error(self, ask)
            return None
        return rows[0].row()

    def remove_term(self) -> bool:
        row = self._picked(self.terms, "请先在学期列表中点选要删除的学期。")
        return row is not None and self.write(sc.remove_term, self.view["terms"][row]["uuid"]) is not None

    def add_day(self) -> bool:
        done = self.write(sc.set_day, self.day.date().toPython(), self.kind.currentData(),
                          self.day_name.text().strip() or None) is not None
        if done:
            self.day_name.clear()
        return done

    def remove_day(self) -> bool:
        row = self._picked(self.days, "请先在列表中点选要删除的日期。")
        return row is not None and self.write(sc.clear_day, self.view["days"][row]["day"]) is not None
