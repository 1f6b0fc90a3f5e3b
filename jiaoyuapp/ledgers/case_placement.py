"""Where a returnee is placed (安置方式), and who may be sent 送教上门.

A child who comes back is placed 插班就读 (back into a class of the right grade) as a rule, or in a
单独编班 class, 普职融合 (with a vocational school), or a 特教学校. 随班就读 is the special-education
term for a disabled pupil in an ordinary class (教育部《关于加强残疾儿童少年义务教育阶段随班就读工作的
指导意见》2020), not a returnee placement: it is offered only for a child with a recorded disability
(disability_proof.py), and so is 送教上门. Cases written before this rule that say 随班就读 for a child
without one keep what they say; they are shown and listed for 核对, never rewritten.
"""

from __future__ import annotations

from jiaoyuapp.codes import table
from jiaoyuapp.ledgers import disability_proof
from jiaoyuapp.store import Store

DEFAULT = "插班就读"
INCLUSIVE = "随班就读"
HOME_TEACHING = "送教上门"


def choices(store: Store, student_uuid: str) -> list[str]:
    """The placements to offer for this child, the default first; 随班就读 only with a recorded disability."""
    t = table("case_placement")
    ok = disability_proof.recorded(store, student_uuid)
    return [label for code, label in zip(t.codes(), t.labels()) if code != INCLUSIVE or ok]


def check_placement(store: Store, case: dict, placement_code: str) -> None:
    """Refuse 随班就读 for a child without a recorded disability (before anything is written)."""
    if placement_code == INCLUSIVE:
        disability_proof.require(store, case["student_uuid"], "随班就读")


def check_move(store: Store, case: dict, to: str) -> None:
    """Refuse sending a child without a recorded disability to 送教上门."""
    if to == HOME_TEACHING:
        disability_proof.require(store, case["student_uuid"], "送教上门")


def placement_text(store: Store, case: dict) -> str | None:
    """The placement as the case screen and the PDF show it, with the 核对 note when old data says
    随班就读 for a child without a recorded disability."""
    if not case.get("placement"):
        return None
    label = table("case_placement").label(case["placement"]) or case["placement"]
    if needs_check(store, case):
        label += "（该生没有残疾记录，随班就读是残疾学生的安置方式：请核对，复学学生一般为插班就读）"
    return label


def needs_check(store: Store, case: dict) -> bool:
    return case.get("placement") == INCLUSIVE and not disability_proof.recorded(store, case["student_uuid"])


def placements_to_check(store: Store) -> list[dict]:
    """Cases whose placement is 随班就读 for a child without a recorded disability (old data, for 核对)."""
    rows = store.query("SELECT c.uuid AS case_uuid, c.student_uuid, c.placement, s.name, s.grade, s.class_no "
                       "FROM cases c JOIN students s ON s.uuid = c.student_uuid WHERE c.placement = ? "
                       "ORDER BY s.grade, s.name", (INCLUSIVE,))
    return [r for r in rows if not disability_proof.recorded(store, r["student_uuid"])]


def home_teaching_to_check(store: Store) -> list[dict]:
    """Cases in 送教上门 (written before the rule) for a child without a recorded disability, for 核对."""
    rows = store.query("SELECT c.uuid AS case_uuid, c.student_uuid, s.name, s.grade, s.class_no FROM cases c "
                       "JOIN students s ON s.uuid = c.student_uuid WHERE c.status = ? ORDER BY s.grade, s.name",
                       (HOME_TEACHING,))
    return [r for r in rows if not disability_proof.recorded(store, r["student_uuid"])]


def describe_refusal(store: Store, student_uuid: str) -> str | None:
    """Why 随班就读 and 送教上门 are not offered for this child, or None when they are."""
    d = disability_proof.disability_of(store, student_uuid)
    if d["recorded"]:
        return None
    return f"随班就读、送教上门只适用于有残疾记录的学生；该生还缺：{'、'.join(d['missing'])}。"

