"""`jiaoyu-app`: the window. `--screenshots DIR` saves a picture of each main screen of a demo
school and exits (the README shows them); `--self-check DIR` checks an installed copy
(ui/installed_check.py). `jiaoyu-app FILE.jyp` / `FILE.jyr` (a double-click on a packet or a
receipt) opens the window and imports it. Qt's own arguments (`-platform offscreen`) go to Qt."""

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
    p = argparse.ArgumentParser(prog="jiaoyu-app", description="乡村学校控辍保学与家访台账（窗口程序）",
                                epilog="其余参数（如 -platform offscreen）交给 Qt。", allow_abbrev=False)
    p.add_argument("file", nargs="?", help="要打开的数据包（.jyp，在中心校导入）或回执（.jyr，在学校导入）")
    p.add_argument("--db", help="要打开的学校数据库文件（默认：上次打开的，或用户数据目录中的 school.db）")
    p.add_argument("--screenshots", metavar="DIR", help="在演示学校上打开每个主要界面，各存一张PNG后退出")
    p.add_argument("--self-check", metavar="DIR",
                   help="检查安装是否完好（字体、各界面、花名册导入、数据包），结果写入 DIR/report.json")
    p.add_argument("--roster", metavar="FILE", help="与 --self-check 一起：用这个花名册工作簿检查导入")
    p.add_argument("--center-cert", metavar="FILE", help="与 --self-check 一起：把数据包加密给这个中心校证书")
    return p


# Qt's command-line options that take a value (QGuiApplication, QApplication, xcb): they and their
# value are Qt's, so that `-platform offscreen` does not read as a file to open.
QT_VALUE_OPTIONS = {"-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qmljsdebugger",
                    "-qwindowgeometry", "-qwindowicon", "-qwindowtitle", "-session", "-style", "-stylesheet",
                    "-display", "-geometry", "-title", "-name", "-visual"}


def parse_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and the rest (Qt's) for QApplication."""
    ours, qt = [], []
    args = iter(argv)
    for arg in args:
        if arg.startswith("-") and "-" + arg.lstrip("-") in QT_VALUE_OPTIONS:
            qt += [arg, next(args, "")]
        else:
            ours.append(arg)
    parsed, rest = _parser().parse_known_args(ours)
    return parsed, qt + rest


def _asks_platform(qt_args: list[str]) -> bool:
    return any(arg.startswith("-") and arg.lstrip("-") == "platform" for arg in qt_args)


def make_app(argv: list[str] | None = None) -> QApplication:
    """The application; `argv` are Qt's arguments (`-platform offscreen`, `-style fusion`)."""
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
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


def open_given_file(window, path: Path):
    """A packet or a receipt opened with the app (a double-click on it): a packet is imported on
    the 中心校 screen, a receipt on 导出与回执. In the wrong kind of database it is said, not tried."""
    from ui.dialogs import show_error
    kind = path.suffix.lower()
    if kind not in (".jyp", ".jyr"):
        return show_error(window, f"不能打开“{path.name}”：本软件只打开数据包（.jyp）和回执（.jyr）。", title="打开文件")
    if not path.is_file():
        return show_error(window, f"找不到文件“{path}”。请检查U盘是否已插好。", title="打开文件")
    township = window.session.mode == "township"
    if kind == ".jyp" and not township:
        return show_error(window, f"“{path.name}”是学校交给中心校的数据包，要在中心校的数据库中导入。"
                                  f"现在打开的是学校数据库“{window.session.path.name}”。请用“文件 → 打开学校数据库…”"
                                  f"打开中心校的数据库，再在“中心校”界面导入这个数据包。", title="打开数据包")
    if kind == ".jyr" and township:
        return show_error(window, f"“{path.name}”是中心校出具给学校的回执，要在学校的数据库中导入。"
                                  f"现在打开的是中心校数据库“{window.session.path.name}”。请用“文件 → 打开学校数据库…”"
                                  f"打开本校的数据库，再在“导出与回执”界面导入这张回执。", title="打开回执")
    if kind == ".jyp":
        return window.show_screen("township").import_files([str(path)])
    return window.show_screen("export").import_receipt(str(path))


NO_DATABASE_FOR_FILE = ("还没有打开过学校或中心校的数据库，不能导入“{name}”。请先在接下来的向导中建立或打开数据库"
                        "（数据包在中心校导入，回执在学校导入），然后再打开这个文件。")


def start_window(file: str | None, db: str | None):
    """The window as a normal start opens it (on `db`, else the last database); a file given (a
    double-click on a packet or a receipt) is then imported in it. None when the user left the
    first-run wizard without a database."""
    start = starting_database(db)
    if file and start is None:
        from ui.dialogs import show_error
        show_error(None, NO_DATABASE_FOR_FILE.format(name=Path(file).name), title="打开文件")
    try:
        window = open_window(start)
    except JiaoyuError as exc:
        from ui.dialogs import show_error
        show_error(None, exc)
        window = open_window(None)
    if window is None:
        return None
    window.show()
    if file and start is not None:
        QTimer.singleShot(0, lambda: open_given_file(window, Path(file).resolve()))
    return window


def main(argv: list[str] | None = None) -> int:
    import multiprocessing
    multiprocessing.freeze_support()  # a bundled app starts its worker processes through here
    args, qt_args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if args.self_check:  # it works in its own folder only, never in the user's data
        os.environ["JIAOYU_DATA_DIR"] = str(Path(args.self_check).resolve() / "数据目录")
    from jiaoyuapp.work_folders import start_of_run
    start_of_run()
    headless = args.screenshots or args.self_check
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM") or _asks_platform(qt_args)
                                                 or headless):
        print("没有找到图形界面（DISPLAY）。请在桌面环境中运行；命令行可用 jiaoyu。", file=sys.stderr)
        return 1
    if headless and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app(qt_args)
    install_excepthook()
    if args.self_check:
        from ui.installed_check import run_check
        return run_check(Path(args.self_check), roster=args.roster and Path(args.roster),
                         center_cert=args.center_cert and Path(args.center_cert))
    if args.screenshots:
        from ui.screenshots import take_screenshots
        for path in take_screenshots(Path(args.screenshots)):
            print(path)
        return 0
    window = start_window(args.file, args.db)  # held here as long as the app runs
    if window is None:
        return 0
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
