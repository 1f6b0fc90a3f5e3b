"""The test suite stays in its temporary folders: a slice of it, run with the home folder pointed at
an empty one and no JIAOYU_DATA_DIR, leaves that folder empty."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A slice with each kind of thing that has leaked before: a module fixture that builds schools (and
# their pre-import automatic backups) before any test's own data folder is set, the command line in
# subprocesses, backups and restores, and the window, whose daily backup runs in a worker process.
SLICE = [
    "tests/test_packets.py::test_the_untouched_packet_is_accepted",
    "tests/test_cli.py::test_backup_restore_check_log",
    "tests/test_backups.py",
    "tests/test_ui_school.py::test_search_zs_as_you_type",
]


def test_a_slice_of_the_suite_leaves_the_home_folder_empty(tmp_path):
    """If this fails, running the tests leaves backups or caches in the real user's folders."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("JIAOYU_DATA_DIR", "JIAOYU_DB")}
    env.update(HOME=str(home), USERPROFILE=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local" / "state"), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--basetemp={tmp_path / 'inner'}", *SLICE],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "passed" in out.stdout
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert left == [], left
