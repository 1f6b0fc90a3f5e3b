"""`make bench`: roster import against its raw floor, and search latency on 100,000 students.

Prints ratios, not verdicts: the floor is measured on the same machine in the
same run. Targets (issue 2): import ≤ 2× the floor; search p95 ≤ 30 ms.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from jiaoyuapp.roster.demo import generate, load_demo
from jiaoyuapp.roster.pinyin_names import name_keys
from jiaoyuapp.roster.roster_export import write_roster
from jiaoyuapp.roster.roster_import import import_roster
from jiaoyuapp.roster.search import find_uuids
from jiaoyuapp.school import init_school, open_school

IMPORT_ROWS = 20_000
SEARCH_STUDENTS = 100_000
QUERIES = 200


def _school(path: Path):
    store = open_school(path)
    init_school(store, code="5101230001", name="基准测试小学", township="青石镇", county="示范县")
    return store


def floor(workbook: Path, db: Path) -> float:
    """openpyxl read-only load of the file + one executemany of the same rows into SQLite."""
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    rows = [r for r in wb.active.iter_rows(values_only=True)]
    wb.close()
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
    return time.perf_counter() - t0


def bench_import(folder: Path) -> None:
    workbook = folder / "学籍导出_20000.xlsx"
    write_roster(workbook, generate(IMPORT_ROWS, seed=20), "学生基础信息")
    floors, ours = [], []
    for i in range(3):
        floors.append(floor(workbook, folder / f"floor_{i}.db"))
        store = _school(folder / f"import_{i}.db")
        t0 = time.perf_counter()
        report = import_roster(store, workbook)
        ours.append(time.perf_counter() - t0)
        assert report.created == IMPORT_ROWS and not report.problems, report.problems[:3]
        store.close()
    f, o = min(floors), min(ours)
    print(f"导入 {IMPORT_ROWS} 行学籍表：本软件 {o:.2f} s，下限 {f:.2f} s（openpyxl只读加载 + 一次executemany），"
          f"比值 {o / f:.2f}×（目标 ≤ 2×）")


def bench_search(folder: Path) -> None:
    store = _school(folder / "search.db")
    t0 = time.perf_counter()
    load_demo(store, SEARCH_STUDENTS, seed=21)
    print(f"（生成 {SEARCH_STUDENTS} 名演示学生用时 {time.perf_counter() - t0:.1f} s）")
    store.conn.execute("ANALYZE")
    rng = random.Random(5)
    sample = store.query("SELECT name, id_number FROM students ORDER BY random() LIMIT ?", (QUERIES,))
    kinds = {
        "姓名": [s["name"] for s in sample],
        "两字名": [s["name"][-2:] if len(s["name"]) == 3 else s["name"] for s in sample],
        "拼音首字母": [name_keys(s["name"])[1] for s in sample],
        "身份证片段": [s["id_number"][(k := rng.randint(4, 10)):k + 8] for s in sample],
    }
    worst = 0.0
    for kind, queries in kinds.items():
        times = []
        for q in queries:
            t0 = time.perf_counter()
            find_uuids(store, q)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"搜索（{kind}）：中位数 {statistics.median(times):.1f} ms，95分位 {p95:.1f} ms")
    print(f"搜索最差95分位 {worst:.1f} ms（目标 ≤ 30 ms），比值 {worst / 30:.2f}× 目标")
    store.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jiaoyu-bench-") as tmp:
        folder = Path(tmp)
        bench_import(folder)
        bench_search(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
