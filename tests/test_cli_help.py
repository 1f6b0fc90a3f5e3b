"""`jiaoyu` speaks Chinese: every command's help and argparse's own refusals, with no English."""

from __future__ import annotations

import argparse
import contextlib
import io
import re

import pytest

from jiaoyuapp.cli import build_parser
from jiaoyuapp.cli.chinese_argparse import WORDS

ENGLISH = ["usage:", "positional arguments", "optional arguments", "options:", "show this help",
           "show program's version", "the following arguments are required", "invalid choice", "expected one",
           "expected at", "unrecognized arguments", "invalid int", "invalid float", "error:", "argument ",
           "ambiguous option", "not allowed with", "ignored explicit", "choose from", "subcommands",
           "required:", "one of the arguments"]
ALLOWED_CAPITALS = {"JSON", "JIAOYU_DB", "JIAOYU_ACTOR", "MB", "PDF", "uuid"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _parsers(parser=None, path=()):
    """Every parser of the command tree with the words that reach it, the top one first."""
    parser = parser or build_parser()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, path + (name,))


PARSERS = list(_parsers())


def _run(argv) -> tuple[int | None, str]:
    """Parse only (no command runs): argparse's exit code, or None when the arguments are fine."""
    out, err = io.StringIO(), io.StringIO()
    code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            build_parser().parse_args(argv)
        except SystemExit as done:
            code = done.code
    return code, out.getvalue() + err.getvalue()


def _no_english(text: str, where) -> None:
    lowered = text.lower()
    found = [phrase for phrase in ENGLISH if phrase in lowered]
    assert not found, (where, found, text)
    capitals = set(re.findall(r"\b[A-Z][A-Z_]{2,}\b", text)) - ALLOWED_CAPITALS
    assert not capitals, (where, capitals, text)  # an option's default placeholder, e.g. --date DATE


def test_the_tree_is_walked():
    """The walk reaches the nested commands, so the checks below cover every one."""
    names = {" ".join(path) for path, _ in PARSERS}
    assert {"", "init", "calendar defaults", "case attempt", "township decide", "export packet"} <= names
    assert len(PARSERS) > 70


@pytest.mark.parametrize("path", [p for p, _ in PARSERS], ids=lambda p: " ".join(p) or "jiaoyu")
def test_help_is_chinese_throughout(path):
    """`jiaoyu … -h` shows Chinese headings and a Chinese help text for every command, argument and option."""
    code, text = _run([*path, "-h"])
    assert code == 0
    assert text.startswith("用法：jiaoyu")
    _no_english(text, path)
    parser = dict(PARSERS)[path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help and CJK.search(choice.help), (path, choice.dest)
            continue
        assert action.help and CJK.search(action.help), (path, action.dest)
        if not action.option_strings and not action.choices:
            assert action.metavar and CJK.search(action.metavar), (path, action.dest)  # not `file`, `ref`


@pytest.mark.parametrize("path", [p for p, _ in PARSERS], ids=lambda p: " ".join(p) or "jiaoyu")
def test_refusals_are_chinese(path):
    """A wrong option, a missing argument or an unknown sub-command is refused in Chinese, exit code 2."""
    parser = dict(PARSERS)[path]
    code, text = _run([*path, "--no-such-option"])
    assert code == 2 and "用法错误" in text and "运行 jiaoyu" in text
    _no_english(text, path)
    code, text = _run(list(path))  # nothing after it: missing what is required (or fine)
    assert code in (None, 2)
    _no_english(text, path)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            code, text = _run([*path, "no-such-command"])
            assert code == 2 and "不是可选的值" in text
            _no_english(text, path)
        elif action.option_strings and action.nargs is None:
            code, text = _run([*path, action.option_strings[0]])  # an option that needs a value, without one
            assert code == 2 and "需要一个值" in text
            _no_english(text, (path, action.dest))


def test_typed_values_and_extras_are_refused_in_chinese():
    """A number that is not one, and words left over, are refused in Chinese naming the option."""
    code, text = _run(["log", "--since", "abc"])
    assert code == 2 and "“abc”不是有效的整数" in text
    _no_english(text, "log --since")
    code, text = _run(["aid", "give", "x", "--program", "p", "--date", "2026-09-01", "--amount", "很多"])
    assert code == 2 and "不是有效的数字" in text
    code, text = _run(["summary", "left-over"])
    assert code == 2 and "无法识别的参数：left-over" in text
    code, text = _run(["--db"])
    assert code == 2 and "参数 --db：需要一个值" in text


def test_translation_table_matches_argparse():
    """Every phrase argparse says to a user is in the table (a Python upgrade that rewords one fails here)."""
    import inspect
    source = inspect.getsource(argparse)
    said = set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", source)) | set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', source))
    said = {s.replace("\\'", "'").replace('\\"', '"').replace("\\n", "\n") for s in said}
    to_users = {s for s in said if s not in DEVELOPER_ONLY}
    assert to_users - set(WORDS) == set()


# argparse's words for mistakes in the program that builds a parser: never shown to a user of jiaoyu.
DEVELOPER_ONLY = {
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    "cannot merge actions - two groups are named %r", "'required' is an invalid argument for positionals",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments", "%r is not callable",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
}


def test_argparse_elsewhere_is_untouched():
    """Building jiaoyu's parser leaves argparse itself alone (the window's own parser, a test runner's)."""
    build_parser().format_help()
    plain = argparse.ArgumentParser(prog="x")
    assert "usage:" in plain.format_help() and "show this help message" in plain.format_help()


def test_help_columns_line_up_in_a_terminal():
    """Chinese placeholders take two columns each; the help texts still start in one column and fit the width."""
    from jiaoyuapp.cli.chinese_argparse import display_width, wrap
    _, text = _run(["visit", "-h"])
    starts = {}
    for line in text.splitlines():
        for option, help_text in (("--json", "以JSON输出"), ("--date 日期", "家访日期"), ("--note 内容", "备注")):
            if line.lstrip().startswith(option) and help_text in line:
                starts[option] = display_width(line[:line.index(help_text)])
    assert len(starts) == 3 and len(set(starts.values())) == 1, starts
    lines = wrap("学校数据库文件（默认：环境变量 JIAOYU_DB；否则最近一次打开的数据库）", 20)
    assert all(display_width(line) <= 22 for line in lines) and "JIAOYU_DB" in "".join(lines)
    assert not any(line.startswith(("）", "，", "；")) for line in lines)


def test_output_to_a_file_on_a_windows_set_to_english_still_carries_chinese(tmp_path):
    """Redirected output takes the system's encoding; cp1252 (an English Windows) has no Chinese:
    the command must not stop with UnicodeEncodeError halfway, and what it wrote reads as UTF-8."""
    import os
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "-h"], capture_output=True,
                          env=dict(os.environ, PYTHONIOENCODING="cp1252", JIAOYU_DATA_DIR=str(tmp_path)))
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-300:]
    assert "用法" in done.stdout.decode("utf-8")
