"""Reading roster rows: finding the header, mapping columns by name, and checking
each row. Produces clean student records with every problem located by row and
column; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.fields import (
    ALL_FIELDS, Field, asks_yes_no, field_for_header, implied_relation, other_member,
)
from jiaoyuapp.roster.identifiers import (
    check_id_number, check_phone, check_student_no, id_birth_date, id_sex,
)

MAX_NAME = 100  # longer is no one's name; the township center refuses it too (exchange.changes_file)

HEADER_SCAN_ROWS = 30
FIELDS_BY_KEY = {f.key: f for f in ALL_FIELDS}


@dataclass
class Column:
    index: int          # 0-based
    header: str         # as written in the file
    field: Field
    question: bool = False   # the header asks 是/否 (是否寄宿生), the cells are answers, not codes

    @property
    def letter(self) -> str:
        """A, B, … Z, AA, AB … as Excel names the column."""
        n, out = self.index + 1, ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out


@dataclass
class HeaderMap:
    row: int                            # spreadsheet row number of the header
    columns: list[Column]
    ignored: list[str]
    implied: dict[str, str] = field(default_factory=dict)   # g1.relation → 父亲, from 父亲姓名 …

    def keys(self) -> set[str]:
        return {c.field.key for c in self.columns}

    def column(self, key: str) -> Column | None:
        for c in self.columns:
            if c.field.key == key:
                return c
        return None


def original(v) -> str:
    """A cell's text as the user typed it, for messages and the 待核对 list (dates as 2014-09-01)."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return f"{v:%Y-%m-%d}" if not (v.hour or v.minute or v.second) else f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, dt.date):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return cv.prose(v) or ""


@dataclass
class ParsedRow:
    row: int
    values: dict = field(default_factory=dict)       # key → clean value (students cols and g1./g2.)
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)    # keys whose cell was refused
    sheet: str = ""
    header: HeaderMap | None = None                  # the columns this row came with
    present: set[str] = field(default_factory=set)   # keys its file has a column for
    raw: dict = field(default_factory=dict)          # key → the cell as read (original(): its text)
    unchecked: dict = field(default_factory=dict)    # key → original text of a value kept for 待核对
    derived: set[str] = field(default_factory=set)   # keys set from the ID number, written even without a column
    _deferred: dict = field(default_factory=dict, repr=False)   # key → (its warning, the reason), see decided()
    to_complete: dict = field(default_factory=dict)  # key → text: written as read, and listed in 待核对 to complete

    def notes(self) -> dict:
        """What this row leaves in 待核对: values kept aside, and values written that need completing."""
        return {**self.unchecked, **self.to_complete}

    @property
    def ok(self) -> bool:
        return not self.problems

    def locate(self, key: str) -> tuple[str, str]:
        """(column header as written in the file, column letter) of a field."""
        col = self.header.column(key) if self.header else None
        if col:
            return col.header, col.letter
        return (FIELDS_BY_KEY[key].header if key in FIELDS_BY_KEY else key), ""

    def note(self, key: str | None, message: str, warning: bool = False, value: str | None = None) -> None:
        """Record a refusal (or a warning) located at this row and the field's column, with the
        cell's original text."""
        column, letter = self.locate(key) if key else ("", "")
        item = {"row": self.row, "column": column, "letter": letter, "message": message,
                "value": value if value is not None else (original(self.raw.get(key)) if key else "")}
        if self.sheet:
            item["sheet"] = self.sheet
        (self.warnings if warning else self.problems).append(item)
        if key and not warning:
            self.failed.add(key)

    def defer(self, key: str, message: str) -> None:
        """Import the row without this value: warn, and keep the original text for 待核对."""
        self.values.pop(key, None)
        text = original(self.raw.get(key))
        if text:
            self.unchecked[key] = text
        self.note(key, f"{message}；这名学生照常导入，原值已记下，请到“待核对”中改正或确认", warning=True)
        self._deferred[key] = (self.warnings[-1], message)

    def decided(self, key: str, value: str) -> None:
        """A deferred value the ID number decides after all (出生日期, 性别): no 待核对 note, and the
        warning says what was imported instead of sending the principal to an empty list."""
        self.unchecked.pop(key, None)
        found = self._deferred.pop(key, None)
        if found:
            warning, message = found
            self.warnings[:] = [w for w in self.warnings if w is not warning]
            self.note(key, f"{message}；已按身份证件号导入为{value}，请核对", warning=True)

    def where(self, other: "ParsedRow") -> str:
        """How to name another row in a message: 第5行, or 工作表“二年级”第5行."""
        return f"第{other.row}行" if other.sheet == self.sheet else f"工作表“{other.sheet}”第{other.row}行"


def _map_header(values: list, above: list | None) -> tuple[list[Column], list[str], dict[str, str]]:
    """The columns a header row names, the headers it does not, and the 关系 its family-member
    headers imply ({"g1.relation": "父亲"}). School-made sheets name members by relation (父亲姓名,
    母亲电话, 监护人（母亲）) or repeat 家长姓名: each relation keeps one position, in the order first
    seen, and a second column of an item already taken goes to the other member."""
    columns: list[Column] = []
    taken: set[str] = set()
    ignored: list[str] = []
    position_of: dict[str, int] = {}   # 父亲 → 1, 母亲 → 2
    unnamed: set[int] = set()          # positions taken by columns naming no relation (家长姓名, 成员1…)
    for i, raw in enumerate(values):
        header = cv.text(raw)
        if not header:
            continue
        group = cv.text(above[i]) if above and i < len(above) else None
        chosen = None
        for candidate in ([group + header] if group else []) + [header]:
            f = field_for_header(candidate)
            if f is None:
                continue
            relation = implied_relation(candidate) if f.key[:3] in ("g1.", "g2.") else None
            if relation:
                if relation not in position_of:
                    free = [p for p in (1, 2) if p not in position_of.values() and p not in unnamed]
                    if not free:
                        continue
                    position_of[relation] = free[0]
                wanted = f"g{position_of[relation]}."
                if not f.key.startswith(wanted):
                    f = other_member(f)
            elif f.key in taken and other_member(f) is not None:
                f = other_member(f)
            if f.key not in taken:
                chosen, asked = f, asks_yes_no(f, candidate)
                if f.key[:3] in ("g1.", "g2.") and not relation:
                    unnamed.add(int(f.key[1]))
                break
        if chosen is None:
            ignored.append(header)
            continue
        taken.add(chosen.key)
        columns.append(Column(i, header, chosen, asked))
    implied = {f"g{p}.relation": relation for relation, p in position_of.items()
               if f"g{p}.relation" not in taken}
    return columns, ignored, implied


def find_header(rows: Iterator[tuple[int, list]]) -> tuple[HeaderMap, Iterator[tuple[int, list]]]:
    """Scan the first rows for the one that names the most known columns (姓名 among them)."""
    seen: list[tuple[int, list]] = []
    best: tuple[int, HeaderMap] | None = None
    for number, values in rows:
        seen.append((number, values))
        above = seen[-2][1] if len(seen) >= 2 else None
        columns, ignored, implied = _map_header(values, above)
        keys = {c.field.key for c in columns}
        score = len(keys)
        identified = "name" in keys and (score >= 3 or keys & {"id_number", "student_no"})
        if identified and (best is None or score > best[0]):
            best = (score, HeaderMap(number, columns, ignored, implied))
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    if not seen:
        raise DataError("这张表是空的，没有任何内容。请检查是否选错了文件或工作表。")
    if best is None:
        raise DataError(
            "在表格前30行中没有找到表头行。表头至少要有“姓名”以及“身份证件号”或“全国学籍号”等列名，"
            "请检查是否选错了文件或工作表。")
    header = best[1]
    keys = header.keys()
    if "id_number" not in keys and "student_no" not in keys:
        raise DataError("表头中既没有“身份证件号”列，也没有“全国学籍号”列，无法识别学生。请加上其中一列后再导入。")

    def rest() -> Iterator[tuple[int, list]]:
        for number, values in seen:
            if number > header.row:
                yield number, values
        yield from rows
    return header, rest()


GRADES = table("grade")


def school_year_start(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# What identifies a child: a cell of these that cannot be read refuses the row. Any other value
# that cannot be read is, in a tolerant reading (a file import), kept for 待核对 instead.
IDENTIFYING = frozenset({"name", "id_number"})


class RowReader:
    """Parses data rows against a header map.

    `tolerant` is the file import's rule: only what identifies a child refuses a row (the name,
    the ID number's form, checksum and Excel rounding, the birth date against the ID); any other
    value that cannot be read is imported empty with a warning and its original text kept
    (ParsedRow.unchecked). A single edit in the window is read strictly: the teacher is there
    to correct it.
    """

    def __init__(self, header: HeaderMap, today: dt.date | None = None, sheet: str = "",
                 tolerant: bool = False):
        self.header = header
        self.sheet = sheet
        self.tolerant = tolerant
        self.present = header.keys() | ({"grade"} if "class_no" in header.keys() else set())
        self.columns = header.columns
        self.year_start = school_year_start(today)
        self._plan = [(c.index, c.field.key) for c in header.columns]
        self._width = max((c.index + 1 for c in header.columns), default=0)
        # each implied 关系 with the keys of its member's columns (the only ones a row can have)
        self._implied = [(key, relation, [c.field.key for c in header.columns if c.field.key[:3] == key[:3]])
                         for key, relation in header.implied.items()]
        # key → (field, cell → value or CellError), in column order; no memo for the kinds whose
        # every cell is different (names, numbers, free text), where it would only cost
        self._parsers = {c.field.key: (_QuestionField(c.field) if c.question else c.field,
                                       None if c.field.kind in _UNIQUE else {None: _EMPTY, "": _EMPTY})
                         for c in header.columns}
        # (cell index, key, the field's parser, memo) in column order: one pass over a row reads and parses it
        self._steps = [(index, key, parser_for(self._parsers[key][0]), self._parsers[key][1])
                       for index, key in self._plan]
        self._classes: dict[tuple, tuple | cv.CellError] = {}   # (年级, 班级 as read) → grade_and_class
        # the cells that make a row a student's row (a name, an ID number or a 学籍号)
        self._identifying = [index for index, key in self._plan if key in ("name", "id_number", "student_no")]

    def _bad(self, pr: ParsedRow, key: str, message: str) -> None:
        if self.tolerant and key not in IDENTIFYING:
            pr.defer(key, message)
        else:
            pr.note(key, message)

    def parse(self, number: int, values: list) -> ParsedRow | None:
        """A ParsedRow, or None for a row that is not a student (blank, a note, a footer)."""
        if len(values) < self._width:
            values = values + [None] * (self._width - len(values))
        for index in self._identifying:   # a blank row, a note, a footer: not a student
            v = values[index]
            if v and not (type(v) is str and v.isspace()):
                break
        else:
            return None
        raw: dict[str, object] = {}
        pr = ParsedRow(number, sheet=self.sheet, header=self.header, present=self.present, raw=raw)
        clean = pr.values
        for index, key, parse, memo in self._steps:
            v = values[index]
            if memo is not None:    # 是/否, 汉族, 中国, 农业户口, dates …: a few texts over thousands of rows
                try:
                    got = memo.get(v, _MISS)    # the memo knows the empty cell (None, "") too
                except TypeError:               # a cell that cannot be a key: read on its own below
                    got = _MISS
                if got is _EMPTY:
                    continue
                if got is not _MISS:
                    raw[key] = v
                    if isinstance(got, cv.CellError):
                        self._bad(pr, key, str(got))
                    else:
                        clean[key] = got
                    continue
            if v is None or (type(v) is str and (not v or v.isspace())):
                if memo is not None and type(v) is str and len(memo) < MEMO_PER_COLUMN:
                    memo[v] = _EMPTY
                continue
            raw[key] = v
            try:
                got = parse(v)
            except cv.CellError as exc:
                got = exc
            if memo is not None and type(v) is str and len(memo) < MEMO_PER_COLUMN:   # texts only: 1, 1.0, True are one key
                memo[v] = got
            if isinstance(got, cv.CellError):
                self._bad(pr, key, str(got))
            else:
                clean[key] = got
        for key, relation, member in self._implied:   # 父亲姓名 → 关系 父亲, for a member the row has
            if any(k in clean for k in member):
                clean[key] = relation
                pr.derived.add(key)
        if "class_no" in clean:
            said = (clean.get("grade"), clean["class_no"])    # a school's few dozen classes, read once each
            memo_key = (*said, type(said[1]))               # True and 1 are one key, not one class
            try:
                found = self._classes[memo_key]
            except (KeyError, TypeError):
                try:
                    found = cv.grade_and_class(*said, GRADES)
                except cv.CellError as exc:
                    found = exc
                try:
                    self._classes[memo_key] = found
                except TypeError:
                    pass
            if isinstance(found, cv.CellError):
                self._bad(pr, "class_no", str(found))
                clean.pop("class_no", None)
            else:
                clean["grade"], clean["class_no"] = found
        self._cross_check(pr)
        return pr

    def _cross_check(self, pr: ParsedRow) -> None:
        v = pr.values
        if not v.get("name") and "name" not in pr.failed:
            pr.note("name", "姓名为空，请填写学生姓名")
        elif v.get("name") and len(v["name"]) > MAX_NAME:
            pr.note("name", f"姓名超过{MAX_NAME}个字，不像是一个人的姓名（可能几列内容粘在了一起），请核对后改正")
        idn = v.get("id_number")
        sno = v.get("student_no")
        if sno:
            msg = check_student_no(sno)
            if msg:
                v.pop("student_no")
                if self.tolerant and idn:
                    pr.defer("student_no", msg)
                else:
                    pr.note("student_no", msg)
                sno = None
        if not idn and not sno and not ({"id_number", "student_no"} & pr.failed):
            if "student_no" in pr.unchecked:   # its only identifier cannot be read: refuse after all
                pr.unchecked.pop("student_no")
                pr.note("student_no", "没有身份证件号，全国学籍号又看不懂，无法识别学生；请填写身份证件号或正确的全国学籍号")
            else:
                pr.note("id_number", "身份证件号和全国学籍号都为空，至少要填写一个才能识别学生")
        if idn and not v.get("id_type") and "id_type" not in pr.failed and "id_type" not in pr.unchecked:
            v["id_type"] = "1"  # without a 证件类型, an ID number is a 居民身份证号: decided here, once
            pr.derived.add("id_type")
        resident = v.get("id_type") == "1" or ("id_type" in pr.unchecked and idn and len(idn) == 18)
        if idn and resident:
            msg = check_id_number(idn)
            if msg:
                pr.note("id_number", msg)
            else:
                born, sex = id_birth_date(idn), id_sex(idn)
                if v.get("birth_date") is None and "birth_date" not in pr.failed:
                    v["birth_date"] = born
                    pr.derived.add("birth_date")
                    pr.decided("birth_date", f"{born:%Y-%m-%d}")   # the ID number says it
                elif v.get("birth_date") is not None and v["birth_date"] != born:
                    pr.note("birth_date",
                            f"出生日期{v['birth_date']:%Y-%m-%d}与身份证件号中的出生日期{born:%Y-%m-%d}不一致，"
                            "请对照户口本核对哪一个写错了")
                if v.get("sex") is None and "sex" not in pr.failed:
                    v["sex"] = sex
                    pr.derived.add("sex")
                    pr.decided("sex", table("sex").label(sex))
                elif v.get("sex") is not None and v["sex"] != sex:
                    if self.tolerant:
                        v["sex"] = sex
                        pr.note("sex", f"性别与身份证件号不一致，已按身份证件号导入为{table('sex').label(sex)}，请核对",
                                warning=True)
                    else:
                        pr.note("sex", f"性别与身份证件号不一致（按身份证号应为{table('sex').label(sex)}），请核对")
        if sno and sno[0] == "G" and idn and sno[1:] != idn:
            pr.note("student_no", "全国学籍号G后的号码与身份证件号不同，请在学籍系统中核对", warning=True)
        for key in ("phone", "g1.phone", "g2.phone"):
            if v.get(key):
                msg = check_phone(v[key])
                if msg:
                    self._bad(pr, key, msg)
        for p in (1, 2):
            key = f"g{p}.id_number"
            if v.get(key) and len(v[key]) == 18:
                msg = check_id_number(v[key])
                if msg:
                    self._bad(pr, key, msg.replace("身份证件号", "家庭成员身份证件号"))
                elif not v.get(f"g{p}.id_type") and f"g{p}.id_type" not in set(pr.unchecked) | pr.failed:
                    v[f"g{p}.id_type"] = "1"
                    pr.derived.add(f"g{p}.id_type")
        if v.get("left_behind") == "9":
            pr.note("left_behind", "只写了“是”留守，没写单亲留守还是双亲留守；已按“留守（未注明）”导入，"
                    "请到“待核对”中补充", warning=True)
            pr.to_complete["left_behind"] = original(pr.raw.get("left_behind")) or "是"
        born, grade = v.get("birth_date"), v.get("grade")
        if born and grade and isinstance(born, dt.date):
            age = _age_on(born, self.year_start)
            expected = grade + 5
            if not expected - 2 <= age <= expected + 3:
                pr.note("birth_date",
                        f"按出生日期，学生本学年9月1日{age}岁，读{GRADES.label(str(grade))}年龄偏{'小' if age < expected else '大'}，请核对"
                        "（如无误可忽略）", warning=True)
        if v.get("birth_date") is not None:
            v["birth_date"] = v["birth_date"].isoformat()


_UNIQUE = frozenset({"name", "id_number", "student_no", "phone", "prose"})
_EMPTY = object()   # in a column's memo: the cell is empty (None, "", only spaces)
_MISS = object()    # a text the memo does not know yet
MEMO_PER_COLUMN = 5_000  # a column of addresses stops adding once full; 是/否 needs two


class _QuestionField:
    """A code field read from a 是/否 column (see Field.yes_no)."""
    kind = "answer"

    def __init__(self, field: Field):
        self.field = field
        self.key, self.header = field.key, field.header


def _answer(f: Field, v):
    """是/有/1/√/Y → the field's code for yes, 否/无/0/×/N → for no; a label of the field's own
    table (住校) is read as that label."""
    yes, no = f.yes_no
    said = table("yes_no").code(v)
    if said == "0":
        return no
    if said == "1":
        if yes is None:
            shown = "、".join(label for label in table(f.table).labels() if label != table(f.table).label(no))
            raise cv.CellError(f"{f.header}只写了“{cv.text(v)}”，没写是哪一种（{shown}）")
        return yes
    return cv.code(v, table(f.table), f.header)


def parser_for(f: Field):
    """The function that reads a cell of this field (v → clean value, or raises CellError),
    chosen once per column rather than once per cell."""
    kind, header = f.kind, f.header
    if kind == "answer":
        return lambda v: _answer(f.field, v)
    if kind == "text":
        return cv.text
    if kind == "prose":
        return cv.prose
    if kind == "name":
        return cv.compact
    if kind == "code":
        codes = table(f.table)
        return lambda v: cv.code(v, codes, header)
    if kind == "flag":
        yes_no = table("yes_no")
        return lambda v: int(cv.code(v, yes_no, header)) if cv.text(v) else None
    if kind == "date":
        return lambda v: cv.date(v, header)
    if kind == "ym":
        return lambda v: cv.year_month(v, header)
    if kind in ("id_number", "student_no", "phone"):
        return lambda v: cv.identifier(v, header)
    if kind == "grade":
        return lambda v: cv.grade_and_class(v, None, GRADES)[0]
    if kind == "class":
        return lambda v: v  # resolved together with the grade in RowReader.parse
    raise ValueError(kind)


def _parse(f: Field, v):
    """One cell of this field, read on its own (the 待核对 list's corrections)."""
    return parser_for(f)(v)


def iter_parsed(reader: RowReader, rows: Iterable[tuple[int, list]]) -> Iterator[ParsedRow]:
    for number, values in rows:
        pr = reader.parse(number, values)
        if pr is not None:
            yield pr
