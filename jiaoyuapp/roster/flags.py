"""Household-status and priority flags, as data: the name a user types, and the
SQL condition on the students table it stands for (column names from this list only)."""

from __future__ import annotations

from dataclasses import dataclass

from jiaoyuapp.codes import fold
from jiaoyuapp.errors import UsageError


@dataclass(frozen=True)
class Flag:
    name: str
    condition: str
    synonyms: tuple[str, ...] = ()


FLAGS: tuple[Flag, ...] = (
    Flag("脱贫户", "s.poverty_alleviated = 1", ("建档立卡", "建档立卡贫困户")),
    Flag("监测对象", "s.monitoring_kind IN ('1','2','3')", ("防返贫监测对象", "监测户")),
    Flag("脱贫不稳定户", "s.monitoring_kind = '1'"),
    Flag("边缘易致贫户", "s.monitoring_kind = '2'"),
    Flag("突发严重困难户", "s.monitoring_kind = '3'"),
    Flag("低保", "s.dibao = 1", ("低保户",)),
    Flag("特困供养", "s.tekun = 1", ("特困",)),
    Flag("孤儿", "s.orphan = 1"),
    Flag("事实无人抚养", "s.unsupported = 1", ("事实无人抚养儿童",)),
    Flag("残疾", "(s.disability_type IS NOT NULL AND s.disability_type != '0') OR s.health = '50' OR s.disabled = 1",
         ("残疾儿童",)),
    Flag("留守", "s.left_behind IN ('1','2','9')", ("留守儿童",)),
    Flag("单亲外出", "s.left_behind = '1'"),
    Flag("双亲外出", "s.left_behind = '2'"),
    Flag("随迁子女", "s.migrant_child = 1", ("随迁",)),
    Flag("寄宿", "s.boarding = '2'", ("住校",)),
    Flag("单亲", "s.single_parent = 1", ("单亲家庭",)),
    Flag("随班就读", "s.inclusive_edu IS NOT NULL AND s.inclusive_edu != '0'"),
    Flag("经济困难", "s.poverty_alleviated = 1 OR s.monitoring_kind IN ('1','2','3') OR s.dibao = 1 OR s.tekun = 1",
         ("困难", "家庭经济困难")),
)

_BY_NAME = {fold(n): f for f in FLAGS for n in (f.name, *f.synonyms)}


def flag(name: str) -> Flag:
    found = _BY_NAME.get(fold(name))
    if found is None:
        raise UsageError(f"不认识的标记“{name}”。可用的标记：{'、'.join(f.name for f in FLAGS)}")
    return found


def flags_of(student: dict) -> list[str]:
    """The flag names that apply to one student row (for display), evaluated in Python."""
    s = student
    out = []
    if s.get("poverty_alleviated") == 1:
        out.append("脱贫户")
    mk = {"1": "脱贫不稳定户", "2": "边缘易致贫户", "3": "突发严重困难户"}.get(s.get("monitoring_kind") or "")
    if mk:
        out.append(mk)
    for col, name in (("dibao", "低保"), ("tekun", "特困供养"), ("orphan", "孤儿"), ("unsupported", "事实无人抚养"),
                      ("migrant_child", "随迁子女"), ("single_parent", "单亲")):
        if s.get(col) == 1:
            out.append(name)
    if (s.get("disability_type") not in (None, "0")) or s.get("health") == "50" or s.get("disabled") == 1:
        out.append("残疾")
    lb = {"1": "留守（单亲外出）", "2": "留守（双亲外出）", "9": "留守"}.get(s.get("left_behind") or "")
    if lb:
        out.append(lb)
    if s.get("boarding") == "2":
        out.append("寄宿")
    return out
