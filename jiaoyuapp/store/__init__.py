"""Storage: the database file, migrations, the one write path and its change log.

This package knows nothing of students or cases: it stores rows of the tables
it is told are school data, and logs every change to them.
"""

from jiaoyuapp.store.connection import Store, open_store
from jiaoyuapp.store.writes import Batch, OpChanges

__all__ = ["Store", "open_store", "Batch", "OpChanges"]
