"""Trusted token-signing keys: a root certificate bundle and/or a JWKS file.

A token names its key in one of three ways, tried in Distribution's order: an ``x5c``
certificate chain that must lead to a certificate of the bundle; an embedded ``jwk`` whose key
id (or own chain) is trusted; a ``kid`` naming a trusted key. Keys from the bundle are known by
their RFC 7638 JWK thumbprint (Distribution 3), by the unpadded variant Go computes for EC keys,
and by their libtrust key id (``ABCD:EFGH:…``, Distribution 2.x), so tokens made for either
registry verify here.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import jwt
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509 import verification

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


class UntrustedKey(Exception):
    """The token's signing key is not one this registry trusts."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int, length: int | None = None) -> bytes:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return value.to_bytes(size, "big")


def _thumbprint_json(key: PublicKey, pad: bool) -> str | None:
    if isinstance(key, rsa.RSAPublicKey):
        nums = key.public_numbers()
        return f'{{"e":"{_b64(_int_bytes(nums.e))}","kty":"RSA","n":"{_b64(_int_bytes(nums.n))}"}}'
    if isinstance(key, ec.EllipticCurvePublicKey):
        nums = key.public_numbers()
        size = (key.curve.key_size + 7) // 8 if pad else None
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(
            key.curve.name, key.curve.name
        )
        x, y = _b64(_int_bytes(nums.x, size)), _b64(_int_bytes(nums.y, size))
        return f'{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}'
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f'{{"crv":"Ed25519","kty":"OKP","x":"{_b64(raw)}"}}'
    return None


def jwk_thumbprint(key: PublicKey, pad: bool = True) -> str:
    """RFC 7638 thumbprint (SHA-256); ``pad=False`` reproduces Go's unpadded EC coordinates."""
    text = _thumbprint_json(key, pad)
    if text is None:
        return ""
    return _b64(hashlib.sha256(text.encode()).digest())


def libtrust_key_id(key: PublicKey) -> str:
    """Distribution 2.x's key id: base32 of 240 bits of SHA-256(SPKI DER), in groups of four."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii").rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def key_ids(key: PublicKey) -> set[str]:
    ids = {jwk_thumbprint(key), jwk_thumbprint(key, pad=False), libtrust_key_id(key)}
    ids.discard("")
    return ids


def load_certificates(path: str) -> list[x509.Certificate]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        if b"-----BEGIN" not in data:
            return []
        raise ValueError(f"{path}: cannot parse the PEM certificates") from None


def load_jwks(path: str) -> dict[str, PublicKey]:
    with open(path, "rb") as f:
        try:
            document = json.load(f)
        except ValueError as exc:
            raise ValueError(f"{path}: not a JSON web key set: {exc}") from None
    keys: dict[str, PublicKey] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        try:
            jwk = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            raise ValueError(f"{path}: unusable key {entry.get('kid', '')!r}: {exc}") from None
        key = jwk.key
        if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            key = key.public_key()
        if isinstance(key, ed25519.Ed25519PrivateKey):
            key = key.public_key()
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            if not isinstance(key, ed25519.Ed25519PublicKey):
                raise ValueError(f"{path}: key {jwk.key_id!r} is not an asymmetric public key")
        keys[jwk.key_id or jwk_thumbprint(key)] = key
    return keys


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class TrustedKeys:
    roots: list[x509.Certificate] = field(default_factory=list)
    by_id: dict[str, PublicKey] = field(default_factory=dict)

    @classmethod
    def load(cls, rootcertbundle: str = "", jwks: str = "") -> TrustedKeys:
        trusted = cls()
        if rootcertbundle:
            trusted.roots = load_certificates(rootcertbundle)
            for cert in trusted.roots:
                key = cert.public_key()
                if isinstance(key, PublicKey):
                    for kid in key_ids(key):
                        trusted.by_id[kid] = key
        if jwks:
            trusted.by_id.update(load_jwks(jwks))
        if not trusted.roots and not trusted.by_id:
            raise ValueError("token auth requires at least one token signing key")
        return trusted

    def trusts(self, key: PublicKey) -> bool:
        spki = _spki(key)
        return any(_spki(k) == spki for k in self.by_id.values())

    def verify_chain(self, chain: Sequence[str]) -> PublicKey:
        """The leaf key of an ``x5c`` chain (base64 DER) that leads to a trusted root."""
        try:
            certs = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in chain]
        except (ValueError, TypeError):
            raise UntrustedKey("malformed x5c certificate chain") from None
        if not certs:
            raise UntrustedKey("empty x5c certificate chain")
        leaf = certs[0]
        if any(leaf == root for root in self.roots):
            now = _now()
            if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
                raise UntrustedKey("signing certificate is not valid now")
        else:
            self._verify_path(leaf, certs[1:])
        key = leaf.public_key()
        if not isinstance(key, PublicKey):
            raise UntrustedKey("unsupported signing key type")
        return key

    def _verify_path(self, leaf: x509.Certificate, intermediates: list[x509.Certificate]) -> None:
        if not self.roots:
            raise UntrustedKey("no root certificates to verify x5c against")
        # Any extended key usage is fine for token signing, as in Distribution.
        builder = (
            verification.PolicyBuilder()
            .store(verification.Store(self.roots))
            .time(_now())
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=verification.ExtensionPolicy.permit_all(),
            )
        )
        try:
            builder.build_client_verifier().verify(leaf, intermediates)
        except (verification.VerificationError, InvalidSignature, ValueError) as exc:
            raise UntrustedKey(f"x5c chain does not verify: {exc}") from None


def _spki(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
