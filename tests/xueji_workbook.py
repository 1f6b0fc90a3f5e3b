"""A workbook in the national 学籍 system's own layout and labels (全国中小学生学籍信息管理系统),
for tests and benchmarks: what a principal really downloads, not what our export writes.
Synthetic people only (made-up names, ID numbers with valid check digits that belong to no one).

What the layout stands on (public documents, looked up, not guessed):
- 全国中小学生学籍信息管理系统首次数据采集指标 (yylq.gov.cn/21487/21535/21748/21751/21914/content_692084.html):
  items marked ★ are required; choices are written by their name, not their code ("如果是1-单亲留守儿童，
  则填写“单亲留守儿童”"); two family members or guardians per student.
- 全国中小学学籍管理系统学生基本信息表 (www.doczj.com/doc/243500624.html) and a public JSP form of the same
  table (code index, "全国中小学学籍管理系统学生基本信息表", 72 items): the column names and their order,
  年级 and 班级 as separate items, 随班就读 (非随班就读, 视力/听力/智力/其他残疾随班就读), 残疾类型 (无残疾,
  视力残疾 … 多重残疾, 其他残疾), 上下学交通方式 (步行, 自行车（含摩托车、电动自行车）, 公共交通（含城市公交、
  农村客运、地铁）, 家长自行接送, 校车, 其他), 上下学距离（公里）, 是否需要乘坐校车, and for 家庭成员或监护人
  信息一/二: 姓名, 关系, 关系说明, 民族, 工作单位, 现住址, 户口所在地, 联系电话, 是否监护人, 身份证件类型,
  身份证件号, 职务.
- 全国中小学学籍管理系统学生基本信息表 指标解释 (m.360docs.net/doc/797382549.html) and
  全国中小学生学籍信息管理系统学生基本信息填表说明讲解: 入学方式 11-就近入学 12-其他 (高中 21/22/23/99),
  就读方式 1-走读 2-住校, 学生来源 1-正常入学 9-其他, 户口性质 1-农业户口 2-非农业户口, 是否留守儿童
  0-非留守儿童 1-单亲留守儿童 2-双亲留守儿童, 健康状况 10-健康或良好 …, 出生日期 as 20110101, 入学年月 as 201101.
- 全国中小学生信息表(填写说明)与学籍模板 (wddqxz.cn/86305064862458fb770bf78a6529647d2628345e.html):
  身份证件类型 1 居民身份证 … A 护照 Z 其他; 港澳台侨外 00-否 ….
- 《学生基本信息表》指标解释及填报说明 (max.book118.com/html/2016/1125/65670670.shtm): 出生地 and 户口所在地
  go into the system's 学生信息模板 as 12-digit 行政区划代码.
- The issue's own report of a real export: 个人标识码, 户口所在地行政区划, 家庭住址, 上下学方式, 入学方式 written
  as its code (11), 残疾人类型 and the 随班就读 label 肢体残疾随班就读 of the newer system.

`messy=True` adds what real files carry: five date styles, full-width digits, ★ and * marks in different
places, spaces inside headers and cells, 班级 written as (1)班 or 三年级1班, codes instead of labels.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl

from jiaoyuapp.roster.identifiers import id_check_char

SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董".split()
GIVEN_BOY = "浩 宇 轩 子 俊 杰 明 伟 强 磊 鹏 鑫 博 文 志 刚 勇 峰 建 国 华 天 泽 睿 晨 阳 宏 凯 瑞 豪".split()
GIVEN_GIRL = "欣 怡 雨 萱 梓 涵 紫 琪 佳 悦 思 雅 静 婷 丽 娟 芳 美 玲 晓 梦 瑶 慧 嘉 诗 雪 艳 蕾 颖 心".split()
ADULT_GIVEN = "建 国 华 明 军 平 勇 强 秀 英 兰 芳 桂 红 玉 珍 德 福 春 海 成 林 文 志".split()
VILLAGES = "红岩村 青石村 柏树村 桃园村 石桥村 龙井村 新华村 大坪村 河坝村 高峰村 杨柳村 白果村".split()
REGIONS = ("510123", "510124", "511321", "513401", "520121", "530121")
TOWN = "某某镇"
GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")

# The system's choices, as its export writes them (see the module docstring for the sources).
NOT_LEFT, LEFT_ONE, LEFT_BOTH = "非留守儿童", "单亲留守儿童", "双亲留守儿童"
NO_DISABILITY = "无残疾"
DISABILITIES = ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾")
INCLUSIVE = {"视力残疾": "视力残疾随班就读", "听力残疾": "听力残疾随班就读", "智力残疾": "智力残疾随班就读",
             "肢体残疾": "肢体残疾随班就读", "言语残疾": "其他残疾随班就读"}
NOT_INCLUSIVE = "非随班就读"
TRANSPORT = ("步行", "自行车（含摩托车、电动自行车）", "公共交通（含城市公交、农村客运、地铁）", "家长自行接送", "校车")
UNKNOWN_TRANSPORT = "乘船（渡口摆渡）"   # a label no code table has: imported with a warning, to check

MEMBER_ITEMS = ("姓名", "关系", "关系说明", "现住址", "户口所在地", "联系电话", "是否监护人", "身份证件类型",
                "身份证件号", "民族", "工作单位", "职务")

# (header, required) in the system's order; ★ marks the required ones.
STUDENT_COLUMNS: tuple[tuple[str, bool], ...] = (
    ("姓名", True), ("性别", True), ("出生日期", True), ("出生地", True), ("籍贯", True), ("民族", True),
    ("国籍/地区", True), ("身份证件类型", True), ("身份证件号", False), ("港澳台侨外", True), ("政治面貌", False),
    ("健康状况", True), ("姓名拼音", False), ("曾用名", False), ("身份证件有效期", False),
    ("户口所在地行政区划", True), ("户口性质", True), ("特长", False), ("全国学籍号", False), ("个人标识码", False),
    ("学籍辅号", False), ("班内学号", False), ("年级", True), ("班级", True), ("入学年月", True), ("入学方式", True),
    ("就读方式", True), ("学生来源", False), ("现住址", True), ("通信地址", True), ("家庭住址", True),
    ("联系电话", True), ("邮政编码", True), ("电子信箱", False), ("是否独生子女", True), ("是否受过学前教育", True),
    ("是否留守儿童", True), ("是否进城务工人员随迁子女", True), ("是否孤儿", True), ("是否烈士或优抚子女", True),
    ("随班就读", True), ("残疾人类型", True), ("是否由政府购买学位", False), ("是否需要申请资助", True),
    ("是否享受一补", True), ("上下学距离", False), ("上下学方式", False), ("是否需要乘坐校车", False),
)
MEMBER_REQUIRED = {"姓名", "关系", "是否监护人"}
COLUMNS: tuple[tuple[str, bool], ...] = STUDENT_COLUMNS + tuple(
    (f"成员{p}{item}", p == 1 and item in MEMBER_REQUIRED) for p in (1, 2) for item in MEMBER_ITEMS)
HEADERS: tuple[str, ...] = tuple(h for h, _ in COLUMNS)

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def make_id(rng: random.Random, region: str, born: dt.date, male: bool, used: set[str]) -> str:
    """A synthetic 居民身份证号 with a valid check digit, unique within `used`; odd 17th digit = male."""
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{region}{born:%Y%m%d}{seq:03d}"
        number = body + id_check_char(body)
        if number not in used:
            used.add(number)
            return number


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def _name(rng: random.Random, surname: str, pool: list[str]) -> str:
    return surname + rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")


def xueji_records(rows: int = 300, seed: int = 0, today: dt.date = dt.date(2026, 11, 22),
                  unknown_labels: int = 0) -> list[dict[str, object]]:
    """One dict per student, header (without ★) → the text the system writes in that cell.

    Siblings share their parents (same names, ID numbers, phones and address), as in a real school.
    `unknown_labels` rows (spread through the file) get an 上下学方式 no code table knows.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    year = today.year if today.month >= 9 else today.year - 1
    out: list[dict[str, object]] = []
    while len(out) < rows:
        surname = rng.choice(SURNAMES)
        region = rng.choice(REGIONS)
        village = rng.choice(VILLAGES)
        address = f"{TOWN}{village}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
        father = surname + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
        mother = rng.choice(SURNAMES) + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
        f_id = make_id(rng, region, dt.date(year - rng.randint(28, 45), rng.randint(1, 12), rng.randint(1, 28)),
                       True, used)
        m_id = make_id(rng, region, dt.date(year - rng.randint(26, 42), rng.randint(1, 12), rng.randint(1, 28)),
                       False, used)
        f_tel, m_tel = _phone(rng), _phone(rng)
        left = rng.choices((NOT_LEFT, LEFT_ONE, LEFT_BOTH), (70, 18, 12))[0]
        poor = rng.random() < 0.12
        children = rng.choices((1, 2, 3), (60, 30, 10))[0]
        grades_used: set[int] = set()
        for _ in range(min(children, rows - len(out))):
            grade = rng.randint(1, 6)
            if grade in grades_used:
                continue
            grades_used.add(grade)
            girl = rng.random() < 0.48
            born = dt.date(year - 6 - (grade - 1), 9, 1) + dt.timedelta(days=rng.randint(0, 364))
            idn = make_id(rng, region, born, not girl, used)
            disabled = rng.random() < 0.03
            disability = rng.choice(DISABILITIES) if disabled else NO_DISABILITY
            boarder = grade >= 4 and rng.random() < 0.25
            distance = round(rng.uniform(0.3, 12.0), 1)
            record: dict[str, object] = {
                "姓名": _name(rng, surname, GIVEN_GIRL if girl else GIVEN_BOY), "性别": "女" if girl else "男",
                "出生日期": f"{born:%Y%m%d}", "出生地": f"{region}000000", "籍贯": f"{region}000000",
                "民族": rng.choices(("汉族", "土家族", "苗族", "彝族"), (90, 4, 3, 3))[0], "国籍/地区": "中国",
                "身份证件类型": "居民身份证", "身份证件号": idn, "港澳台侨外": "否", "政治面貌": "群众",
                "健康状况": "残疾" if disabled and rng.random() < 0.5 else "健康或良好",
                "姓名拼音": "", "曾用名": "", "身份证件有效期": "",
                "户口所在地行政区划": f"{region}000000", "户口性质": "农业户口", "特长": "",
                "全国学籍号": "G" + idn, "个人标识码": f"{rng.randrange(10**15, 10**16)}",
                "学籍辅号": "", "班内学号": f"{rng.randint(1, 45):02d}",
                "年级": GRADES[grade - 1], "班级": f"{rng.randint(1, 2)}班",
                "入学年月": f"{year - grade + 1}09", "入学方式": "就近入学", "就读方式": "住校" if boarder else "走读",
                "学生来源": "正常入学", "现住址": address, "通信地址": address, "家庭住址": address,
                "联系电话": f_tel, "邮政编码": "610000", "电子信箱": "",
                "是否独生子女": "是" if children == 1 else "否", "是否受过学前教育": "是" if rng.random() < 0.9 else "否",
                "是否留守儿童": left, "是否进城务工人员随迁子女": "否", "是否孤儿": "否", "是否烈士或优抚子女": "否",
                "随班就读": INCLUSIVE.get(disability, NOT_INCLUSIVE) if disabled else NOT_INCLUSIVE,
                "残疾人类型": disability, "是否由政府购买学位": "否",
                "是否需要申请资助": "是" if poor else "否", "是否享受一补": "是" if poor and boarder else "否",
                "上下学距离": f"{distance}", "上下学方式": rng.choice(TRANSPORT),
                "是否需要乘坐校车": "是" if distance > 8 else "否",
            }
            members = [
                (father, "父亲", "", f_tel, f_id, "外出务工" if left != NOT_LEFT else "务农"),
                (mother, "母亲", "", m_tel, m_id, "外出务工" if left == LEFT_BOTH else "务农"),
            ]
            if left == LEFT_BOTH:   # both parents away: a grandparent is the guardian at home
                grandma = surname + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
                g_id = make_id(rng, region, dt.date(year - rng.randint(55, 70), rng.randint(1, 12),
                                                    rng.randint(1, 28)), False, used)
                members[1] = (grandma, "祖母", "父母均外出务工，由祖母监护", _phone(rng), g_id, "务农")
            for p, (name, relation, note, tel, member_id, work) in enumerate(members, 1):
                guardian = not (left == LEFT_BOTH and p == 1)
                record.update({
                    f"成员{p}姓名": name, f"成员{p}关系": relation, f"成员{p}关系说明": note,
                    f"成员{p}现住址": address, f"成员{p}户口所在地": address, f"成员{p}联系电话": tel,
                    f"成员{p}是否监护人": "是" if guardian else "否", f"成员{p}身份证件类型": "居民身份证",
                    f"成员{p}身份证件号": member_id, f"成员{p}民族": record["民族"], f"成员{p}工作单位": work,
                    f"成员{p}职务": "无",
                })
            if left == LEFT_BOTH:
                record["联系电话"] = members[1][3]
            out.append(record)
    if unknown_labels:
        step = max(1, len(out) // unknown_labels)
        for i in range(unknown_labels):
            out[min(i * step, len(out) - 1)]["上下学方式"] = UNKNOWN_TRANSPORT
    return out


def _messy_date(rng: random.Random, text: str):
    """One of five styles a date arrives in: 20140901, 2014-09-01, 2014/9/1, 2014年9月1日, a date cell."""
    d = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    style = rng.randrange(5)
    if style == 0:
        return text
    if style == 1:
        return f"{d:%Y-%m-%d}"
    if style == 2:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 3:
        return f"{d.year}年{d.month}月{d.day}日"
    return dt.datetime(d.year, d.month, d.day)


def _messy_header(rng: random.Random, header: str, required: bool) -> str:
    if required:
        header = rng.choice((f"{header}★", f"★{header}", f"*{header}", f"{header}*", f"★ {header}"))
    if rng.random() < 0.15 and len(header) > 2:
        header = header[:1] + " " + header[1:]
    if header.endswith("上下学距离"):
        header += "（公里）"
    return header


def _messy_cell(rng: random.Random, header: str, value):
    if not isinstance(value, str) or not value:
        return value
    if header == "出生日期":
        return _messy_date(rng, value)
    if header == "入学年月" and rng.random() < 0.5:
        return rng.choice((f"{value[:4]}-{value[4:]}", f"{value[:4]}年{int(value[4:])}月", f"{value[:4]}.{value[4:]}"))
    if header == "班级" and rng.random() < 0.3:
        return rng.choice((f"({value[:-1]})班", f"（{value[:-1]}）班", value[:-1]))
    if header == "入学方式" and rng.random() < 0.3:
        return "11"           # the system's code for 就近入学
    if header == "就读方式" and rng.random() < 0.2:
        return {"走读": "1", "住校": "2"}[value]
    if header in ("身份证件号", "联系电话") and rng.random() < 0.1:
        return value.translate(_FULL_WIDTH)
    if header == "上下学方式" and rng.random() < 0.2:
        return value.replace("（", "(").replace("）", ")")
    if header == "姓名" and len(value) == 2 and rng.random() < 0.1:
        return value[0] + "  " + value[1]
    if rng.random() < 0.03:
        return f" {value} "
    return value


def write_xueji_workbook(path: str | Path, rows: int = 300, seed: int = 0, messy: bool = False, *,
                         unknown_labels: int = 0, overrides: dict[int, dict[str, object]] | None = None,
                         title: str | None = None, sheet: str = "学生信息", leave_out: tuple[str, ...] = (),
                         today: dt.date = dt.date(2026, 11, 22)) -> list[dict[str, object]]:
    """Write the workbook and return its records (header → clean text, as `xueji_records` gives them,
    with `overrides` applied: {row index: {header: value}}, a value of None leaves the cell empty).
    `leave_out` names columns (headers without ★) the file does not have, as a school's cut-down
    copy of the export would.

    ID numbers, phones and dates are text cells, as the system writes them; streaming mode, so
    20,000 rows stay small in memory.
    """
    records = xueji_records(rows, seed, today, unknown_labels)
    for i, changes in (overrides or {}).items():
        records[i].update(changes)
    rng = random.Random(seed + 1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    if title:
        ws.append([title])
    columns = [(h, req) for h, req in COLUMNS if h not in leave_out]
    ws.append([_messy_header(rng, h, req) if messy else (f"{h}★" if req else h) for h, req in columns])
    for record in records:
        cells = []
        for h, _ in columns:
            v = record.get(h)
            if v == "":
                v = None
            cells.append(_messy_cell(rng, h, v) if messy else v)
        ws.append(cells)
    path = Path(path)
    wb.save(path)
    return records
