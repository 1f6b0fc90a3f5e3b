"""`jiaoyu`: the command line. Thin: parse, call the core, print.

Chinese output for people, `--json` for programs. Exit codes: 0 success,
1 data problems found (validation, verification), 2 wrong usage.

Each command module declares its commands beside their handlers (`register`); this module only
puts them under one parser, opens the database and runs the handler the arguments chose.
"""

from __future__ import annotations

import os
import sqlite3
import sys

from jiaoyuapp import __version__
from jiaoyuapp.cli import database_commands, exchange_commands, ledger_commands, roster_commands
from jiaoyuapp.cli.chinese_argparse import Parser
from jiaoyuapp.cli.common import Commands, db_path, error_text, fail, json_option, report_error
from jiaoyuapp.error_log import log_unexpected
from jiaoyuapp.errors import JiaoyuError

COMMAND_MODULES = (database_commands, roster_commands, ledger_commands, exchange_commands)


def build_parser() -> Parser:
    common = json_option()
    p = Parser(prog="jiaoyu", parents=[common], description="乡村学校控辍保学与家访台账（命令行）",
               epilog="每个命令的用法：jiaoyu 命令 -h，例如 jiaoyu calendar -h")
    p.add_argument("--db", metavar="文件",
                   help="学校数据库文件（默认：环境变量 JIAOYU_DB；否则最近一次打开的数据库，与窗口程序相同；"
                        "都没有时为用户数据目录下的 school.db）")
    p.add_argument("--actor", default=os.environ.get("JIAOYU_ACTOR", ""), metavar="姓名",
                   help="操作人（记入变更日志；默认为环境变量 JIAOYU_ACTOR）")
    p.add_argument("--version", action="version", version=f"jiaoyu {__version__}", help="显示版本号并退出")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=Parser, title="可用的命令")
    sub.required = True
    commands = Commands(sub, [common])
    for module in COMMAND_MODULES:
        module.register(commands)
    return p


def chinese_output() -> None:
    """Output that can carry Chinese. A console shows it whatever the code page; output sent to a
    file or a pipe takes the system's encoding, which on a Windows set to English (cp1252) has no
    Chinese at all: then UTF-8. A rare character the encoding lacks (a name's 𠮷 in GBK) is
    replaced rather than ending the command halfway."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            "控辍保学".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            stream.reconfigure(encoding="utf-8", errors="replace")
        else:
            stream.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    chinese_output()
    Parser.json_errors = "--json" in (sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if not hasattr(args, "json"):
        args.json = False
    try:
        from jiaoyuapp.work_folders import start_of_run
        start_of_run()
        return run(args)
    except JiaoyuError as exc:
        return report_error(args, exc)
    except KeyboardInterrupt:
        fail(args, "已中断，没有写入未完成的数据。")
        return 1
    except Exception:  # noqa: BLE001 - the last line of defence: log, apologise, keep data safe
        path = log_unexpected()
        fail(args, f"程序出现意外错误，未完成的操作没有写入任何数据。错误详情已记录在：{path}，"
                   "请把这个文件发给技术支持。")
        return 1


def run(args) -> int:
    from jiaoyuapp.school import open_school
    from jiaoyuapp.store.backups import daily_backup
    from jiaoyuapp.store.connection import disk_full_error, out_of_room
    from jiaoyuapp.store.damage import corruption_error, is_corruption
    path = db_path(args)
    opener = getattr(args, "open_store", None)
    created = getattr(args, "creates_db", False)
    store = opener(path) if opener else open_school(path, create=created)
    try:
        if getattr(args, "fresh_start", False):
            _quietly(_sweep_unfinished_backups)
        else:
            _quietly(daily_backup, store)
        try:
            code = args.handler(store, args) or 0
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise corruption_error(store.path) from None
            if out_of_room(exc, store.path):
                raise disk_full_error(store.path) from None
            raise
    finally:
        store.close()
    if code == 0 and (args.db or (created and not os.environ.get("JIAOYU_DB"))):
        _remember(path)
    return code


def _remember(path) -> None:
    """A database named with --db, or made by this command (init, demo, township init), is the one
    the user works on now: the next `jiaoyu` without --db, and the window, start with it, as they
    do after the window opened it. A command that failed leaves the list alone (a mistyped path
    or a damaged file must not become the default). One chosen through JIAOYU_DB is not written
    down: that variable belongs to a script or a test, the list to the person at the desk."""
    from jiaoyuapp.recent_databases import remember
    remember(path)


def _sweep_unfinished_backups() -> None:
    from jiaoyuapp.store.backup_folders import sweep_ended
    sweep_ended()


def _quietly(work, *args) -> None:
    """The daily backup (and the clearing of what killed backups left) never stops a command: a
    damaged database or a full disk is said on stderr, and the command goes on."""
    try:
        work(*args)
    except JiaoyuError as exc:
        print(f"提醒：今天的自动备份没有完成。{error_text(exc)}（本次命令照常执行。）", file=sys.stderr)
    except (sqlite3.Error, OSError) as exc:
        print(f"提醒：今天的自动备份没有完成（{exc}）。本次命令照常执行。", file=sys.stderr)
