# PyInstaller entry point of the command line (console script `jiaoyu = jiaoyuapp.cli:main`).
import sys

from jiaoyuapp.cli import main

sys.exit(main())
