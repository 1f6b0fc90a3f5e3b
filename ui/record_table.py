"""The read-only lists of records the screens show (backups, terms, holidays, teachers, aid
programs): one row a record, picked whole, never edited in place — a change goes through a form
and the core, so every list looks and behaves alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem


def record_table(name: str, headers: list[str], *, row_numbers: bool = True) -> QTableWidget:
    """An empty list with these column headers; one row is picked at a time, the last column
    takes the spare width. `row_numbers=False` hides Qt's 1, 2, 3 … on the left."""
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    if not row_numbers:
        t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill_rows(table: QTableWidget, rows: Sequence[Sequence[str]], greyed: Callable[[int], bool] | None = None) -> None:
    """Show these texts, a row each; a row `greyed(i)` says is one kept only for the records (a
    teacher who left, a program no longer paid) and is shown grey."""
    table.setRowCount(len(rows))
    for i, values in enumerate(rows):
        grey = greyed is not None and greyed(i)
        for j, text in enumerate(values):
            item = QTableWidgetItem(text)
            if grey:
                item.setForeground(Qt.GlobalColor.gray)
            table.setItem(i, j, item)
