"""Verifying a Bearer token (a JWT) the way Distribution's ``token`` access controller does.

Order: the header names an allowed algorithm and a trusted key (``x5c`` → ``jwk`` → ``kid``,
see ``keys.py``); the signature verifies; ``iss`` is the configured issuer; ``aud`` contains the
service; ``exp`` (required) and ``nbf`` hold with 60 seconds of clock skew; the ``access`` claim
is well-formed. HMAC algorithms may be listed (Distribution's default list has them) but never
verify, since the registry only holds public keys: no key confusion is possible.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from dockyard.auth.access import AccessSet, Resource
from dockyard.auth.keys import PublicKey, TrustedKeys, UntrustedKey

log = logging.getLogger(__name__)

LEEWAY = 60.0
ALGORITHMS = (
    "EdDSA",
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
)
_EC_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}


class MalformedToken(Exception):
    """Not a JWT, or signed with an algorithm that is not allowed."""


class InvalidToken(Exception):
    """A JWT that does not verify: untrusted key, bad signature, wrong claims, out of time."""


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str
    access: AccessSet
    raw: dict[str, Any]


def _key_fits(alg: str, key: PublicKey) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return alg[:2] in ("RS", "PS")
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _EC_CURVES.get(alg) == key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return alg == "EdDSA"
    return False


def parse_access(claim: Any) -> AccessSet:
    if claim is None:
        return AccessSet()
    if not isinstance(claim, list):
        raise InvalidToken("access claim is not a list")
    items: list[tuple[Resource, list[str]]] = []
    for entry in claim:
        if not isinstance(entry, dict):
            raise InvalidToken("access entry is not an object")
        rtype, name, actions = entry.get("type"), entry.get("name"), entry.get("actions") or []
        if not isinstance(rtype, str) or not isinstance(name, str) or not isinstance(actions, list):
            raise InvalidToken("access entry needs type, name and actions")
        if not all(isinstance(a, str) for a in actions):
            raise InvalidToken("access actions must be strings")
        # A resource class ("repository(plugin)") is deprecated and ignored.
        items.append((Resource(rtype.split("(", 1)[0], name), actions))
    return AccessSet(items)


class TokenVerifier:
    def __init__(
        self,
        issuer: str,
        service: str,
        keys: TrustedKeys,
        algorithms: Sequence[str] = (),
    ) -> None:
        unknown = [a for a in algorithms if a not in ALGORITHMS]
        if unknown:
            raise ValueError(f"unsupported signing algorithm: {unknown[0]}")
        self.issuer = issuer
        self.service = service
        self.keys = keys
        self.algorithms = frozenset(algorithms or ALGORITHMS)

    def signing_key(self, header: dict[str, Any]) -> PublicKey:
        x5c = header.get("x5c")
        if x5c is not None:
            if not isinstance(x5c, list):
                raise UntrustedKey("x5c is not a list")
            return self.keys.verify_chain(x5c)
        jwk = header.get("jwk")
        if isinstance(jwk, dict):
            if jwk.get("x5c"):
                return self.keys.verify_chain(jwk["x5c"])
            key = self.keys.by_id.get(str(jwk.get("kid", "")))
            if key is None:
                raise UntrustedKey("untrusted JWK with no certificate chain")
            return key
        kid = header.get("kid")
        if isinstance(kid, str) and kid:
            key = self.keys.by_id.get(kid)
            if key is None:
                raise UntrustedKey(f"token signed by untrusted key with ID: {kid[:80]!r}")
            return key
        raise UntrustedKey("token names no signing key")

    def verify(self, raw: str) -> Claims:
        try:
            header = jwt.get_unverified_header(raw)
        except jwt.PyJWTError:
            raise MalformedToken("malformed token") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise MalformedToken("signing algorithm not allowed")
        try:
            key = self.signing_key(header)
        except UntrustedKey as exc:
            log.info("failed to verify token: %s", exc)
            raise InvalidToken(str(exc)) from None
        if not _key_fits(alg, key):
            log.info("failed to verify token: %s does not match the signing key", alg)
            raise InvalidToken("algorithm does not match key") from None
        try:
            claims = jwt.decode(
                raw,
                key,
                algorithms=[alg],
                audience=self.service,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp"], "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            log.info("failed to verify token: %s", exc)
            raise InvalidToken(str(exc)) from None
        subject = claims.get("sub", "")
        if not isinstance(subject, str):
            raise InvalidToken("sub claim is not a string")
        return Claims(subject, parse_access(claims.get("access")), claims)
