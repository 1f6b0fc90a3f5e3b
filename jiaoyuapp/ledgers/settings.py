"""School settings (thresholds, quotas, risk weights): defaults are data, overrides are school data.

Each setting in codes/data/settings_defaults.tsv carries its label, unit, allowed range and a short
explanation, so the window and the command line show and check it the same way."""

from __future__ import annotations

import math

from jiaoyuapp.codes import fold, records
from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.store import Store


def defaults() -> dict[str, dict]:
    return {r["key"]: r for r in records("settings_defaults")}


def get(store: Store, key: str) -> float:
    if key not in defaults():
        raise KeyError(key)
    value = store.scalar("SELECT value FROM settings WHERE key = ?", (key,))
    return float(value if value is not None else defaults()[key]["value"])


def get_int(store: Store, key: str) -> int:
    return int(get(store, key))


def masking(store: Store) -> dict[str, tuple[int, int]]:
    """How many leading and trailing characters the 公示 variant keeps of ID numbers and phones."""
    return {"id": (get_int(store, "mask_id_head"), get_int(store, "mask_id_tail")),
            "phone": (get_int(store, "mask_phone_head"), get_int(store, "mask_phone_tail"))}


def all_settings(store: Store) -> list[dict]:
    overrides = dict(store.conn.execute("SELECT key, value FROM settings"))
    return [{"key": k, "label": d["label"], "value": float(overrides.get(k, d["value"])), "default": float(d["value"]),
             "unit": d.get("unit", ""), "min": float(d["min"]), "max": float(d["max"]), "group": d.get("group", ""),
             "help": d.get("help", "")} for k, d in defaults().items()]


def check_value(key: str, value) -> float:
    """The value as the setting stores it, or a refusal that names the setting and its range.
    Every setting counts days, visits, households or points: a whole number within its range."""
    if key not in defaults():
        raise UsageError(f"没有设置项“{key}”。可用的设置：{'、'.join(defaults())}")
    d = defaults()[key]
    label, low, high = d["label"], float(d["min"]), float(d["max"])
    span = f"{low:g}到{high:g}{d.get('unit', '')}"
    if isinstance(value, str):
        text = fold(value)
        if not text:
            raise DataError(f"“{label}”没有填写，请填{span}之间的整数。")
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"“{label}”应填数字，“{value.strip()}”不是数字。请填{span}之间的整数。") from None
    value = float(value)
    if not math.isfinite(value) or value != int(value):
        raise DataError(f"“{label}”应填整数，请填{span}之间的整数。")
    if not low <= value <= high:
        raise DataError(f"“{label}”不能是{value:g}，请填{span}之间的整数。")
    return value


def set_value(store: Store, key: str, value, actor: str = "") -> None:
    check_value(key, value)  # refuse before anything is written
    set_values(store, {key: value}, actor)


def set_values(store: Store, values: dict[str, object], actor: str = "") -> list[str]:
    """Change several settings at once: all are checked first, so a bad one changes none.
    Returns the keys whose value really changed."""
    checked = {key: check_value(key, value) for key, value in values.items()}
    overrides = {r["key"]: r for r in store.query("SELECT uuid, key, value FROM settings")}
    changed = []
    labels = "、".join(defaults()[k]["label"] for k in checked)
    with store.write("settings", actor, f"修改设置：{labels}") as w:
        for key, value in checked.items():
            row = overrides.get(key)
            if row is not None:
                if float(row["value"]) != value:
                    w.update("settings", row["uuid"], {"value": str(value)})
                    changed.append(key)
            else:
                w.insert("settings", {"key": key, "value": str(value)})
                if value != float(defaults()[key]["value"]):
                    changed.append(key)
    return changed
