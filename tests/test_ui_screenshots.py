"""`jiaoyu-app --screenshots DIR` opens each main screen on a demo school, saves a PNG of each, exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def test_screenshots_of_every_main_screen(tmp_path):
    from ui.screenshots import SCREENS
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JIAOYU_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "ui.app", "--screenshots", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    pictures = sorted(out.glob("*.png"))
    assert [p.stem.split("_", 1)[1] for p in pictures] == [name for _, name in SCREENS]
    assert done.stdout.split() == [str(p) for p in pictures]
    for picture in pictures:
        image = Image.open(picture).convert("RGB")
        assert image.width >= 600 and image.height >= 400
        colours = image.getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 40, f"{picture.name} looks empty"  # text was drawn
