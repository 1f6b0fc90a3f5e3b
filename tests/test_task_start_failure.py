"""Long work whose worker process cannot even start (on Windows: a blocked or broken pythonw.exe)
ends with the usual "unexpected error" answer instead of a screen waiting for ever."""

from __future__ import annotations

import multiprocessing.process

from jiaoyuapp.background import CoreCall
from ui.tasks import Task


def test_a_worker_that_cannot_start_is_reported(qtbot, store, monkeypatch):
    def refuse(self):
        raise OSError("the worker process could not be started")
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    task = Task(CoreCall("jiaoyuapp.ledgers.coverage:coverage", db=str(store.path), progress=False))
    failures = []
    task.signals.failed.connect(lambda message, unexpected: failures.append((message, unexpected)))
    task.start()
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    [(message, unexpected)] = failures
    assert unexpected and "出现意外错误" in message
