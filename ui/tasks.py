"""Long work off the UI: a progress bar, a cancel button, a window that never freezes.

Long work is a `CoreCall` — a core function named by "module:function", run in a separate
process on its own database connection. A thread would share Python's interpreter lock with the
window, and a long C call or a garbage collection in the worker would then pause the window for a
third of a second at a time on an old PC; a process cannot. The core's progress callback and
cancel flag cross over a queue and an event. Short or Qt-bound work may still be a plain function
run on a pool thread (`Task(function)`).
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import sys
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from jiaoyuapp.background import UNEXPECTED, CoreCall, worker_main
from jiaoyuapp.errors import CancelledError, JiaoyuError
from ui.todo_hints import screen_hint, window_text

__all__ = ["CoreCall", "Task", "run_with_progress"]


class _Signals(QObject):
    progress = Signal(int, int, str)      # done, total (-1: unknown), stage
    done = Signal(object)
    failed = Signal(str, bool)            # message, unexpected
    cancelled = Signal()


_RUNNING: set = set()  # tasks stay alive until they finish, even if the screen that started them is gone


def cancel_all() -> None:
    """Ask every running task to stop (the window is closing): cancellable work stops at its next
    check and writes nothing; the rest is short."""
    for task in list(_RUNNING):
        task.cancel()


class Task(QRunnable):
    """One piece of work. Connect to `signals` before `start()`."""

    def __init__(self, work: CoreCall | Callable):
        super().__init__()
        self.work = work
        self.signals = _Signals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def start(self) -> None:
        _RUNNING.add(self)
        QThreadPool.globalInstance().start(self)

    def _emit(self, name: str, *args) -> None:
        try:
            getattr(self.signals, name).emit(*args)
        except RuntimeError:
            pass  # the window that asked has been closed: nobody is waiting for the answer

    def run(self) -> None:  # on a pool thread
        try:
            if isinstance(self.work, CoreCall):
                self._run_process()
            else:
                self._run_here()
        except Exception:  # noqa: BLE001 - e.g. the worker process could not start (Windows)
            # Escaping here, it would only be printed ("Error calling Python override of
            # QRunnable::run()") and the screen would wait for an answer for ever.
            from jiaoyuapp.error_log import log_unexpected
            self._emit("failed", UNEXPECTED.format(log_unexpected(sys.exc_info(), where="jiaoyu-app task")), True)
        finally:
            _RUNNING.discard(self)

    def _run_here(self) -> None:
        try:
            result = self.work(lambda d, t, s="": self._emit("progress", int(d), -1 if t is None else int(t), s or ""),
                               self._cancel.is_set)
        except CancelledError:
            self._emit("cancelled")
        except JiaoyuError as exc:
            self._emit("failed", window_text(exc), False)
        except Exception:  # noqa: BLE001
            from jiaoyuapp.error_log import log_unexpected
            self._emit("failed", UNEXPECTED.format(log_unexpected(sys.exc_info(), where="jiaoyu-app task")), True)
        else:
            self._emit("done", result)

    def _run_process(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
        out, cancel_event = ctx.Queue(), ctx.Event()
        process = ctx.Process(target=worker_main, args=(self.work, out, cancel_event), daemon=True)
        process.start()
        try:
            while True:
                if self._cancel.is_set():
                    cancel_event.set()
                try:
                    message = out.get(timeout=0.1)
                except queue_module.Empty:
                    if not process.is_alive() and out.empty():
                        self._emit("failed", "后台处理意外退出（可能是内存不足），操作没有完成，已有数据没有改动。", True)
                        return
                    continue
                kind = message[0]
                if kind == "progress":
                    self._emit("progress", *message[1:])
                elif kind == "done":
                    self._emit("done", message[1])
                    return
                elif kind == "cancelled":
                    self._emit("cancelled")
                    return
                else:
                    todo = message[3] if len(message) > 3 else None
                    self._emit("failed", message[1] + screen_hint(todo), message[2])
                    return
        finally:
            process.join(timeout=30)


def run_with_progress(parent: QWidget, title: str, work: CoreCall | Callable, on_done: Callable[[Any], None],
                      on_failed: Callable[[str], None] | None = None) -> Task:
    """Run `work` with a window-modal progress dialog (percent and stage, 取消 button)."""
    from ui.dialogs import show_error
    dialog = QProgressDialog(title, "取消", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    task = Task(work)
    parent._running_task = task  # the latest task of that window (tests and the cancel button reach it)
    task.dialog = dialog

    def progress(done: int, total: int, stage: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if stage:
            dialog.setLabelText(f"{title}：{stage}")

    def finish() -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def done(result) -> None:
        dialog.setMaximum(max(dialog.maximum(), 1))
        dialog.setValue(dialog.maximum())
        task.final_value = (dialog.value(), dialog.maximum())
        finish()
        on_done(result)

    def failed(message: str, unexpected: bool) -> None:
        finish()
        (on_failed or (lambda m: show_error(parent, m)))(message)

    def cancelled() -> None:
        finish()
        show_error(parent, "已取消，没有写入任何改动。", title="已取消")

    task.signals.progress.connect(progress)
    task.signals.done.connect(done)
    task.signals.failed.connect(failed)
    task.signals.cancelled.connect(cancelled)
    dialog.canceled.connect(task.cancel)
    dialog.show()
    task.start()
    return task
