"""`jiaoyu-app --screenshots DIR`: every main screen on a demo school (invented people only),
one PNG each, for the README and for a quick look that nothing is drawn as boxes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

SCREENS = [("home", "首页"), ("roster", "学生花名册"), ("student", "学生档案"), ("visits", "家访"),
           ("absences", "考勤"), ("cases", "控辍保学"), ("aid", "资助"), ("export", "导出与回执"),
           ("review", "待核对"), ("school_year", "学年升级"), ("backups", "备份与恢复"),
           ("setup:teachers", "学校设置_教师"), ("setup:calendar", "学校设置_校历"),
           ("setup:aid", "学校设置_资助项目"), ("setup:settings", "学校设置_参数设置"),
           ("township", "中心校"), ("wizard", "首次使用向导")]
SIZE = (1366, 768)      # the office screen the window is made for
SECRET = "演示口令2026"


def settle(ms: int = 150) -> None:
    """Let Qt lay out and paint (and finish any work on the pool) before a picture is taken."""
    QThreadPool.globalInstance().waitForDone()
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _save(widget, out: Path, index: int, name: str) -> Path:
    settle()
    path = out / f"{index:02d}_{name}.png"
    widget.grab().save(str(path))
    return path


def _center_with_demo(folder: Path, school_db: Path) -> Path:
    """A township center that has received the demo school's first packet."""
    from jiaoyuapp.exchange import identity, packet_import, peers, township
    from jiaoyuapp.exchange.packet_export import export_packet
    from jiaoyuapp.school import open_school
    center_db = folder / "演示中心校.db"
    center = open_school(center_db)
    school = open_school(school_db)
    try:
        township.init(center, name="演示镇中心校", code="5100000099", passphrase=SECRET)
        me = identity.active(center)
        identity.create(school, kind="school", code="5100000001", name="演示村小学", passphrase=SECRET)
        mine = identity.active(school)
        peers.register_school(center, mine["certificate"], mine["fingerprint"])
        packet = export_packet(school, folder / "U盘", passphrase=SECRET, center_certificate=me["certificate"])
        packet_import.import_packet(center, packet, passphrase=SECRET)
    finally:
        school.close()
        center.close()
    return center_db


def _with_values_to_check(db: Path, work: Path) -> None:
    """Two labels the code tables do not know, brought in the way they arrive: the roster exported,
    two cells changed as a hand-kept sheet would have them, and imported again (so 待核对 has work)."""
    from openpyxl import load_workbook

    from jiaoyuapp.roster.roster_export import export_roster
    from jiaoyuapp.roster.roster_import import import_roster
    from jiaoyuapp.school import open_school
    store = open_school(db)
    try:
        sheet_file = work / "花名册.xlsx"
        export_roster(store, sheet_file)
        wb = load_workbook(sheet_file)
        ws = wb.active
        header_row = next(r for r in range(1, 6) if any(c.value == "姓名" for c in ws[r]))
        columns = {c.value: c.column for c in ws[header_row]}
        for offset, (column, text) in enumerate((("民族", "穿青人"), ("上下学交通方式", "步行加渡船"))):
            if column in columns:
                ws.cell(header_row + 1 + offset, columns[column]).value = text
        wb.save(sheet_file)
        import_roster(store, sheet_file, actor="演示")
    finally:
        store.close()


def take_screenshots(out: Path, students: int = 300) -> list[Path]:
    from jiaoyuapp.demo_school import make_demo_school as make_demo
    from ui.first_run import FirstRunWizard
    from ui.main_window import MainWindow
    from ui.session import Session
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    # Windows cannot delete a database that is still open: the sessions are closed below, and a
    # file some late worker still holds is left to the system's temp cleaning, not an error.
    # (Not TemporaryDirectory(ignore_cleanup_errors=True): Python 3.11's still raises the sharing
    # violation on Windows, and it hides whatever error made the screenshots stop.)
    work = Path(tempfile.mkdtemp(prefix="jiaoyu-shots-"))
    try:
        db = make_demo(work, students)
        _with_values_to_check(db, work)
        window = MainWindow(Session(db))
        window.resize(*SIZE)
        window.show()
        for i, (key, name) in enumerate(SCREENS, 1):
            if key == "student":
                uuid = window.session.store.scalar(
                    "SELECT student_uuid FROM cases ORDER BY opened_on LIMIT 1") or window.session.store.scalar(
                    "SELECT uuid FROM students LIMIT 1")
                window.open_student(uuid)
            elif key == "cases":
                screen = window.show_screen("cases")
                if screen.rows:
                    screen.open_case(screen.rows[0]["uuid"])
            elif key == "visits":
                screen = window.show_screen("visits")
                screen.find.setText(window.session.store.scalar("SELECT name FROM students LIMIT 1"))
            elif key.startswith("setup:"):
                window.show_screen("setup").show_tab(key.split(":")[1])
            elif key == "township":
                window.switch_to(Session(_center_with_demo(work, db)))
            elif key == "wizard":
                window.close()
                wizard = FirstRunWizard(folder=work)
                wizard.resize(720, 480)
                wizard.show()
                saved.append(_save(wizard, out, i, name))
                wizard.close()
                continue
            else:
                window.show_screen(key)
            saved.append(_save(window, out, i, name))
        QApplication.instance().processEvents()
        settle()
        for session in window.sessions.values():
            session.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return saved
