"""Exchange tables (migration 0004). Keys are local: never school data, never in a packet."""

EXCHANGE_SQL_0004 = """
CREATE TABLE identities (          -- this database's own key pairs (a school's, or a township center's)
    uuid TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('school', 'township')),
    code TEXT NOT NULL,            -- 学校标识码, or the center's code
    name TEXT NOT NULL,
    certificate TEXT NOT NULL,     -- PEM, self-signed; carries the encryption public key
    signing_key TEXT NOT NULL,     -- PEM, PKCS#8 encrypted with the principal's passphrase
    encryption_key TEXT NOT NULL,  -- PEM, PKCS#8 encrypted likewise (X25519)
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT,               -- set when rotated; the newest unretired one is in use
    rotation_statement TEXT        -- the new certificate signed by the old key, for the center
);
"""

EXCHANGE_SQL_0005 = """
CREATE TABLE local_settings (      -- this database's own settings: its mode (school / township)
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE peers (               -- at a school: its township center; at a center: registered schools
    uuid TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('township', 'school')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    certificate TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    replaced_at TEXT
);
CREATE INDEX peers_code ON peers (role, code);
CREATE TABLE packets_sent (
    packet_no INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    full INTEGER NOT NULL,
    log_from INTEGER NOT NULL,
    log_to INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    recipient TEXT NOT NULL,
    acknowledged_at TEXT,
    receipt TEXT
);
CREATE TABLE packets_received (
    school_code TEXT NOT NULL,
    packet_no INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    log_from INTEGER NOT NULL,
    log_to INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    conflicts INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (school_code, packet_no)
);
CREATE TABLE replica_state (       -- in a center's copy of a school: how far the school's log is applied
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE merge_conflicts (     -- a field changed both by the school and at the center: both kept
    uuid TEXT PRIMARY KEY,
    packet_no INTEGER NOT NULL,
    school_seq INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    record_uuid TEXT NOT NULL,
    field TEXT NOT NULL,
    school_value TEXT,
    center_value TEXT,
    noted_at TEXT NOT NULL,
    decided_at TEXT,
    decision TEXT
);
"""

EXCHANGE_SQL_0007 = """
CREATE TABLE peer_log (            -- at a center: how each school's key came to be the registered one
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    code TEXT NOT NULL,
    event TEXT NOT NULL,           -- 登记 / 更换登记 (the operator replaced the key) / 换钥 (signed by the old key)
    old_fingerprint TEXT,
    new_fingerprint TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT ''
);
CREATE TABLE packets_superseded (  -- packets received under a registration the operator replaced
    school_code TEXT NOT NULL,
    packet_no INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    log_from INTEGER NOT NULL,
    log_to INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    conflicts INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    superseded_at TEXT NOT NULL
);
"""
