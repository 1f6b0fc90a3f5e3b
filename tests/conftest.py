import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keys made by the suite (hundreds) use a token key-derivation cost; subprocesses inherit it.
# tests/test_key_wrapping.py checks what production keys get without it.
os.environ.setdefault("JIAOYU_KDF_COST", "test")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jiaoyuapp.school import init_school, open_school  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _session_data_dir(tmp_path_factory):
    """Module and session fixtures (a world of schools built once) run before any test's own data
    directory is set; they write their automatic backups here, never into the user's."""
    patch = pytest.MonkeyPatch()
    patch.setenv("JIAOYU_DATA_DIR", str(tmp_path_factory.mktemp("session-data")))
    patch.delenv("JIAOYU_DB", raising=False)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test touches the real user's data directory."""
    monkeypatch.setenv("JIAOYU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("JIAOYU_DB", raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "school.db"


@pytest.fixture
def store(db_path):
    """A fresh school database file (WAL and all), with the school registered."""
    s = open_school(db_path)
    init_school(s, code="5101230001", name="青石镇红岩村小学", township="青石镇", county="示范县")
    yield s
    s.close()
