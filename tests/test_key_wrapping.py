"""Private keys at rest: Argon2id-wrapped, old PBKDF2 keys re-wrapped at unlock, damage told from a wrong passphrase."""

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from jiaoyuapp.documents.inspection_folder import write_folder
from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import identity, key_wrapping
from jiaoyuapp.roster.demo import load_demo
from tests.test_cli import jiaoyu

SECRET = "红岩村小学2026"
ROOT = Path(__file__).resolve().parent.parent


def _make(store, passphrase=SECRET):
    return identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=passphrase)


def _stored(store) -> dict:
    return store.query("SELECT uuid, signing_key, encryption_key FROM identities WHERE retired_at IS NULL")[0]


def _to_legacy(store, passphrase=SECRET) -> dict:
    """Store the active identity's keys as versions before v2 did: PKCS#8 PEM under PBKDF2."""
    keys = identity.unlock(store, identity.active(store), passphrase)
    pem = {use: key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(passphrase.encode())).decode()
           for use, key in zip(("signing_key", "encryption_key"), keys)}
    with store.local():
        store.conn.execute("UPDATE identities SET signing_key = ?, encryption_key = ? WHERE uuid = ?",
                           (pem["signing_key"], pem["encryption_key"], identity.active(store)["uuid"]))
    key_wrapping.forget()
    return pem


def _public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _rewrite(text: str, change) -> str:
    """The same wrapped key with its JSON changed by `change`, checksum recomputed (a deliberate edit)."""
    payload = text.rpartition("$")[0]
    body = json.loads(key_wrapping._unb64(payload[len(key_wrapping.PREFIX):]))
    change(body)
    payload = key_wrapping.PREFIX + key_wrapping._b64(key_wrapping._canonical(body))
    return f"{payload}${key_wrapping._checksum(payload)}"


def test_new_keys_are_wrapped_with_argon2id(store):
    """A new key is stored under Argon2id with its parameters beside it, not as PBKDF2 PEM."""
    row = _make(store)
    stored = _stored(store)
    for use in ("signing", "encryption"):
        text = stored[f"{use}_key"]
        assert text == row[f"{use}_key"] and text.startswith("jiaoyu-key-v2$") and "PRIVATE KEY" not in text
        assert not key_wrapping.needs_rewrap(text)
    params = key_wrapping.parameters(stored["signing_key"])
    name, cost = key_wrapping.target_cost()
    assert params == {"name": name, "salt": params["salt"], **cost} and name == "argon2id"
    assert key_wrapping.parameters(stored["encryption_key"]) == params  # one derivation opens both
    key_wrapping.forget()
    cert = identity.load_certificate(row["certificate"])
    assert identity.verify(cert, identity.sign(identity.signing_key(identity.active(store), SECRET), b"m"), b"m")


def test_production_keys_get_the_default_cost(store, monkeypatch):
    """Outside the test suite a key costs Argon2id 64 MiB × 12 passes × 4 lanes (about half a second) to open."""
    monkeypatch.delenv("JIAOYU_KDF_COST", raising=False)
    assert key_wrapping.DEFAULT_COST["argon2id"] == {"memory_kib": 65536, "iterations": 12, "lanes": 4}
    _make(store)
    params = key_wrapping.parameters(_stored(store)["signing_key"])
    assert {k: v for k, v in params.items() if k != "salt"} == {"name": "argon2id", "memory_kib": 65536,
                                                                "iterations": 12, "lanes": 4}
    assert len(key_wrapping._unb64(params["salt"])) == 16
    key_wrapping.forget()
    calls = []
    real = key_wrapping._derive
    monkeypatch.setattr(key_wrapping, "_derive", lambda kdf, secret: calls.append(kdf) or real(kdf, secret))
    identity.signing_key(identity.active(store), SECRET)
    assert calls == [params]  # the cold unlock really ran the full-cost derivation


def test_production_cost_fits_in_the_import_memory_limit(tmp_path):
    """A key at production cost opens in a process limited to 1 GiB of address space (as an import may be)."""
    script = textwrap.dedent(f"""
        import os, resource, sys
        sys.path.insert(0, {str(ROOT)!r})
        os.environ.pop("JIAOYU_KDF_COST", None)
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from jiaoyuapp.exchange import key_wrapping
        w = key_wrapping.new_wrapping(b"passphrase-123")
        text = key_wrapping.wrap(b"der bytes", w, "signing")
        key_wrapping.forget()
        der, _ = key_wrapping.unwrap(text, b"passphrase-123", "signing")
        print(der.decode(), key_wrapping.parameters(text)["memory_kib"])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["der", "bytes", "65536"]


def test_legacy_pbkdf2_key_is_rewrapped_at_unlock(store):
    """A key stored by an older version opens with its passphrase and is re-wrapped under Argon2id right then."""
    row = _make(store)
    legacy = _to_legacy(store)
    me = identity.active(store)
    assert me["signing_key"] == legacy["signing_key"] and key_wrapping.needs_rewrap(me["signing_key"])
    identity.signing_key(me, SECRET)  # without the store: opens, changes nothing
    assert _stored(store)["signing_key"] == legacy["signing_key"]
    key = identity.signing_key(me, SECRET, store=store)
    stored = _stored(store)
    for column in ("signing_key", "encryption_key"):
        assert stored[column] != legacy[column] and stored[column].startswith("jiaoyu-key-v2$")
        assert "PRIVATE KEY" not in stored[column] and me[column] == stored[column]
    key_wrapping.forget()
    again = identity.unlock(store, identity.active(store), SECRET)
    assert _public(again.signing) == _public(key)
    cert = identity.load_certificate(row["certificate"])
    assert identity.verify(cert, identity.sign(again.signing, b"folder"), b"folder")
    assert identity.encryption_public_key(cert).public_bytes_raw() == again.encryption.public_key().public_bytes_raw()


def test_signing_the_folder_rewraps_a_legacy_key(store, tmp_path):
    """The first inspection folder signed after upgrading re-wraps the school's old key, and the PDF verifies."""
    load_demo(store, 10, seed=3)
    _make(store)
    legacy = _to_legacy(store)
    pdf = write_folder(store, tmp_path / "迎检档案.pdf", passphrase=SECRET, today=dt.date(2026, 11, 20))
    stored = _stored(store)
    assert stored["signing_key"] != legacy["signing_key"] and stored["signing_key"].startswith("jiaoyu-key-v2$")
    out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert "Signature is Valid." in out.stdout + out.stderr


def test_rotation_rewraps_the_retiring_legacy_key(store):
    """Rotating away from an old-form key leaves no PBKDF2 key behind in the database."""
    old = _make(store)
    _to_legacy(store)
    new = identity.rotate(store, SECRET, "新的口令123456")
    rows = store.query("SELECT signing_key, encryption_key FROM identities")
    assert all(r[c].startswith("jiaoyu-key-v2$") for r in rows for c in ("signing_key", "encryption_key"))
    assert identity.verify(identity.load_certificate(old["certificate"]), bytes.fromhex(new["rotation_statement"]),
                           new["certificate"].encode())


def test_unlock_still_works_when_the_rewrap_cannot_be_written(store):
    """On a database that refuses writes the old key still signs; it is re-wrapped at a later unlock."""
    _make(store)
    legacy = _to_legacy(store)
    store.conn.execute("PRAGMA query_only = 1")
    identity.unlock(store, identity.active(store), SECRET)
    assert _stored(store)["signing_key"] == legacy["signing_key"]
    store.conn.execute("PRAGMA query_only = 0")
    identity.unlock(store, identity.active(store), SECRET)
    assert _stored(store)["signing_key"].startswith("jiaoyu-key-v2$")


def test_wrong_passphrase_is_refused_with_what_to_do(store):
    """A wrong passphrase says so in Chinese, for new keys and for old PBKDF2 ones, and is not remembered."""
    _make(store)
    key_wrapping.forget()
    for _ in range(2):
        with pytest.raises(DataError, match="密钥口令不对"):
            identity.unlock(store, identity.active(store), "wrong-passphrase")
    identity.signing_key(identity.active(store), SECRET)
    with pytest.raises(DataError, match="密钥口令不对"):
        identity.signing_key(identity.active(store), "wrong-passphrase")  # a right one earlier opens nothing now
    _to_legacy(store)
    with pytest.raises(DataError, match="密钥口令不对"):
        identity.unlock(store, identity.active(store), "wrong-passphrase")
    assert not _stored(store)["signing_key"].startswith("jiaoyu-key-v2$")


def test_damaged_or_altered_key_is_refused_as_damaged(store):
    """A damaged key is called damaged (restore a backup), not a wrong passphrase, and never a traceback."""
    _make(store)
    text = _stored(store)["signing_key"]
    payload, _, checksum = text.rpartition("$")
    mid = len(payload) // 2
    flipped = payload[:mid] + ("A" if payload[mid] != "A" else "B") + payload[mid + 1:] + "$" + checksum

    def sealed_flip(body):
        raw = bytearray(key_wrapping._unb64(body["sealed"]))
        raw[5] ^= 1
        body["sealed"] = key_wrapping._b64(bytes(raw))

    def huge(body):
        body["kdf"]["memory_kib"] = 4 * 1024 * 1024  # 4 GiB: refused before any memory is asked for

    damaged = [flipped, text[:-20], text[:-3] + "损坏了", text.replace("$", "$损", 1), text[:200], "", "jiaoyu-key-v2$",
               "-----BEGIN PRIVATE KEY-----\nAAAA",
               _rewrite(text, sealed_flip), _rewrite(text, huge), _rewrite(text, lambda b: b.update(use="encryption")),
               _rewrite(text, lambda b: b["kdf"].update(name="pbkdf2")), _stored(store)["encryption_key"]]
    for bad in damaged:
        with pytest.raises(DataError, match="已损坏") as caught:
            identity.signing_key({"signing_key": bad}, SECRET)
        assert "口令不对" not in caught.value.message


def test_damaged_key_at_the_command_line_is_a_message(tmp_path):
    """`jiaoyu key rotate` on a damaged key prints the Chinese message and exits 1, no traceback."""
    db = tmp_path / "s.db"
    env = {"JIAOYU_PASSPHRASE": SECRET}
    jiaoyu("init", "--school-code", "5101230001", "--school-name", "红岩村小学", db=db, env=env, check_code=0)
    from jiaoyuapp.school import open_school
    with open_school(db) as s, s.local():
        s.conn.execute("UPDATE identities SET signing_key = substr(signing_key, 1, 300)")
    out = jiaoyu("key", "rotate", db=db, env=env, check_code=1)
    assert "已损坏" in out.stderr + out.stdout and "Traceback" not in out.stderr


def test_one_derivation_per_key_per_process(store, monkeypatch):
    """Importing many packets pays the slow derivation once: later unlocks of the same key are remembered."""
    _make(store)
    key_wrapping.forget()
    calls = []
    real = key_wrapping._derive
    monkeypatch.setattr(key_wrapping, "_derive", lambda kdf, secret: calls.append(1) or real(kdf, secret))
    for _ in range(30):
        identity.unlock(store, identity.active(store), SECRET)
        identity.encryption_key(identity.active(store), SECRET)
    assert len(calls) == 1
    assert all(SECRET.encode() not in k for k in key_wrapping._cache)


def test_weaker_stored_cost_is_raised_at_unlock(store, monkeypatch):
    """When the default cost goes up, an older cheaper key is re-wrapped at today's cost when next opened."""
    _make(store)
    before = key_wrapping.parameters(_stored(store)["signing_key"])
    raised = dict(key_wrapping.TEST_COST["argon2id"], iterations=2)
    monkeypatch.setitem(key_wrapping.TEST_COST, "argon2id", raised)
    identity.unlock(store, identity.active(store), SECRET)
    after = key_wrapping.parameters(_stored(store)["signing_key"])
    assert after["iterations"] == 2 and after["salt"] != before["salt"]


def test_scrypt_where_argon2id_is_missing(store, monkeypatch):
    """On a computer whose crypto library lacks Argon2id keys use scrypt, and move to Argon2id once it is there."""
    available = key_wrapping.argon2_available
    monkeypatch.setattr(key_wrapping, "argon2_available", lambda: False)
    _make(store)
    assert key_wrapping.parameters(_stored(store)["signing_key"])["name"] == "scrypt"
    key_wrapping.forget()
    identity.unlock(store, identity.active(store), SECRET)
    assert key_wrapping.parameters(_stored(store)["signing_key"])["name"] == "scrypt"
    monkeypatch.setattr(key_wrapping, "argon2_available", available)
    identity.unlock(store, identity.active(store), SECRET)
    assert key_wrapping.parameters(_stored(store)["signing_key"])["name"] == "argon2id"
