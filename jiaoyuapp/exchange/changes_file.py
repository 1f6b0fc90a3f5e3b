"""The changes file: a packet's log entries as a small SQLite database, the one format that the
school's export, the snapshot (turned back into changes) and the center's merge share.

It holds exactly two tables: `changes` (the school's log entries as they are, with their batch's
uuid, actor and time) and `search_keys` (the pinyin keys of the students it inserts, which the
center keeps only where the name matches). Nothing derived from the entries travels: the center
derives the records the entries insert, in columns (`rows_<table>`, which the merge copies with
INSERT … SELECT), from the entries themselves, so a record and its log entry can never differ.

The file comes from outside: before any other query, `check` proves it is exactly this — SQLite's
own integrity check, the schema statement for statement, every entry's types and its numbering
contiguous over the range the signed manifest states.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3

from jiaoyuapp.roster.roster_rows import MAX_NAME

CHANGES_DB = "changes.sqlite"
SEARCH_KEYS = "search_keys"
ROWS_PREFIX = "rows_"

CREATE_CHANGES = ("CREATE TABLE {s}.changes (seq INTEGER PRIMARY KEY, batch TEXT, tbl TEXT, uuid TEXT, "
                  "op TEXT, changes TEXT, actor TEXT, at TEXT)")
CREATE_SEARCH_KEYS = (f"CREATE TABLE {{s}}.{SEARCH_KEYS} (uuid TEXT, name TEXT, pinyin TEXT, initials TEXT, "
                      "given_pinyin TEXT)")
_LOG_SELECT = ("SELECT c.seq, b.uuid, c.tbl, c.record_uuid, c.op, c.changes, coalesce(c.actor, b.actor), "
               "coalesce(c.at, b.at) FROM {src}.change_log c JOIN {src}.batches b ON b.id = c.batch")


class Malformed(Exception):
    """The file is not what this program writes; the text says what (no personal data)."""


def write(conn: sqlite3.Connection, target: str, source: str, log_from: int, log_to: int | None = None) -> int:
    """Fill the attached, empty database `target` from the log of `source` (entries from
    `log_from`, up to `log_to` if given) and its search keys; returns the number of entries."""
    conn.execute(CREATE_CHANGES.format(s=target))
    conn.execute(CREATE_SEARCH_KEYS.format(s=target))
    where, params = " WHERE c.seq >= ?", [log_from]
    if log_to is not None:
        where += " AND c.seq <= ?"
        params.append(log_to)
    conn.execute(f"INSERT INTO {target}.changes " + _LOG_SELECT.format(src=source) + where + " ORDER BY c.seq", params)
    conn.execute(f"INSERT INTO {target}.{SEARCH_KEYS} SELECT x.uuid, x.name, x.pinyin, x.initials, x.given_pinyin "
                 f"FROM {source}.student_search x WHERE x.uuid IN "
                 f"(SELECT uuid FROM {target}.changes WHERE tbl = 'students' AND op = 'insert')")
    return conn.execute(f"SELECT count(*) FROM {target}.changes").fetchone()[0]


@functools.cache
def _expected_schema() -> frozenset[tuple]:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(CREATE_CHANGES.format(s="main"))
        conn.execute(CREATE_SEARCH_KEYS.format(s="main"))
        return frozenset(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


# What any value a school sends may be: short enough to read (and to compute pinyin from), and free
# of characters that only deceive: control characters (terminal escapes), unpaired surrogates.
MAX_TEXT = 20_000
_BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UUID = re.compile(r"[0-9A-Za-z_.:-]{1,64}")
# A JSON text that may hold such a value: an escaped control character or surrogate, a raw DEL or
# C1 character. Only these entries (and long ones) are parsed again, value by value.
_SUSPECT = re.compile(r"\\u00[01]|\\[bf]|\\u[dD][89abcdefABCDEF]|[\x7f-\x9f]")


def check(conn: sqlite3.Connection, schema: str, *, log_from: int, log_to: int,
          columns: dict[str, list[str]]) -> None:
    """Raise Malformed unless the attached file `schema` is a well-formed changes file for
    entries log_from..log_to, each naming a school table in `columns` and only its columns.
    The schema is compared first: nothing the file defines (an index on an expression, say) runs
    before it is known to be ours."""
    if set(conn.execute(f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master")) != _expected_schema():
        raise Malformed("的结构与本软件不符")
    if [r[0] for r in conn.execute(f"PRAGMA {schema}.integrity_check")] != ["ok"]:
        raise Malformed("已损坏（完整性检查未通过）")
    count, low, high = conn.execute(f"SELECT count(*), min(seq), max(seq) FROM {schema}.changes").fetchone()
    if (count, low, high) != ((log_to - log_from + 1), log_from, log_to) and not (count == 0 and log_to < log_from):
        raise Malformed(f"中的变更编号与清单不符（清单：第{log_from}–{log_to}条）")
    check_entries(conn, f"{schema}.changes", "uuid", columns)
    keys = conn.execute(f"SELECT count(*) FROM {schema}.{SEARCH_KEYS} WHERE typeof(uuid) != 'text' "
                        "OR typeof(name) != 'text' OR typeof(pinyin) != 'text' OR typeof(initials) != 'text' "
                        "OR typeof(given_pinyin) NOT IN ('text', 'null') OR length(name) > :n OR length(pinyin) > :p "
                        "OR length(initials) > :p OR length(given_pinyin) > :p",
                        {"n": MAX_NAME, "p": 10 * MAX_NAME}).fetchone()[0]
    if keys:
        raise Malformed("中的检索拼音格式不对")
    readable(conn, f"SELECT * FROM {schema}.{SEARCH_KEYS}")


def check_entries(conn: sqlite3.Connection, source: str, uuid_col: str, columns: dict[str, list[str]]) -> None:
    """The log entries in `source` (a changes file's `changes`) are each what Batch writes: a school
    table, a record id, an operation, and {field: [old, new]} of that table's own fields, every
    value a plain one (no list, no object), readable text within bounds."""
    try:
        check_rows(conn, source, uuid_col, columns)
        allowed = json.dumps([f"{t}.{c}" for t, cols in columns.items() for c in cols if c != "uuid"])
        unknown, shapeless, names = conn.execute(
            "SELECT count(*) FILTER (WHERE (c.tbl || '.' || j.key) NOT IN (SELECT value FROM json_each(:allowed))), "
            "count(*) FILTER (WHERE j.type != 'array' OR json_array_length(j.value) != 2 "
            "OR json_type(j.value, '$[0]') IN ('object', 'array') OR json_type(j.value, '$[1]') IN ('object', 'array')), "
            "json_group_array(DISTINCT c.seq) FILTER (WHERE j.key = 'name' AND length(j.value) > :name) "
            f"FROM {source} c, json_each(c.changes) j", {"allowed": allowed, "name": MAX_NAME}).fetchone()
        if unknown:
            raise Malformed("中有变更记录含有数据表没有的字段")
        if shapeless:
            raise Malformed("中有变更记录的字段值格式不对")
        check_text(conn, source, set(json.loads(names)))
    except sqlite3.OperationalError as exc:
        if "json" in str(exc).lower():
            raise Malformed("中有变更记录的格式不对（不是有效的JSON）") from None
        raise


def check_rows(conn: sqlite3.Connection, source: str, uuid_col: str, columns: dict[str, list[str]]) -> None:
    """Each entry's own columns: a school table, an id, an operation, a JSON object's text."""
    bad = conn.execute(
        f"SELECT count(*) FROM {source} WHERE typeof(tbl) != 'text' "
        f"OR typeof({uuid_col}) != 'text' OR length({uuid_col}) NOT BETWEEN 1 AND 64 "
        f"OR {uuid_col} GLOB '*[^0-9A-Za-z_.:-]*' OR coalesce(op, '') NOT IN ('insert', 'update', 'delete') "
        "OR typeof(changes) != 'text' OR substr(changes, 1, 1) != '{' OR typeof(actor) NOT IN ('text', 'null') "
        "OR typeof(at) NOT IN ('text', 'null') OR length(actor) > 200 OR length(at) > 40").fetchone()[0]
    if bad:
        raise Malformed(f"中有{bad}条变更记录的格式不对")
    named = {t for (t,) in conn.execute(f"SELECT DISTINCT tbl FROM {source}")}
    if named - set(columns):
        raise Malformed("中的变更记录涉及本软件不认识的数据表")


def check_text(conn: sqlite3.Connection, source: str, also: set[int] = frozenset()) -> None:
    """Every entry's text is valid UTF-8 (Python refuses anything else as it reads it); those (and
    `also`) that might hold a control character, a surrogate or an overlong value are judged value
    by value."""
    suspects = set(also)
    for seq, changes, *_ in _decoded(conn.execute(f"SELECT seq, changes, actor, at, tbl, batch FROM {source}")):
        if len(changes) > MAX_TEXT or _SUSPECT.search(changes):
            suspects.add(seq)
    judge(conn, source, suspects)


def judge(conn: sqlite3.Connection, source: str, seqs: set[int], columns: dict[str, list[str]] | None = None) -> None:
    """The entries SQLite could not clear, read in Python: pairs of plain values, text within
    bounds, and (given `columns`) only the fields of their table."""
    if not seqs:
        return
    rows = conn.execute(f"SELECT tbl, changes FROM {source} WHERE seq IN (SELECT value FROM json_each(?))",
                        (json.dumps(sorted(seqs)),))
    for table, text in _decoded(rows):
        try:
            entry = json.loads(text)
        except (ValueError, RecursionError):
            raise Malformed("中有变更记录的格式不对（不是有效的JSON）") from None
        if not isinstance(entry, dict):
            raise Malformed("中有变更记录的格式不对")
        if columns is not None and (set(entry) - set(columns.get(table, ())) or "uuid" in entry):
            raise Malformed(f"中有变更记录含有数据表 {table} 没有的字段")
        for field, pair in entry.items():
            if not (isinstance(pair, list) and len(pair) == 2 and not any(isinstance(v, (list, dict)) for v in pair)):
                raise Malformed("中有变更记录的字段值格式不对")
            limit = MAX_NAME if field == "name" else MAX_TEXT
            if any(isinstance(v, str) and not plain_value(v, limit) for v in pair):
                raise Malformed(f"中有一项文字含有不应有的字符（控制字符等），或者过长（超过{limit}个字）："
                                f"数据表 {table} 的字段 {field}")


def plain_value(value: str, limit: int = MAX_TEXT) -> bool:
    if len(value) > limit or _BAD_CHARACTERS.search(value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


def _decoded(cursor):
    try:
        yield from cursor
    except sqlite3.OperationalError as exc:
        if "decode" in str(exc).lower() or "utf" in str(exc).lower():
            raise Malformed("中有不是UTF-8编码的文字") from None
        raise


def readable(conn: sqlite3.Connection, sql: str, params=()) -> None:
    """Every text this query returns is valid UTF-8 (read in Python, which refuses anything else)."""
    for _ in _decoded(conn.execute(sql, params)):
        pass


def derive_rows(conn: sqlite3.Connection, schema: str, columns: dict[str, list[str]]) -> list[str]:
    """Add `rows_<table>` to the attached changes file: the records its entries insert, in the
    columns of this program's own tables (a field the sender's older schema lacks is empty).
    Returns the tables that have any."""
    made = []
    for table, cols in columns.items():
        cols = [c for c in cols if c != "uuid"]
        conn.execute(f"DROP TABLE IF EXISTS {schema}.[{ROWS_PREFIX}{table}]")
        conn.execute(f"CREATE TABLE {schema}.[{ROWS_PREFIX}{table}] (seq INTEGER PRIMARY KEY, uuid TEXT, "
                     f"{', '.join(f'[{c}]' for c in cols)})")
        fields = ", ".join(f"json_extract(changes, '$.{c}[1]')" for c in cols)
        n = conn.execute(f"INSERT INTO {schema}.[{ROWS_PREFIX}{table}] SELECT seq, uuid, {fields} FROM {schema}.changes "
                         "WHERE tbl = ? AND op = 'insert' ORDER BY seq", (table,)).rowcount
        if n:
            made.append(table)
    return made


def read_only_uri(path) -> str:
    """A file's SQLite URI, read only (works with any characters in the path)."""
    from pathlib import Path
    return Path(path).resolve().as_uri() + "?mode=ro"


def from_snapshot(path, log_to: int | None = None) -> bytes:
    """The changes file of every entry of a snapshot's log (at a center that already has a copy
    and must merge), as bytes."""
    mem = sqlite3.connect(":memory:", isolation_level=None, uri=True)
    try:
        mem.execute("ATTACH DATABASE ? AS src", (read_only_uri(path),))
        write(mem, "main", "src", 1, log_to)
        mem.execute("DETACH DATABASE src")
        return mem.serialize()
    finally:
        mem.close()
