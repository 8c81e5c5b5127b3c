"""Signing registry Bearer tokens in tests, the way a token server would (PyJWT)."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from dockyard.auth.keys import jwk_thumbprint
from support.pki import Issued, PrivateKey


def algorithm(key: PrivateKey) -> str:
    name = type(key).__name__
    if "Ed25519" in name:
        return "EdDSA"
    if "RSA" in name:
        return "RS256"
    return "ES256"


def claims(
    *,
    issuer: str,
    service: str,
    subject: str = "alice",
    access: list[dict[str, Any]] | None = None,
    lifetime: float = 300.0,
    not_before: float = 0.0,
    now: float | None = None,
) -> dict[str, Any]:
    now = time.time() if now is None else now
    return {
        "iss": issuer,
        "sub": subject,
        "aud": service,
        "exp": int(now + lifetime),
        "nbf": int(now + not_before),
        "iat": int(now),
        "jti": uuid.uuid4().hex,
        "access": access or [],
    }


def repo_access(name: str, *actions: str) -> dict[str, Any]:
    return {"type": "repository", "name": name, "actions": list(actions)}


def sign(
    payload: dict[str, Any],
    key: PrivateKey,
    *,
    kid: str | None = None,
    chain: list[Issued] | None = None,
    alg: str | None = None,
    extra_headers: dict[str, Any] | None = None,
) -> str:
    headers: dict[str, Any] = {"typ": "JWT"}
    if chain:
        der = serialization.Encoding.DER
        headers["x5c"] = [base64.b64encode(i.cert.public_bytes(der)).decode() for i in chain]
    elif kid is not None:
        if kid:  # "" sends no kid at all
            headers["kid"] = kid
    else:
        headers["kid"] = jwk_thumbprint(key.public_key())
    headers.update(extra_headers or {})
    return jwt.encode(payload, key, algorithm=alg or algorithm(key), headers=headers)
