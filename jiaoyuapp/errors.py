"""Errors a teacher can act on.

Every message is Simplified Chinese and says what is wrong and what to do.
The command line maps them to exit codes, the window to dialogs. Messages
never contain a child's name, ID number or phone number unless the user is
looking at that record (they are never logged).
"""


class JiaoyuError(Exception):
    """Base of all errors the core raises on purpose."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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

    def __init__(self, message: str = "操作已取消，没有写入任何数据。"):
        super().__init__(message)


class UnreadableFileError(DataError):
    """A file the user chose is damaged, is not what its name says, or is built to harm the reader.

    Raised by the readers at their boundary (before or while reading), so a broken workbook
    stops the whole import with one message instead of being taken for a sheet without a header.
    """
