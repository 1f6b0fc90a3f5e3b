"""School settings (thresholds, quotas, risk weights): defaults are data, overrides are school data."""

from __future__ import annotations

from jiaoyuapp.codes import records
from jiaoyuapp.errors import UsageError
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


def all_settings(store: Store) -> list[dict]:
    overrides = dict(store.conn.execute("SELECT key, value FROM settings"))
    return [{"key": k, "label": d["label"], "value": float(overrides.get(k, d["value"])), "default": float(d["value"])}
            for k, d in defaults().items()]


def set_value(store: Store, key: str, value: float, actor: str = "") -> None:
    if key not in defaults():
        raise UsageError(f"没有设置项“{key}”。可用的设置：{'、'.join(defaults())}")
    if value < 0:
        raise UsageError("设置值不能为负数。")
    existing = store.scalar("SELECT uuid FROM settings WHERE key = ?", (key,))
    with store.write("settings", actor, f"修改设置：{defaults()[key]['label']}") as w:
        if existing:
            w.update("settings", existing, {"value": str(value)})
        else:
            w.insert("settings", {"key": key, "value": str(value)})
