"""The floors of the roster import, each run as its own process: read every row of the workbook's
first sheet with one library and insert them all with one executemany in one transaction.

    python -m bench.read_floor calamine|openpyxl|logged WORKBOOK DATABASE

`logged` is the calamine floor plus what the one write path adds to every row by design (principle
2): a change-log entry per row, its fields as `{column: [null, value]}` JSON (orjson), inserted by a
second executemany in the same transaction. It is not the issue's floor; it shows how much of the
import's time is the log itself.
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
    rows = (read_openpyxl if kind == "openpyxl" else read_calamine)(workbook)
    logged = kind == "logged"
    width = max(len(r) for r in rows)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(width))})")
    conn.execute("BEGIN")
    data = [tuple(r) + (None,) * (width - len(r)) for r in rows[2:]]
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", data)
    if logged:
        import orjson
        names = [f"c{i}" for i in range(width)]
        conn.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, tbl TEXT, record TEXT, op TEXT, changes TEXT)")
        conn.executemany("INSERT INTO log (tbl, record, op, changes) VALUES ('t', ?, 'insert', CAST(? AS TEXT))",
                         [(str(i), orjson.dumps({n: (None, v) for n, v in zip(names, row) if v not in (None, "")}))
                          for i, row in enumerate(data)])
    conn.execute("COMMIT")
    conn.close()
    print(len(rows) - 2)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
