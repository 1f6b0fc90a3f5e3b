"""Qt's own texts in Chinese: the buttons of message boxes (确定/取消), the file dialog, the
right-click menu of a text field. PySide6 ships Qt's translations (qtbase_zh_CN.qm); loading them
is all it takes for most texts. Qt's Chinese catalog lacks two labels of its own file dialog
(shown on Linux desktops without a native dialog); those are given here, so no English is left."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

CATALOGS = ("qtbase_zh_CN", "qt_zh_CN")  # qt_zh_CN is a meta catalog; it loads only when complete
MISSING = {("QFileDialog", "&Look in:"): "查找范围(&L)：",
           ("QFileDialog", "Files of &type:"): "文件类型(&T)："}


class _Missing(QTranslator):
    """The few texts Qt's catalog leaves in English."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt's signature
        return MISSING.get((context, source))  # None: not ours, Qt asks the next catalog

    def isEmpty(self) -> bool:
        return False


def install(app: QApplication) -> list[QTranslator]:
    """Install Qt's Chinese translations once per application; returns the translators loaded."""
    installed = getattr(app, "_jiaoyu_translators", None)
    if installed is not None:
        return installed
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    missing = _Missing(app)  # installed first, so asked last: only for what the catalogs lack
    app.installTranslator(missing)
    installed = [missing]
    for name in CATALOGS:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
    app._jiaoyu_translators = installed  # kept alive as long as the application
    return installed
