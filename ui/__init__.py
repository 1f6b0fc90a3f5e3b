"""The desktop window (PySide6). It calls the core (`jiaoyuapp`) and holds no rules of its own."""
