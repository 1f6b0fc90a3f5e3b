"""A school's (or township center's) identity: an ECDSA P-256 signing key in a self-signed
X.509 certificate naming the school, plus an X25519 key for receiving encrypted packets whose
public half rides in the same certificate — so one fingerprint vouches for both.

Private keys are stored encrypted with the principal's passphrase; nothing but signing and
opening packets needs it. The fingerprint is 24 digits in groups of four, easy to read aloud
over the phone and to print next to the principal's signature.

Rotation: `rotate` makes new keys and signs the new certificate with the old key; the center
accepts the new one on that proof. A lost passphrase has no cryptographic way back: the school
makes new keys (`create` with `replace=True`) and re-registers at the center, which confirms the
new fingerprint by phone or in person (see docs/keys.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.x509.oid import NameOID

from jiaoyuapp.errors import DataError, NotFoundError, UsageError
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
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    row = {"uuid": new_uuid(), "kind": kind, "code": code, "name": name, "certificate": pem,
           "signing_key": _encrypt_key(signing, secret), "encryption_key": _encrypt_key(encryption, secret),
           "fingerprint": fingerprint(pem), "created_at": now_iso(), "retired_at": None, "rotation_statement": None}
    with store.local():
        _store_identity(store, row, retire=current)
    return row


def _encrypt_key(key, secret: bytes) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(secret)).decode()


def _store_identity(store: Store, row: dict, retire: dict | None) -> None:
    if retire:
        store.conn.execute("UPDATE identities SET retired_at = ? WHERE uuid = ?", (row["created_at"], retire["uuid"]))
    cols = list(row)
    store.conn.execute(f"INSERT INTO identities ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [row[c] for c in cols])


def active(store: Store, required: bool = True) -> dict | None:
    rows = store.query("SELECT * FROM identities WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1")
    if not rows and required:
        raise NotFoundError("本库还没有密钥。请先运行：jiaoyu key create（需要校长设置口令）。")
    return rows[0] if rows else None


def signing_key(row: dict, passphrase: str | None) -> ec.EllipticCurvePrivateKey:
    return _load_key(row["signing_key"], passphrase)


def encryption_key(row: dict, passphrase: str | None) -> x25519.X25519PrivateKey:
    return _load_key(row["encryption_key"], passphrase)


def _load_key(pem: str, passphrase: str | None):
    if not passphrase:
        raise UsageError("需要密钥口令：请在提示时输入，或设置环境变量 JIAOYU_PASSPHRASE。")
    try:
        return serialization.load_pem_private_key(pem.encode(), passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise DataError("密钥口令不对。请校长重新输入；如确实忘记，只能重新生成密钥并到中心校重新登记。") from None


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
    old_key = signing_key(current, passphrase)
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

