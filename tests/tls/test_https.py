"""HTTPS with a test CA: the API over TLS, key formats, HTTP/2 by ALPN, minimum TLS version,
h2c on cleartext, and skopeo pushing and pulling with ``--cert-dir``."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from dockyard.tls import TLS12_SUITES, TLS13_SUITES
from support.api import push_image
from support.images import image, write_layout
from support.pki import issue
from support.server import DockyardServer
from tls.conftest import PKI, tls_section


@pytest.fixture(scope="module")
def https(https_factory: Callable[..., DockyardServer], pki: PKI) -> DockyardServer:
    return https_factory(tls_section(pki), verify=pki.context())


def test_api_over_https(https: DockyardServer, repo: str) -> None:
    with https.client() as client:
        img = push_image(client, repo, "v1", "https")
        response = client.post(f"/v2/{repo}/blobs/uploads/")
        manifest = client.get(f"/v2/{repo}/manifests/v1")
    assert manifest.headers["docker-content-digest"] == img["digest"]
    assert response.headers["location"].startswith(f"https://127.0.0.1:{https.port}/v2/{repo}/")


def test_plain_http_is_not_served(https: DockyardServer) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{https.port}/v2/", timeout=5)


def test_untrusted_server_certificate_is_rejected_by_clients(https: DockyardServer) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{https.url}/v2/", verify=ssl.create_default_context(), timeout=5)


def test_http2_is_negotiated(https: DockyardServer, pki: PKI, repo: str) -> None:
    with httpx.Client(http2=True, verify=pki.context(), base_url=https.url) as client:
        response = client.get("/v2/")
        img = push_image(client, repo, "v1", "http2")  # uploads follow https Locations
        manifest = client.get(f"/v2/{repo}/manifests/v1")
    assert response.status_code == 200
    assert response.http_version == manifest.http_version == "HTTP/2"
    assert manifest.headers["docker-content-digest"] == img["digest"]


def test_http2_can_be_disabled(https_factory: Callable[..., DockyardServer], pki: PKI) -> None:
    server = https_factory(
        tls_section(pki), verify=pki.context(), http={"http2": {"disabled": True}}
    )
    with httpx.Client(http2=True, verify=pki.context(), base_url=server.url) as client:
        response = client.get("/v2/")
    assert response.http_version == "HTTP/1.1"


@pytest.mark.parametrize("key_format", ["traditional", "pkcs8"])
@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_key_formats_are_converted(
    https_factory: Callable[..., DockyardServer],
    pki: PKI,
    tmp_path: Path,
    kind: str,
    key_format: str,
) -> None:

    issued = issue(pki.ca, "registry", server=True, kind=kind)
    cert, key = issued.write(tmp_path, f"{kind}-{key_format}", key_format=key_format)
    server = https_factory({"certificate": str(cert), "key": str(key)}, verify=pki.context())
    with server.client() as client:
        assert client.get("/v2/").status_code == 200


def test_minimum_tls_version(https_factory: Callable[..., DockyardServer], pki: PKI) -> None:
    tls12_only = pki.context(maximum_version=ssl.TLSVersion.TLSv1_2)
    default = https_factory(tls_section(pki), verify=pki.context())
    assert httpx.get(f"{default.url}/v2/", verify=tls12_only, timeout=5).status_code == 200
    strict = https_factory(tls_section(pki, minimumtls="tls1.3"), verify=pki.context())
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{strict.url}/v2/", verify=tls12_only, timeout=5)
    assert httpx.get(f"{strict.url}/v2/", verify=pki.context(), timeout=5).status_code == 200


def test_distributions_default_cipher_list_is_accepted(
    https_factory: Callable[..., DockyardServer], pki: PKI
) -> None:
    suites = [*TLS12_SUITES, *TLS13_SUITES, "TLS_RSA_WITH_AES_128_GCM_SHA256"]
    server = https_factory(tls_section(pki, ciphersuites=suites), verify=pki.context())
    assert httpx.get(f"{server.url}/v2/", verify=pki.context(), timeout=5).status_code == 200
    assert "never offered: TLS_RSA_WITH_AES_128_GCM_SHA256" in server.logs()


def test_h2c_prior_knowledge(https_factory: Callable[..., DockyardServer]) -> None:
    cleartext = https_factory(None, scheme="http", http={"h2c": {"enabled": True}})
    with httpx.Client(http1=False, http2=True, base_url=cleartext.url) as client:
        response = client.get("/v2/")
    assert response.status_code == 200
    assert response.http_version == "HTTP/2"
    plain = https_factory(None, scheme="http")
    with (
        httpx.Client(http1=False, http2=True, base_url=plain.url, timeout=5) as client,
        pytest.raises(httpx.HTTPError),
    ):
        client.get("/v2/")


def skopeo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
    return subprocess.run(
        ["skopeo", "--policy", str(policy), *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.clients
@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
def test_skopeo_push_and_pull_over_https(https: DockyardServer, pki: PKI, tmp_path: Path) -> None:
    certs = tmp_path / "certs.d"
    certs.mkdir()
    shutil.copy(pki.ca_path, certs / "ca.crt")
    layout = tmp_path / "layout"
    write_layout(layout, [image("skopeo-https")])
    target = f"docker://{https.host}/tls/skopeo:v1"
    pushed = skopeo(tmp_path, "copy", "--dest-cert-dir", str(certs), f"oci:{layout}:latest", target)
    assert pushed.returncode == 0, pushed.stderr
    pulled = skopeo(
        tmp_path, "copy", "--src-cert-dir", str(certs), target, f"oci:{tmp_path / 'out'}:v1"
    )
    assert pulled.returncode == 0, pulled.stderr
    untrusted = skopeo(tmp_path, "inspect", "--raw", target)
    assert untrusted.returncode != 0
    assert "certificate" in untrusted.stderr.lower()
