"""The roster as a lazy table model over SQL: smooth at 100,000 students.

A search or filter writes the matching students' row ids, in display order, into a temporary
table of the window's own connection (SQLite does the sorting); the view then asks only for the
rows on screen, fetched a page at a time by position. Nothing holds all students in Python.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.roster_rows import FIELDS_BY_KEY
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.roster.roster_export import cell_text
from jiaoyuapp.roster.search import ORDER, where_clause
from jiaoyuapp.store import Store

COLUMNS = [("name", "姓名"), ("sex", "性别"), ("class", "班级"), ("birth_date", "出生日期"),
           ("id_number", "身份证件号"), ("student_no", "全国学籍号"), ("status", "在校状态"), ("flags", "关注标记")]
PAGE = 200
PAGES_KEPT = 20


class RosterModel(QAbstractTableModel):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.count = 0
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS roster_view (pos INTEGER PRIMARY KEY, sid INTEGER)")

    def set_filter(self, query: str = "", class_name: str | None = None, flags: list[str] | None = None,
                   status: str | None = None) -> int:
        """Show the students matching; returns how many. Raises UsageError for an unknown class or flag."""
        where, params = where_clause(query, class_name, flags, status)
        self.beginResetModel()
        try:
            conn = self.store.conn
            conn.execute("DELETE FROM temp.roster_view")
            self.count = conn.execute(
                f"INSERT INTO temp.roster_view (sid) SELECT s.rowid FROM student_search x CROSS JOIN students s "
                f"ON s.uuid = x.uuid WHERE {where} {ORDER}", params).rowcount
            self._pages.clear()
        finally:
            self.endResetModel()
        return self.count

    def refresh_rows(self) -> None:
        """The same rows, re-read (after an edit)."""
        self._pages.clear()
        if self.count:
            self.dataChanged.emit(self.index(0, 0), self.index(self.count - 1, len(COLUMNS) - 1))

    # -- the model -----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return str(section + 1)

    def row(self, position: int) -> dict | None:
        if not 0 <= position < self.count:
            return None
        page = position // PAGE
        rows = self._pages.get(page)
        if rows is None:
            rows = self.store.query(
                "SELECT s.* FROM temp.roster_view v CROSS JOIN students s ON s.rowid = v.sid "
                "WHERE v.pos BETWEEN ? AND ? ORDER BY v.pos", (page * PAGE + 1, page * PAGE + PAGE))
            self._pages[page] = rows
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        offset = position - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def uuid_at(self, position: int) -> str | None:
        student = self.row(position)
        return student["uuid"] if student else None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or not index.isValid():
            return None
        s = self.row(index.row())
        if s is None:
            return None
        key = COLUMNS[index.column()][0]
        if key == "class":
            return class_label(s["grade"], s["class_no"])
        if key == "flags":
            return "、".join(flags_of(s))
        return shown_text(FIELDS_BY_KEY[key], s.get(key)) if key in FIELDS_BY_KEY else s.get(key)


def shown_text(field, value) -> str | None:
    """A value as the window shows it: codes as their labels (as in the exported roster), but dates
    as people read them, 2019-04-03 (the roster file writes 20190403, the 学籍 system's form)."""
    if field.kind in ("date", "ym") and value not in (None, ""):
        return str(value)  # stored as 2019-04-03 (a month as 2019-09)
    return cell_text(field, value)
