"""The floors of the roster import, each run as its own process: read every row of the workbook's
first sheet with one library and insert them all with one executemany in one transaction.

    python -m bench.read_floor calamine|openpyxl WORKBOOK DATABASE
"""

from __future__ import annotations

import sqlite3
import sys


def read_calamine(path: str) -> list[list]:
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(path)
    rows = list(book.get_sheet_by_index(0).iter_rows())
    book.close()
    return rows


def read_openpyxl(path: str) -> list:
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def main(kind: str, workbook: str, db: str) -> int:
    rows = (read_calamine if kind == "calamine" else read_openpyxl)(workbook)
    width = max(len(r) for r in rows)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(width))})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})",
                     [tuple(r) + (None,) * (width - len(r)) for r in rows[2:]])
    conn.execute("COMMIT")
    conn.close()
    print(len(rows) - 2)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
