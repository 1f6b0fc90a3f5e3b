"""Named points in long work where a test can stop a process on purpose.

A test that kills a process in the middle of an export or an import must know where it is: a
kill timed by the clock races the work (on a busy machine the work may not have started, or
already be done). With `JIAOYU_PAUSE_AT=<name>` in its environment, a process that reaches that
point writes `<name>` into the file `JIAOYU_PAUSE_FILE` and waits there until it is killed.
Without it, `reached()` is one environment lookup.
"""

from __future__ import annotations

import os
import time


def reached(name: str) -> None:
    if os.environ.get("JIAOYU_PAUSE_AT") != name:
        return
    marker = os.environ.get("JIAOYU_PAUSE_FILE")
    if marker:
        with open(marker, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
    while True:  # until the test kills this process
        time.sleep(3600)
