"""`jiaoyu-app --self-check DIR`: does this installed copy work? The installers run it on the
installed program (under wine for Windows, in a clean container for the .deb), so it uses the
program's own files only, and works in DIR only (invented people; never the user's data).

It checks, each step on its own so that one failure does not hide the others:
the font really draws Chinese; every main screen opens (a PNG of each in DIR/screens/); a roster
workbook imports into a fresh school; a signed packet is exported and accepted by a center (one
made in DIR, or, with --center-cert, the caller's: it then registers the school from
DIR/school-certificate.pem and DIR/school-fingerprint.txt and imports the packet itself).
DIR/report.json says what passed; the exit code is 0 only when everything did.
"""

from __future__ import annotations

import json
import platform
import sys
import traceback
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from jiaoyuapp import __version__
from jiaoyuapp.errors import JiaoyuError

SECRET = "自检口令2026"     # the throwaway demo school's key, in DIR only


def check_font(report: dict) -> None:
    from ui import fonts
    report["font"] = font = fonts.font_report(QApplication.instance())
    if not font["cjk_glyphs"]:
        report["errors"].append(f"字体：界面所用字体“{font['family']}”不能显示汉字（{fonts.SAMPLE}），界面会是方框。")
    if not font["shipped_font_loaded"]:
        report["errors"].append(f"字体：随软件安装的字体文件{font['shipped_font'] or 'resources/fonts/wqy-microhei.ttc'}"
                                "缺失或无法读取。")
    elif not font["shipped_cjk_glyphs"]:
        report["errors"].append(f"字体：随软件安装的字体“{font['shipped_family']}”（{font['shipped_font']}）没有汉字字形。")


def check_screens(report: dict, out: Path) -> None:
    from ui.screenshots import SCREENS, take_screenshots
    saved = take_screenshots(out / "screens")
    report["screens"] = [path.stem.split("_", 1)[1] for path in saved]
    missing = [name for _, name in SCREENS if name not in report["screens"]]
    if missing:
        report["errors"].append("界面：没有打开" + "、".join(missing))


def check_roster(report: dict, out: Path, demo_db: Path, roster: Path | None) -> None:
    """Import `roster` (else the demo school's own roster, exported) into a fresh school. Our own
    export must come back whole; a given workbook must bring in at least one student."""
    from jiaoyuapp.roster.roster_export import export_roster
    from jiaoyuapp.roster.roster_import import import_roster
    from jiaoyuapp.school import init_school, open_school
    if roster is None:
        roster = out / "花名册.xlsx"
        demo = open_school(demo_db)
        try:
            export_roster(demo, roster)
            expected = demo.scalar("SELECT count(*) FROM students")
        finally:
            demo.close()
    else:
        expected = None
    target = out / "导入检查学校.db"
    for leftover in out.glob(target.name + "*"):
        leftover.unlink()
    store = open_school(target)
    try:
        init_school(store, code="5100000002", name="导入检查小学", township="演示镇", county="演示县", actor="自检")
        result = import_roster(store, roster, only_valid=True, actor="自检")
    finally:
        store.close()
    imported = result.created + result.updated
    report["roster"] = {"file": str(roster), "rows": result.rows, "imported": imported,
                        "refused": result.rows - result.valid}
    if expected is not None and imported != expected:
        report["errors"].append(f"花名册：导出的{expected}名学生，导入后只有{imported}名。")
    elif imported == 0:
        report["errors"].append(f"花名册：{roster.name}中没有导入任何学生。")


def check_packet(report: dict, out: Path, demo_db: Path, center_cert: Path | None) -> None:
    """The demo school's first packet, signed and sealed to a center; without `center_cert`, a center
    made here imports it (it must be accepted) and the school takes the receipt home."""
    from jiaoyuapp.exchange import identity, packet_import, peers, township
    from jiaoyuapp.exchange.packet_export import export_packet
    from jiaoyuapp.exchange.receipts import import_receipt
    from jiaoyuapp.school import open_school, require_school
    school = open_school(demo_db)
    try:
        if identity.active(school, required=False) is None:
            info = require_school(school)
            identity.create(school, kind="school", code=info["code"], name=info["name"], passphrase=SECRET)
        me = identity.active(school)
        (out / "school-certificate.pem").write_text(me["certificate"], encoding="ascii")
        (out / "school-fingerprint.txt").write_text(me["fingerprint"] + "\n", encoding="utf-8")
        if center_cert is not None:
            packet = export_packet(school, out / "数据包", passphrase=SECRET,
                                   center_certificate=peers.read_certificate(str(center_cert)))
            report["packet"] = str(packet)
            return
        center = open_school(out / "自检中心校.db")
        try:
            if township.mode(center) != "township":
                township.init(center, name="自检镇中心校", code="5100000099", passphrase=SECRET)
            peers.register_school(center, me["certificate"], me["fingerprint"], replace=True)
            packet = export_packet(school, out / "数据包", passphrase=SECRET,
                                   center_certificate=identity.active(center)["certificate"])
            report["packet"] = str(packet)
            result = packet_import.import_packet(center, packet, passphrase=SECRET, receipts_dir=out / "数据包")
        finally:
            center.close()
        if result.status != "已接收" or not result.receipt:
            report["errors"].append(f"数据包：中心校没有接收（{result.message}）。")
            return
        import_receipt(school, result.receipt)
        report["receipt"] = result.receipt
    finally:
        school.close()


def run_check(out: Path, roster: Path | None = None, center_cert: Path | None = None) -> int:
    from jiaoyuapp.demo_school import make_demo_school
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    report = {"ok": False, "version": __version__, "python": platform.python_version(), "qt": qVersion(),
              "pyside": pyside_version, "platform": platform.platform(), "qt_platform": app.platformName(),
              "frozen": bool(getattr(sys, "frozen", False)), "font": {}, "screens": [], "roster": {},
              "packet": None, "errors": [], "tracebacks": []}
    steps = [("字体", lambda: check_font(report)), ("界面", lambda: check_screens(report, out))]
    try:
        demo_db = make_demo_school(out / "演示学校")
    except Exception as exc:  # noqa: BLE001 - whatever broke, the report must say it
        report["errors"].append(f"演示学校：没有建成（{_reason(exc)}）。")
        report["tracebacks"].append(traceback.format_exc())
    else:
        steps += [("花名册", lambda: check_roster(report, out, demo_db, roster)),
                  ("数据包", lambda: check_packet(report, out, demo_db, center_cert))]
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - one broken step must not hide the others
            report["errors"].append(f"{name}：{_reason(exc)}")
            report["tracebacks"].append(traceback.format_exc())   # for the developer reading report.json
    report["ok"] = not report["errors"]
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if sys.stdout is not None:  # a windowed build (the Windows installer's) has no console
        print(summary(report, out), flush=True)
    return 0 if report["ok"] else 1


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, JiaoyuError) else f"{type(exc).__name__}: {exc}"


def summary(report: dict, out: Path) -> str:
    if report["ok"]:
        return (f"自检通过：字体“{report['font']['family']}”能显示汉字，{len(report['screens'])}个界面已截图，"
                f"花名册导入{report['roster']['imported']}名学生，数据包已导出。详见 {out / 'report.json'}")
    return f"自检未通过：{'；'.join(report['errors'])} 详见 {out / 'report.json'}"
