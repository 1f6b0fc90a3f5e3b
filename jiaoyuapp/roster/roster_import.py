"""Importing the roster: a dry run that reports every problem, then one transaction.

The same file imported again updates students in place (matched by ID number,
else by 全国学籍号) and logs only what really changed.

Only what identifies a child refuses a row (roster_rows.RowReader, tolerant); any other value the
code tables do not know is imported empty, and its original text kept in `students.unchecked` for
the 待核对 list (review.py). A later import whose cell now reads right clears that note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from jiaoyuapp.errors import CancelledError, DataError, UnreadableFileError
from jiaoyuapp.gc_pause import collector_paused
from jiaoyuapp.roster import households, pinyin_names
from jiaoyuapp.roster.fields import MEMBER_COLUMNS
from jiaoyuapp.roster.review import dump_notes, load_notes, load_settled
from jiaoyuapp.roster.roster_rows import ParsedRow, RowReader, find_header, iter_parsed
from jiaoyuapp.store import Store
from jiaoyuapp.store.backups import auto_backup
from jiaoyuapp.store.writes import new_uuid

Progress = Callable[[int, int | None, str], None]
Cancel = Callable[[], bool]

GUARDIAN_COLS = MEMBER_COLUMNS
# From this many students on, an import is written as one bulk transaction (Store.write(bulk=True)).
BULK_ROWS = 2000
# (column, key in a parsed row's values) of each family member's columns, worked out once.
_GUARDIAN_KEYS = {p: [(c, f"g{p}.{c}") for c in GUARDIAN_COLS] for p in (1, 2)}


def _no_progress(done: int, total: int | None, stage: str) -> None:
    pass


def _never() -> bool:
    return False


@dataclass
class ImportReport:
    file: str = ""
    sheet: str = ""                 # the sheets read, joined with 、
    sheets: list[dict] = field(default_factory=list)   # {name, header_row, rows}
    skipped_sheets: list[str] = field(default_factory=list)   # worksheets without a student header
    hidden_sheets: list[str] = field(default_factory=list)    # hidden worksheets, not read unless chosen
    chart_sheets: list[str] = field(default_factory=list)     # chart, dialog and macro sheets: never read
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
                  sheets: list[str] | None = None, include_hidden: bool = False,
                  actor: str = "", progress: Progress = _no_progress, cancel: Cancel = _never,
                  today: dt.date | None = None) -> ImportReport:
    """Read every roster sheet of a workbook and, unless `dry_run`, write it in one transaction.

    Many teacher-made workbooks keep one sheet per class: every visible sheet with a
    recognisable header is read; the others (code lists, notes) are listed as skipped.
    Hidden sheets are listed as hidden and read only with `include_hidden` or when named in
    `sheets` (then only the named sheets are read): a hidden sheet is often an old copy or a
    code list, and what is imported should be what the teacher sees. When only hidden sheets
    could hold the roster, the report says so (no rows, nothing written) instead of failing, so
    the caller can offer to read them. With problems and without `only_valid`, nothing is
    written. With `only_valid`, the valid rows are written and the refused ones reported.
    """
    with collector_paused():
        return _import_roster(store, path, dry_run=dry_run, only_valid=only_valid, sheets=sheets,
                              include_hidden=include_hidden, actor=actor, progress=progress, cancel=cancel,
                              today=today)


def _import_roster(store: Store, path: str | Path, *, dry_run: bool, only_valid: bool, sheets: list[str] | None,
                   include_hidden: bool, actor: str, progress: Progress, cancel: Cancel,
                   today: dt.date | None) -> ImportReport:
    from jiaoyuapp.roster.workbook_reader import open_workbook
    path = Path(path)
    report = ImportReport(file=path.name, dry_run=dry_run)
    parsed: list[ParsedRow] = []
    book = open_workbook(path)
    book.while_loading = pinyin_names.warm_up_while   # the names need pypinyin later (search keys)
    try:
        first_error = None
        for sheet in _choose_sheets(book.sheets, sheets, include_hidden, report):
            total = book.estimated_rows(sheet)
            try:
                header, rows = find_header(book.rows(sheet))
            except UnreadableFileError:
                raise
            except DataError as exc:
                first_error = first_error or DataError(f"工作表“{sheet.name}”：{exc.message}")
                report.skipped_sheets.append(sheet.name)
                continue
            count = 0
            for pr in iter_parsed(RowReader(header, today, sheet=sheet.name, tolerant=True), rows):
                parsed.append(pr)
                count += 1
                if count % 500 == 0:
                    if cancel():
                        raise CancelledError()
                    progress(pr.row, total, "读取")
            report.sheets.append({"name": sheet.name, "header_row": header.row, "rows": count})
            report.ignored_columns += [c for c in header.ignored if c not in report.ignored_columns]
        if not report.sheets:
            if report.hidden_sheets:
                return report
            if first_error:
                raise first_error
            raise DataError("工作簿里没有可以读取的表格工作表" + (f"（只有{'、'.join(report.chart_sheets)}等图表）"
                                                       if report.chart_sheets else "") + "，请检查是否选错了文件。")
    finally:
        book.close()
    report.sheet = "、".join(s["name"] for s in report.sheets)
    report.header_row = report.sheets[0]["header_row"]
    return apply_rows(store, parsed, report, only_valid=only_valid, actor=actor, progress=progress, cancel=cancel)


def _choose_sheets(found, names: list[str] | None, include_hidden: bool, report: ImportReport) -> list:
    """The worksheets to read, in tab order; fills the report's hidden and chart sheets."""
    report.chart_sheets = [s.name for s in found if not s.is_table]
    if names:
        known = {s.name for s in found}
        missing = [n for n in dict.fromkeys(names) if n not in known]
        if missing:
            listing = "、".join(s.name + ("（隐藏）" if s.hidden else "") + ("（图表等，无数据）" if not s.is_table else "")
                               for s in found)
            raise DataError(f"工作簿里没有名为“{'”“'.join(missing)}”的工作表。这个工作簿的工作表有：{listing or '（无）'}。"
                            "请核对名称（区分全角半角和空格）。")
        charts = [n for n in names if n in report.chart_sheets]
        if charts:
            raise DataError(f"“{'”“'.join(charts)}”是图表等非表格工作表，里面没有学生名单，请选择表格工作表。")
        chosen = [s for s in found if s.name in names]
    else:
        chosen = [s for s in found if s.is_table and (include_hidden or not s.hidden)]
    report.hidden_sheets = [s.name for s in found if s.is_table and s.hidden and s not in chosen]
    return chosen


def _file_checks(parsed: list[ParsedRow]) -> None:
    """Duplicates inside the file: the first row wins, later ones are refused."""
    seen: dict[str, dict[str, ParsedRow]] = {"id_number": {}, "student_no": {}}
    seen_name: dict[tuple, ParsedRow] = {}
    for pr in parsed:
        if not pr.ok:
            continue
        v = pr.values
        for key, label in (("id_number", "身份证件号"), ("student_no", "全国学籍号")):
            first = seen[key].get(v.get(key)) if v.get(key) else None
            if first:
                where = pr.where(first)
                pr.note(key, f"{label}与{where}重复（已保留{where}），请删除重复的一行，或核对号码是否抄错")
                break
        else:
            for key in ("id_number", "student_no"):
                if v.get(key):
                    seen[key][v[key]] = pr
            if v.get("name") and v.get("grade") is not None and v.get("class_no"):
                k = (v["grade"], v["class_no"], v["name"])
                if k in seen_name:
                    pr.note("name", f"同班有同名学生（{pr.where(seen_name[k])}），请确认不是重复录入", warning=True)
                else:
                    seen_name[k] = pr


def _load(store: Store, table: str, column: str, uuids: list[str]) -> list[dict]:
    rows: list[dict] = []
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        rows += store.query(f"SELECT * FROM [{table}] WHERE [{column}] IN ({','.join('?' * len(chunk))})", chunk)
    return rows


def _written_keys(pr: ParsedRow) -> tuple[list[str], dict[int, list[tuple[str, str]]]]:
    """The student columns and guardian columns (by position, as (column, key in the row's
    values)) this row's file has, and those the ID number decided: a column the file lacks is
    left as it is in the database, never blanked, and so is a value kept for 待核对 (the note
    says what the file had)."""
    keys = pr.present | pr.derived
    if pr.unchecked:
        keys = keys - set(pr.unchecked)
    student = [k for k in keys if "." not in k]
    guardian = {p: [ck for ck in pairs if ck[1] in keys] for p, pairs in _GUARDIAN_KEYS.items()}
    return student, guardian


def _notes(pr: ParsedRow, stored: str | None) -> tuple[str | None, set[str]]:
    """The row's 待核对 notes after this import, and the keys it would have raised again: a column
    the file has replaces its note (a value that now reads right clears it, and forgets what was
    settled); notes of columns the file lacks stay; a text the principal already settled is not
    raised again while the file still says the same."""
    old, settled = load_notes(stored), load_settled(stored)
    kept = {k: v for k, v in old.items() if k not in pr.present}
    again = {k for k, v in pr.notes().items() if settled.get(k) == v}
    kept.update({k: v for k, v in pr.notes().items() if k not in again})
    settled = {k: v for k, v in settled.items() if k in again or (k not in pr.present and k not in kept)}
    return dump_notes(kept, settled), again


def _match(parsed: list[ParsedRow], by_id: dict, by_no: dict) -> tuple[list[ParsedRow], list[tuple[str, ParsedRow]]]:
    """Split valid rows into new students and updates of existing ones (by ID number, else 学籍号)."""
    id_of = {uid: idn for idn, uid in by_id.items()}
    creates: list[ParsedRow] = []
    updates: list[tuple[str, ParsedRow]] = []
    for pr in parsed:
        if not pr.ok:
            continue
        v = pr.values
        target = by_id.get(v.get("id_number")) or by_no.get(v.get("student_no"))
        owner_of_no = by_no.get(v.get("student_no"))
        other_id = id_of.get(owner_of_no) if owner_of_no else None
        if owner_of_no and (owner_of_no != target or (v.get("id_number") and other_id and other_id != v["id_number"])):
            pr.note("student_no", "这个全国学籍号已属于库中另一名学生（身份证件号不同），请核对")
        elif target:
            updates.append((target, pr))
        else:
            creates.append(pr)
    return creates, updates


def apply_rows(store: Store, parsed: list[ParsedRow], report: ImportReport, *, only_valid: bool = False,
               actor: str = "", progress: Progress = _no_progress, cancel: Cancel = _never,
               kind: str = "import-roster") -> ImportReport:
    """Plan clean rows against the database and write them (shared by import, demo and single adds)."""
    _file_checks(parsed)
    report.rows = len(parsed)
    by_id = dict(store.conn.execute("SELECT id_number, uuid FROM students WHERE id_number IS NOT NULL"))
    by_no = dict(store.conn.execute("SELECT student_no, uuid FROM students WHERE student_no IS NOT NULL"))
    creates, updates = _match(parsed, by_id, by_no)
    report.valid = len(creates) + len(updates)

    targets = [t for t, _ in updates]
    current = {r["uuid"]: r for r in _load(store, "students", "uuid", targets)}
    current_guardians: dict[str, dict[int, dict]] = {}
    for g in _load(store, "guardians", "student_uuid", targets):
        current_guardians.setdefault(g["student_uuid"], {})[g["position"]] = g
    planned = [(t, _diff(current[t], current_guardians.get(t, {}), pr)) for t, pr in updates]
    for pr in parsed:   # after planning: it drops the warnings of values already settled
        report.problems.extend(pr.problems)
        report.warnings.extend(pr.warnings)
    order = lambda p: (p.get("sheet", ""), p["row"])  # noqa: E731
    report.problems.sort(key=order)
    report.warnings.sort(key=order)
    report.created = len(creates)
    report.updated = sum(1 for _, d in planned if d[0] or d[1])
    report.unchanged = len(planned) - report.updated
    if report.dry_run or (report.problems and not only_valid):
        return report
    if not creates and not report.updated:
        report.written = True
        return report

    report.backup = auto_backup(store, "导入花名册前")
    if cancel():
        raise CancelledError()
    total = len(creates) + len(planned)
    summary = f"导入花名册 {report.file}：新增{report.created}人，更新{report.updated}人"
    with store.write(kind, actor, summary, bulk=len(creates) + len(planned) >= BULK_ROWS) as w:
        homes = households.assign(store, w, [pr.values for pr in creates])
        students, guardians = [], []
        plans: dict[tuple, tuple] = {}   # the rows of a sheet share their columns: _written_keys once per kind
        for pr, home in zip(creates, homes):
            kind = (id(pr.present), frozenset(pr.derived), frozenset(pr.unchecked) if pr.unchecked else None)
            plan = plans.get(kind)
            if plan is None:
                plan = plans[kind] = (*_written_keys(pr), pr.present)   # holds the set its id names
            student_keys, guardian_keys, _ = plan
            uid = new_uuid()
            values = pr.values
            row = {k: values[k] for k in student_keys if k in values}
            row.update(uuid=uid, household_uuid=home, unchecked=dump_notes(pr.notes()))
            row.setdefault("status", "在读")
            students.append(row)
            for p, cols in guardian_keys.items():
                g = {c: values.get(k) for c, k in cols}
                if list(g.values()).count(None) != len(g):
                    guardians.append(dict(g, student_uuid=uid, position=p))
        w.insert_many("students", students)
        w.insert_many("guardians", guardians)
        progress(len(creates), total, "写入")
        for i, (target, (student_diff, guardian_diff)) in enumerate(planned):
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


def _diff(current: dict, existing: dict[int, dict], pr: ParsedRow) -> tuple[dict, dict]:
    """What a re-imported row would change: student fields, and guardians by position."""
    student_keys, guardian_keys = _written_keys(pr)
    v = pr.values
    notes, again = _notes(pr, current.get("unchecked"))
    # an empty cell says nothing: it never blanks what the database has (an ID number, a phone
    # typed in the window); a value is cleared on the student's page. A value settled in 待核对
    # (留守 “是” completed as 单亲) stays as settled while the file still says the same.
    student = {k: v[k] for k in student_keys
               if k not in again and v.get(k) is not None and current.get(k) != v[k]}
    if notes != current.get("unchecked"):
        student["unchecked"] = notes
    if again:   # settled before: the import's "请到待核对" for it would send the principal to nothing
        places = {pr.locate(k)[1] for k in again}
        pr.warnings[:] = [w for w in pr.warnings if w["letter"] not in places]
    guardians: dict[int, tuple[str | None, dict]] = {}
    for p, cols in guardian_keys.items():
        new = {c: v.get(k) for c, k in cols if k not in again}
        old = existing.get(p)
        if old is None:
            if any(x is not None for x in new.values()):
                guardians[p] = (None, new)
        else:
            changed = {c: x for c, x in new.items() if x is not None and old.get(c) != x}
            if changed:
                guardians[p] = (old["uuid"], changed)
    return student, guardians
