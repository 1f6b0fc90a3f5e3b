"""Unexpected errors go to a log file — code locations and the exception type only.

Exception messages can carry a child's name or ID number, so they are left out; the log is
something a teacher can send to support without exposing anyone.
"""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

from jiaoyuapp import __version__
from jiaoyuapp.paths import log_file


def log_unexpected(exc_info=None, where: str = "jiaoyu") -> Path:
    """Append the traceback of `exc_info` (default: the exception being handled); returns the log's path."""
    exc_type, _, tb = exc_info or sys.exc_info()
    frames = traceback.extract_tb(tb)
    lines = [f"{dt.datetime.now().isoformat(timespec='seconds')} {where} {__version__} "
             f"{exc_type.__name__ if exc_type else 'Unknown'}"]
    lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    except OSError:
        pass
    return path
