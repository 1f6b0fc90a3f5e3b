"""On a machine with a display (here a virtual X server, through Qt's xcb plugin as on a desktop),
`jiaoyu-app` opens, and with no school database yet it starts with the first-run wizard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import sys
from PySide6.QtCore import QTimer
from ui.app import main, make_app
app = make_app()
def look():
    print("platform", app.platformName())
    print("windows", "|".join(w.windowTitle() for w in app.topLevelWidgets() if w.isVisible()))
    for w in app.topLevelWidgets():
        if w.isVisible():
            w.close()
    app.quit()
QTimer.singleShot(2000, look)
sys.exit(main([]))
"""


def test_app_opens_on_a_display_with_the_wizard_first(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "JIAOYU_DB", "DISPLAY")}
    env["JIAOYU_DATA_DIR"] = str(tmp_path / "data")  # nothing opened before: no database yet
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", sys.executable, "-c", PROBE],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines.get("platform") == "xcb", done.stdout + done.stderr[-2000:]
    assert lines.get("windows") == "建立学校数据库", done.stdout
