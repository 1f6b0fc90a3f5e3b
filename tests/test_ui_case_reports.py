"""The window side of issue 12's reports and sign-offs: the sign-off list edited in 学校设置 → 参数设置,
the report's sent dates recorded from 控辍保学, and both reports exported from 导出与回执."""

from PySide6.QtCore import QDate

from jiaoyuapp.ledgers import case_reports, sign_offs
from tests.ui_helpers import close_message_boxes, demo_db, message_boxes, open_window


def test_sign_off_list_edited_in_settings(qtbot, tmp_path):
    """参数设置 shows the six default 签字栏 titles; a duplicate is refused in Chinese; a new list is saved."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("settings")
    box = tab.sign_offs.edits["quanfan"]
    assert box.toPlainText().splitlines() == list(sign_offs.BLOCKS["quanfan"][1])
    box.setPlainText("中心校校长\n中心校校长")
    assert not tab.sign_offs.save()
    assert any("写了两次" in t for t in message_boxes())
    close_message_boxes()
    assert sign_offs.titles(store, "quanfan") == list(sign_offs.BLOCKS["quanfan"][1])
    box.setPlainText("村支书（主任）\n乡镇长\n县教体局督学")
    assert tab.sign_offs.save()
    close_message_boxes()
    assert sign_offs.titles(store, "quanfan") == ["村支书（主任）", "乡镇长", "县教体局督学"]


def test_report_dates_recorded_from_the_case_page(qtbot, tmp_path):
    """The case page's 报告表 button opens a dialog whose 乡镇 and 县 dates are saved; a date before the case is refused."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    screen = window.show_screen("cases")
    case = store.query("SELECT uuid, opened_on FROM cases WHERE uuid NOT IN (SELECT case_uuid FROM case_reports) "
                       "ORDER BY opened_on LIMIT 1")[0]
    screen.open_case(case["uuid"])
    assert screen.report_button.isVisibleTo(screen)
    dialog = screen.report_dialog()
    opened = QDate.fromString(case["opened_on"], "yyyy-MM-dd")
    dialog.township_on.setText(opened.addDays(-3).toString("yyyy-MM-dd"))
    assert not dialog.save()
    assert any("早于案件登记日期" in t for t in message_boxes())
    close_message_boxes()
    dialog.township_on.setText(opened.toString("yyyy-MM-dd"))
    dialog.county_on.setText(opened.addDays(1).toString("yyyy-MM-dd"))
    assert dialog.save()
    got = case_reports.sent(store, case["uuid"])
    assert got["township_on"] == case["opened_on"] and got["county_on"] == opened.addDays(1).toString("yyyy-MM-dd")
    assert got["signed_by"]  # the principal's name offered by default


def test_reports_exported_from_the_export_screen(qtbot, tmp_path):
    """导出与回执 exports the 辍学学生情况报告表 and 一月一报告 as a PDF and as a workbook."""
    window = open_window(qtbot, demo_db(tmp_path))
    screen = window.show_screen("export")
    pdf, xlsx = tmp_path / "上报.pdf", tmp_path / "上报.xlsx"
    screen.export_reports(str(pdf))
    qtbot.waitUntil(lambda: str(pdf) in screen.result.text(), timeout=60000)
    close_message_boxes()
    screen.export_reports(str(xlsx))
    qtbot.waitUntil(lambda: str(xlsx) in screen.result.text(), timeout=60000)
    close_message_boxes()
    assert pdf.read_bytes().startswith(b"%PDF")
    import openpyxl
    assert openpyxl.load_workbook(xlsx).sheetnames == ["辍学学生情况报告表", "一月一报告"]


def test_a_yes_no_setting_is_a_tick_box(qtbot, tmp_path):
    """本校是否为营养改善计划试点学校 was a box to type 1 or 0 into; it is ticked or not, and saved so."""
    from PySide6.QtWidgets import QCheckBox

    from jiaoyuapp.ledgers import settings
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("settings")
    pilot = tab.edits["nutrition_pilot"]
    assert isinstance(pilot, QCheckBox) and pilot.isChecked()
    pilot.setChecked(False)
    assert tab.save()
    close_message_boxes()
    assert settings.get_int(store, "nutrition_pilot") == 0
