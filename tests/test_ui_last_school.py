"""The window starts on the school opened last: a principal who switched to the 教学点 yesterday
finds it open today, with no --db and no file dialog."""

from __future__ import annotations

from tests.ui_helpers import demo_db, empty_school, open_window


def test_the_window_starts_on_the_last_school_opened(qtbot, tmp_path):
    """Open school A, switch to B in the window, close: the next start opens B; switch back: A."""
    from ui.app import open_window as start_window
    from ui.app import starting_database
    first = demo_db(tmp_path / "a")
    second = empty_school(tmp_path / "b" / "教学点.db", name="岩口教学点")
    window = open_window(qtbot, first)
    window.open_path(second)
    window.close()
    assert starting_database(None).resolve() == second.resolve()
    again = start_window(starting_database(None))
    qtbot.addWidget(again)
    assert "岩口教学点" in again.windowTitle()
    again.open_path(first)
    again.close()
    assert starting_database(None).resolve() == first.resolve()
    assert starting_database(str(second)) == second  # --db still wins
