"""Where, in the window, a user does what an error's `todo` asks (see jiaoyuapp/errors.py).

The core's messages name no screen and no command; the window appends its screen and button
here (the command line has its own table, jiaoyuapp/cli/todo_hints.py). A teacher never sees
a terminal, so nothing here names a command.
"""

from __future__ import annotations

from jiaoyuapp.errors import JiaoyuError

SCREENS = {
    "school": "请用菜单“文件 → 新建学校或中心校…”建立学校",
    "new_database": "请用菜单“文件 → 新建学校或中心校…”为另一所学校建立数据库",
    "calendar": "请到“学校设置 → 校历”设置学期和节假日",
    "teachers": "请到“学校设置 → 教师”登记",
    "aid_programs": "请到“学校设置 → 资助项目”添加",
    "key": "请到“导出与回执”，点“设置密钥…”生成",
    "check": "窗口中不能抢救数据：请联系技术支持；也可以到“备份与恢复”用最近的备份恢复（备份之后的修改会丢失）",
    "cases": "“控辍保学”的案件列表列出了全部案件",
    "township": "请用菜单“文件 → 新建学校或中心校…”建立中心校数据库，或用“文件 → 打开学校数据库…”打开它",
    "center_certificate": "请到“导出与回执”，点“导入中心校证书…”",
    "replace_registration": "请在“中心校”点“登记学校（证书）…”重新选择这份证书，并在提示时确认更换登记",
    "conflicts": "在“中心校”选中这所学校，下方“待决定”列出了它的全部冲突",
}


def screen_hint(todo: str | None) -> str:
    """The sentence the window appends to an error with this `todo` ("" for none)."""
    if todo is None:
        return ""
    return f"（{SCREENS[todo]}）"


def window_text(error: JiaoyuError | str) -> str:
    """What a dialog says for a refusal from the core: its message, then where to act."""
    if isinstance(error, JiaoyuError):
        return error.message + screen_hint(error.todo)
    return error
