"""The command line's modules stand in layers: a change to one command cannot break another's import."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parent.parent / "jiaoyuapp" / "cli"
# shared helpers, and the options of one command's sub-actions kept in their own file
BELOW = {"common", "chinese_argparse", "todo_hints", "case_placement_options"}


def _cli_imports(path: Path) -> set[str]:
    """The jiaoyuapp.cli modules a file imports (at the top or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("jiaoyuapp.cli."):
                found.add(node.module.split(".")[2])
            elif node.module == "jiaoyuapp.cli":
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("jiaoyuapp.cli.")}
    return found


def test_shared_helpers_import_no_command_module():
    """common.py and the modules below it never import a command module or the dispatcher."""
    for name in BELOW:
        assert _cli_imports(CLI / f"{name}.py") <= BELOW, name


def test_command_modules_import_only_what_is_below_them():
    """Each *_commands.py stands on the shared helpers only, never on another command module."""
    modules = sorted(CLI.glob("*_commands.py"))
    assert {m.stem for m in modules} >= {"database_commands", "roster_commands", "ledger_commands",
                                         "exchange_commands"}
    for module in modules:
        assert _cli_imports(module) <= BELOW, module.name


def test_no_old_cli_modules_are_left():
    """The old cli.py / cli_*.py files are gone, so nothing imports the circle again."""
    assert not list(CLI.parent.glob("cli*.py"))
