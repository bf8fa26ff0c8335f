"""The leader passcode: its scrypt hash, and the one generated on a server's first start when none is set.

Kept apart from ``services.leader`` (which re-exports these) so that a new server can make sure a passcode
exists right after its first page without importing everything the leader view needs (the reports, the
exports): that import competed with the browser drawing the first page (first_paint_s in BENCHMARKS.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

from services.context import AppContext
from storage import repository as repo

log = logging.getLogger("layerwise.leader")

#: The app setting that holds the generated passcode's hash (never the passcode itself).
PASSCODE_SETTING = "admin_passcode_hash"
#: scrypt cost parameters (16 MiB of memory per check: slow for a guesser, instant for a person).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_passcode(passcode: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` of a passcode with a random 16-byte salt (base64 parts)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        passcode.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    encode = base64.urlsafe_b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def passcode_matches(passcode: str, stored: str) -> bool:
    """Whether ``passcode`` hashes to ``stored`` (compared in constant time; False for a malformed hash)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            passcode.encode("utf-8"),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
        return hmac.compare_digest(digest, base64.urlsafe_b64decode(expected))
    except (ValueError, TypeError):
        return False


def ensure_admin_passcode(ctx: AppContext, configured: str | None) -> str | None:
    """Make sure a leader passcode exists; returns a newly generated one (also logged once), else None.

    With a configured passcode nothing is generated. Otherwise the first caller across all servers stores
    the hash of a fresh ``secrets.token_urlsafe(12)`` passcode and logs the passcode once; later callers
    (and servers that lost the race) find the hash and return None.
    """
    if configured:
        return None
    with ctx.read() as session:
        if repo.get_setting(session, key=PASSCODE_SETTING) is not None:
            return None
    passcode = secrets.token_urlsafe(12)
    with ctx.write() as session:
        created = repo.add_setting_if_absent(session, key=PASSCODE_SETTING, value=hash_passcode(passcode))
    if not created:
        return None
    log.warning(
        "Layerwise generated the leader passcode (shown only this once; only its hash is stored): %s  "
        "Set LAYERWISE_ADMIN_PASSCODE to choose your own.",
        passcode,
    )
    return passcode
