"""Running one core function in a worker process, for the window.

The window's long work (imports, exports, packets, merges) runs here, in another process, so
that nothing it does — a long C call, a garbage collection — can pause the window. The function is
named by "module:function"; its progress callback and cancel flag cross over a queue and an event.
Qt-free: the worker process never loads Qt.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field

from jiaoyuapp.errors import CancelledError, JiaoyuError
from jiaoyuapp import paths

UNEXPECTED = "出现意外错误，操作没有完成，已有数据没有改动。详情已记录在：{}"


@dataclass
class CoreCall:
    """`target(store?, *args, progress=…, cancel=…, **kwargs)` in another process. With `db`, the
    database is opened there and passed first; `progress=False` for functions without callbacks."""
    target: str
    db: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    progress: bool = True
    # The data directory of the window that asked, fixed when the call is made: the worker starts a
    # moment later and must write its automatic backups and work files where the window does.
    data_dir: str = field(default_factory=lambda: str(paths.data_dir()))


def run_call(call: CoreCall, out, cancel_event) -> None:  # runs in the worker process
    from importlib import import_module
    try:
        module, name = call.target.split(":")
        function = getattr(import_module(module), name)
        extra = {}
        if call.progress:
            extra = {"progress": lambda done, total, stage="": out.put(
                ("progress", int(done), -1 if total is None else int(total), stage or "")),
                     "cancel": cancel_event.is_set}
        if call.db:
            from jiaoyuapp.school import open_school
            store = open_school(call.db, create=False)
            try:
                result = function(store, *call.args, **extra, **call.kwargs)
            finally:
                store.close()
        else:
            result = function(*call.args, **extra, **call.kwargs)
        out.put(("done", result))
    except CancelledError:
        out.put(("cancelled",))
    except JiaoyuError as exc:
        out.put(("failed", exc.message, False, exc.todo))  # the window adds where to act (ui/todo_hints.py)
    except sqlite3.DatabaseError as exc:
        from jiaoyuapp.store.damage import corruption_error, is_corruption
        if not is_corruption(exc):
            _unexpected(out)
        else:
            damaged = corruption_error(call.db)
            out.put(("failed", damaged.message, False, damaged.todo))
    except BaseException:  # noqa: BLE001 - logged without children's data, reported to the window
        _unexpected(out)


def _unexpected(out) -> None:
    from jiaoyuapp.error_log import log_unexpected
    out.put(("failed", UNEXPECTED.format(log_unexpected(sys.exc_info(), where="jiaoyu-app worker")), True))


def worker_main(call: CoreCall, out, cancel_event) -> None:
    """The worker process's entry: its temporary files stay private (see work_folders), then the call."""
    os.environ["JIAOYU_DATA_DIR"] = call.data_dir
    from jiaoyuapp.work_folders import claim_process_temp
    try:
        claim_process_temp()
    except (OSError, JiaoyuError):
        pass
    run_call(call, out, cancel_event)
