"""Errors a teacher can act on.

Every message is Simplified Chinese and says what is wrong and what to do.
The command line maps them to exit codes, the window to dialogs. Messages
name no command and no screen: an error that a setting elsewhere puts right carries a `todo`
key (see TODOS), and each front end appends where its user does that (the command line its
command, jiaoyuapp/cli/todo_hints.py; the window its screen and button, ui/todo_hints.py).
Messages
never contain a child's name, ID number or phone number unless the user is
looking at that record (they are never logged).
"""


# What a user must do first, somewhere else, before this works again.
TODOS = {
    "school": "登记学校信息",
    "new_database": "为另一所学校另建数据库",
    "calendar": "设置校历（学期、节假日）",
    "teachers": "登记教师",
    "aid_programs": "添加资助项目",
    "key": "生成学校密钥",
    "check": "检查数据库并抢救数据",
    "cases": "查找控辍案件的编号",
    "township": "建立或打开中心校数据库",
    "center_certificate": "导入中心校证书",
    "replace_registration": "确认更换学校已登记的证书",
    "conflicts": "查看待决定的冲突",
}


class JiaoyuError(Exception):
    """Base of all errors the core raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, todo: str | None = None):
        if todo is not None and todo not in TODOS:
            raise ValueError(f"unknown todo {todo!r}")
        super().__init__(message)
        self.message = message
        self.todo = todo


class UsageError(JiaoyuError):
    """The command was called the wrong way (exit code 2)."""

    exit_code = 2


class DatabaseError(JiaoyuError):
    """The school database cannot be opened or used as it is."""


class SchemaTooNewError(DatabaseError):
    """The file was written by a newer version of the app."""


class NotFoundError(JiaoyuError):
    """A record the user named does not exist."""


class DataError(JiaoyuError):
    """The data itself breaks a rule (validation, a refused operation)."""


class CancelledError(JiaoyuError):
    """The user pressed cancel; nothing was written."""

    def __init__(self, message: str = "操作已取消，没有写入任何数据。", todo: str | None = None):
        super().__init__(message, todo)


class UnreadableFileError(DataError):
    """A file the user chose is damaged, is not what its name says, or is built to harm the reader.

    Raised by the readers at their boundary (before or while reading), so a broken workbook
    stops the whole import with one message instead of being taken for a sheet without a header.
    """
