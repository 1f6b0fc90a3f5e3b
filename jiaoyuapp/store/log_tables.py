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
