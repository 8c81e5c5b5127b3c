"""The built-in token issuer: Distribution's token protocol on the registry's own listener.

``GET <path>?service=…&scope=…`` with optional Basic credentials (Docker's token protocol) and
``POST <path>`` with an OAuth2 form (``grant_type=password`` or ``refresh_token``) both answer
a signed JWT whose ``access`` claim is the intersection of the requested scopes and what the
access policy grants: asking for more is not an error, the token simply holds less (the
registry then refuses the request). Clients without credentials get an anonymous token
(``sub: ""``). Refresh tokens are signed JWTs for a distinct audience, so one can never be
used as an access token; a refresh checks that the user still exists.

Tokens are verified by the ``auth.token`` access controller like any token server's.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from dockyard.api.errors import ErrorCode, error_response
from dockyard.api.http import ClientDisconnectedError, Request, Response
from dockyard.auth.access import (
    ALL,
    CATALOG,
    REGISTRY,
    REPOSITORY,
    Access,
    Scope,
    format_scopes,
    go_quote,
    parse_scopes,
)
from dockyard.auth.controller import LoginThrottled
from dockyard.auth.htpasswd import HtpasswdFile, basic_credentials, check_login
from dockyard.auth.keys import PublicKey, jwk_thumbprint, load_certificates
from dockyard.auth.policy import ACTIONS, AccessPolicy
from dockyard.auth.ratelimit import LoginLimiter
from dockyard.registry.errors import NameInvalidError
from dockyard.registry.reference import validate_name

log = logging.getLogger(__name__)

FORM_LIMIT = 64 * 1024
REFRESH_AUDIENCE = "dockyard-refresh:"
_CURVE_ALGS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


class Signer:
    """The issuer's private key, its algorithm, ``kid`` and optional ``x5c`` chain."""

    def __init__(self, key_path: str, cert_path: str = "") -> None:
        with open(key_path, "rb") as f:
            data = f.read()
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{key_path}: cannot load the PEM private key: {exc}") from None
        if isinstance(key, rsa.RSAPrivateKey):
            self.algorithm = "RS256"
        elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _CURVE_ALGS:
            self.algorithm = _CURVE_ALGS[key.curve.name]
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            self.algorithm = "EdDSA"
        else:
            raise ValueError(f"{key_path}: use an RSA, EC (P-256/384/521) or Ed25519 key")
        self.key = key
        self.public_key: PublicKey = key.public_key()
        self.kid = jwk_thumbprint(self.public_key)
        self.x5c: list[str] = []
        if cert_path:
            certs = load_certificates(cert_path)
            if not certs or _spki(certs[0].public_key()) != _spki(self.public_key):
                raise ValueError(f"{cert_path}: the first certificate is not the signing key's")
            der = serialization.Encoding.DER
            self.x5c = [base64.b64encode(c.public_bytes(der)).decode("ascii") for c in certs]

    def sign(self, claims: dict[str, Any]) -> str:
        headers: dict[str, Any] = {"typ": "JWT", "kid": self.kid}
        if self.x5c:
            headers["x5c"] = self.x5c
        return jwt.encode(claims, self.key, algorithm=self.algorithm, headers=headers)


def _spki(key: Any) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status=status)


@dataclass
class TokenIssuer:
    path: str
    issuer: str
    service: str
    realm: str
    signer: Signer
    users: HtpasswdFile
    policy: AccessPolicy | None
    limiter: LoginLimiter
    expiration: float
    refresh_expiration: float

    def matches(self, path: str) -> bool:
        return path.rstrip("/") == self.path

    async def handle(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                return await self._get(request)
            if request.method == "POST":
                return await self._post(request)
        except LoginThrottled as exc:
            response = error_response(ErrorCode.TOOMANYREQUESTS)
            return response.set("Retry-After", exc.retry_after)
        except ClientDisconnectedError:
            raise
        except Exception as exc:  # the user store failed: say nothing, log it
            log.error("token issuer failed: %s: %s", type(exc).__name__, exc)
            return Response(status=400, body=b"")
        response = error_response(ErrorCode.UNSUPPORTED, "method not allowed")
        return response.set("Allow", "GET, POST")

    def _unauthorized(self) -> Response:
        response = error_response(ErrorCode.UNAUTHORIZED)
        return response.set("WWW-Authenticate", f"Basic realm={go_quote(self.realm)}")

    def _service_ok(self, service: str | None) -> bool:
        return not service or service == self.service

    async def _get(self, request: Request) -> Response:
        if not self._service_ok(request.query_value("service")):
            return _oauth_error(400, "invalid_request", "unknown service")
        user: str | None = None
        if request.header("authorization"):
            credentials = basic_credentials(request)
            if credentials is None:
                return self._unauthorized()
            if not await check_login(self.users, self.limiter, request, *credentials):
                return self._unauthorized()
            user = credentials[0]
        scopes = parse_scopes(request.query.get("scope", []))
        offline = (request.query_value("offline_token") or "").lower() == "true"
        return self._token_response(user, scopes, offline and user is not None, None)

    async def _post(self, request: Request) -> Response:
        body = await request.body(FORM_LIMIT)
        if body is None:
            return _oauth_error(400, "invalid_request", "form too large")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}
        if not self._service_ok(form.get("service")):
            return _oauth_error(400, "invalid_request", "unknown service")
        scopes = parse_scopes([form.get("scope", "")])
        grant_type = form.get("grant_type", "")
        if grant_type == "password":
            user, password = form.get("username", ""), form.get("password", "")
            if not user or not await check_login(self.users, self.limiter, request, user, password):
                return self._unauthorized()
            offline = form.get("access_type") == "offline"
            return self._token_response(user, scopes, offline, None)
        if grant_type == "refresh_token":
            raw = form.get("refresh_token", "")
            user = self._refresh_subject(raw)
            if user is None:
                return self._unauthorized()
            return self._token_response(user, scopes, False, raw)
        return _oauth_error(400, "unsupported_grant_type", "use password or refresh_token")

    def _refresh_subject(self, raw: str) -> str | None:
        try:
            claims = jwt.decode(
                raw,
                self.signer.public_key,
                algorithms=[self.signer.algorithm],
                audience=REFRESH_AUDIENCE + self.service,
                issuer=self.issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError as exc:
            log.info("refused refresh token: %s", exc)
            return None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not self.users.exists(subject):
            return None
        return subject

    def granted(self, user: str | None, scopes: Sequence[Scope]) -> list[Scope]:
        granted: list[Scope] = []
        for scope in scopes:
            resource = scope.resource
            if resource.type == REPOSITORY:
                try:
                    validate_name(resource.name)
                except NameInvalidError:
                    continue
            elif (resource.type, resource.name) != (REGISTRY, CATALOG):
                continue
            actions = tuple(a for a in scope.actions if self._allows(user, Access(resource, a)))
            if actions:
                granted.append(Scope(resource, actions))
        return granted

    def _allows(self, user: str | None, access: Access) -> bool:
        if self.policy is not None:
            return self.policy.allows(user, access)
        if user is None:
            return False
        return access.action in ACTIONS or access.action == ALL

    def _token_response(
        self, user: str | None, scopes: Sequence[Scope], offline: bool, refresh: str | None
    ) -> Response:
        now = int(time.time())
        granted = self.granted(user, scopes)
        claims = {
            "iss": self.issuer,
            "sub": user or "",
            "aud": self.service,
            "exp": now + int(self.expiration),
            "nbf": now,
            "iat": now,
            "jti": secrets.token_urlsafe(18),
            "access": [
                {"type": s.resource.type, "name": s.resource.name, "actions": list(s.actions)}
                for s in granted
            ],
        }
        token = self.signer.sign(claims)
        payload: dict[str, Any] = {
            "token": token,
            "access_token": token,
            "expires_in": int(self.expiration),
            "issued_at": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "scope": format_scopes(granted),
        }
        if refresh is not None:
            payload["refresh_token"] = refresh
        elif offline and user:
            payload["refresh_token"] = self.signer.sign(
                {
                    "iss": self.issuer,
                    "sub": user,
                    "aud": REFRESH_AUDIENCE + self.service,
                    "exp": now + int(self.refresh_expiration),
                    "iat": now,
                    "jti": secrets.token_urlsafe(18),
                }
            )
        return Response.json(payload)
