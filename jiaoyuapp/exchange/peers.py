"""The other side of the hand-off: at a school, its township center's certificate; at a center,
the registered schools. Certificates are confirmed by their fingerprint, read aloud.

What a certificate says about itself is a claim: its 学校标识码 must be ten digits and its name
plain text before it is registered, and nothing is ever named after either on disk but a code
checked here. A code registered once keeps its key: another key for it is refused unless the
operator explicitly replaces it (both fingerprints shown, the replacement logged), and a key
rotation is accepted only when the registered key signed the new certificate.
"""

from __future__ import annotations

import re
from pathlib import Path

from jiaoyuapp.errors import DataError, NotFoundError, UsageError
from jiaoyuapp.exchange import identity
from jiaoyuapp.school import plain_name
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import new_uuid, now_iso

MAX_CERTIFICATE_FILE = 64 << 10
CODE = re.compile(r"[0-9]{10}")


def read_certificate(path_or_pem: str) -> str:
    """The certificate as this program writes PEM (a packet carries it so and the center compares
    the bytes): a file saved on Windows (CRLF line ends) or retyped with other spacing is the same
    certificate. Text that is no certificate is returned as it is, for the caller to refuse."""
    if "BEGIN CERTIFICATE" in path_or_pem:
        return _canonical_pem(path_or_pem)
    return _canonical_pem(_read_certificate_file(path_or_pem))


def _canonical_pem(pem: str) -> str:
    from cryptography.hazmat.primitives import serialization
    try:
        return identity.load_certificate(pem).public_bytes(serialization.Encoding.PEM).decode("ascii")
    except DataError:  # not a certificate: the caller refuses it
        return pem


def _read_certificate_file(path_or_pem: str) -> str:
    path = Path(path_or_pem)
    try:
        if path.is_dir():
            raise DataError(f"“{path.name}”是一个文件夹，请选择其中的证书文件（.pem）。")
        with open(path, "rb") as fh:
            data = fh.read(MAX_CERTIFICATE_FILE + 1)
        if len(data) > MAX_CERTIFICATE_FILE:
            raise DataError(f"“{path.name}”太大，不是证书文件（应为 .pem）。")
        return data.decode("ascii")
    except FileNotFoundError:
        raise DataError(f"找不到证书文件“{path}”。") from None
    except (OSError, UnicodeDecodeError):
        raise DataError(f"“{path.name}”不是证书文件（应为 .pem）。") from None


def valid_code(code) -> bool:
    return isinstance(code, str) and bool(CODE.fullmatch(code))


def _ou(cert) -> str:
    from cryptography.x509.oid import NameOID
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return attrs[0].value if attrs else ""


def checked_subject(cert, ou: str) -> tuple[str, str]:
    """(code, name) of a certificate made by this program for a school (ou 学校) or a center."""
    from cryptography.x509.oid import NameOID
    if _ou(cert) != ou:
        raise DataError("这是学校的证书，不是中心校的证书。请向中心校索取其证书文件。" if ou == "中心校" else
                        "这不是学校的证书。")
    codes = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    code = codes[0].value if len(codes) == 1 else None
    name = names[0].value if len(names) == 1 else None
    if not valid_code(code):
        raise DataError("证书中的学校标识码不是10位数字，这不是本软件生成的证书，不能登记。请向学校核实。")
    if not plain_name(name):
        raise DataError("证书中的学校名称含有不应有的字符（控制字符、不可见的格式字符等），或为空、过长，不能登记。"
                        "请向学校核实。")
    from cryptography.hazmat.primitives.asymmetric import ec
    try:
        identity.encryption_public_key(cert)
        if not isinstance(cert.public_key(), ec.EllipticCurvePublicKey):
            raise ValueError
    except ValueError:
        raise DataError("这个证书不是本软件生成的（加密公钥格式不对），不能使用。") from None
    return code, name


def set_township(store: Store, certificate: str) -> dict:
    """Remember the center's certificate (packets are encrypted to it, receipts checked with it)."""
    pem = read_certificate(certificate)
    cert = identity.load_certificate(pem)
    code, name = checked_subject(cert, "中心校")
    fp = identity.fingerprint(pem)
    current = store.query("SELECT * FROM peers WHERE role = 'township' AND replaced_at IS NULL")
    if current and current[0]["fingerprint"] == fp:
        return current[0]
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE role = 'township' AND replaced_at IS NULL", (now,))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'township', ?, ?, ?, ?, ?)", (new_uuid(), code, name, pem, fp, now))
    return township(store)


def township(store: Store) -> dict:
    rows = store.query("SELECT * FROM peers WHERE role = 'township' AND replaced_at IS NULL")
    if not rows:
        raise UsageError("还不知道中心校的证书，数据包要加密给中心校。请先向中心校索取证书文件（由中心校导出）并导入。", todo="center_certificate")
    return rows[0]


def register_school(store: Store, certificate: str, fingerprint: str, *, replace: bool = False,
                    actor: str = "") -> dict:
    """At the center: register a school after its fingerprint was confirmed by the principal.
    A code already registered with another key is refused unless `replace` (the school made new
    keys after a lost passphrase, and the new fingerprint was confirmed). A replacement starts the
    school afresh: the packets received under the old key are set aside, and the next full packet
    becomes the school's copy (the old copy is kept beside it, out of use) — so whatever a thief
    with the old key sent cannot stay in the copy or block the school."""
    pem = read_certificate(certificate)
    cert = identity.load_certificate(pem)
    code, name = checked_subject(cert, "学校")
    actual = identity.fingerprint(pem)
    if identity.normalise_fingerprint(fingerprint) != actual:
        raise DataError(f"指纹不一致：证书的指纹是 {actual}，与核对的指纹不符。请与校长电话核对后重新登记；"
                        "不一致时不要登记（证书可能被调换）。")
    existing = school_peer(store, code, required=False)
    if existing and existing["fingerprint"] == actual:
        return existing
    if existing and not replace:
        raise replacement_refused(existing, actual)
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE role = 'school' AND code = ? AND replaced_at IS NULL",
                           (now, code))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'school', ?, ?, ?, ?, ?)", (new_uuid(), code, name, pem, actual, now))
        _log(store, code, "更换登记" if existing else "登记", existing["fingerprint"] if existing else None, actual, actor)
        if existing:  # the school starts afresh: its next packet must be full, and becomes its copy
            store.conn.execute("INSERT INTO packets_superseded SELECT *, ? FROM packets_received WHERE school_code = ?",
                               (now, code))
            store.conn.execute("DELETE FROM packets_received WHERE school_code = ?", (code,))
    return school_peer(store, code)


def replacement_refused(existing: dict, new_fingerprint: str) -> DataError:
    """Why a certificate for an already registered code is not registered without the operator's say."""
    return DataError(f"标识码{existing['code']}已登记为“{existing['name']}”，登记的证书指纹是 {existing['fingerprint']}；"
                     f"这份证书的指纹是 {new_fingerprint}，两者不同，没有登记。只有学校确实重新生成了密钥（例如忘记口令），"
                     "并已与校长电话核对新指纹时，才更换登记；否则这份证书可能是冒充的。", todo="replace_registration")


def replaced_by(store: Store, pem: str) -> dict | None:
    """The registration this school certificate would replace (same code, another key), if any —
    for asking the operator before `register_school(..., replace=True)`."""
    code, _ = checked_subject(identity.load_certificate(pem), "学校")
    existing = school_peer(store, code, required=False)
    return existing if existing and existing["fingerprint"] != identity.fingerprint(pem) else None


def school_peer(store: Store, code: str, required: bool = True) -> dict | None:
    rows = store.query("SELECT * FROM peers WHERE role = 'school' AND code = ? AND replaced_at IS NULL", (code,))
    if not rows and required:
        raise NotFoundError(f"学校（标识码{code}）还没有在本中心校登记，拒收其数据包。请先核对指纹并登记该校证书。")
    return rows[0] if rows else None


def rotated_certificate(registered_pem: str, new_pem: bytes, statement: bytes):
    """The new certificate of a registered school, if its registered key signed exactly these
    bytes (checked before they are parsed); None otherwise."""
    old = identity.load_certificate(registered_pem)
    if not statement or not identity.verify(old, statement, new_pem):
        return None
    try:
        cert = identity.load_certificate(new_pem)
        code, name = checked_subject(cert, "学校")
    except DataError:
        return None
    # a rotation changes the keys, never who the school is: its code and its name stay
    return cert if (code, name) == (identity.subject_code(old), identity.subject_name(old)) else None


def record_rotation(store: Store, code: str, new_pem: str) -> None:
    """Make the rotated certificate the registered one (inside the caller's transaction)."""
    current = school_peer(store, code)
    cert = identity.load_certificate(new_pem)
    fp = identity.fingerprint(new_pem)
    with store.local():
        now = now_iso()
        store.conn.execute("UPDATE peers SET replaced_at = ? WHERE uuid = ?", (now, current["uuid"]))
        store.conn.execute("INSERT INTO peers (uuid, role, code, name, certificate, fingerprint, registered_at) "
                           "VALUES (?, 'school', ?, ?, ?, ?, ?)", (new_uuid(), code, identity.subject_name(cert),
                                                                  new_pem, fp, now))
        _log(store, code, "换钥", current["fingerprint"], fp, "")


def _log(store: Store, code: str, event: str, old: str | None, new: str, actor: str) -> None:
    store.conn.execute("INSERT INTO peer_log (at, code, event, old_fingerprint, new_fingerprint, actor) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (now_iso(), code, event, old, new, actor))


def registrations(store: Store, code: str | None = None) -> list[dict]:
    """How each school's key came to be the registered one, oldest first."""
    sql = "SELECT at, code, event, old_fingerprint, new_fingerprint, actor FROM peer_log"
    return store.query(sql + (" WHERE code = ? ORDER BY id" if code else " ORDER BY id"), (code,) if code else ())
