"""A school's keys: created with a passphrase, a readable fingerprint, rotation, and a wrong passphrase."""

import pytest

from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.exchange import identity
from tests.test_cli import as_json, jiaoyu

SECRET = "红岩村小学2026"


def test_create_sign_verify_and_fingerprint(store):
    """The certificate names the school, signatures verify with it, and the fingerprint is 6×4 digits."""
    row = identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=SECRET)
    cert = identity.load_certificate(row["certificate"])
    assert (identity.subject_code(cert), identity.subject_name(cert)) == ("5101230001", "青石镇红岩村小学")
    groups = row["fingerprint"].split(" ")
    assert len(groups) == 6 and all(len(g) == 4 and g.isdigit() for g in groups)
    assert identity.fingerprint(row["certificate"]) == row["fingerprint"]
    key = identity.signing_key(identity.active(store), SECRET)
    sig = identity.sign(key, b"manifest")
    assert identity.verify(cert, sig, b"manifest") and not identity.verify(cert, sig, b"manifesT")
    identity.encryption_public_key(cert)  # the packet key rides in the certificate
    assert row["signing_key"].startswith("jiaoyu-key-v2$") and "PRIVATE KEY" not in row["signing_key"]


def test_passphrase_rules(store):
    """No passphrase, a short one, or a wrong one are refused with what to do."""
    with pytest.raises(UsageError, match="JIAOYU_PASSPHRASE"):
        identity.create(store, kind="school", code="5101230001", name="x", passphrase=None)
    with pytest.raises(UsageError, match="至少8"):
        identity.create(store, kind="school", code="5101230001", name="x", passphrase="short")
    identity.create(store, kind="school", code="5101230001", name="x", passphrase=SECRET)
    with pytest.raises(DataError, match="口令不对"):
        identity.signing_key(identity.active(store), "wrong-passphrase")
    with pytest.raises(DataError, match="已有密钥"):
        identity.create(store, kind="school", code="5101230001", name="x", passphrase=SECRET)


def test_rotation_is_signed_by_the_old_key(store):
    """After rotation the new certificate carries a statement the old certificate verifies."""
    old = identity.create(store, kind="school", code="5101230001", name="x", passphrase=SECRET)
    new = identity.rotate(store, SECRET, "新的口令123456")
    assert new["fingerprint"] != old["fingerprint"]
    assert identity.active(store)["uuid"] == new["uuid"]
    assert identity.verify(identity.load_certificate(old["certificate"]), bytes.fromhex(new["rotation_statement"]),
                           new["certificate"].encode())
    identity.signing_key(identity.active(store), "新的口令123456")
    assert [h["retired_at"] is None for h in identity.history(store)] == [False, True]


def test_key_commands(tmp_path):
    """init without a passphrase still works; key create/fingerprint/export-certificate from the command line."""
    db = tmp_path / "s.db"
    out = jiaoyu("init", "--school-code", "5101230001", "--school-name", "红岩村小学", db=db, check_code=0)
    assert "jiaoyu key create" in out.stdout
    assert jiaoyu("key", "fingerprint", db=db).returncode == 1
    assert jiaoyu("key", "create", db=db).returncode == 2          # no passphrase at hand
    made = as_json(jiaoyu("key", "create", "--json", db=db, env={"JIAOYU_PASSPHRASE": SECRET}, check_code=0))
    printed = jiaoyu("key", "fingerprint", db=db, check_code=0).stdout.strip().splitlines()[-1]
    assert printed == made["fingerprint"]
    pem = tmp_path / "cert.pem"
    jiaoyu("key", "export-certificate", pem, db=db, check_code=0)
    assert identity.fingerprint(pem.read_text()) == printed
    db2 = tmp_path / "s2.db"
    out = jiaoyu("init", "--school-code", "5101230002", "--school-name", "二小", "--json", db=db2,
                 env={"JIAOYU_PASSPHRASE": SECRET}, check_code=0)
    assert as_json(out)["fingerprint"]
