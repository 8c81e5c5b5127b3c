"""``http.tls``, ``http.http2`` and ``http.h2c`` as granian options — or one line saying why not.

Granian terminates TLS with rustls. What it can do, Dockyard maps exactly; what it cannot, is
refused at start-up naming the key, because a security setting that is silently ignored is
worse than a server that does not start:

- ``certificate``/``key``: any PEM key (PKCS#1, SEC1, PKCS#8) is checked against the
  certificate and handed to granian as PKCS#8 from a private (0700) directory.
- ``clientcas`` (concatenated into one bundle) with ``clientauth``
  ``require-and-verify-client-cert`` (the default, as in Distribution) or
  ``verify-client-cert-if-given``; ``request-client-cert`` and ``require-any-client-cert``
  (certificates accepted unverified) are not available in rustls and are refused.
- ``minimumtls``: ``tls1.2`` (default) or ``tls1.3``; ``tls1.0``/``tls1.1`` are refused.
- ``ciphersuites``: rustls offers a fixed set — exactly Distribution's default list. A list that
  includes every TLS 1.2 suite of that set is honoured (the extra suites are never offered);
  a list that would need one of them switched off is refused. TLS 1.3 suites are not
  configurable (as in Go), so they may be listed or not.
- ``letsencrypt`` needs the internet (ACME) and is refused.
- ``http2.disabled`` serves HTTP/1.1 only over TLS; ``h2c.enabled`` accepts prior-knowledge
  HTTP/2 on a cleartext listener (the ``Upgrade: h2c`` dance is not supported).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockyard.config.sections.http import HTTP

if TYPE_CHECKING:
    from cryptography import x509

# cryptography (~10 MiB per process) is imported only when a certificate is configured.

log = logging.getLogger(__name__)

TLS12_SUITES = (
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
)
TLS13_SUITES = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
KNOWN_SUITES = frozenset(
    {
        *TLS12_SUITES,
        *TLS13_SUITES,
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    }
)
VERIFY_MODES = {
    "": True,
    "require-and-verify-client-cert": True,
    "verify-client-cert-if-given": False,
}


class TLSConfigError(Exception):
    """A TLS/HTTP setting granian cannot honour; one line naming the key."""


@dataclass
class ServerTLS:
    """Keyword arguments for ``Granian(...)`` plus the private files they point at."""

    options: dict[str, Any] = field(default_factory=dict)
    scheme: str = "http"
    workdir: str | None = None

    def cleanup(self) -> None:
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _read(key: str, path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise TLSConfigError(f"http.tls.{key}: cannot read {path}: {exc.strerror}") from None


def _certificates(key: str, path: str) -> list[x509.Certificate]:
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(_read(key, path))
    except ValueError:
        certs = []
    if not certs:
        raise TLSConfigError(f"http.tls.{key}: {path} holds no PEM certificate")
    return certs


def _private_key(path: str) -> Any:
    from cryptography.hazmat.primitives import serialization

    data = _read("key", path)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise TLSConfigError(
            f"http.tls.key: {path} is encrypted (a password-protected key cannot be used)"
        ) from None
    except (ValueError, serialization.UnsupportedAlgorithm) as exc:
        raise TLSConfigError(
            f"http.tls.key: {path} is not a usable PEM private key: {exc}"
        ) from None


def _spki(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _check_ciphers(suites: list[str], minimum: str) -> None:
    unknown = [s for s in suites if s not in KNOWN_SUITES]
    if unknown:
        raise TLSConfigError(f"http.tls.ciphersuites: unknown TLS cipher suite {unknown[0]!r}")
    if not suites or minimum == "tls1.3":
        if suites:
            log.warning("http.tls.ciphersuites: TLS 1.3 cipher suites are not configurable")
        return
    missing = [s for s in TLS12_SUITES if s not in suites]
    if missing:
        raise TLSConfigError(
            f"http.tls.ciphersuites: the TLS server always offers {', '.join(missing)}: "
            "it cannot be switched off (list it too, or set minimumtls: tls1.3)"
        )
    ignored = [s for s in suites if s not in TLS12_SUITES and s not in TLS13_SUITES]
    if ignored:
        log.info("http.tls.ciphersuites: never offered: %s", ", ".join(ignored))


def _refuse_unsupported(http: HTTP) -> None:
    tls = http.tls
    le = tls.letsencrypt
    if le.cachefile or le.email or le.hosts or le.directoryurl:
        raise TLSConfigError(
            "http.tls.letsencrypt: not supported (it needs the internet to reach an ACME "
            "server): use http.tls.certificate and http.tls.key"
        )
    if not tls.certificate:
        for name in ("key", "clientcas", "clientauth", "minimumtls", "ciphersuites"):
            if getattr(tls, name):
                raise TLSConfigError(
                    f"http.tls.{name}: set, but TLS is off (http.tls.certificate is empty)"
                )
        return
    if not tls.key:
        raise TLSConfigError("http.tls.key: required with http.tls.certificate")
    if tls.minimumtls in ("tls1.0", "tls1.1"):
        raise TLSConfigError(
            f"http.tls.minimumtls: {tls.minimumtls} is not supported (use tls1.2 or tls1.3)"
        )
    if tls.clientauth and not tls.clientcas:
        raise TLSConfigError("http.tls.clientauth: set, but http.tls.clientcas is empty")
    if tls.clientauth not in VERIFY_MODES:
        raise TLSConfigError(
            f"http.tls.clientauth: {tls.clientauth} is not supported (client certificates are "
            "always verified against clientcas: use verify-client-cert-if-given or "
            "require-and-verify-client-cert)"
        )


def _http_mode(http: HTTP, tls_on: bool) -> str:
    if tls_on:
        return "1" if http.http2.disabled else "auto"
    return "auto" if http.h2c.enabled else "1"


def prepare(http: HTTP) -> ServerTLS:
    """Validate, write the private files granian reads, and return its options."""
    from granian.constants import HTTPModes, SSLProtocols

    _refuse_unsupported(http)
    tls = http.tls
    mode = HTTPModes(_http_mode(http, bool(tls.certificate)))
    if not tls.certificate:
        return ServerTLS({"http": mode})
    from cryptography.hazmat.primitives import serialization

    minimum = tls.minimumtls or "tls1.2"
    _check_ciphers(tls.ciphersuites, minimum)
    certs = _certificates("certificate", tls.certificate)
    key = _private_key(tls.key)
    if _spki(certs[0].public_key()) != _spki(key.public_key()):
        raise TLSConfigError(
            f"http.tls.key: {tls.key} does not match the certificate in {tls.certificate}"
        )
    cas: list[bytes] = []
    for path in tls.clientcas:
        cas += [
            c.public_bytes(serialization.Encoding.PEM) for c in _certificates("clientcas", path)
        ]
    workdir = tempfile.mkdtemp(prefix="dockyard-tls-")
    os.chmod(workdir, 0o700)
    result = ServerTLS(scheme="https", workdir=workdir)
    try:
        key_path = Path(workdir) / "key.pem"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        cert_path = Path(workdir) / "cert.pem"
        cert_path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
        result.options = {
            "http": mode,
            "ssl_cert": cert_path,
            "ssl_key": key_path,
            "ssl_protocol_min": SSLProtocols(minimum),
        }
        if cas:
            ca_path = Path(workdir) / "clientcas.pem"
            ca_path.write_bytes(b"".join(cas))
            result.options["ssl_ca"] = ca_path
            result.options["ssl_client_verify"] = VERIFY_MODES[tls.clientauth]
    except BaseException:
        with contextlib.suppress(Exception):
            result.cleanup()
        raise
    return result


def check(http: HTTP) -> None:
    """Everything :func:`prepare` verifies, keeping no files: for the one start-up line."""
    prepare(http).cleanup()
