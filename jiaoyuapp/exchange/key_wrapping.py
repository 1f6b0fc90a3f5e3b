"""Private keys at rest: sealed under a key that a memory-hard function (Argon2id) derives from the
principal's passphrase.

Why: the database — and every backup of it — carries the school's private keys. PKCS#8's
"best available" encryption is PBKDF2 with 2,048 iterations, which one ordinary core tries
thousands of times a second; Argon2id at 64 MiB and about half a second per try makes a lost
stick with a backup far more expensive to guess through, and graphics cards gain little.

The stored text is self-describing, so the identities table's TEXT columns need no migration:

    jiaoyu-key-v2$<base64url of JSON>$<12 hex digits of SHA-256 of what precedes>

The JSON names the function and its parameters (salt, memory, passes, lanes), the AEAD
(AES-256-GCM), which key it holds ("signing"/"encryption"), the nonce, a 16-byte check value and
the sealed PKCS#8 DER. The header is the AEAD's associated data, so none of it can be changed
without the key refusing to open. The check value (derived with the wrapping key, worth nothing
without the passphrase) tells a wrong passphrase from a damaged key, and the trailing checksum
catches accidental damage anywhere in the text. Old PEM keys (PBKDF2) still open; callers re-wrap
them, and keys whose stored parameters are below today's, at their next unlock.

Derived keys are remembered in this process (a small LRU keyed by a hash of the parameters and the
passphrase, filled only after a key opened), so importing 30 packets pays the derivation once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from jiaoyuapp.errors import DataError

PREFIX = "jiaoyu-key-v2$"
AEAD = "aes-256-gcm"
USES = ("signing", "encryption")
SALT_BYTES = 16
# 32 bytes of wrapping key, then 16 of check value.
DERIVED_BYTES = 48

# Tuned to about half a second on the 2-core reference machine (bench: `make bench`, "密钥解锁").
# Raise these freely: the parameters travel with each key, and weaker keys are re-wrapped at unlock.
# Memory stays far under the 1 GiB address-space limit an import may run under.
DEFAULT_COST = {
    "argon2id": {"memory_kib": 64 * 1024, "iterations": 12, "lanes": 4},
    # Only where this computer's cryptography library has no Argon2id (OpenSSL older than 3.2).
    "scrypt": {"n": 2 ** 17, "r": 8, "p": 1},
}
# For the test suite only (JIAOYU_KDF_COST=test, set in tests/conftest.py): hundreds of keys are made
# there. tests/test_key_wrapping.py checks the defaults above are what production keys get.
TEST_COST = {
    "argon2id": {"memory_kib": 256, "iterations": 1, "lanes": 1},
    "scrypt": {"n": 2 ** 4, "r": 8, "p": 1},
}
# What a stored header may ask for: a damaged or hostile header must not exhaust memory or hang.
LIMITS = {
    "argon2id": {"memory_kib": (8, 512 * 1024), "iterations": (1, 100), "lanes": (1, 16)},
    "scrypt": {"n": (2, 2 ** 20), "r": (1, 32), "p": (1, 16)},
}
MAX_SCRYPT_BYTES = 512 * 1024 * 1024
CACHE_SIZE = 16

WRONG_PASSPHRASE = "密钥口令不对。请校长重新输入；如确实忘记，只能重新生成密钥并到中心校重新登记。"
DAMAGED = ("本库保存的私钥已损坏，无法打开（口令本身可能没有错）。请用最近一次的备份恢复本库（备份里带有完好的私钥）；"
           "如没有备份，只能重新生成密钥并到中心校重新登记。")
NO_ARGON2 = ("这台电脑上的加密组件太旧，打不开用 Argon2id 保护的私钥。请安装最新版本的本软件后再试，"
             "不要重新生成密钥。")


@dataclass(frozen=True)
class Wrapping:
    """A derived wrapping key and the parameters that made it; one per identity row, shared by its two keys."""

    kdf: dict
    derived: bytes


def is_wrapped(text: str) -> bool:
    return text.startswith(PREFIX)


def target_cost() -> tuple[str, dict]:
    """The function and cost new keys get on this computer."""
    table = TEST_COST if os.environ.get("JIAOYU_KDF_COST") == "test" else DEFAULT_COST
    name = "argon2id" if argon2_available() else "scrypt"
    return name, dict(table[name])


@cache
def argon2_available() -> bool:
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
        Argon2id(salt=b"\0" * SALT_BYTES, length=32, iterations=1, lanes=1, memory_cost=8)
    except (ImportError, UnsupportedAlgorithm):
        return False
    return True


def new_wrapping(secret: bytes) -> Wrapping:
    """A fresh salt at today's cost (this is the slow step: about half a second)."""
    name, cost = target_cost()
    kdf = {"name": name, "salt": _b64(os.urandom(SALT_BYTES)), **cost}
    wrapping = Wrapping(kdf, _derive(kdf, secret))
    _remember(kdf, secret, wrapping.derived)
    return wrapping


def wrap(der: bytes, wrapping: Wrapping, use: str) -> str:
    """Seal unencrypted PKCS#8 DER; the text goes into the identities table as it is."""
    header = {"v": 2, "use": use, "kdf": wrapping.kdf, "aead": AEAD}
    nonce = os.urandom(12)
    sealed = AESGCM(wrapping.derived[:32]).encrypt(nonce, der, _canonical(header))
    body = dict(header, nonce=_b64(nonce), check=_b64(wrapping.derived[32:]), sealed=_b64(sealed))
    payload = PREFIX + _b64(_canonical(body))
    return f"{payload}${_checksum(payload)}"


def unwrap(text: str, secret: bytes, use: str) -> tuple[bytes, Wrapping]:
    """The PKCS#8 DER inside, and the wrapping that opened it; Chinese errors for a wrong
    passphrase or a damaged key, never a traceback."""
    body = _parse(text, use)
    kdf = body["kdf"]
    derived = _recall(kdf, secret) or _derive(kdf, secret)
    if not hmac.compare_digest(derived[32:], _unb64(body["check"])):
        raise DataError(WRONG_PASSPHRASE)
    header = {k: body[k] for k in ("v", "use", "kdf", "aead")}
    try:
        der = AESGCM(derived[:32]).decrypt(_unb64(body["nonce"]), _unb64(body["sealed"]), _canonical(header))
    except (InvalidTag, ValueError):
        raise DataError(DAMAGED) from None
    _remember(kdf, secret, derived)
    return der, Wrapping(kdf, derived)


def parameters(text: str) -> dict:
    """The stored function and cost (with salt), for checks and for `needs_rewrap`."""
    return dict(_parse(text, None)["kdf"])


def needs_rewrap(text: str) -> bool:
    """An old PEM key, or one whose stored cost is below what new keys get today."""
    if not is_wrapped(text):
        return True
    kdf = parameters(text)
    name, cost = target_cost()
    return kdf["name"] != name or any(kdf[k] < v for k, v in cost.items())


def forget() -> None:
    """Drop every remembered derived key (tests and the bench measure the cold path)."""
    with _lock:
        _cache.clear()


# -- the text format -------------------------------------------------------------------------

def _parse(text: str, use: str | None) -> dict:
    if not isinstance(text, str) or not is_wrapped(text):
        raise DataError(DAMAGED)
    payload, _, checksum = text.strip().rpartition("$")
    if _checksum(payload) != checksum:  # not a secret: it only catches accidental damage
        raise DataError(DAMAGED)
    try:
        body = json.loads(_unb64(payload[len(PREFIX):]))
    except (ValueError, RecursionError):
        raise DataError(DAMAGED) from None
    if not (isinstance(body, dict) and body.get("v") == 2 and body.get("aead") == AEAD
            and body.get("use") in USES and (use is None or body["use"] == use)
            and all(isinstance(body.get(k), str) for k in ("nonce", "check", "sealed"))):
        raise DataError(DAMAGED)
    _check_kdf(body.get("kdf"))
    return body


def _check_kdf(kdf) -> None:
    if not isinstance(kdf, dict) or kdf.get("name") not in LIMITS or not isinstance(kdf.get("salt"), str):
        raise DataError(DAMAGED)
    limits = LIMITS[kdf["name"]]
    if set(kdf) != {"name", "salt", *limits}:
        raise DataError(DAMAGED)
    for key, (low, high) in limits.items():
        value = kdf[key]
        if type(value) is not int or not low <= value <= high:
            raise DataError(DAMAGED)
    if kdf["name"] == "argon2id" and kdf["memory_kib"] < 8 * kdf["lanes"]:
        raise DataError(DAMAGED)
    if kdf["name"] == "scrypt" and (kdf["n"] & (kdf["n"] - 1)
                                    or 128 * kdf["n"] * kdf["r"] * kdf["p"] > MAX_SCRYPT_BYTES):
        raise DataError(DAMAGED)
    if not SALT_BYTES <= len(_unb64(kdf["salt"])) <= 64:
        raise DataError(DAMAGED)


def _canonical(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")


def _checksum(payload: str) -> str:
    return hashlib.sha256(payload.encode("ascii", "replace")).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DataError(DAMAGED) from None


# -- deriving, and remembering what was derived ----------------------------------------------

def _derive(kdf: dict, secret: bytes) -> bytes:
    salt = _unb64(kdf["salt"])
    try:
        if kdf["name"] == "argon2id":
            try:
                from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
                function = Argon2id(salt=salt, length=DERIVED_BYTES, iterations=kdf["iterations"],
                                    lanes=kdf["lanes"], memory_cost=kdf["memory_kib"])
            except (ImportError, UnsupportedAlgorithm):
                raise DataError(NO_ARGON2) from None
        else:
            function = Scrypt(salt=salt, length=DERIVED_BYTES, n=kdf["n"], r=kdf["r"], p=kdf["p"])
        return function.derive(secret)
    except MemoryError:
        raise DataError("内存不足，无法打开私钥。请关闭其他程序后再试。") from None


_cache: OrderedDict[bytes, bytes] = OrderedDict()
_lock = threading.Lock()


def _cache_key(kdf: dict, secret: bytes) -> bytes:
    # A hash, so the passphrase itself is never a dictionary key.
    return hashlib.sha256(b"jiaoyu-kek-cache\0" + _canonical(kdf) + b"\0" + secret).digest()


def _recall(kdf: dict, secret: bytes) -> bytes | None:
    key = _cache_key(kdf, secret)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    return None


def _remember(kdf: dict, secret: bytes, derived: bytes) -> None:
    key = _cache_key(kdf, secret)
    with _lock:
        _cache[key] = derived
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
