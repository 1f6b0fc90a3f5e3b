"""How long the event loop goes without answering: a timer that should fire every few
milliseconds, and the longest gap between its ticks (the test and `make bench` both use it).

A gap on the wall clock also grows when the machine is busy with other programs and this one
simply waits for a processor. So each gap is also measured in the processor time this process
spent during it (every thread: work on a pool thread that holds Python's lock pauses the window
too): `longest_busy` is the longest pause this program caused itself. Work in a worker process
costs the window nothing there; the same work on the UI thread shows up whole, however loaded
the machine.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class StallMeter(QObject):
    def __init__(self, interval_ms: int = 10):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0        # wall clock
        self.longest_busy = 0.0   # processor time this process spent within one gap
        self.ticks = 0
        self._last = None
        self._last_cpu = None

    def start(self) -> None:
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        gap = now - self._last
        self.longest = max(self.longest, gap)
        self.longest_busy = max(self.longest_busy, min(gap, cpu - self._last_cpu))
        self._last, self._last_cpu = now, cpu
        self.ticks += 1
