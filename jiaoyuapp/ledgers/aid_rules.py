"""Who a 资助 program is for and how much it gives, read from the program's row (aid_programs), whose
national defaults are the data file codes/data/aid_programs.tsv — so a province changes amounts,
groups and shares by editing data, not code.

A program says: its 学段 (小学 / 初中 / 高中 / 义务教育 = 小学 and 初中, or any); whether it is
means-tested (only students in economic difficulty, and only then does it clear 应助未助); whether only
boarders get the full amount (``boarding_only``) and which non-boarder groups (``day_groups``, codes of
aid_target.tsv) get ``day_rate`` of it; whether it is given in kind (meals, never cash); whether only a
试点 school gives it (the setting nutrition_pilot); and the amount per term or per school day.

The rules as published (searched in public pages, 2026-12):
- Since autumn 2019 the 生活补助 of 两免一补 also goes to four groups of non-boarders — 建档立卡 (now
  脱贫家庭), 家庭经济困难残疾, 农村低保 and 农村特困救助供养 students — at 50 % of the boarder rate:
  陕西日报 2019-10-31 "四类家庭经济困难非寄宿生将享受生活补助" (http://www.glxtkj.com/news/shannxi/370125.html);
  the same four groups named by 钦北区 (http://www.qinbei.gov.cn/ggfw/jypx/ywjy1/wyw_ywjy/t15903126.shtml),
  which also puts 监测对象 families among the boarders covered (so 监测 is a group a province may add).
- The boarder base rate rose from spring 2024 from 1000 to 1250 元/年 (小学) and from 1250 to 1500 元/年
  (初中), non-boarders still at 50 % (财政部 notice as reported, http://ggear.cnhbmt.com/news/07f399277.html);
  施甸县教育体育局 2025-11-13 lists 1250 / 1500 for boarders and 625 / 750 for non-boarders
  (https://shidian.gov.cn/info/13578/3778043.htm). Defaults: 625 / 750 per term for boarders.
- 营养改善计划: a 膳食补助 for the pupils of 试点 areas, 5 元 per pupil per school day since autumn 2021
  (财政部、教育部《关于深入实施农村义务教育学生营养改善计划的通知》, reported at
  https://nmcqxx.com/www/zfxxgk/c100122/202111/3ab76b5a3ba246648a13cddfc451f330); given as meals to every
  pupil of the area, not by hardship — so it is not 生活补助 and does not clear 应助未助.
- 普通高中国家助学金 2300 元/年 (from domain.md; not found in the stored pages — a province checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from jiaoyuapp.codes import table

# What a program's 学段 covers; a school's own may say 义务教育 for both 小学 and 初中.
LEVEL_SPANS = {"小学": ("小学",), "初中": ("初中",), "高中": ("高中",), "义务教育": ("小学", "初中")}
PROGRAM_LEVELS = tuple(LEVEL_SPANS)

# The roster columns the rules read (students table).
STUDENT_COLUMNS = ("uuid", "name", "grade", "class_no", "boarding", "poverty_alleviated", "monitoring_kind", "dibao",
                   "tekun", "orphan", "needs_aid", "disability_type", "health", "disabled", "status")


def level_of(grade: int | None) -> str | None:
    if grade is None:
        return None
    return "小学" if grade <= 6 else "初中" if grade <= 9 else "高中"


def covers(program_level: str | None, levels) -> bool:
    """Whether a program of this 学段 serves any of these levels (no 学段: all)."""
    return not program_level or any(x in levels for x in LEVEL_SPANS.get(program_level, (program_level,)))


def disabled(s: dict) -> bool:
    return (s.get("disability_type") not in (None, "", "0")) or s.get("health") == "50" or s.get("disabled") == 1


def groups_of(s: dict) -> list[str]:
    """The aid_target codes the roster puts this student in (脱贫, 低保 …), in the table's order."""
    poor = (s.get("poverty_alleviated") == 1 or s.get("monitoring_kind") in ("1", "2", "3") or s.get("dibao") == 1
            or s.get("tekun") == 1 or s.get("orphan") == 1 or s.get("needs_aid") == 1)
    found = {"脱贫": s.get("poverty_alleviated") == 1, "监测": s.get("monitoring_kind") in ("1", "2", "3"),
             "低保": s.get("dibao") == 1, "特困": s.get("tekun") == 1, "残疾": disabled(s) and poor,
             "孤儿": s.get("orphan") == 1}
    return [code for code in table("aid_target").codes() if found.get(code)]


def in_difficulty(s: dict) -> bool:
    """家庭经济困难 as the roster says it: a household flag or 是否需要申请资助."""
    return bool(groups_of(s)) or s.get("needs_aid") == 1


def split_groups(text: str | None) -> tuple[str, ...]:
    return tuple(g for g in (text or "").split("|") if g)


@dataclass
class Verdict:
    ok: bool
    why: str = ""              # when not: what the teacher is told
    target: str | None = None  # the 资助对象类型 (aid_target code) it is given as
    share: float = 1.0         # of the program's amount (non-boarders: day_rate)


def judge(program: dict, s: dict, *, school_levels, pilot: bool, target: str | None = None) -> Verdict:
    """Whether this student qualifies for this program, as what, at what share. `target` is a
    资助对象类型 the school recognised (认定) itself, counted beside what the roster says."""
    name = program["name"]
    level = level_of(s.get("grade"))
    if not covers(program.get("level"), school_levels):
        return Verdict(False, f"本校是{'、'.join(school_levels)}学校，不发放“{name}”（{program['level']}项目）。")
    if program.get("level") and level and not covers(program["level"], (level,)):
        return Verdict(False, f"“{name}”只面向{program['level']}学生，该生是{level}学生。")
    if program.get("pilot_only") and not pilot:
        return Verdict(False, f"“{name}”只在试点学校实施。本校如是试点学校，请在 学校设置 → 参数设置 中把"
                              f"“本校是否为营养改善计划试点学校”设为1。")
    if not program.get("means_tested"):
        return Verdict(True, target="全体")
    groups = groups_of(s)
    if target and target not in groups:
        groups.append(target)
    if not groups and s.get("needs_aid") != 1:
        return Verdict(False, f"“{name}”面向家庭经济困难学生。该生花名册中没有登记脱贫户、低保、特困等情况：如学校已认定"
                              f"其家庭经济困难，请选择“资助对象类型”（认定结果）后再登记。")
    boarder = s.get("boarding") == "2"
    if program.get("boarding_only") and not boarder:
        day = split_groups(program.get("day_groups"))
        hit = [g for g in groups if g in day]
        if not hit:
            allowed = "、".join(table("aid_target").label(g) for g in day)
            return Verdict(False, f"“{name}”面向家庭经济困难寄宿生" + (f"和走读的{allowed}" if allowed else "")
                           + "。该生登记为走读" + ("，且不属于这几类" if allowed else "")
                           + "。如已住校，请先在学生花名册中修改就读方式。")
        return Verdict(True, target=target or hit[0], share=program.get("day_rate") or 1.0)
    return Verdict(True, target=target or (groups[0] if groups else ("寄宿" if boarder else "其他")))


def rule_text(p: dict) -> str:
    """A program's rule in one line, as the 资助项目 tab and the CLI show it."""
    if not p.get("means_tested"):
        who = "全体学生" + ("（试点学校）" if p.get("pilot_only") else "")
    elif p.get("boarding_only"):
        day = split_groups(p.get("day_groups"))
        who = "困难寄宿生"
        if day:
            who += f"；走读：{'、'.join(table('aid_target').label(g).replace('学生', '') for g in day)}"
            who += f"（按{(p.get('day_rate') or 1) * 100:g}%）"
    else:
        who = "家庭经济困难学生"
    return who + ("；实物" if p.get("in_kind") else "")
