"""`jiaoyu-app`: the window. `--screenshots DIR` saves a picture of each main screen of a demo
school and exits (the README shows them)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.paths import default_db_path
from ui import fonts
from ui.dialogs import install_excepthook


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jiaoyu-app", description="乡村学校控辍保学与家访台账（窗口程序）")
    p.add_argument("--db", help="要打开的学校数据库文件（默认：上次打开的，或用户数据目录中的 school.db）")
    p.add_argument("--screenshots", metavar="DIR", help="在演示学校上打开每个主要界面，各存一张PNG后退出")
    return p


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("乡村学校控辍保学与家访台账")
    from ui import translations
    translations.install(app)  # Qt's own buttons and dialogs in Chinese (确定/取消, the file dialog)
    fonts.apply_font(app)
    return app


def starting_database(requested: str | None) -> Path | None:
    """The command line's default database (`--db`, `JIAOYU_DB`, the last one opened, school.db);
    None, so that the first-run wizard comes, when it is only the fallback school.db and that
    does not exist."""
    if requested or os.environ.get("JIAOYU_DB"):
        return default_db_path(requested)
    path = default_db_path()
    return path if path.exists() else None


def open_window(path: Path | None):
    """The main window on `path`; with no database yet, the first-run wizard comes first."""
    from ui.first_run import FirstRunWizard
    from ui.main_window import MainWindow
    from ui.session import Session
    if path is None:
        wizard = FirstRunWizard()
        if not wizard.exec() or wizard.session is None:
            return None
        window = MainWindow(wizard.session)
        if wizard.roster_file:
            QTimer.singleShot(0, lambda: window.show_screen("roster").start_import(wizard.roster_file))
        return window
    return MainWindow(Session(path, create=False))


def main(argv: list[str] | None = None) -> int:
    import multiprocessing
    multiprocessing.freeze_support()  # a bundled app starts its worker processes through here
    args = _parser().parse_args(argv)
    from jiaoyuapp.work_folders import start_of_run
    start_of_run()
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM") or args.screenshots):
        print("没有找到图形界面（DISPLAY）。请在桌面环境中运行；命令行可用 jiaoyu。", file=sys.stderr)
        return 1
    if args.screenshots and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    install_excepthook()
    if args.screenshots:
        from ui.screenshots import take_screenshots
        for path in take_screenshots(Path(args.screenshots)):
            print(path)
        return 0
    try:
        window = open_window(starting_database(args.db))
    except JiaoyuError as exc:
        from ui.dialogs import show_error
        show_error(None, exc)
        window = open_window(None)
    if window is None:
        return 0
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
