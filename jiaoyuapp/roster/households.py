"""Households: siblings at the same school, linked so one home visit covers them all.

On import, students are linked when they share a guardian's ID number, a
guardian's phone, or the same home address with the same guardian name. The
links are editable afterwards (`merge`, `split`), always through the write path.
"""

from __future__ import annotations

from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.store import Batch, Store
from jiaoyuapp.store.writes import new_uuid


def _addr(a: str | None) -> str:
    return "".join((a or "").split())


def keys_of(values: dict) -> set[str]:
    """Linking keys of one student's clean values (students cols plus g1./g2.)."""
    keys = set()
    for p in ("g1", "g2"):
        if values.get(f"{p}.id_number"):
            keys.add("id:" + values[f"{p}.id_number"])
        if values.get(f"{p}.phone"):
            keys.add("tel:" + values[f"{p}.phone"])
        address = _addr(values.get("home_address") or values.get(f"{p}.address"))
        if address and values.get(f"{p}.name"):
            keys.add(f"addr:{address}|{values[f'{p}.name']}")
    return keys


def existing_keys(store: Store) -> dict[str, str]:
    """Linking key → household uuid for students already in the database."""
    found: dict[str, str] = {}
    cur = store.conn.execute(
        "SELECT s.household_uuid, s.home_address, g.name, g.id_number, g.phone, g.address "
        "FROM guardians g JOIN students s ON s.uuid = g.student_uuid WHERE s.household_uuid IS NOT NULL")
    for household, home, name, idn, phone, gaddr in cur:
        values = {"home_address": home, "g1.name": name, "g1.id_number": idn, "g1.phone": phone,
                  "g1.address": gaddr}
        for k in keys_of(values):
            found.setdefault(k, household)
    return found


def assign(store: Store, batch: Batch, new_students: list[dict]) -> list[str]:
    """The household of each new student (by its clean values), in order: an existing
    one it links to, or a new one shared with the new siblings it links to.
    Called before the students are inserted, so the link is part of their insert."""
    if not new_students:
        return []
    known = existing_keys(store)
    parent = list(range(len(new_students)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with_key: dict[str, int] = {}
    all_keys = []
    for i, values in enumerate(new_students):
        ks = keys_of(values)
        all_keys.append(ks)
        for k in ks:
            if k in first_with_key:
                parent[find(i)] = find(first_with_key[k])
            else:
                first_with_key[k] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(new_students)):
        groups.setdefault(find(i), []).append(i)
    result: list[str] = [""] * len(new_students)
    new_households = []
    for members in groups.values():
        household = next((known[k] for i in members for k in sorted(all_keys[i]) if k in known), None)
        if household is None:
            first = new_students[members[0]]
            household = new_uuid()
            new_households.append({"uuid": household,
                                   "address": first.get("home_address") or first.get("current_address")})
        for i in members:
            result[i] = household
    batch.insert_many("households", new_households)
    return result


def merge(store: Store, student_uuids: list[str], actor: str = "") -> str:
    """Put these students in one household (the first one's); returns its uuid."""
    students = [store.get("students", u) for u in student_uuids]
    if any(s is None for s in students):
        raise NotFoundError("要合并的学生中有找不到的记录，请重新查询后再操作。")
    if len(students) < 2:
        raise DataError("合并为一户至少需要两名学生。")
    target = students[0]["household_uuid"]
    with store.write("household-merge", actor, "合并为同一户") as w:
        if target is None:
            target = w.insert("households", {"address": students[0]["home_address"]})
            w.update("students", students[0]["uuid"], {"household_uuid": target})
        for s in students[1:]:
            w.update("students", s["uuid"], {"household_uuid": target})
    return target


def split(store: Store, student_uuid: str, actor: str = "") -> str:
    """Move one student into a household of their own; returns its uuid."""
    s = store.get("students", student_uuid)
    if s is None:
        raise NotFoundError("找不到这名学生。")
    with store.write("household-split", actor, "单独成户") as w:
        household = w.insert("households", {"address": s["home_address"]})
        w.update("students", student_uuid, {"household_uuid": household})
    return household
