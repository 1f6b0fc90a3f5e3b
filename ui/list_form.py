"""A tab that keeps a list of records with a form beside it (学校设置 → 教师, → 资助项目): pick a
row to change it in the form, or clear the form to add a new one. The list survives a reload with
the same record still picked, and records kept only for history are shown grey."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QVBoxLayout

from ui.record_table import fill_rows, record_table
from ui.screens.setup_tab import SetupTab


class ListFormTab(SetupTab):
    """Subclasses give `columns` and `table_name`, and fill in `_top` (what stands above the
    list), `_form` (the form's fields and buttons), `row_texts` (a record as the list shows it),
    `fill_form`, `clear_form` and `_show_buttons`. Records are dicts with `uuid` and `active`."""

    columns: list[str] = []
    table_name = ""
    sizes = (640, 420)  # list and form, in pixels, before the user drags the divider

    def __init__(self, screen):
        super().__init__(screen)
        self.rows: list[dict] = []
        self.chosen: dict | None = None
        outer = QVBoxLayout(self)
        self._top(outer)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = record_table(self.table_name, self.columns)
        self.table.itemSelectionChanged.connect(self._selected)
        split.addWidget(self.table)
        scroll = QScrollArea()  # a long form scrolls rather than growing the window past the screen
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._form())
        split.addWidget(scroll)
        split.setSizes(list(self.sizes))
        outer.addWidget(split, 1)
        self._show_buttons()

    # -- for subclasses (they also give _form, row_texts, fill_form and clear_form) -----------
    def _top(self, outer: QVBoxLayout) -> None:
        pass

    def _show_buttons(self) -> None:
        pass

    # -- the list ---------------------------------------------------------------------------
    def show_records(self, rows: list[dict]) -> None:
        """List these records; the one picked before stays picked (its form refilled)."""
        chosen = self.chosen["uuid"] if self.chosen else None
        self.rows = rows
        self.table.blockSignals(True)
        fill_rows(self.table, [self.row_texts(r) for r in rows], lambda i: not rows[i]["active"])
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)
        self.chosen = next((r for r in rows if r["uuid"] == chosen), None)
        if self.chosen:
            self.table.selectRow(self.rows.index(self.chosen))
        self._show_buttons()

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.choose(self.rows[rows[0].row()]["uuid"])

    def choose(self, uuid: str) -> None:
        """Fill the form with one record, to change it (as a click on the list does)."""
        self.chosen = next(r for r in self.rows if r["uuid"] == uuid)
        self.fill_form(self.chosen)
        self._show_buttons()

    def clear(self) -> None:
        """An empty form, to add a new record."""
        self.chosen = None
        self.table.clearSelection()
        self.clear_form()
        self._show_buttons()
