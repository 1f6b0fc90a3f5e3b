"""The roster import as a user waits for it: `jiaoyu import-roster FILE` on a fresh school database,
a whole process, against two floors that are whole processes on the same file (bench/read_floor.py):
python-calamine read + one executemany (the real floor, issue 11), and openpyxl's read-only load +
one executemany (the floor of issue 2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

IMPORT_ROWS = 20_000
RUNS = 3


def xueji_workbook(folder: Path) -> tuple[Path, str]:
    """The 学籍 system's layout (★ headers, five date styles, full-width digits), else our export's."""
    try:
        from tests.xueji_workbook import write_xueji_workbook
    except ImportError:
        from jiaoyuapp.roster.demo import generate
        from jiaoyuapp.roster.roster_export import write_roster
        path = folder / "花名册导出_20000.xlsx"
        write_roster(path, generate(IMPORT_ROWS, seed=20), "学生基础信息")
        return path, "本软件导出格式（tests/xueji_workbook.py 不在）"
    path = folder / "学籍导出_20000.xlsx"
    write_xueji_workbook(path, rows=IMPORT_ROWS, seed=20, messy=True, title="学生基础信息")
    return path, "学籍系统格式（★表头、五种日期写法、全角数字）"


def _timed(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, done


def compiled() -> None:
    """The program as a school has it installed: its modules already compiled (pip and the
    installers write the .pyc files), not compiled again by every process, as they are here when
    PYTHONDONTWRITEBYTECODE is set or the source has just changed."""
    import compileall
    root = Path(__file__).resolve().parent.parent
    for package in ("jiaoyuapp",):
        compileall.compile_dir(str(root / package), quiet=1)


def measure(workbook: Path, folder: Path) -> dict:
    """Best of RUNS for the import and each floor, runs interleaved so they meet the same machine."""
    from jiaoyuapp.school import init_school, open_school
    compiled()
    env = dict(os.environ, JIAOYU_DATA_DIR=str(folder / "data"))
    base = folder / "fresh.db"
    store = open_school(base)
    init_school(store, code="5101230001", name="基准测试小学", township="青石镇", county="示范县")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    times: dict[str, list[float]] = {"import": [], "calamine": [], "openpyxl": [], "logged": []}
    report: dict = {}
    for i in range(RUNS):
        db = folder / f"import_{i}.db"
        shutil.copy(base, db)
        elapsed, done = _timed([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "import-roster",
                                str(workbook), "--json"], env)
        times["import"].append(elapsed)
        report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {"error": done.stderr[-300:]}
        for kind in ("calamine", "openpyxl", "logged"):
            elapsed, done = _timed([sys.executable, "-m", "bench.read_floor", kind, str(workbook),
                                    str(folder / f"{kind}_{i}.db")], env)
            assert done.returncode == 0, done.stderr[-500:]
            times[kind].append(elapsed)
    return {"best": {k: min(v) for k, v in times.items()}, "report": report}


def bench_import(folder: Path) -> None:
    workbook, layout = xueji_workbook(folder)
    found = measure(workbook, folder)
    best, report = found["best"], found["report"]
    o, c, p, g = best["import"], best["calamine"], best["openpyxl"], best["logged"]
    print(f"导入 {IMPORT_ROWS} 行花名册（{layout}，整个进程 jiaoyu import-roster）：本软件 {o:.2f} s；"
          f"下限一 {c:.2f} s（python-calamine读取 + 一次executemany），比值 {o / c:.2f}×（目标 ≤ 3×）；"
          f"下限二 {p:.2f} s（openpyxl只读加载 + 一次executemany），比值 {o / p:.2f}×")
    print(f"  参考：下限一再加上每行一条变更记录（JSON，同一事务）{g:.2f} s，比值 {o / g:.2f}×"
          "（变更记录是唯一写入路径的一部分；这不是目标的下限）")
    if report.get("created") != IMPORT_ROWS:
        said = report.get("error") or f"新增{report.get('created')}人，{len(report.get('problems', []))}个问题"
        print(f"  注意：这次导入没有新增全部{IMPORT_ROWS}人（{said[:120]}），上面的时间不代表完整导入")


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory(prefix="jiaoyu-bench-import-") as tmp:
        bench_import(Path(tmp))
