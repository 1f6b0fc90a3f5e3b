"""With no database yet the app starts the first-run wizard; the wizard makes a school (or a
township center) with its key, or opens a demo school."""

from __future__ import annotations

from jiaoyuapp.exchange import identity, township
from jiaoyuapp.school import open_school, school_info
from tests.ui_helpers import SECRET, close_message_boxes


def test_no_database_means_the_wizard(tmp_path, monkeypatch):
    from ui.app import starting_database
    assert starting_database(None) is None  # empty data directory, no JIAOYU_DB
    monkeypatch.setenv("JIAOYU_DB", str(tmp_path / "x.db"))
    assert starting_database(None) == tmp_path / "x.db"


def _fill(wizard, name, code, center=False):
    wizard.school_page.name.setText(name)
    wizard.school_page.code.setText(code)
    wizard.school_page.township.setText("青石镇")
    (wizard.school_page.center_mode if center else wizard.school_page.school_mode).setChecked(True)
    wizard.next()
    wizard.key_page.secret.setText(SECRET)
    wizard.key_page.again.setText(SECRET)
    wizard.next()


def test_wizard_makes_a_school_with_its_key_and_offers_the_roster(qtbot, tmp_path):
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard(folder=tmp_path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.school_page.code.setText("12")
    wizard.school_page.name.setText("红岩村小学")
    wizard.next()
    assert wizard.currentPage() is wizard.school_page  # a wrong 学校标识码 stops here, explained
    close_message_boxes()
    _fill(wizard, "红岩村小学", "5101230001")
    assert wizard.currentPage() is wizard.start_page
    wizard.start_page.file.setText(str(tmp_path / "花名册.xlsx"))
    wizard.accept()
    assert wizard.session is not None and wizard.roster_file.endswith("花名册.xlsx")
    store = wizard.session.store
    assert school_info(store)["name"] == "红岩村小学"
    assert identity.active(store)["fingerprint"]
    wizard.session.close()


def test_wizard_makes_a_township_center(qtbot, tmp_path):
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard(folder=tmp_path)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill(wizard, "青石镇中心校", "5101239999", center=True)
    wizard.accept()
    assert township.mode(wizard.session.store) == "township"
    wizard.session.close()


def test_wizard_demo_school(qtbot, tmp_path):
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard(folder=tmp_path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.open_demo()
    qtbot.waitUntil(lambda: wizard.session is not None, timeout=60000)
    store = open_school(wizard.session.path, create=False)
    assert store.scalar("SELECT count(*) FROM students") == 300
    store.close()
    wizard.session.close()
