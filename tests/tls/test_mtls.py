"""Mutual TLS: ``clientcas`` with ``require-and-verify-client-cert`` (the default) and
``verify-client-cert-if-given``; skopeo presenting its certificate from ``--cert-dir``."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support.images import image, write_layout
from support.server import DockyardServer
from tls.conftest import PKI, tls_section


def _get(server: DockyardServer, ctx: object) -> httpx.Response:
    return httpx.get(f"{server.url}/v2/", verify=ctx, timeout=5)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def required(https_factory: Callable[..., DockyardServer], pki: PKI) -> DockyardServer:
    tls = tls_section(pki, clientcas=[str(pki.ca_path)])
    return https_factory(tls, verify=pki.context(pki.client))


def test_required_client_certificate_accepted(required: DockyardServer, pki: PKI) -> None:
    assert _get(required, pki.context(pki.client)).status_code == 200


@pytest.mark.parametrize("who", ["nobody", "stranger"])
def test_required_client_certificate_refused(required: DockyardServer, pki: PKI, who: str) -> None:
    ctx = pki.context(None if who == "nobody" else pki.stranger)
    with pytest.raises(httpx.HTTPError):
        _get(required, ctx)


def test_stranger_from_a_listed_ca_is_accepted(
    https_factory: Callable[..., DockyardServer], pki: PKI
) -> None:
    """clientcas lists several CA files: a certificate from any of them is good."""
    tls = tls_section(
        pki,
        clientcas=[str(pki.other_ca_path), str(pki.ca_path)],
        clientauth="require-and-verify-client-cert",
    )
    server = https_factory(tls, verify=pki.context(pki.stranger))
    assert _get(server, pki.context(pki.stranger)).status_code == 200


def test_verify_if_given(https_factory: Callable[..., DockyardServer], pki: PKI) -> None:
    tls = tls_section(pki, clientcas=[str(pki.ca_path)], clientauth="verify-client-cert-if-given")
    server = https_factory(tls, verify=pki.context())
    assert _get(server, pki.context()).status_code == 200
    assert _get(server, pki.context(pki.client)).status_code == 200
    with pytest.raises(httpx.HTTPError):
        _get(server, pki.context(pki.stranger))


@pytest.mark.clients
@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
def test_skopeo_with_client_certificate(required: DockyardServer, pki: PKI, tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
    layout = tmp_path / "layout"
    write_layout(layout, [image("mtls")])
    target = f"docker://{required.host}/tls/mtls:v1"

    def push(cert_dir: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["skopeo", "--policy", str(policy), "copy", "--dest-cert-dir", str(cert_dir)]
            + [f"oci:{layout}:latest", target],
            capture_output=True,
            text=True,
            timeout=120,
        )

    ca_only = tmp_path / "ca-only"
    ca_only.mkdir()
    shutil.copy(pki.ca_path, ca_only / "ca.crt")
    refused = push(ca_only)
    assert refused.returncode != 0
    with_cert = tmp_path / "with-cert"
    shutil.copytree(ca_only, with_cert)
    shutil.copy(pki.client_cert, with_cert / "client.cert")
    shutil.copy(pki.client_key, with_cert / "client.key")
    accepted = push(with_cert)
    assert accepted.returncode == 0, accepted.stderr
