"""Importing the roster: a dry run that reports every problem, then one transaction.

The same file imported again updates students in place (matched by ID number,
else by 全国学籍号) and logs only what really changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from jiaoyuapp.errors import CancelledError
from jiaoyuapp.roster import households
from jiaoyuapp.roster.roster_rows import HeaderMap, ParsedRow, RowReader, find_header, iter_parsed
from jiaoyuapp.roster.xlsx_reader import estimated_rows, iter_sheet_rows, open_workbook
from jiaoyuapp.store import Store
from jiaoyuapp.store.backups import auto_backup
from jiaoyuapp.store.writes import new_uuid

Progress = Callable[[int, int | None, str], None]
Cancel = Callable[[], bool]

GUARDIAN_COLS = ("name", "relation", "is_guardian", "id_number", "phone", "address", "workplace")


def _no_progress(done: int, total: int | None, stage: str) -> None:
    pass


def _never() -> bool:
    return False


@dataclass
class ImportReport:
    file: str = ""
    sheet: str = ""
    header_row: int = 0
    dry_run: bool = False
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    backup: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def import_roster(store: Store, path: str | Path, *, dry_run: bool = False, only_valid: bool = False,
                  actor: str = "", progress: Progress = _no_progress, cancel: Cancel = _never,
                  today: dt.date | None = None) -> ImportReport:
    """Read a roster workbook and, unless `dry_run`, write it in one transaction.

    With problems and without `only_valid`, nothing is written. With
    `only_valid`, the valid rows are written and the refused ones reported.
    """
    path = Path(path)
    wb = open_workbook(path)
    try:
        ws, header, rows = _pick_sheet(path, wb)
        total = estimated_rows(ws)
        report = ImportReport(file=path.name, sheet=ws.title, header_row=header.row, dry_run=dry_run,
                              ignored_columns=header.ignored)
        parsed: list[ParsedRow] = []
        for pr in iter_parsed(RowReader(header, today), rows):
            parsed.append(pr)
            if len(parsed) % 500 == 0:
                if cancel():
                    raise CancelledError()
                progress(pr.row, total, "读取")
    finally:
        wb.close()
    present = header.keys()
    if "class_no" in present:
        present.add("grade")
    return apply_rows(store, parsed, present, report, header=header, only_valid=only_valid, actor=actor,
                      progress=progress, cancel=cancel)


def _pick_sheet(path: Path, wb):
    """The first worksheet with a recognisable header row."""
    first_error = None
    for ws in wb.worksheets:
        rows = iter_sheet_rows(path, ws)
        try:
            header, rest = find_header(rows)
        except Exception as exc:  # noqa: BLE001 - try the next sheet, report the first failure
            first_error = first_error or exc
            continue
        return ws, header, rest
    raise first_error


def _file_checks(parsed: list[ParsedRow], locate: Callable[[str], tuple[str, str]]) -> None:
    """Duplicates inside the file: the first row wins, later ones are refused."""
    seen: dict[str, dict[str, int]] = {"id_number": {}, "student_no": {}}
    seen_name: dict[tuple, int] = {}
    for pr in parsed:
        if not pr.ok:
            continue
        v = pr.values
        for key, label in (("id_number", "身份证件号"), ("student_no", "全国学籍号")):
            value = v.get(key)
            if value and value in seen[key]:
                first = seen[key][value]
                column, letter = locate(key)
                pr.problems.append({"row": pr.row, "column": column, "letter": letter,
                                    "message": f"{label}与第{first}行重复（已保留第{first}行），"
                                               "请删除重复的一行，或核对号码是否抄错"})
                break
        else:
            for key in ("id_number", "student_no"):
                if v.get(key):
                    seen[key][v[key]] = pr.row
            if v.get("name") and v.get("grade") is not None and v.get("class_no"):
                k = (v["grade"], v["class_no"], v["name"])
                if k in seen_name:
                    column, letter = locate("name")
                    pr.warnings.append({"row": pr.row, "column": column, "letter": letter,
                                        "message": f"同班有同名学生（第{seen_name[k]}行），请确认不是重复录入"})
                else:
                    seen_name[k] = pr.row


def _locator(header: HeaderMap | None) -> Callable[[str], tuple[str, str]]:
    from jiaoyuapp.roster.roster_rows import FIELDS_BY_KEY

    def locate(key: str) -> tuple[str, str]:
        col = header.column(key) if header else None
        if col:
            return col.header, col.letter
        return FIELDS_BY_KEY[key].header, ""
    return locate


def _load(store: Store, table: str, column: str, uuids: list[str]) -> list[dict]:
    rows: list[dict] = []
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        rows += store.query(f"SELECT * FROM [{table}] WHERE [{column}] IN ({','.join('?' * len(chunk))})", chunk)
    return rows


def apply_rows(store: Store, parsed: list[ParsedRow], present: set[str], report: ImportReport, *,
               header: HeaderMap | None = None, only_valid: bool = False, actor: str = "", progress: Progress = _no_progress,
               cancel: Cancel = _never, kind: str = "import-roster") -> ImportReport:
    """Plan clean rows against the database and write them (shared by import and demo)."""
    locate = _locator(header)
    _file_checks(parsed, locate)
    report.rows = len(parsed)
    by_id = dict(store.conn.execute("SELECT id_number, uuid FROM students WHERE id_number IS NOT NULL"))
    by_no = dict(store.conn.execute("SELECT student_no, uuid FROM students WHERE student_no IS NOT NULL"))
    id_of = {uid: idn for idn, uid in by_id.items()}
    student_keys = [k for k in present if "." not in k]
    guardian_keys = {p: [c for c in GUARDIAN_COLS if f"g{p}.{c}" in present] for p in (1, 2)}

    creates: list[ParsedRow] = []
    updates: list[tuple[str, ParsedRow]] = []
    for pr in parsed:
        if not pr.ok:
            continue
        v = pr.values
        target = by_id.get(v.get("id_number")) or by_no.get(v.get("student_no"))
        if target and v.get("id_number") and by_id.get(v["id_number"], target) != target:
            column, letter = locate("id_number")
            pr.problems.append({"row": pr.row, "column": column, "letter": letter,
                                "message": "这个身份证件号已属于库中另一名学生（全国学籍号不同），请核对"})
            continue
        owner_of_no = by_no.get(v.get("student_no"))
        other_id = id_of.get(owner_of_no) if owner_of_no else None
        if owner_of_no and (owner_of_no != target or (v.get("id_number") and other_id and other_id != v["id_number"])):
            column, letter = locate("student_no")
            pr.problems.append({"row": pr.row, "column": column, "letter": letter,
                                "message": "这个全国学籍号已属于库中另一名学生（身份证件号不同），请核对"})
            continue
        if target:
            updates.append((target, pr))
        else:
            creates.append(pr)
    for pr in parsed:
        report.problems.extend(pr.problems)
        report.warnings.extend(pr.warnings)
    report.problems.sort(key=lambda p: p["row"])
    report.warnings.sort(key=lambda p: p["row"])
    report.valid = len(creates) + len(updates)

    targets = [t for t, _ in updates]
    current = {r["uuid"]: r for r in _load(store, "students", "uuid", targets)}
    current_guardians: dict[str, dict[int, dict]] = {}
    for g in _load(store, "guardians", "student_uuid", targets):
        current_guardians.setdefault(g["student_uuid"], {})[g["position"]] = g
    planned_changes = [(t, pr, _diff(current[t], current_guardians.get(t, {}), pr, student_keys, guardian_keys))
                       for t, pr in updates]
    report.created = len(creates)
    report.updated = sum(1 for _, _, d in planned_changes if d[0] or d[1])
    report.unchanged = len(planned_changes) - report.updated
    if report.dry_run or (report.problems and not only_valid):
        return report
    if not creates and not report.updated:
        report.written = True
        return report

    report.backup = auto_backup(store, "导入花名册前")
    if cancel():
        raise CancelledError()
    total = len(creates) + len(planned_changes)
    summary = f"导入花名册 {report.file}：新增{report.created}人，更新{report.updated}人"
    with store.write(kind, actor, summary) as w:
        homes = households.assign(store, w, [pr.values for pr in creates])
        students, guardians = [], []
        for pr, home in zip(creates, homes):
            v = pr.values
            uid = new_uuid()
            row = {k: v.get(k) for k in student_keys if k in v}
            row.update(uuid=uid, household_uuid=home)
            row.setdefault("status", "在读")
            students.append(row)
            for p in (1, 2):
                g = {c: v.get(f"g{p}.{c}") for c in guardian_keys[p]}
                if any(x is not None for x in g.values()):
                    guardians.append(dict(g, student_uuid=uid, position=p))
        w.insert_many("students", students)
        w.insert_many("guardians", guardians)
        progress(len(creates), total, "写入")
        for i, (target, pr, (student_diff, guardian_diff)) in enumerate(planned_changes):
            if student_diff:
                w.update("students", target, student_diff)
            for p, (guid, changes) in guardian_diff.items():
                if guid:
                    w.update("guardians", guid, changes)
                else:
                    w.insert("guardians", dict(changes, student_uuid=target, position=p))
            if i % 500 == 0:
                if cancel():
                    raise CancelledError()
                progress(len(creates) + i, total, "写入")
        if cancel():
            raise CancelledError()
    progress(total, total, "完成")
    report.written = True
    return report


def _diff(current: dict, existing: dict[int, dict], pr: ParsedRow, student_keys: list[str],
          guardian_keys: dict[int, list[str]]) -> tuple[dict, dict]:
    """What a re-imported row would change: student fields, and guardians by position."""
    v = pr.values
    student = {k: v.get(k) for k in student_keys if current.get(k) != v.get(k)}
    guardians: dict[int, tuple[str | None, dict]] = {}
    for p, cols in guardian_keys.items():
        new = {c: v.get(f"g{p}.{c}") for c in cols}
        old = existing.get(p)
        if old is None:
            if any(x is not None for x in new.values()):
                guardians[p] = (None, new)
        else:
            changed = {c: x for c, x in new.items() if old.get(c) != x}
            if changed:
                guardians[p] = (old["uuid"], changed)
    return student, guardians
