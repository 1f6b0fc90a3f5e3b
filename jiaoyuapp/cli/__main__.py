"""`python -m jiaoyuapp.cli`: the same as the `jiaoyu` console script."""

import sys

from jiaoyuapp.cli import main

sys.exit(main())
