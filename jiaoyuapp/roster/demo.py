"""A realistic synthetic school: Chinese names and villages, valid ID numbers,
a plausible share of each household flag. Seeded, so the same seed gives the
same school. Synthetic people only — never real children's data.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from jiaoyuapp.roster.identifiers import id_check_char
from jiaoyuapp.roster.roster_import import ImportReport, apply_rows
from jiaoyuapp.roster.roster_rows import ParsedRow, school_year_start
from jiaoyuapp.store import Store

SURNAMES = ("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
            "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
            "石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 "
            "邵 万 钱 严 覃 武 戴 莫 孔 向 汤 单 解 仇 欧阳").split()
GIVEN_BOY = "浩 宇 轩 子 涵 俊 杰 明 伟 强 磊 鹏 鑫 博 文 志 刚 勇 峰 建 国 华 天 一 泽 睿 晨 阳 思 宏 凯 瑞 嘉 豪".split()
GIVEN_GIRL = "欣 怡 雨 萱 梓 涵 紫 琪 佳 悦 思 雅 静 婷 丽 娟 芳 美 玲 晓 梦 瑶 慧 嘉 诗 雪 艳 蕾 颖 可 心".split()
ADULT_GIVEN = "建 国 华 明 军 平 勇 强 秀 英 兰 芳 桂 红 玉 珍 德 福 春 海 成 林 文 志".split()
VILLAGES = ("红岩村 青石村 柏树村 桃园村 石桥村 龙井村 新华村 大坪村 河坝村 高峰村 中心村 "
            "杨柳村 白果村 金竹村 双河村 长岭村").split()
REGION_CODES = ("510123", "510124", "511321", "513401", "520121", "530121", "430124", "420117")
ETHNICITY_WEIGHTS = (("01", 88), ("15", 4), ("06", 3), ("07", 2), ("03", 1), ("08", 1), ("13", 1))
DISABILITY_TYPES = ("1", "2", "3", "4", "5", "6", "7")


def _name(rng: random.Random, surname: str, girl: bool) -> str:
    pool = GIVEN_GIRL if girl else GIVEN_BOY
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


class _Ids:
    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def make(self, region: str, born: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            number = body + id_check_char(body)
            if number not in self.used:
                self.used.add(number)
                return number


def generate(students: int, seed: int = 1, top_grade: int = 6, today: dt.date | None = None) -> list[dict]:
    """Clean student values (students columns plus g1./g2. guardian columns)."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    year = school_year_start(today).year
    grades = list(range(1, top_grade + 1))
    per_grade_classes = max(1, math.ceil(students / len(grades) / 45))
    out: list[dict] = []
    while len(out) < students:
        surname = rng.choice(SURNAMES)
        region = rng.choice(REGION_CODES)
        village = rng.choice(VILLAGES)
        address = f"{village}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
        father = surname + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
        mother = rng.choice(SURNAMES) + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
        f_born = dt.date(year - rng.randint(28, 45), rng.randint(1, 12), rng.randint(1, 28))
        m_born = dt.date(year - rng.randint(26, 42), rng.randint(1, 12), rng.randint(1, 28))
        f_id, m_id = ids.make(region, f_born, True), ids.make(region, m_born, False)
        f_tel, m_tel = _phone(rng), _phone(rng)
        poor = rng.random() < 0.12
        monitoring = rng.choices(["0", "1", "2", "3"], (94, 3, 2, 1))[0] if not poor else "0"
        dibao = int(rng.random() < (0.25 if poor else 0.04))
        tekun = int(rng.random() < 0.01)
        left = rng.choices(["0", "1", "2"], (70, 18, 12))[0]
        migrant = int(rng.random() < 0.02)
        orphan = int(rng.random() < 0.005)
        unsupported = int(not orphan and rng.random() < 0.01)
        single = int(rng.random() < 0.05)
        children = rng.choices([1, 2, 3], (60, 30, 10))[0]
        used_grades: set[int] = set()
        for _ in range(min(children, students - len(out))):
            grade = rng.choice(grades)
            if grade in used_grades:
                continue
            used_grades.add(grade)
            girl = rng.random() < 0.48
            born = dt.date(year - 6 - (grade - 1), 9, 1) + dt.timedelta(days=rng.randint(0, 364))
            idn = ids.make(region, born, not girl)
            disabled = rng.random() < 0.015
            values = {
                "name": _name(rng, surname, girl), "sex": "2" if girl else "1",
                "birth_date": born.isoformat(), "ethnicity": rng.choices(*zip(*ETHNICITY_WEIGHTS))[0],
                "nationality": "中国", "id_type": "1", "id_number": idn, "hk_mo_tw": "00",
                "health": "50" if disabled else "10", "student_no": "G" + idn,
                "grade": grade, "class_no": str(rng.randint(1, per_grade_classes)),
                "enrolled_ym": f"{year - grade + 1}-09", "entry_mode": "1",
                "boarding": "2" if grade >= 4 and rng.random() < 0.2 else "1", "source": "1",
                "current_address": address, "home_address": address, "hukou_place": address,
                "hukou_type": "1", "only_child": int(children == 1), "left_behind": left,
                "migrant_child": migrant, "orphan": orphan, "martyr_child": 0,
                "inclusive_edu": "4" if disabled else "0",
                "disability_type": rng.choice(DISABILITY_TYPES) if disabled else None,
                "disability_grade": str(rng.randint(1, 4)) if disabled else None,
                "needs_aid": int(poor or dibao or tekun or monitoring != "0"),
                "gets_subsidy": int(poor and rng.random() < 0.6), "transport": rng.choice("1124"),
                "school_bus": 0, "poverty_alleviated": int(poor), "monitoring_kind": monitoring,
                "dibao": dibao, "tekun": tekun, "unsupported": unsupported, "single_parent": single,
                "status": "在读",
                "g1.name": father, "g1.relation": "父亲", "g1.is_guardian": 1, "g1.id_type": "1", "g1.id_number": f_id,
                "g1.phone": f_tel, "g1.address": address, "g1.workplace": "外出务工" if left != "0" else "务农",
                "g2.name": mother, "g2.relation": "母亲", "g2.is_guardian": 1, "g2.id_type": "1", "g2.id_number": m_id,
                "g2.phone": m_tel, "g2.address": address, "g2.workplace": "外出务工" if left == "2" else "务农",
            }
            if orphan or unsupported:
                values.update({"g1.relation": "祖父", "g2.relation": "祖母"})
            out.append(values)
    return out


def load_demo(store: Store, students: int, seed: int = 1, top_grade: int | None = None,
              actor: str = "演示数据", progress=None) -> ImportReport:
    """Write a generated school through the same path as an import."""
    from jiaoyuapp.school import school_info
    info = school_info(store)
    top = top_grade or (info["top_grade"] if info else 6) or 6
    rows = generate(students, seed, top)
    present = set(rows[0]) if rows else set()
    parsed = [ParsedRow(i + 1, values, present=present) for i, values in enumerate(rows)]
    report = ImportReport(file=f"演示数据（{students}人，种子{seed}）")
    kwargs = {"progress": progress} if progress else {}
    return apply_rows(store, parsed, report, actor=actor, kind="demo", **kwargs)
