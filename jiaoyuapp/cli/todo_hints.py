"""Where, on the command line, a user does what an error's `todo` asks (see jiaoyuapp/errors.py).

The core's messages name no command, because the window shows them too; the command line
appends its command here. The window has its own table (ui/todo_hints.py).
"""

from __future__ import annotations

COMMANDS = {
    "school": "jiaoyu init --school-code 学校标识码 --school-name 学校名称",
    "new_database": "jiaoyu --db 新文件.db init --school-code 学校标识码 --school-name 学校名称",
    "calendar": "jiaoyu calendar defaults（或 jiaoyu calendar term-add 学期名称 开始日期 结束日期）",
    "teachers": "jiaoyu teacher add --name 姓名",
    "aid_programs": "jiaoyu aid defaults（或 jiaoyu aid program-add）",
    "key": "jiaoyu key create（需要校长设置口令）",
    "check": "jiaoyu check 查看哪些内容损坏，再用 jiaoyu check --salvage 新文件.db 抢救数据",
    "cases": "jiaoyu cases 查询案件编号",
    "township": "jiaoyu --db 中心校.db township init --name 中心校名称",
    "center_certificate": "jiaoyu export packet 文件夹 --to 中心校证书.pem（证书由中心校用 jiaoyu key export-certificate 导出）",
    "replace_registration": "jiaoyu township register 证书文件 --replace",
    "conflicts": "jiaoyu township conflicts 学校标识码 查看编号",
}


def command_hint(todo: str | None) -> str:
    """The sentence the command line appends to an error with this `todo` ("" for none)."""
    if todo is None:
        return ""
    return f"（请运行：{COMMANDS[todo]}）"
