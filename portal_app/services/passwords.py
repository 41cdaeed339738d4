"""Password hashing and rules (NIST SP 800-63B): length, not common, not about the firm or the person.

Passwords are pre-hashed with SHA-256 before bcrypt so that any length up to the maximum works
(bcrypt 5 raises beyond 72 bytes, older versions silently truncated, which let two different long
passwords match).
"""

import base64
import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path

import bcrypt

MIN_LENGTH = 12
MAX_LENGTH = 128
BCRYPT_ROUNDS = 12


def _prehash(password: str) -> bytes:
    # A lone surrogate (JSON "\ud800", undecodable bytes on a pipe) cannot be UTF-8: hash its
    # code point instead of failing; the same bytes as plain UTF-8 for every other text.
    normalised = unicodedata.normalize("NFKC", password)
    return base64.b64encode(hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).digest())


def hash_password(password: str) -> str:
    """Slow (about 0.25 s): call it off the event loop."""
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    """Slow (about 0.25 s): call it off the event loop."""
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False


# A real hash to compare against when the account does not exist, so that an unknown e-mail
# costs the same time as a wrong password.
_DUMMY_HASH = "$2b$12$r.Z/HR5FeUK1Ufxx1onrLOYutMTxWCi4T4eiUbhp2KI5B6ZgGdq3u"


def burn_time(password: str) -> None:
    check_password(password, _DUMMY_HASH)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    )


def _squash(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def password_problem(password: str, *, avoid: tuple[str, ...] = ()) -> tuple[str, dict] | None:
    """The first rule the password breaks, as (message key, params), or None if it is acceptable.

    `avoid` holds words the password must not contain (firm name, portal address, the name part
    of the e-mail); words shorter than 4 characters are ignored.
    """
    if any("\ud800" <= ch <= "\udfff" for ch in password):
        return "password.unreadable", {}
    length = len(password)
    if length < MIN_LENGTH:
        return "password.too_short", {"min": MIN_LENGTH}
    if length > MAX_LENGTH:
        return "password.too_long", {"max": MAX_LENGTH}
    if password.strip().lower() in _common_passwords():
        return "password.common", {}
    squashed = _squash(password)
    if len(set(squashed)) < 4:
        return "password.common", {}
    for word in avoid:
        w = _squash(word)
        if len(w) >= 4 and w in squashed:
            return "password.contains_name", {}
    return None
