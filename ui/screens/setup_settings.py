"""学校设置 → 参数设置: the school's thresholds, visit frequencies and risk weights, each with its
Chinese label, unit and a line on what it changes. The core checks every value (a bad one changes
nothing and is explained); the window only shows and collects them."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import settings
from ui.dialogs import show_error, show_info
from ui.screens.base import button, left_row
from ui.screens.setup_tab import SetupTab
from ui.todo_hints import window_text



class YesNoBox(QCheckBox):
    """A yes/no setting (本校是否为试点学校) as a tick box; read and set as "1"/"0" like the number boxes."""

    def text(self) -> str:   # noqa: D102 - the setting's value, not a label (the row has its own)
        return "1" if self.isChecked() else "0"

    def setText(self, value: str) -> None:   # noqa: N802 - Qt's name
        self.setChecked(str(value).strip() not in ("", "0", "0.0"))

class SettingsTab(SetupTab):
    def __init__(self, screen):
        super().__init__(screen)
        self.edits: dict[str, QLineEdit] = {}
        self.shown: dict[str, str] = {}
        outer = QVBoxLayout(self)
        intro = QLabel("这些参数决定何时登记疑似辍学、每学期要家访几次、首页如何评估辍学风险，以及公示版台账中证件号和电话怎样打码。"
                       "改动后点“保存修改”；不确定时可恢复默认值。")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        body = QWidget()
        column = QVBoxLayout(body)
        groups: dict[str, QGridLayout] = {}
        for s in settings.all_settings(screen.store):
            if s["group"] not in groups:
                box = QGroupBox(s["group"] or "其他")
                groups[s["group"]] = QGridLayout(box)
                groups[s["group"]].setColumnStretch(3, 1)
                column.addWidget(box)
            grid = groups[s["group"]]
            row = grid.rowCount()
            flag = (s["min"], s["max"]) == (0, 1) and "是" in (s["unit"] or "")
            edit = YesNoBox() if flag else QLineEdit()
            edit.setObjectName(f"setting_{s['key']}")
            edit.setMaximumWidth(80)
            self.edits[s["key"]] = edit
            explain = QLabel(s["help"] if flag else f"{s['help']}（默认{s['default']:g}，可填{s['min']:g}–{s['max']:g}）")
            explain.setWordWrap(True)
            explain.setStyleSheet("color: #555")
            grid.addWidget(QLabel(s["label"] + "："), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(QLabel("是" if flag else s["unit"]), row, 2)
            grid.addWidget(explain, row, 3)
        from ui.screens.setup_sign_offs import SignOffBox
        self.sign_offs = SignOffBox(lambda: screen.store, screen.changed)
        column.addWidget(self.sign_offs)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.save_button = button("保存修改", self.save, "saveSettings")
        self.defaults_button = button("全部恢复默认值", self.fill_defaults)
        outer.addLayout(left_row(self.save_button, self.defaults_button))

    def reload(self) -> None:
        self.sign_offs.reload()
        for s in settings.all_settings(self.screen.store):
            self.shown[s["key"]] = f"{s['value']:g}"
            self.edits[s["key"]].setText(self.shown[s["key"]])

    def fill_defaults(self) -> None:
        """Put the defaults in the boxes; nothing changes until 保存修改."""
        for key, d in settings.defaults().items():
            self.edits[key].setText(f"{float(d['value']):g}")

    def set(self, key: str, text: str) -> None:
        """Type a value into one box (as a principal would)."""
        self.edits[key].setText(text)

    def save(self) -> bool:
        typed = {key: edit.text() for key, edit in self.edits.items() if edit.text().strip() != self.shown.get(key)}
        if not typed:
            show_info(self, "没有改动。", title="提示")
            return True
        try:
            settings.set_values(self.screen.store, typed, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, window_text(exc) + "（这次的修改都没有保存，请改正后再保存。）")
            return False
        self.screen.changed()
        show_info(self, f"已保存{len(typed)}项参数。")
        return True
