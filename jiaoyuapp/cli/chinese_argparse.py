"""argparse speaking Chinese: its own words (用法, 选项, its error messages) and ours.

argparse looks its words up through its module-level `_` and `ngettext` at the moment it needs
them (building a parser, printing help, refusing arguments). `Parser` swaps in a small table for
exactly those moments and puts the originals back afterwards, so nothing else in the process (a
test runner's own argparse, the window's) is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "命令",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有“%(parser_name)s”这个命令（可用：%(choices)s）",
    "argument \"-\" with mode %r": "不能用“-”代替文件（%r）",
    "can't open '%(filename)s': %(error)s": "打不开“%(filename)s”：%(error)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "这个选项不带值，多出了：%r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 至少要给出一个",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要%s个值",
    "expected %s arguments": "需要%s个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "多余的选项：%s",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的%(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "“%(value)s”不是可选的值（可选：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def translate(text):
    return WORDS.get(text, text)


def translate_plural(singular, plural, n):
    return translate(singular if n == 1 else plural)


@contextlib.contextmanager
def chinese():
    """argparse's words in Chinese inside the block (nests; restores what was there before)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = translate, translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def integer(text: str) -> int:
    return int(text)


def number(text: str) -> float:
    return float(text)


integer.__name__ = "整数"  # argparse names a type by __name__ in "invalid … value"
number.__name__ = "数字"


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Headings end in a Chinese colon; an option without its own metavar reads `--date 值`, not
    `--date DATE`."""

    def start_section(self, heading):
        self._headings = getattr(self, "_headings", set()) | {heading}
        super().start_section(heading)

    def format_help(self):
        text = super().format_help()
        for heading in getattr(self, "_headings", ()):
            if heading:
                text = text.replace(f"{heading}:\n", f"{heading}：\n")
        return text

    def _get_default_metavar_for_optional(self, action):
        return "值"

    def _get_default_metavar_for_positional(self, action):
        return action.dest


class Parser(argparse.ArgumentParser):
    """Every parser of `jiaoyu`: Chinese while it is built, prints help and refuses arguments."""

    json_errors = False     # set by main() when --json is on the command line

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with chinese():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        with chinese():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with chinese():
            return super().format_usage()

    def format_help(self):
        with chinese():
            return super().format_help()

    def error(self, message):  # argparse's own usage errors, in Chinese, exit 2
        self.print_usage(sys.stderr)
        text = f"用法错误：{message}（运行 {self.prog} -h 查看帮助）"
        if Parser.json_errors:
            print(json.dumps({"error": text}, ensure_ascii=False))
        print(text, file=sys.stderr)
        sys.exit(2)
