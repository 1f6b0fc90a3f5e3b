"""Sign-off blocks (签字栏) as a school setting: which titles sign at the foot of a printed list.

Counties differ in who signs the 劝返 list; domain.md names the six a county may ask for
(村支书(主任), 中心校校长, 中学校长, 乡镇分管领导, 乡镇长, 教体局包片领导). The school edits the list in
学校设置 → 参数设置; the workbook and the PDF folder print it. Kept in the settings table (one row
per block, titles one a line), so it travels in packets like every other setting.
"""

from __future__ import annotations

from jiaoyuapp.codes import fold
from jiaoyuapp.errors import DataError
from jiaoyuapp.store import Store

# block key → (what the window calls it, default titles)
BLOCKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "quanfan": ("劝返名单（控辍保学台账、劝返记录）的签字栏",
                ("村支书（主任）", "中心校校长", "中学校长", "乡镇分管领导", "乡镇长", "教体局包片领导")),
}
MAX_TITLES, MAX_LENGTH = 12, 16


def _key(block: str) -> str:
    if block not in BLOCKS:
        raise KeyError(block)
    return f"sign_off_{block}"


def titles(store: Store, block: str) -> list[str]:
    """The titles that sign this block, as the school set them (the defaults until then)."""
    value = store.scalar("SELECT value FROM settings WHERE key = ?", (_key(block),))
    if value is None:
        return list(BLOCKS[block][1])
    return [t for t in value.split("\n") if t]


def check_titles(lines: list[str] | str) -> list[str]:
    """The titles cleaned (blank lines dropped, a trailing colon removed), or a refusal that says
    what to change."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    out: list[str] = []
    for raw in lines:
        t = raw.strip().rstrip("：:").strip()
        if not t:
            continue
        if len(t) > MAX_LENGTH:
            raise DataError(f"签字栏的职务“{t}”太长（最多{MAX_LENGTH}个字），请写简称，如“乡镇分管领导”。")
        if any(fold(t) == fold(x) for x in out):
            raise DataError(f"签字栏里“{t}”写了两次，请删去一行。")
        out.append(t)
    if not out:
        raise DataError("签字栏至少要有一个职务，每行写一个，如“中心校校长”。")
    if len(out) > MAX_TITLES:
        raise DataError(f"签字栏最多{MAX_TITLES}个职务，现在有{len(out)}个，请合并或删去一些。")
    return out


def set_titles(store: Store, block: str, lines: list[str] | str, actor: str = "") -> list[str]:
    """Save the block's titles through the one write path; returns them as saved."""
    cleaned = check_titles(lines)
    key = _key(block)
    row = store.query("SELECT uuid, value FROM settings WHERE key = ?", (key,))
    value = "\n".join(cleaned)
    with store.write("settings", actor, f"修改签字栏：{BLOCKS[block][0]}") as w:
        if row:
            if row[0]["value"] != value:
                w.update("settings", row[0]["uuid"], {"value": value})
        else:
            w.insert("settings", {"key": key, "value": value})
    return cleaned
