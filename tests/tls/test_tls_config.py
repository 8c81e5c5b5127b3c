"""TLS settings granian cannot honour are refused at start-up with one line naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from dockyard.config import loader
from dockyard.tls import TLS12_SUITES, TLSConfigError, prepare
from support.server import base_config, free_port
from support.startup import refused
from tls.conftest import PKI, tls_section


def _config(tmp_path: Path, tls: dict[str, Any]) -> dict[str, Any]:
    config = base_config(tmp_path / "data", free_port())
    config["http"]["tls"] = tls
    return config


def _line(tmp_path: Path, tls: dict[str, Any]) -> str:
    """The start-up line, checked in-process (one subprocess test below proves the wiring)."""
    http = loader.validate(_config(tmp_path, tls)).http
    with pytest.raises(TLSConfigError) as refusal:
        prepare(http).cleanup()
    return f"dockyard: {refusal.value}"


def test_refusal_is_one_line_and_exit_2(tmp_path: Path, pki: PKI) -> None:
    line = refused(tmp_path, _config(tmp_path, tls_section(pki, minimumtls="tls1.0")))
    assert line == "dockyard: http.tls.minimumtls: tls1.0 is not supported (use tls1.2 or tls1.3)"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"letsencrypt": {"cachefile": "/tmp/le", "email": "a@b.c"}},
            "dockyard: http.tls.letsencrypt: not supported",
        ),
        ({"minimumtls": "tls1.0"}, "dockyard: http.tls.minimumtls: tls1.0 is not supported"),
        ({"minimumtls": "tls1.1"}, "dockyard: http.tls.minimumtls: tls1.1 is not supported"),
        (
            {"clientauth": "require-and-verify-client-cert"},
            "dockyard: http.tls.clientauth: set, but http.tls.clientcas is empty",
        ),
        (
            {"clientcas": ["CA"], "clientauth": "request-client-cert"},
            "dockyard: http.tls.clientauth: request-client-cert is not supported",
        ),
        (
            {"clientcas": ["CA"], "clientauth": "require-any-client-cert"},
            "dockyard: http.tls.clientauth: require-any-client-cert is not supported",
        ),
        (
            {"ciphersuites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]},
            "dockyard: http.tls.ciphersuites: the TLS server always offers",
        ),
        (
            {"ciphersuites": ["TLS_RSA_WITH_RC4_128_SHA"]},
            "dockyard: http.tls.ciphersuites: unknown TLS cipher suite 'TLS_RSA_WITH_RC4_128_SHA'",
        ),
        ({"clientcas": ["/nonexistent/ca.pem"]}, "dockyard: http.tls.clientcas: cannot read"),
    ],
)
def test_refused(tmp_path: Path, pki: PKI, extra: dict[str, Any], expected: str) -> None:
    extra = {k: [str(pki.ca_path)] if v == ["CA"] else v for k, v in extra.items()}
    assert _line(tmp_path, tls_section(pki, **extra)).startswith(expected)


def test_tls_keys_without_certificate(tmp_path: Path, pki: PKI) -> None:
    line = _line(tmp_path, {"clientcas": [str(pki.ca_path)]})
    assert (
        line == "dockyard: http.tls.clientcas: set, but TLS is off (http.tls.certificate is empty)"
    )


def test_key_must_match_certificate(tmp_path: Path, pki: PKI) -> None:
    line = _line(tmp_path, {"certificate": str(pki.server_cert), "key": str(pki.client_key)})
    assert line.startswith("dockyard: http.tls.key: ") and "does not match" in line


def test_encrypted_key_is_refused(tmp_path: Path, pki: PKI) -> None:
    key = tmp_path / "encrypted.key"
    key.write_bytes(
        pki.server.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    line = _line(tmp_path, {"certificate": str(pki.server_cert), "key": str(key)})
    assert line.startswith("dockyard: http.tls.key: ") and "encrypted" in line


def test_certificate_without_key(tmp_path: Path, pki: PKI) -> None:
    line = _line(tmp_path, {"certificate": str(pki.server_cert)})
    assert line == "dockyard: http.tls.key: required with http.tls.certificate"


def test_all_tls12_suites_required(tmp_path: Path, pki: PKI) -> None:
    line = _line(tmp_path, tls_section(pki, ciphersuites=list(TLS12_SUITES[1:])))
    assert TLS12_SUITES[0] in line
