"""The core never imports Qt or the window: the CLI and the app must agree on every rule."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "jiaoyuapp"
FORBIDDEN = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "ui")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args \
                and isinstance(node.args[0], ast.Constant):
            names.append(str(node.args[0].value))
    return names


def test_core_never_imports_qt_or_ui():
    """If this fails, a rule has leaked into the window and the command line may disagree with it."""
    offenders = [f"{p.relative_to(CORE.parent)}: {m}" for p in sorted(CORE.rglob("*.py"))
                 for m in imported_modules(p) if m.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(CORE.rglob("*.py"))) > 10  # the scan really looked at the core


def test_the_scan_catches_an_offender(tmp_path):
    """The check itself works: a module importing PySide6 is seen."""
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtWidgets import QWidget\nimport ui.app\n")
    assert imported_modules(bad) == ["PySide6.QtWidgets", "ui.app"]
