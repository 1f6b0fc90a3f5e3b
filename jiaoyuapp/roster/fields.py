"""The roster's columns: the header the 学籍 template uses, the synonyms teacher-made
sheets use, and how each cell is read. Import and export both stand on this list.

The 学籍 system's own names (全国学籍号, 个人标识码, 户口所在地行政区划, 上下学方式, 成员1姓名 … 成员2职务)
are taken from its published 学生基本信息表 (see tests/xueji_workbook.py for the sources); a header
may carry the ★ or * the system puts on required items, spaces, full-width forms and a bracketed
unit (上下学距离（公里）), none of which changes the column.

`key` is a students column, or `g1.<col>` / `g2.<col>` for 家庭成员1/2 (guardians).
`kind` chooses the parser in roster_rows.py; `table` names a code table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiaoyuapp.codes import fold


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    kind: str = "text"
    table: str | None = None
    synonyms: tuple[str, ...] = ()
    # For a code column that school-made sheets ask as a question (是否寄宿生: 是/否, 1/0, √/×):
    # the headers that ask it, and the codes of 是 and 否 (None: 是 alone does not say which code).
    # The 学籍 system's own header (就读方式) keeps reading 1 as its code 1 (走读).
    questions: tuple[str, ...] = ()
    yes_no: tuple[str | None, str] | None = None


_BOARDING_QUESTIONS = ("是否寄宿", "是否住校", "寄宿", "住校", "是否寄宿生", "是否住校生", "寄宿生", "住校生", "是否住宿")

STUDENT_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", "name", synonyms=("学生姓名", "学生名字", "名字")),
    Field("sex", "性别", "code", "sex", ("学生性别",)),
    Field("birth_date", "出生日期", "date", synonyms=("出生年月日", "出生年月", "生日", "出生时间")),
    Field("birthplace", "出生地", synonyms=("出生地址",)),
    Field("native_place", "籍贯"),
    Field("ethnicity", "民族", "code", "ethnicity"),
    Field("nationality", "国籍/地区", synonyms=("国籍", "国籍地区")),
    Field("id_type", "身份证件类型", "code", "id_type", ("证件类型",)),
    Field("id_number", "身份证件号", "id_number",
          synonyms=("身份证号", "身份证号码", "身份证件号码", "公民身份号码", "证件号码", "证件号", "学生身份证号")),
    Field("hk_mo_tw", "港澳台侨外", "code", "hk_mo_tw"),
    Field("health", "健康状况", "code", "health"),
    Field("name_pinyin", "姓名拼音", synonyms=("拼音",)),
    Field("student_no", "全国学籍号", "student_no", synonyms=("学籍号", "学籍号码", "全国学籍号码")),
    Field("personal_code", "个人标识码", synonyms=("学生个人标识码",)),
    Field("aux_no", "学籍辅号"),
    Field("seat_no", "班内学号", synonyms=("学号",)),
    Field("grade", "年级", "grade", synonyms=("所在年级", "年级名称")),
    Field("class_no", "班级", "class", synonyms=("班别", "所在班级", "班级名称", "班号")),
    Field("enrolled_ym", "入学年月", "ym", synonyms=("入学时间", "入学日期", "入学年份")),
    Field("entry_mode", "入学方式", "code", "entry_mode"),
    Field("boarding", "就读方式", "code", "boarding",
          _BOARDING_QUESTIONS, questions=_BOARDING_QUESTIONS, yes_no=("2", "1")),
    Field("source", "学生来源", "code", "student_source"),
    Field("current_address", "现住址", synonyms=("现居住地址", "居住地址", "住址", "居住所在地", "现居住地",
                                               "居住地", "现住地址", "现居地址")),
    Field("mailing_address", "通信地址", synonyms=("通讯地址",)),
    Field("home_address", "家庭地址", synonyms=("家庭住址", "家庭详细住址", "家庭详细地址")),
    Field("phone", "联系电话", "phone", synonyms=("电话", "联系方式", "电话号码", "手机号码")),
    Field("hukou_place", "户口所在地", synonyms=("户籍所在地", "户籍地")),
    Field("hukou_region", "户口所在地行政区划", synonyms=("户籍所在地行政区划", "户口所在行政区划")),
    Field("hukou_type", "户口性质", "code", "hukou_type", ("户籍性质",)),
    Field("only_child", "是否独生子女", "flag", synonyms=("独生子女",)),
    Field("preschool", "是否受过学前教育", "flag", synonyms=("受过学前教育", "是否接受过学前教育", "是否上过幼儿园")),
    Field("left_behind", "是否留守儿童", "code", "left_behind", ("留守儿童", "留守情况", "留守类型")),
    Field("migrant_child", "是否进城务工人员随迁子女", "flag", synonyms=("随迁子女", "是否随迁子女")),
    Field("orphan", "是否孤儿", "flag", synonyms=("孤儿",)),
    Field("martyr_child", "是否烈士或优抚子女", "flag", synonyms=("烈士或优抚子女", "优抚子女")),
    Field("inclusive_edu", "随班就读", "code", "inclusive_edu", ("是否随班就读",),
          questions=("是否随班就读",), yes_no=("4", "0")),   # 是 alone: 其他残疾随班就读, as the table reads 是
    Field("disability_type", "残疾人类型", "code", "disability_type", ("残疾类型", "残疾类别")),
    Field("disability_grade", "残疾等级", "code", "disability_grade", ("残疾级别",)),
    Field("disabled", "是否残疾", "flag", synonyms=("是否残疾儿童", "残疾儿童", "是否残疾学生", "残疾学生")),
    Field("needs_aid", "是否需要申请资助", "flag", synonyms=("需要申请资助",)),
    Field("gets_subsidy", "是否享受一补", "flag", synonyms=("享受一补",)),
    Field("distance", "上下学距离", synonyms=("上下学距离(公里)", "上学距离")),
    Field("transport", "上下学交通方式", "code", "transport", ("上下学方式", "上学方式", "交通方式")),
    Field("school_bus", "是否需要乘坐校车", "flag", synonyms=("乘坐校车",)),
    Field("poverty_alleviated", "是否脱贫户", "flag", synonyms=("脱贫户", "建档立卡贫困户", "是否建档立卡贫困户", "是否脱贫家庭")),
    Field("monitoring_kind", "防返贫监测对象", "code", "monitoring_kind",
          ("监测对象", "监测对象类型", "防返贫监测对象类型", "是否防返贫监测对象", "是否监测对象"),
          questions=("是否防返贫监测对象", "是否监测对象"), yes_no=(None, "0")),
    Field("dibao", "是否低保", "flag", synonyms=("低保", "低保户", "是否低保户", "低保家庭")),
    Field("tekun", "是否特困供养", "flag", synonyms=("特困供养", "特困", "是否特困")),
    Field("unsupported", "是否事实无人抚养儿童", "flag", synonyms=("事实无人抚养", "事实无人抚养儿童")),
    Field("single_parent", "是否单亲家庭", "flag", synonyms=("单亲", "单亲家庭")),
    Field("status", "在校状态", "code", "enrollment_status", ("学籍状态", "在读状态", "学生状态")),
    Field("note", "备注"),
)

# Words school-made sheets put in a family member's column headers, and the 关系 they mean;
# longer words first (外祖父 before 祖父, 父亲 before 父).
_RELATION_WORDS = (("外祖父", "外祖父"), ("外祖母", "外祖母"), ("外公", "外祖父"), ("外婆", "外祖母"),
                   ("祖父", "祖父"), ("祖母", "祖母"), ("爷爷", "祖父"), ("奶奶", "祖母"),
                   ("父亲", "父亲"), ("母亲", "母亲"), ("爸爸", "父亲"), ("妈妈", "母亲"))
RELATIVES = ("父亲", "母亲", "爸爸", "妈妈", "爷爷", "奶奶", "外公", "外婆", "祖父", "祖母", "外祖父", "外祖母")

# The 学籍 system's 12 items of 家庭成员或监护人信息 (the `position` column of guardians is the 1/2).
_MEMBER_COLUMNS = (
    ("name", "姓名", "name", None, ()),
    ("relation", "关系", "text", None, ("与学生关系",)),
    ("relation_note", "关系说明", "prose", None, ()),
    ("is_guardian", "是否监护人", "flag", None, ("是否法定监护人",)),
    ("id_type", "身份证件类型", "code", "id_type", ("证件类型",)),
    ("id_number", "身份证件号", "id_number", None, ("身份证号", "身份证号码", "证件号码")),
    ("phone", "联系电话", "phone", None, ("电话", "手机号码", "手机", "手机号", "联系方式")),
    ("address", "现住址", "text", None, ("住址",)),
    ("hukou_place", "户口所在地", "text", None, ("户籍所在地",)),
    ("ethnicity", "民族", "code", "ethnicity", ()),
    ("workplace", "工作单位", "text", None, ()),
    ("job_title", "职务", "text", None, ()),
)
MEMBER_COLUMNS = tuple(c[0] for c in _MEMBER_COLUMNS)


def _member_fields(position: int) -> tuple[Field, ...]:
    fields = []
    for col, header, kind, table, syn in _MEMBER_COLUMNS:
        prefixes = [f"成员{position}", f"家庭成员{position}", f"家庭成员或监护人{position}", f"监护人{position}"]
        synonyms = [p + h for p in prefixes for h in (header, *syn) if p + h != f"成员{position}{header}"]
        if position == 1:  # a single guardian column set in teacher-made sheets
            for p in ("监护人", "家长", "家庭成员或监护人"):
                synonyms += [p + h for h in (header, *syn)]
            if col == "name":
                synonyms += ["监护人", "家长", "家长姓名", "监护人姓名"]
            if col == "relation":
                synonyms += ["与监护人关系", "监护人关系"]
            if col == "phone":
                synonyms += ["家长电话", "监护人电话", "家长联系电话", "监护人联系电话", "家长手机", "家长手机号",
                             "家长手机号码", "监护人手机", "监护人手机号", "监护人手机号码", "家长联系方式"]
            # 父亲姓名, 母亲电话 …: the member named by the header (see implied_relation); which of
            # the two positions it takes is decided where the header row is read (roster_rows)
            for relative in RELATIVES:
                synonyms += [relative + h for h in (header, *syn)]
                if col == "name":
                    synonyms.append(relative)
        fields.append(Field(f"g{position}.{col}", f"成员{position}{header}", kind, table, tuple(synonyms)))
    return tuple(fields)


GUARDIAN_FIELDS = _member_fields(1) + _member_fields(2)
_BY_KEY = {f.key: f for f in GUARDIAN_FIELDS}


def other_member(f: Field) -> Field | None:
    """The same item of the other family member (成员1姓名 → 成员2姓名): where a sheet's second
    家长姓名 or 监护人(母亲) column goes."""
    if not f.key.startswith(("g1.", "g2.")):
        return None
    return _BY_KEY["g2." + f.key[3:] if f.key.startswith("g1.") else "g1." + f.key[3:]]


def implied_relation(header) -> str | None:
    """The relation a family member's column header names: 父亲姓名, 监护人（母亲）电话, 妈妈手机 → 父亲 /
    母亲 (the labels the 学籍 system uses for 关系)."""
    h = fold(str(header or ""))
    for word, relation in _RELATION_WORDS:
        if word in h:
            return relation
    return None
ALL_FIELDS = STUDENT_FIELDS + GUARDIAN_FIELDS


def _header_key(header: str) -> str:
    """Fold a header cell: no spaces, full-width → half-width, no required-marks (★ *), no notes
    or units in brackets, no trailing colon."""
    h = fold(header)
    h = re.sub(r"[*★☆※]", "", h)
    h = re.sub(r"[(\[【〔].*?[)\]】〕]", "", h) or h
    return h.rstrip(":")


_BY_HEADER: dict[str, Field] = {}
for _f in ALL_FIELDS:
    for _h in (_f.header, *_f.synonyms):
        _BY_HEADER.setdefault(_header_key(_h), _f)


def asks_yes_no(f: Field, header) -> bool:
    """Whether this header asks the field as a 是/否 question (是否寄宿生), not by its codes (就读方式)."""
    return bool(f.questions) and _header_key(str(header)) in {_header_key(q) for q in f.questions}


def field_for_header(header) -> Field | None:
    if header is None:
        return None
    return _BY_HEADER.get(_header_key(str(header)))
