"""The window fits a 1366×768 office screen with every button and field reachable: each screen of
a school and of a township center (as listed in the main window, so new screens are checked too),
the student page, the import wizard and the first-run wizard, each with its largest content, at
100 %, at 125 % display scaling (QT_SCALE_FACTOR=1.25 in a child process: Windows' 125 % gives Qt
a 1093×592 screen, which is what the teachers' laptops do) and with the text 25 % larger (the
app's font ×1.25: what Ctrl+ or a large system font does to the same 1366×740)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.fit_check import check_all, usable

ROOT = Path(__file__).resolve().parent.parent


def _report(found: dict) -> str:
    return "\n".join(f"{where}: {p}" for where, problems in found.items() for p in problems)


def test_every_screen_fits_at_100_percent(qtbot, tmp_path):
    """At 100 % on a 1366×768 screen nothing is off the screen (the case page once needed 1,016 px)."""
    from ui.app import make_app
    make_app()
    found = check_all(1.0, tmp_path)
    assert not found, _report(found)


def test_every_screen_fits_with_text_25_percent_larger(qtbot, tmp_path):
    """With the text 25 % larger (Ctrl+, a large system font) everything is still reachable on 1366×740."""
    from ui import fonts
    from ui.app import make_app
    app = make_app()
    font = app.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    app.setFont(font)
    try:
        found = check_all(1.0, tmp_path)
    finally:
        fonts.apply_font(app)
    assert not found, _report(found)


def test_every_screen_fits_at_125_percent_display_scaling(tmp_path):
    """At Windows' 125 % scaling (Qt sees a 1093×614 screen) every screen still fits and scrolls."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "office", "x": 0, "y": 0, "width": 1366, "height": 768,
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    out = tmp_path / "fit.json"
    env = dict(os.environ, QT_SCALE_FACTOR="1.25", QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               JIAOYU_DATA_DIR=str(tmp_path / "data"))
    run = subprocess.run([sys.executable, "-m", "tests.fit_check", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["scale"] == 1.25
    assert not result["problems"], _report(result["problems"])
    assert usable(1.25) == (1092, 562)


def test_the_check_finds_a_screen_that_does_not_fit(qtbot, tmp_path):
    """The fit check itself catches a form taller than the screen and a button pushed out of it."""
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

    from tests.fit_check import check
    form = QWidget()
    qtbot.addWidget(form)
    layout = QVBoxLayout(form)
    for i in range(40):
        layout.addWidget(QLineEdit(objectName=f"field{i}"))
    layout.addWidget(QPushButton("保存修改", objectName="save"))
    form.show()
    problems = check(form, form, usable(1.0))
    assert any("minimumSizeHint" in p for p in problems), problems
    assert any("save" in p for p in problems), problems
    assert QApplication.instance() is not None
