"""The other side of the hand-off: at a school, its township center's certificate; at a center,
the registered schools. Certificates are confirmed by their fingerprint, read aloud."""

from __future__ import annotations

from pathlib import Path

from jiaoyuapp.errors import DataError, NotFoundError, UsageError
from jiaoyuapp.exchange import identity
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import new_uuid, now_iso


def read_certificate(path_or_pem: str) -> str:
    if "BEGIN CERTIFICATE" in path_or_pem:
        return path_or_pem
    path = Path(path_or_pem)
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise DataError(f"找不到证书文件“{path}”。") from None
    except (OSError, UnicodeDecodeError):
        raise DataError(f"“{path.name}”不是证书文件（应为 .pem）。") from None


def _ou(cert) -> str:
    from cryptography.x509.oid import NameOID
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return attrs[0].value if attrs else ""


def set_township(store: Store, certificate: str) -> dict:
    """Remember the center's certificate (packets are encrypted to it, receipts checked with it)."""
    pem = read_certificate(certificate)
    cert = identity.load_certificate(pem)
    if _ou(cert) != "中心校":
        raise DataError("这是学校的证书，不是中心校的证书。请向中心校索取其证书文件。")
    identity.encryption_public_key(cert)
    fp = identity.fingerprint(pem)
    current = store.query("SELECT * FROM peers WHERE role = 'township' AND replaced_at IS NULL")
    if current and current[0]["fingerprint"] == fp:
        return current[0]
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE role = 'township' AND replaced_at IS NULL", (now,))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'township', ?, ?, ?, ?, ?)", (new_uuid(), identity.subject_code(cert),
                                                                   identity.subject_name(cert), pem, fp, now))
    return township(store)


def township(store: Store) -> dict:
    rows = store.query("SELECT * FROM peers WHERE role = 'township' AND replaced_at IS NULL")
    if not rows:
        raise UsageError("还不知道中心校的证书：请用 --to 指定中心校证书文件（由中心校导出：jiaoyu key export-certificate）。")
    return rows[0]


def register_school(store: Store, certificate: str, fingerprint: str) -> dict:
    """At the center: register a school after its fingerprint was confirmed by the principal."""
    pem = read_certificate(certificate)
    cert = identity.load_certificate(pem)
    if _ou(cert) != "学校":
        raise DataError("这不是学校的证书。")
    actual = identity.fingerprint(pem)
    if identity.normalise_fingerprint(fingerprint) != actual:
        raise DataError(f"指纹不一致：证书的指纹是 {actual}，与核对的指纹不符。请与校长电话核对后重新登记；"
                        "不一致时不要登记（证书可能被调换）。")
    code = identity.subject_code(cert)
    existing = school_peer(store, code, required=False)
    if existing and existing["fingerprint"] == actual:
        return existing
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE role = 'school' AND code = ? AND replaced_at IS NULL",
                           (now, code))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'school', ?, ?, ?, ?, ?)", (new_uuid(), code, identity.subject_name(cert), pem,
                                                                  actual, now))
    return school_peer(store, code)


def school_peer(store: Store, code: str, required: bool = True) -> dict | None:
    rows = store.query("SELECT * FROM peers WHERE role = 'school' AND code = ? AND replaced_at IS NULL", (code,))
    if not rows and required:
        raise NotFoundError(f"学校（标识码{code}）还没有在本中心校登记，拒收其数据包。请先核对指纹并登记该校证书。")
    return rows[0] if rows else None


def accept_rotation(store: Store, code: str, new_pem: str, statement_hex: str | None) -> bool:
    """A school's new certificate signed by its registered one is accepted in its place."""
    current = school_peer(store, code)
    if not statement_hex:
        return False
    old = identity.load_certificate(current["certificate"])
    if not identity.verify(old, bytes.fromhex(statement_hex), new_pem.encode()):
        return False
    cert = identity.load_certificate(new_pem)
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE uuid = ?", (now, current["uuid"]))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'school', ?, ?, ?, ?, ?)", (new_uuid(), code, identity.subject_name(cert),
                                                                  new_pem, identity.fingerprint(new_pem), now))
    return True
