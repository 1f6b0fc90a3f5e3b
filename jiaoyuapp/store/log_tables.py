"""The change log's own tables (migration 0001 creates them)."""

LOG_TABLES_SQL = """
CREATE TABLE batches (
    uuid TEXT PRIMARY KEY,
    kind TEXT NOT NULL,          -- what operation: import, edit, rollover, undo …
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    first_seq INTEGER,
    last_seq INTEGER,
    undone_by TEXT               -- the batch that reversed this one
);
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- monotonic, never reused
    batch_uuid TEXT NOT NULL REFERENCES batches(uuid),
    tbl TEXT NOT NULL,
    record_uuid TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    changes TEXT NOT NULL,       -- JSON {field: [old, new]}
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX change_log_record ON change_log (tbl, record_uuid);
CREATE INDEX change_log_batch ON change_log (batch_uuid);
"""

# Migration 0006: a leaner log. A batch gets a small integer id, and a log entry names its batch by
# that id instead of repeating the batch's 36-character uuid, its actor and its time on every row
# (a merged packet writes tens of thousands of rows in one batch). An entry's own actor and time are
# kept only where they ever differed from its batch's (NULL otherwise), so nothing is lost.
LOG_TABLES_SQL_0006 = """
CREATE TABLE batches_0006 (
    id INTEGER PRIMARY KEY,      -- what the change log refers to
    uuid TEXT NOT NULL UNIQUE,   -- what the outside world refers to (packets, undo)
    kind TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    first_seq INTEGER,
    last_seq INTEGER,
    undone_by TEXT
);
INSERT INTO batches_0006 (uuid, kind, actor, at, summary, first_seq, last_seq, undone_by)
    SELECT uuid, kind, actor, at, summary, first_seq, last_seq, undone_by FROM batches ORDER BY rowid;
CREATE TABLE change_log_0006 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- monotonic, never reused
    batch INTEGER NOT NULL REFERENCES batches_0006(id),
    tbl TEXT NOT NULL,
    record_uuid TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    changes TEXT NOT NULL,       -- JSON {field: [old, new]}
    actor TEXT,                  -- only where it differs from the batch's
    at TEXT                      -- likewise
);
INSERT INTO change_log_0006 (seq, batch, tbl, record_uuid, op, changes, actor, at)
    SELECT c.seq, b.id, c.tbl, c.record_uuid, c.op, c.changes, NULLIF(c.actor, b.actor), NULLIF(c.at, b.at)
    FROM change_log c JOIN batches_0006 b ON b.uuid = c.batch_uuid ORDER BY c.seq;
CREATE TEMP TABLE log_sequence_0006 AS SELECT seq FROM sqlite_sequence WHERE name = 'change_log';
DROP TABLE change_log;
DROP TABLE batches;
ALTER TABLE batches_0006 RENAME TO batches;
ALTER TABLE change_log_0006 RENAME TO change_log;
INSERT INTO temp.log_sequence_0006 SELECT seq FROM sqlite_sequence WHERE name = 'change_log';
DELETE FROM sqlite_sequence WHERE name = 'change_log';
INSERT INTO sqlite_sequence (name, seq)          -- numbers never reused: the highest ever handed out
    SELECT 'change_log', max(seq) FROM temp.log_sequence_0006 HAVING count(*) > 0;
DROP TABLE temp.log_sequence_0006;
CREATE INDEX change_log_record ON change_log (tbl, record_uuid);
CREATE INDEX change_log_batch ON change_log (batch);
"""
