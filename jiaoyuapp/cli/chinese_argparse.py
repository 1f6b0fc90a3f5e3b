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
import re
import sys
import unicodedata

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


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_PIECES = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\s+")


NO_LINE_START = set("，。；：、）》」』”’！？…")  # stays at the end of the line before


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (a closing mark may hang over): Chinese may break between
    any two characters, a Latin word or a path never inside."""
    lines, line = [], ""
    for piece in _PIECES.findall(" ".join(text.split())):
        if piece.isspace():
            if line:
                line += " "
            continue
        if line and display_width(line) + display_width(piece) > width and piece not in NO_LINE_START:
            lines.append(line.rstrip())
            line = ""
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's layout counted in terminal columns (a Chinese character is two wide), headings
    with a Chinese colon, and `--date 值` for an option without a placeholder of its own."""

    def start_section(self, heading):
        self._headings = getattr(self, "_headings", set()) | {heading}
        super().start_section(heading)

    def format_help(self):
        text = super().format_help()
        for heading in getattr(self, "_headings", ()):
            if heading:
                text = text.replace(f"{heading}:\n", f"{heading}：\n")
        return text

    def add_argument(self, action):
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(a) for a in self._iter_indented_subactions(action)]
            widest = max(map(display_width, invocations)) + self._current_indent
            self._action_max_length = max(self._action_max_length, widest)

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts, first_indent = [f"{indent}{header}\n"], None
        elif display_width(header) <= action_width:
            parts, first_indent = [f"{indent}{header}{' ' * (action_width - display_width(header))}  "], 0
        else:
            parts, first_indent = [f"{indent}{header}\n"], help_position
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * first_indent + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not parts[0].endswith("\n"):
            parts.append("\n")
        for subaction in self._iter_indented_subactions(action):
            parts.append(self._format_action(subaction))
        return self._join_parts(parts)

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
