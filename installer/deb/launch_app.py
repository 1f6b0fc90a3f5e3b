# PyInstaller entry point of the window (console script `jiaoyu-app = ui.app:main`).
import sys

from ui.app import main

sys.exit(main())
