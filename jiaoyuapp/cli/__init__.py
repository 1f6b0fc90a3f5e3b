"""The `jiaoyu` command line (console script `jiaoyu = "jiaoyuapp.cli:main"`).

Layers, each importing only those below it:
  run.py                   builds the one parser from the command modules, opens the database, dispatches
  *_commands.py            each declares its commands (`register`) beside their handlers
  common.py                database path, output and errors, progress, student lookup, passphrase
  chinese_argparse.py      argparse in Chinese; todo_hints.py: the command that does an error's todo
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from jiaoyuapp.cli.run import main as run_main
    return run_main(argv)


def build_parser():
    from jiaoyuapp.cli.run import build_parser as build
    return build()
