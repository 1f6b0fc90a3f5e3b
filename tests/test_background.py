"""The worker side of the window's long work: results, refusals, cancelling, and unexpected errors
(logged without their message, which may carry a child's data)."""

from __future__ import annotations

import queue
import threading

from jiaoyuapp.background import CoreCall, run_call
from jiaoyuapp.paths import log_file


def _run(call: CoreCall, cancelled: bool = False) -> list:
    out, cancel = queue.Queue(), threading.Event()
    if cancelled:
        cancel.set()
    run_call(call, out, cancel)
    return [out.get_nowait() for _ in range(out.qsize())]


def test_result_progress_refusal_cancel_and_crash(store, tmp_path):
    from jiaoyuapp.roster.demo import generate
    from jiaoyuapp.roster.roster_export import write_roster
    workbook = tmp_path / "学籍.xlsx"
    write_roster(workbook, generate(1200, seed=2), "学生基础信息")
    messages = _run(CoreCall("jiaoyuapp.roster.roster_import:import_roster", db=str(store.path), args=(str(workbook),)))
    assert messages[-1][0] == "done" and messages[-1][1].created == 1200
    assert any(m[0] == "progress" for m in messages)
    refused = _run(CoreCall("jiaoyuapp.roster.roster_import:import_roster", db=str(store.path),
                            args=(str(tmp_path / "没有这个文件.xlsx"),)))
    assert refused[-1][0] == "failed" and refused[-1][2] is False and "没有这个文件" in refused[-1][1]
    stopped = _run(CoreCall("jiaoyuapp.roster.roster_import:import_roster", db=str(store.path), args=(str(workbook),),
                            kwargs={"dry_run": True}), cancelled=True)
    assert stopped[-1] == ("cancelled",)
    crashed = _run(CoreCall("json:loads", args=("张三 510123201803050011",), progress=False))
    assert crashed[-1][0] == "failed" and crashed[-1][2] is True and str(log_file()) in crashed[-1][1]
    assert "510123201803050011" not in log_file().read_text(encoding="utf-8")
