"""The numbered migrations of a school database, assembled from each layer's tables.

Released migrations are never edited; a change to the schema is a new one.
A file of the first schema is kept in tests/fixtures to prove upgrades work.
"""

from sqlite_utils import Migrations

from jiaoyuapp.exchange.schema import EXCHANGE_SQL_0004, EXCHANGE_SQL_0005, EXCHANGE_SQL_0007
from jiaoyuapp.ledgers.schema import LEDGER_SQL_0003, LEDGER_TABLES
from jiaoyuapp.roster import search_index
from jiaoyuapp.roster.schema import ROSTER_SQL_0001, ROSTER_TABLES, SEARCH_SQL_0002
from jiaoyuapp.store.connection import Schema, run_script
from jiaoyuapp.store.log_tables import LOG_TABLES_SQL, LOG_TABLES_SQL_0006

MIGRATIONS = Migrations("jiaoyu")


@MIGRATIONS(name="0001_roster_and_change_log")
def m0001(db):
    run_script(db.conn, LOG_TABLES_SQL + ROSTER_SQL_0001)


@MIGRATIONS(name="0002_student_search")
def m0002(db):
    run_script(db.conn, SEARCH_SQL_0002)
    search_index.rebuild(db.conn)


@MIGRATIONS(name="0003_ledgers")
def m0003(db):
    run_script(db.conn, LEDGER_SQL_0003)


@MIGRATIONS(name="0004_identities")
def m0004(db):
    run_script(db.conn, EXCHANGE_SQL_0004)


@MIGRATIONS(name="0005_exchange")
def m0005(db):
    run_script(db.conn, EXCHANGE_SQL_0005)


@MIGRATIONS(name="0006_lean_change_log")
def m0006(db):
    run_script(db.conn, LOG_TABLES_SQL_0006)


@MIGRATIONS(name="0007_peer_log")
def m0007(db):
    run_script(db.conn, EXCHANGE_SQL_0007)


def school_schema() -> Schema:
    return Schema(
        migrations=MIGRATIONS,
        school_tables=ROSTER_TABLES + LEDGER_TABLES,
        hooks={"students": [search_index.on_students_written]},
    )
