"""Code tables (民族, 证件类型, 健康状况 …) are data files, not `if` chains.

Each `data/NAME.tsv` has columns code, label, synonyms (separated by `|`).
A cell in an import may hold the code or any label or synonym; lookups
ignore spaces and full-width forms, 其它 for 其他, and a bracketed note: the 学籍 system writes
自行车（含摩托车、电动自行车）, a school writes 自行车 or 自行车(含电动自行车), and all three are one label.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full-width → half-width), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_NOTE = re.compile(r"[(\[【〔].*?[)\]】〕]")


def _key(text: str) -> str:
    return fold(text).replace("其它", "其他")


def _bare(key: str) -> str:
    """A folded label without its bracketed notes (the whole key when that is all there is)."""
    return _NOTE.sub("", key) or key


class CodeTable:
    def __init__(self, name: str, rows: list[tuple[str, str, list[str]]]):
        self.name = name
        self.rows = rows
        self._labels = {code: label for code, label, _ in rows}
        self._lookup: dict[str, str] = {}
        # Codes win over synonyms of other entries; labels over synonyms.
        for code, label, synonyms in rows:
            for s in synonyms:
                self._lookup.setdefault(_key(s), code)
        for code, label, _ in rows:
            self._lookup[_key(label)] = code
        for code, _, _ in rows:
            self._lookup[_key(code)] = code
        # Labels and synonyms without their notes, where that names one entry only.
        bare: dict[str, set[str]] = {}
        for code, label, synonyms in rows:
            for s in (label, *synonyms):
                bare.setdefault(_bare(_key(s)), set()).add(code)
        self._bare = {k: next(iter(v)) for k, v in bare.items() if len(v) == 1}

    def code(self, raw) -> str | None:
        """The code for a cell value (code, label or synonym), or None if unknown."""
        if raw is None:
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        key = _key(str(raw))
        if key in self._lookup:
            return self._lookup[key]
        found = self._lookup.get(_bare(key)) or self._bare.get(_bare(key))
        if found is not None:
            return found
        # Numeric codes written without their leading zero (Excel ate it): 1 → "01".
        if key.isdigit():
            for code in self._labels:
                if code.isdigit() and int(code) == int(key):
                    return code
        return None

    def label(self, code: str | None) -> str:
        return self._labels.get(code, "") if code is not None else ""

    def codes(self) -> list[str]:
        return list(self._labels)

    def labels(self) -> list[str]:
        return list(self._labels.values())


@lru_cache(maxsize=None)
def table(name: str) -> CodeTable:
    text = resources.files(__package__).joinpath("data", f"{name}.tsv").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        parts = line.split("\t")
        parts += [""] * (3 - len(parts))
        code, label, syn = parts[:3]
        rows.append((code.strip(), label.strip(), [s for s in syn.split("|") if s.strip()]))
    return CodeTable(name, rows)


@lru_cache(maxsize=None)
def records(name: str) -> tuple[dict, ...]:
    """The rows of a data file as dicts keyed by its header (for tables that are not code lists)."""
    text = resources.files(__package__).joinpath("data", f"{name}.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0].split("\t")
    return tuple(dict(zip(header, (c.strip() for c in line.split("\t")))) for line in lines[1:])
