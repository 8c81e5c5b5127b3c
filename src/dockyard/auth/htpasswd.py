"""``auth.htpasswd``: Basic authentication against an Apache htpasswd file of bcrypt entries.

The file is re-read when it changes (size, mtime or inode), so users can be added without a
restart; a rewrite that does not parse keeps the previous users and is logged. Entries with
another hash type are refused at start-up, because a silently ignored user is a login that
"mysteriously" fails. Unknown users cost a bcrypt comparison too, so timing does not reveal
which names exist; bcrypt runs in a thread so that it does not stall the event loop.

With a ``dockyard.auth.policy`` an authenticated user gets only what the policy grants
(``403 DENIED`` otherwise), and the policy's anonymous rules let clients without credentials
pull; without one, every authenticated user may do everything, as with Distribution.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bcrypt

from dockyard.api.http import Request
from dockyard.auth.access import Access, Grant, go_quote
from dockyard.auth.controller import (
    AccessController,
    AuthEnvironment,
    Challenge,
    Denied,
    LoginThrottled,
)
from dockyard.auth.policy import AccessPolicy
from dockyard.auth.ratelimit import LoginLimiter, client_key

log = logging.getLogger(__name__)

_BCRYPT = re.compile(r"^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$")
_BCRYPT_MAX = 72  # bcrypt reads at most 72 bytes of a password, as Go's implementation does
CACHE_TTL = 60.0
CACHE_SIZE = 4096


class HtpasswdError(ValueError):
    """The file cannot be used; the message names the file and line, never a hash."""


def parse(text: str, path: str) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not user:
            raise HtpasswdError(f"{path}: line {number}: not a user:hash entry")
        if not _BCRYPT.match(hashed):
            raise HtpasswdError(
                f"{path}: line {number}: user {user!r} does not have a bcrypt hash "
                "(only bcrypt is supported: create entries with 'htpasswd -B')"
            )
        entries[user] = hashed.encode("ascii")
    return entries


def _stamp(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class HtpasswdFile:
    """The users of one htpasswd file, kept current, with password checks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache_key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, float] = OrderedDict()
        try:
            self._stamp = _stamp(path)
            with open(path, encoding="utf-8") as f:
                self._entries = parse(f.read(), path)
        except FileNotFoundError:
            raise HtpasswdError(f"{path}: htpasswd file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise HtpasswdError(f"{path}: cannot read htpasswd file: {exc}") from None
        self._dummy = self._dummy_hash()

    def _dummy_hash(self) -> bytes:
        """A hash of the file's usual cost, checked for unknown users (timing paranoia)."""
        cost = 10
        for hashed in self._entries.values():
            cost = int(hashed[4:6])
            break
        return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(cost))

    def entries(self) -> dict[str, bytes]:
        """The current users, re-reading the file when it changed."""
        try:
            stamp = _stamp(self.path)
        except OSError as exc:
            raise OSError(f"htpasswd file {self.path} is unavailable: {exc.strerror}") from None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._reload(stamp)
        return self._entries

    def _reload(self, stamp: tuple[int, int, int]) -> None:
        self._stamp = stamp
        try:
            with open(self.path, encoding="utf-8") as f:
                entries = parse(f.read(), self.path)
        except (OSError, UnicodeDecodeError, HtpasswdError) as exc:
            log.error("keeping the previous users: %s", exc)
            return
        self._entries = entries
        self._verified.clear()
        log.info("reloaded %s: %d user(s)", self.path, len(entries))

    def exists(self, user: str) -> bool:
        return user in self.entries()

    async def authenticate(self, user: str, password: str) -> bool:
        hashed = self.entries().get(user)
        secret = password.encode("utf-8")[:_BCRYPT_MAX]
        if hashed is None:
            await asyncio.to_thread(bcrypt.checkpw, secret, self._dummy)
            return False
        key = hmac.digest(self._cache_key, b"\0".join((user.encode(), secret, hashed)), "sha256")
        now = time.monotonic()
        expires = self._verified.get(key)
        if expires is not None and expires > now:
            return True
        if not await asyncio.to_thread(bcrypt.checkpw, secret, hashed):
            return False
        self._verified[key] = now + CACHE_TTL
        self._verified.move_to_end(key)
        while len(self._verified) > CACHE_SIZE:
            self._verified.popitem(last=False)
        return True


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``Authorization: Basic`` user and password, or None when absent or malformed."""
    header = request.header("authorization") or ""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


async def check_login(
    users: HtpasswdFile, limiter: LoginLimiter, request: Request, user: str, password: str
) -> bool:
    """Verify a password under the failed-login limit; raises :class:`LoginThrottled`."""
    client = client_key(request.scope.get("client"))
    wait = limiter.retry_after(client)
    if wait:
        raise LoginThrottled(wait)
    if await users.authenticate(user, password):
        return True
    limiter.failed(client)
    log.info("failed login for user %r from %s", user[:64], client)
    return False


@dataclass(frozen=True, slots=True)
class HtpasswdController:
    realm: str
    users: HtpasswdFile
    policy: AccessPolicy | None
    limiter: LoginLimiter

    @property
    def challenge(self) -> str:
        return f"Basic realm={go_quote(self.realm)}"

    async def authorized(self, request: Request, access: Sequence[Access]) -> Grant:
        credentials = basic_credentials(request)
        if credentials is None:
            if access and self.policy is not None and self.policy.allows_all(None, access):
                return Grant("", self.policy.checker(None))
            raise Challenge("basic credentials required", self.challenge)
        user, password = credentials
        if not await check_login(self.users, self.limiter, request, user, password):
            raise Challenge("invalid credentials", self.challenge)
        if self.policy is None:
            return Grant(user)
        if not self.policy.allows_all(user, access):
            raise Denied(f"user {user!r} lacks access")
        return Grant(user, self.policy.checker(user))


def create(options: Mapping[str, Any], env: AuthEnvironment) -> AccessController:
    realm, path = options.get("realm"), options.get("path")
    if not isinstance(realm, str):
        raise ValueError('"realm" must be set for the htpasswd access controller')
    if not isinstance(path, str) or not path:
        raise ValueError('"path" must be set for the htpasswd access controller')
    return HtpasswdController(realm, HtpasswdFile(path), env.policy, env.limiter)
