"""Child processes for `make bench`: the window's start-up time on a big school, and the longest
pause of its event loop during a 20,000-row import.

    python -m bench.ui_checks startup DB STARTED_AT   # prints seconds from STARTED_AT to the window shown
    python -m bench.ui_checks stall DB WORKBOOK       # prints the longest stall in seconds
"""

from __future__ import annotations

import os
import sys
import time


def startup(db: str, started_at: float) -> None:
    from PySide6.QtCore import QTimer

    from ui.app import make_app
    from ui.main_window import MainWindow
    from ui.session import Session
    app = make_app()
    window = MainWindow(Session(db))
    window.show()

    def shown() -> None:  # after the first paint
        print(f"{time.time() - started_at:.3f}", flush=True)
        app.quit()
    QTimer.singleShot(0, shown)
    app.exec()


def stall(db: str, workbook: str) -> None:
    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer

    from ui.app import make_app
    from ui.main_window import MainWindow
    from ui.session import Session
    from ui.stall_meter import StallMeter
    make_app()
    window = MainWindow(Session(db))
    window.show()
    roster = window.show_screen("roster")

    def wait(condition, ms: int = 50) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: condition() and loop.quit())
        timer.start(ms)
        loop.exec()
    settled = time.perf_counter()
    wait(lambda: time.perf_counter() - settled > 0.5)
    QThreadPool.globalInstance().waitForDone()
    meter = StallMeter()
    meter.start()
    dialog = roster.start_import(workbook)
    wait(lambda: dialog.report is not None)
    dialog._write(only_valid=False)
    wait(lambda: dialog.result is not None)
    print(f"{meter.stop():.3f} {dialog.result.created}", flush=True)
    window.close()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.argv[1] == "startup":
        startup(sys.argv[2], float(sys.argv[3]))
    else:
        stall(sys.argv[2], sys.argv[3])
