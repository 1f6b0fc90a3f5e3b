"""`jiaoyu`: the command line. Thin: parse, call the core, print.

Chinese output for people, `--json` for programs. Exit codes: 0 success,
1 data problems found (validation, verification), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from jiaoyuapp import __version__
from jiaoyuapp.error_log import log_unexpected
from jiaoyuapp.errors import JiaoyuError, UsageError
from jiaoyuapp.paths import default_db_path


class Parser(argparse.ArgumentParser):
    json_errors = False     # set by main() when --json is on the command line

    def error(self, message):  # argparse's own usage errors, in Chinese, exit 2
        self.print_usage(sys.stderr)
        text = f"用法错误：{message}（运行 jiaoyu -h 查看帮助）"
        if Parser.json_errors:
            print(json.dumps({"error": text}, ensure_ascii=False))
        print(text, file=sys.stderr)
        sys.exit(2)


def output(args, data, human: str | None = None) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    elif human is not None:
        print(human)


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


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="以JSON输出，供程序读取")
    p = Parser(prog="jiaoyu", parents=[common], description="乡村学校控辍保学与家访台账（命令行）")
    p.add_argument("--db", help="学校数据库文件（默认：环境变量 JIAOYU_DB，或用户数据目录下的 school.db）")
    p.add_argument("--actor", default=os.environ.get("JIAOYU_ACTOR", ""), help="操作人（记入变更日志）")
    p.add_argument("--version", action="version", version=f"jiaoyu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    sub.required = True

    def cmd(name, help_text):
        return sub.add_parser(name, help=help_text, parents=[common])

    c = cmd("init", "登记学校，建立数据库")
    c.add_argument("--school-code", required=True, help="学校标识码（10位）")
    c.add_argument("--school-name", required=True)
    c.add_argument("--township", default="")
    c.add_argument("--county", default="")
    c.add_argument("--school-type", help="小学/教学点/初中/九年一贯制/完全中学/高中")
    c.add_argument("--top-grade", type=int, help="毕业年级（默认小学6，初中9）")

    c = cmd("import-roster", "从Excel导入花名册")
    c.add_argument("file")
    c.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    c.add_argument("--only-valid", action="store_true", help="只导入没有问题的行")
    c.add_argument("--sheet", action="append", default=[], metavar="名称",
                   help="只读取这个工作表（可重复；隐藏的工作表也可以这样指定）")
    c.add_argument("--include-hidden", action="store_true", help="也读取隐藏的工作表（默认跳过并列出）")
    c.add_argument("--progress", action="store_true", help="在标准错误输出进度")

    c = cmd("students", "查找学生（姓名、拼音、身份证号或学籍号片段）")
    c.add_argument("query", nargs="?")
    c.add_argument("--class", dest="class_name", help="班级，如 三年级1班")
    c.add_argument("--flag", action="append", default=[], help="标记，如 留守、脱贫户、低保（可重复）")
    c.add_argument("--status", help="在读/转出/休学/辍学/毕业")

    c = cmd("student", "查看一名学生")
    c.add_argument("ref", help="学生编号(uuid)、身份证件号或全国学籍号")

    c = cmd("add-student", "添加一名学生（字段=值）")
    c.add_argument("values", nargs="+")

    c = cmd("edit-student", "修改学生信息（字段=值）")
    c.add_argument("ref")
    c.add_argument("values", nargs="+")

    c = cmd("export-roster", "导出花名册为Excel")
    c.add_argument("out")

    c = cmd("demo", "生成演示学校数据（虚构的学生）")
    c.add_argument("--students", type=int, default=300)
    c.add_argument("--seed", type=int, default=1)

    c = cmd("backup", "备份数据库到文件夹（如U盘）")
    c.add_argument("dir")
    c = cmd("restore", "从备份恢复")
    c.add_argument("backup_file")

    c = cmd("check", "检查数据库完整性和变更日志；数据库损坏时可抢救数据")
    c.add_argument("--salvage", metavar="新文件.db", help="把还能读出的数据复制到这个新文件（原文件不动），并列出丢失的行数")
    c.add_argument("--progress", action="store_true", help="在标准错误输出进度")
    c = cmd("log", "查看变更日志")
    c.add_argument("--since", type=int, default=0)
    c.add_argument("--limit", type=int)
    cmd("summary", "学校概况")

    c = cmd("transfer-out", "转出")
    c.add_argument("ref")
    c.add_argument("--to", required=True, help="转入学校")
    c.add_argument("--date")
    c.add_argument("--reason")
    c = cmd("transfer-in", "转入（字段=值）")
    c.add_argument("values", nargs="+")
    c.add_argument("--from", dest="from_school", required=True, help="原学校")
    c.add_argument("--date")
    c = cmd("suspend", "休学")
    c.add_argument("ref")
    c.add_argument("--reason", required=True)
    c.add_argument("--date")
    c = cmd("resume", "复学")
    c.add_argument("ref")
    c.add_argument("--class", dest="class_name", help="复学编入的班级，如 三年级1班")
    c.add_argument("--date")
    c = cmd("rollover", "秋季升级（先预览，加 --apply 执行）")
    c.add_argument("--apply", action="store_true")
    c = cmd("undo-rollover", "撤销最近一次升级")
    c.add_argument("batch", nargs="?")
    c = cmd("household", "同户（兄弟姐妹）关系")
    c.add_argument("action", choices=["merge", "split"])
    c.add_argument("refs", nargs="+")
    from jiaoyuapp import cli_exchange, cli_ledgers
    cli_ledgers.add_commands(sub, common)
    cli_exchange.add_commands(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    Parser.json_errors = "--json" in (sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if not hasattr(args, "json"):
        args.json = False
    try:
        from jiaoyuapp.work_folders import start_of_run
        start_of_run()
        from jiaoyuapp import cli_commands
        return cli_commands.run(args) or 0
    except JiaoyuError as exc:
        if args.json:
            print(json.dumps({"error": exc.message}, ensure_ascii=False))
        print(f"错误：{exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _fail(args, "已中断，没有写入未完成的数据。")
        return 1
    except Exception:  # noqa: BLE001 - the last line of defence: log, apologise, keep data safe
        path = log_unexpected()
        _fail(args, f"程序出现意外错误，未完成的操作没有写入任何数据。错误详情已记录在：{path}，"
                    "请把这个文件发给技术支持。")
        return 1


def _fail(args, message: str) -> None:
    """A failure told on stderr, and as {"error": …} on stdout for --json: a program reading our
    output always gets JSON."""
    if args.json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(message, file=sys.stderr)


def db_path(args) -> Path:
    return Path(args.db) if args.db else default_db_path()


if __name__ == "__main__":
    sys.exit(main())
