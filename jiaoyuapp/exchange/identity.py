"""A school's (or township center's) identity: an ECDSA P-256 signing key in a self-signed
X.509 certificate naming the school, plus an X25519 key for receiving encrypted packets whose
public half rides in the same certificate — so one fingerprint vouches for both.

Private keys are stored wrapped under a key derived from the principal's passphrase by Argon2id
(key_wrapping.py); nothing but signing and opening packets needs it. Keys stored by older versions
(PKCS#8 PEM under PBKDF2) still open, and `unlock` re-wraps them in the database at that moment.
The fingerprint is 24 digits in groups of four, easy to read aloud over the phone and to print
next to the principal's signature.

Rotation: `rotate` makes new keys and signs the new certificate with the old key; the center
accepts the new one on that proof. A lost passphrase has no cryptographic way back: the school
makes new keys (`create` with `replace=True`) and re-registers at the center, which confirms the
new fingerprint by phone or in person (see docs/keys.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from typing import NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.x509.oid import NameOID

from jiaoyuapp.errors import DatabaseError, DataError, NotFoundError, UsageError
from jiaoyuapp.exchange import key_wrapping
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import new_uuid, now_iso

# An OID made from a UUID (ITU-T X.667), so no registry is needed: "X25519 key for packets".
ENCRYPTION_KEY_OID = x509.ObjectIdentifier("2.25.329800735698586629295641978511506172918")
MIN_PASSPHRASE = 8
VALID_YEARS = 20


def passphrase_from_env() -> str | None:
    return os.environ.get("JIAOYU_PASSPHRASE") or None


def check_passphrase(passphrase: str | None) -> bytes:
    if not passphrase:
        raise UsageError("需要校长设置的密钥口令：请在提示时输入，或设置环境变量 JIAOYU_PASSPHRASE。")
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(f"密钥口令至少{MIN_PASSPHRASE}个字符。请设一个只有校长知道、不会忘记的口令。")
    return passphrase.encode("utf-8")


def fingerprint(certificate_pem: str | bytes) -> str:
    """24 digits in six groups, from SHA-256 of the certificate (about 80 bits)."""
    cert = load_certificate(certificate_pem)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    digits = f"{int.from_bytes(digest[:12], 'big') % 10 ** 24:024d}"
    return " ".join(digits[i:i + 4] for i in range(0, 24, 4))


def normalise_fingerprint(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def load_certificate(pem: str | bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
    except ValueError:
        raise DataError("这不是有效的证书文件（应为 .pem 格式的学校证书）。") from None


def _make_certificate(kind: str, code: str, name: str, signing: ec.EllipticCurvePrivateKey,
                      encryption_public: bytes) -> x509.Certificate:
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "中心校" if kind == "township" else "学校"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(signing.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
               # A self-signed root (CA, path length 0): PDF viewers and NSS accept it as a trust anchor
               # once the school's certificate is installed, and it can sign nothing but itself below it.
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing.public_key()), critical=False)
               .add_extension(x509.UnrecognizedExtension(ENCRYPTION_KEY_OID, encryption_public), critical=False))
    return builder.sign(signing, hashes.SHA256())


def create(store: Store, *, kind: str, code: str, name: str, passphrase: str | None, replace: bool = False) -> dict:
    """Make this database's key pair and certificate. Refuses to replace keys unless asked."""
    secret = check_passphrase(passphrase)
    current = active(store, required=False)
    if current and not replace:
        raise DataError(f"本库已有密钥（指纹 {current['fingerprint']}）。如需更换，请用“更换密钥”；"
                        "忘记口令时才重新生成，并须到中心校重新登记。")
    signing = ec.generate_private_key(ec.SECP256R1())
    encryption = x25519.X25519PrivateKey.generate()
    enc_public = encryption.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    cert = _make_certificate(kind, code, name, signing, enc_public)
    wrapping = key_wrapping.new_wrapping(secret)  # one derivation (about half a second) for both keys
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    row = {"uuid": new_uuid(), "kind": kind, "code": code, "name": name, "certificate": pem,
           "signing_key": _wrap(signing, wrapping, "signing"),
           "encryption_key": _wrap(encryption, wrapping, "encryption"),
           "fingerprint": fingerprint(pem), "created_at": now_iso(), "retired_at": None, "rotation_statement": None}
    with store.local():
        _store_identity(store, row, retire=current)
    return row


def _wrap(key, wrapping: key_wrapping.Wrapping, use: str) -> str:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return key_wrapping.wrap(der, wrapping, use)


def _store_identity(store: Store, row: dict, retire: dict | None) -> None:
    if retire:
        store.conn.execute("UPDATE identities SET retired_at = ? WHERE uuid = ?", (row["created_at"], retire["uuid"]))
    cols = list(row)
    store.conn.execute(f"INSERT INTO identities ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [row[c] for c in cols])


def active(store: Store, required: bool = True) -> dict | None:
    rows = store.query("SELECT * FROM identities WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1")
    if not rows and required:
        raise NotFoundError("本库还没有学校密钥，签章和数据包都需要它。请校长先设置口令、生成密钥。", todo="key")
    return rows[0] if rows else None


class Unlocked(NamedTuple):
    signing: ec.EllipticCurvePrivateKey
    encryption: x25519.X25519PrivateKey


def unlock(store: Store, row: dict, passphrase: str | None) -> Unlocked:
    """Both private keys of an identity row. A key still in a weaker form (PBKDF2 PEM from older
    versions, or a cost below today's) is re-wrapped in the database now, and `row` is updated to
    match: this is the only moment the passphrase is at hand to do it."""
    secret = _secret(passphrase)
    keys = Unlocked(_open(row["signing_key"], secret, "signing"), _open(row["encryption_key"], secret, "encryption"))
    if key_wrapping.needs_rewrap(row["signing_key"]) or key_wrapping.needs_rewrap(row["encryption_key"]):
        _rewrap(store, row, secret, keys)
    return keys


def signing_key(row: dict, passphrase: str | None, *, store: Store | None = None) -> ec.EllipticCurvePrivateKey:
    """With `store`, as `unlock` (re-wraps an old key); without, opens the key and changes nothing."""
    if store is not None:
        return unlock(store, row, passphrase).signing
    return _open(row["signing_key"], _secret(passphrase), "signing")


def encryption_key(row: dict, passphrase: str | None, *, store: Store | None = None) -> x25519.X25519PrivateKey:
    """With `store`, as `unlock` (re-wraps an old key); without, opens the key and changes nothing."""
    if store is not None:
        return unlock(store, row, passphrase).encryption
    return _open(row["encryption_key"], _secret(passphrase), "encryption")


_KEY_TYPES = {"signing": ec.EllipticCurvePrivateKey, "encryption": x25519.X25519PrivateKey}


def _secret(passphrase: str | None) -> bytes:
    if not passphrase:
        raise UsageError("需要密钥口令：请在提示时输入，或设置环境变量 JIAOYU_PASSPHRASE。")
    return passphrase.encode("utf-8")


def _open(text: str, secret: bytes, use: str):
    if not isinstance(text, str):
        raise DataError(key_wrapping.DAMAGED)
    if key_wrapping.is_wrapped(text):
        der, _ = key_wrapping.unwrap(text, secret, use)
        try:
            key = serialization.load_der_private_key(der, None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise DataError(key_wrapping.DAMAGED) from None
    else:
        if "-----BEGIN ENCRYPTED PRIVATE KEY-----" not in text:
            raise DataError(key_wrapping.DAMAGED)
        try:  # the form before key_wrapping: PKCS#8 PEM under PBKDF2
            key = serialization.load_pem_private_key(text.encode("ascii", "replace"), secret)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise DataError(key_wrapping.WRONG_PASSPHRASE) from None
    if not isinstance(key, _KEY_TYPES[use]):
        raise DataError(key_wrapping.DAMAGED)
    return key


def _rewrap(store: Store, row: dict, secret: bytes, keys: Unlocked) -> None:
    wrapping = key_wrapping.new_wrapping(secret)  # the slow step, before any lock is taken
    new = {"signing_key": _wrap(keys.signing, wrapping, "signing"),
           "encryption_key": _wrap(keys.encryption, wrapping, "encryption")}
    joined = store.conn.in_transaction
    try:
        with store.local():
            # Only over what we opened: another window may have re-wrapped or replaced it meanwhile.
            changed = store.conn.execute(
                "UPDATE identities SET signing_key = ?, encryption_key = ? "
                "WHERE uuid = ? AND signing_key = ? AND encryption_key = ?",
                (new["signing_key"], new["encryption_key"], row["uuid"], row["signing_key"], row["encryption_key"]),
            ).rowcount
    except (sqlite3.Error, DatabaseError):
        if joined:  # the caller's transaction: its failure is the caller's to report
            raise
        return  # a read-only copy or a busy file: the key opened all the same; the next unlock tries again
    if changed:
        row.update(new)


def encryption_public_key(cert: x509.Certificate) -> x25519.X25519PublicKey:
    try:
        ext = cert.extensions.get_extension_for_oid(ENCRYPTION_KEY_OID)
    except x509.ExtensionNotFound:
        raise DataError("这个证书不是本软件生成的（缺少加密公钥），不能用于加密数据包。") from None
    return x25519.X25519PublicKey.from_public_bytes(ext.value.value)


def subject_code(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value


def subject_name(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify(cert: x509.Certificate, signature: bytes, data: bytes) -> bool:
    try:
        cert.public_key().verify(signature, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def rotate(store: Store, passphrase: str | None, new_passphrase: str | None = None) -> dict:
    """New keys, with the new certificate signed by the old key so the center can follow."""
    current = active(store)
    old_key = unlock(store, current, passphrase).signing
    row = create(store, kind=current["kind"], code=current["code"], name=current["name"],
                 passphrase=new_passphrase or passphrase, replace=True)
    statement = sign(old_key, row["certificate"].encode()).hex()
    with store.local():
        store.conn.execute("UPDATE identities SET rotation_statement = ? WHERE uuid = ?", (statement, row["uuid"]))
    row["rotation_statement"] = statement
    return row


def history(store: Store) -> list[dict]:
    return store.query("SELECT uuid, kind, code, name, fingerprint, created_at, retired_at FROM identities "
                       "ORDER BY created_at")

