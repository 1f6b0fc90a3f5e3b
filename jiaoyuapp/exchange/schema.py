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
