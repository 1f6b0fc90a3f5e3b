"""An error that something must be set up first says so in each front end's own terms: the command
line names its command, the window its screen and button, and no window text names a command."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from jiaoyuapp.cli.todo_hints import COMMANDS
from jiaoyuapp.errors import TODOS, DataError, JiaoyuError
from tests.test_cli import jiaoyu
from tests.ui_helpers import close_message_boxes, empty_school, message_boxes
from ui.todo_hints import SCREENS, window_text

REPO = Path(__file__).resolve().parent.parent
INSTRUCTION = re.compile(r"jiaoyu\s+(?:--[a-z]|[a-z][a-z-]*\b)")  # `jiaoyu calendar …`, `jiaoyu --db …`
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
# A bare subcommand after a verb (“先用 init 建立…”, “请运行 check”): still a command to type.
BARE_COMMAND = re.compile(r"(?:用|运行|执行)\s*[`“\"']?(?!jiaoyu\b)[a-z][a-z-]+")


def test_every_todo_has_a_command_and_a_screen():
    """Each todo key the core may raise has a command-line text and a window text, and no others exist."""
    assert set(COMMANDS) == set(TODOS) == set(SCREENS)
    for key in TODOS:
        assert COMMANDS[key].startswith("jiaoyu ")
        assert "jiaoyu" not in SCREENS[key] and not OPTION.search(SCREENS[key]), key


def test_an_unknown_todo_is_a_programming_error():
    """A todo nobody can show fails where it is raised, not later in a dialog."""
    with pytest.raises(ValueError):
        DataError("x", todo="no-such-thing")


def _user_strings(path: Path):
    """String literals of a module, docstrings left out (they speak to programmers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _scan(folder: str, skip: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in sorted((REPO / folder).rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(skip):
            continue
        found += [f"{rel}:{line}: {text}" for line, text in _user_strings(path)
                  if INSTRUCTION.search(text) or BARE_COMMAND.search(text)]
    return found


def test_no_message_outside_the_command_line_names_a_command():
    """No string in the core (outside jiaoyuapp/cli/) or the window tells anyone to run `jiaoyu …`."""
    assert _scan("jiaoyuapp", skip=("jiaoyuapp/cli/",)) == []
    assert _scan("ui") == []


def test_the_scan_finds_an_instruction(tmp_path):
    """The scan above would see a command in a message (and not in a docstring)."""
    probe = tmp_path / "probe.py"
    probe.write_text('"""For `jiaoyu check`."""\nraise ValueError(f"请先运行：jiaoyu calendar defaults {1}")\n',
                     encoding="utf-8")
    assert [text for _, text in _user_strings(probe) if INSTRUCTION.search(text)] == ["请先运行：jiaoyu calendar defaults "]
    probe.write_text('raise ValueError("请检查路径，或先用 init 建立学校数据库。")\n', encoding="utf-8")
    assert [text for _, text in _user_strings(probe) if BARE_COMMAND.search(text)] == ["请检查路径，或先用 init 建立学校数据库。"]


def test_command_line_appends_its_command(tmp_path):
    """`jiaoyu report coverage` before any term exists says what is missing and which command sets it."""
    db = empty_school(tmp_path / "学校.db")
    out = jiaoyu("report", "coverage", db=db)
    assert out.returncode == 1
    assert "还没有设置学期" in out.stderr and "请运行：jiaoyu calendar defaults" in out.stderr
    out = jiaoyu("aid", "give", "nobody", "--program", "x", "--date", "2026-09-01", db=db)
    assert out.returncode == 1 and "jiaoyu students" in out.stderr
    out = jiaoyu("visit", "x", "--date", "2026-09-01", "--teacher", "王老师", "--mode", "电话", db=db)
    assert out.returncode == 1 and "找不到学生" in out.stderr


def test_the_real_refusals_carry_their_todo(store):
    """The core's own 'set this up first' refusals carry the key the front ends turn into a place."""
    from jiaoyuapp.exchange import identity
    from jiaoyuapp.ledgers import aid, coverage, teachers
    from jiaoyuapp.school import open_school
    cases = [(lambda: coverage.coverage(store), "calendar"), (lambda: teachers.find_teacher(store, "王老师"), "teachers"),
             (lambda: aid.find_program(store, "营养餐"), "aid_programs"), (lambda: identity.active(store), "key"),
             (lambda: open_school(store.path.parent / "没有这个文件.db", create=False), "school")]
    for call, todo in cases:
        with pytest.raises(JiaoyuError) as refused:
            call()
        assert refused.value.todo == todo
        assert not INSTRUCTION.search(refused.value.message)
        assert SCREENS[todo] in window_text(refused.value)


def test_window_shows_the_screen_not_the_command(qtbot, store):
    """A refusal in the window (guarded, or the excepthook) says where in the window to act, never a command."""
    import sys

    from jiaoyuapp.ledgers import coverage
    from ui.dialogs import guarded, install_excepthook
    close_message_boxes()
    assert guarded(None, coverage.coverage, store) is None
    [text] = message_boxes()
    assert "还没有设置学期" in text and "学校设置 → 校历" in text
    assert "jiaoyu" not in text and not OPTION.search(text)
    close_message_boxes()
    saved = sys.excepthook
    install_excepthook()
    try:
        sys.excepthook(DataError, DataError("本库还没有学校密钥。", todo="key"), None)
    finally:
        sys.excepthook = saved
    [text] = message_boxes()
    assert "导出与回执" in text and "jiaoyu" not in text
    close_message_boxes()


def test_long_work_in_a_worker_keeps_the_hint(qtbot, store):
    """A refusal from work run in a worker process (家访's task list, 首页) still says where in the window to act."""
    from jiaoyuapp.background import CoreCall
    from ui.tasks import Task
    store.close()  # the worker opens the file itself
    task = Task(CoreCall("jiaoyuapp.ledgers.coverage:coverage", db=str(store.path), progress=False))
    failures = []
    task.signals.failed.connect(lambda message, unexpected: failures.append((message, unexpected)))
    task.start()
    qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
    [(message, unexpected)] = failures
    assert not unexpected and "还没有设置学期" in message and "学校设置 → 校历" in message and "jiaoyu" not in message


def test_a_screen_refusal_keeps_the_hint(qtbot, tmp_path):
    """资助 on a school with aid programs but no terms: 登记 is refused, and the box says where to set the terms."""
    from jiaoyuapp.ledgers import aid
    from jiaoyuapp.roster.students import add_student
    from jiaoyuapp.school import open_school
    from tests.ui_helpers import open_window
    from tests.workbooks import make_id
    db = empty_school(tmp_path / "school.db")
    store = open_school(db)
    uuid, _ = add_student(store, {"姓名": "张小红", "身份证件号": make_id("20180305", 11), "年级": "三年级", "班级": "1班"})
    aid.ensure_default_programs(store, levels=None)
    store.close()
    window = open_window(qtbot, db)
    screen = window.show_screen("aid")
    assert screen.give_program.count() > 0  # the programs are there: the refusal comes from the core
    close_message_boxes()
    screen.choose(uuid)
    assert not screen.give()
    [text] = message_boxes()
    assert "还没有设置学期" in text and SCREENS["calendar"] in text
    assert "jiaoyu" not in text and not OPTION.search(text)
    close_message_boxes()
