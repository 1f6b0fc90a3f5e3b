"""The numbered migrations of a school database, assembled from each layer's tables.

Released migrations are never edited; a change to the schema is a new one.
A file of the first schema is kept in tests/fixtures to prove upgrades work.
"""

from jiaoyuapp.exchange.schema import EXCHANGE_SQL_0004, EXCHANGE_SQL_0005, EXCHANGE_SQL_0007
from jiaoyuapp.ledgers.schema import (LEDGER_SQL_0003, LEDGER_SQL_0009, LEDGER_SQL_0010, LEDGER_SQL_0011, LEDGER_SQL_0013,
                                     LEDGER_TABLES)
from jiaoyuapp.roster import search_index
from jiaoyuapp.roster.schema import ROSTER_SQL_0001, ROSTER_SQL_0008, ROSTER_TABLES, SEARCH_SQL_0002
from jiaoyuapp.store.connection import Schema, run_script
from jiaoyuapp.store.migration_list import Migrations
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


@MIGRATIONS(name="0008_xueji_columns")
def m0008(db):
    run_script(db.conn, ROSTER_SQL_0008)


@MIGRATIONS(name="0009_aid_rules")
def m0009(db):
    run_script(db.conn, LEDGER_SQL_0009)


@MIGRATIONS(name="0010_case_escalation")
def m0010(db):
    run_script(db.conn, LEDGER_SQL_0010)


@MIGRATIONS(name="0011_case_placement")
def m0011(db):
    run_script(db.conn, LEDGER_SQL_0011)


@MIGRATIONS(name="0013_case_reports")
def m0013(db):
    run_script(db.conn, LEDGER_SQL_0013)


# What each table holds, in the words `jiaoyu check` and the salvage report use.
TABLE_LABELS = {
    "school": "学校信息", "households": "家庭户", "students": "学生", "guardians": "家庭成员",
    "enrollment_events": "学籍变动", "student_search": "学生检索（可重建）", "settings": "设置",
    "teachers": "教师", "class_heads": "班主任", "terms": "学期", "calendar_days": "校历",
    "absences": "缺课记录", "attachments": "附件", "blobs": "附件内容（照片、签字）", "visits": "家访记录",
    "visit_teachers": "家访教师", "visit_students": "家访学生", "visit_attachments": "家访附件",
    "cases": "控辍案件", "case_people": "案件责任人", "case_events": "案件进展", "attempts": "劝返记录",
    "home_teaching": "送教上门", "aid_programs": "资助项目", "aid_records": "资助记录",
    "attempt_people": "劝返人员", "attempt_attachments": "劝返佐证",
    "case_reports": "辍学情况报告表报送",
    "change_log": "变更日志", "batches": "变更批次", "identities": "密钥", "local_settings": "本机设置",
    "disability_proofs": "残疾证明与评估", "home_teaching_teachers": "送教教师",
    "home_teaching_attachments": "送教照片", "case_closing_attachments": "销号证明", "case_reviews": "季度复核",
    "peers": "已登记的学校", "packets_sent": "已发出的数据包", "packets_received": "已收到的数据包",
    "merge_conflicts": "合并冲突", "replica_state": "学校副本状态", "peer_log": "学校证书登记记录",
}


def school_schema() -> Schema:
    return Schema(
        migrations=MIGRATIONS,
        school_tables=ROSTER_TABLES + LEDGER_TABLES,
        hooks={"students": [search_index.on_students_written]},
        labels=TABLE_LABELS,
    )
