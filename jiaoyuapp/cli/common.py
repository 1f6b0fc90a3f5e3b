"""What every `jiaoyu` command shares: how a command is declared, where the database is, how
answers and errors are printed, how a student is named. It imports none of the command modules,
so they can all stand on it."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from jiaoyuapp.cli.chinese_argparse import Parser
from jiaoyuapp.cli.todo_hints import command_hint
from jiaoyuapp.errors import JiaoyuError, NotFoundError, UsageError
from jiaoyuapp.paths import default_db_path


def json_option() -> argparse.ArgumentParser:
    """The `--json` every command accepts, before or after its name."""
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="以JSON输出，供程序读取")
    return common


class Commands:
    """Adds commands (and their own sub-commands) with their handlers, all taking `--json`."""

    def __init__(self, subparsers, parents: list[argparse.ArgumentParser]):
        self.subparsers, self.parents = subparsers, parents

    def add(self, name: str, help_text: str, handler=None, **defaults) -> argparse.ArgumentParser:
        parser = self.subparsers.add_parser(name, help=help_text, description=help_text, parents=self.parents)
        if handler is not None:
            parser.set_defaults(handler=handler)
        if defaults:
            parser.set_defaults(**defaults)
        return parser

    def group(self, parser: argparse.ArgumentParser, metavar: str = "操作") -> "Commands":
        """The sub-commands of `parser` (e.g. `calendar defaults`), chosen into `args.action`."""
        return Commands(parser.add_subparsers(dest="action", metavar=metavar, required=True, title="可用的" + metavar),
                        self.parents)


def db_path(args) -> Path:
    return Path(args.db) if args.db else default_db_path()


def output(args, data, human: str | None = None) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    elif human is not None:
        print(human)


def fail(args, message: str) -> None:
    """A failure told on stderr, and as {"error": …} on stdout for --json: a program reading our
    output always gets JSON."""
    if args.json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(message, file=sys.stderr)


def error_text(exc: JiaoyuError) -> str:
    """The core says what is wrong; the command line adds which command puts it right."""
    hint = command_hint(exc.todo)
    return f"{exc.message}{hint}" if hint else exc.message


def report_error(args, exc: JiaoyuError) -> int:
    text = error_text(exc)
    if args.json:
        print(json.dumps({"error": text}, ensure_ascii=False))
    print(f"错误：{text}", file=sys.stderr)
    return exc.exit_code


def progress_printer(args):
    if not getattr(args, "progress", False):
        return None

    def show(done, total, stage):
        print(f"progress {done} {total or 0} {stage}", file=sys.stderr, flush=True)
    return show


def parse_pairs(items: list[str]) -> dict:
    values = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"“{item}”应写成 字段=值，例如 姓名=张三")
        key, value = item.split("=", 1)
        values[key.strip()] = value.strip() or None
    return values


STUDENT = "学生编号(uuid)、身份证件号或全国学籍号"  # the ways student_ref finds a student, for help texts


def as_of_option(parser: argparse.ArgumentParser, help_text: str = "统计截至日期（默认今天）") -> None:
    """The `--as-of 日期` of a report or export: the day it counts to."""
    parser.add_argument("--as-of", metavar="日期", help=help_text)


def as_of(args) -> dt.date | None:
    """The day `--as-of` names, or None where it was not given (the core then takes today)."""
    value = getattr(args, "as_of", None)
    if not value:
        return None
    from jiaoyuapp.ledgers.school_calendar import as_date
    return as_date(value)


def student_ref(store, ref: str) -> str:
    """A student named by uuid, ID number or 全国学籍号."""
    ref = ref.strip()
    uid = store.scalar("SELECT uuid FROM students WHERE uuid = ? OR id_number = ? OR student_no = ?",
                       (ref, ref.upper(), ref.upper()))
    if uid is None:
        raise NotFoundError(f"找不到学生“{ref}”。请用 jiaoyu students 查询后，使用其编号、身份证件号或全国学籍号。")
    return uid


def passphrase(prompt: str = "校长密钥口令：", confirm: bool = False) -> str | None:
    """From JIAOYU_PASSPHRASE, or asked at a terminal; None when neither is possible."""
    from jiaoyuapp.exchange import identity
    found = identity.passphrase_from_env()
    if found or not sys.stdin.isatty():
        return found
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != first:
        raise UsageError("两次输入的口令不一致。")
    return first
