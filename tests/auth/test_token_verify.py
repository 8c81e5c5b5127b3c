"""``auth.token``: Bearer challenges byte for byte, and every way a token can fail to verify."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from auth.conftest import ISSUER, SERVICE, token_auth
from dockyard.auth.keys import jwk_thumbprint, libtrust_key_id
from support.api import assert_error, push_image
from support.pki import Issued, issue, make_ca, self_signed
from support.server import DockyardServer
from support.tokens import claims, repo_access, sign

REALM = "https://auth.example.com/token"
CHALLENGE = f'Bearer realm="{REALM}",service="{SERVICE}"'


@pytest.fixture(scope="module")
def pki(module_dir: Path) -> dict[str, Issued]:
    root = make_ca("token root")
    intermediate = issue(root, "token intermediate", is_ca=True)
    return {
        "root": root,
        "intermediate": intermediate,
        "leaf": issue(intermediate, "token leaf"),
        "direct": self_signed("direct signer", kind="rsa"),
        "ed": self_signed("ed signer", kind="ed25519"),
        "stranger": self_signed("stranger"),
    }


@pytest.fixture(scope="module")
def jwks_key() -> Issued:
    return self_signed("jwks signer")


@pytest.fixture(scope="module")
def registry_server(
    server_factory: Callable[..., DockyardServer],
    module_dir: Path,
    pki: dict[str, Issued],
    jwks_key: Issued,
) -> DockyardServer:
    bundle = module_dir / "bundle.pem"
    bundle.write_bytes(b"".join(pki[n].cert_pem() for n in ("root", "direct", "ed")))
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(jwks_key.key.public_key()))
    jwk["kid"] = "my-jwks-key"
    jwks = module_dir / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    auth = token_auth(bundle, REALM)
    auth["token"]["jwks"] = str(jwks)
    return server_factory(auth=auth)


def _jwk(issued: Issued, kid: str | None = None) -> dict:
    """An embedded ``jwk`` header: trusted only through its ``kid`` (or its own ``x5c``)."""
    public = issued.key.public_key()
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
    jwk["kid"] = kid if kid is not None else jwk_thumbprint(public)
    return jwk


def _token(key: Issued, access: list | None = None, **kwargs) -> str:
    sign_kwargs = {k: kwargs.pop(k) for k in ("kid", "chain", "alg") if k in kwargs}
    if "jwk" in kwargs:
        sign_kwargs["kid"] = ""
        sign_kwargs["extra_headers"] = {"jwk": kwargs.pop("jwk")}
    payload = claims(issuer=ISSUER, service=SERVICE, access=access, **kwargs)
    return sign(payload, key.key, **sign_kwargs)


def _get(server: DockyardServer, path: str, token: str | None) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with server.client(headers=headers) as client:
        return client.get(path)


def test_challenge_without_token(registry_server: DockyardServer) -> None:
    response = _get(registry_server, "/v2/team/app/manifests/latest", None)
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == (f'{CHALLENGE},scope="repository:team/app:pull"')
    with registry_server.client(headers={"Authorization": "Basic YTpi"}) as client:
        response = client.put("/v2/team/app/manifests/latest", content=b"{}")
    assert response.headers["www-authenticate"] == (
        f'{CHALLENGE},scope="repository:team/app:pull,push"'
    )
    response = _get(registry_server, "/v2/", None)
    assert response.headers["www-authenticate"] == CHALLENGE
    response = _get(registry_server, "/v2/_catalog", None)
    assert response.headers["www-authenticate"] == f'{CHALLENGE},scope="registry:catalog:*"'


@pytest.mark.parametrize(
    "how",
    [
        "kid-thumbprint",
        "kid-libtrust",
        "x5c-self",
        "x5c-chain",
        "jwk-header",
        "jwks-kid",
        "rsa",
        "eddsa",
    ],
)
def test_valid_tokens_are_accepted(
    registry_server: DockyardServer,
    pki: dict[str, Issued],
    jwks_key: Issued,
    repo: str,
    how: str,
) -> None:
    access = [repo_access(repo, "pull", "push")]
    tokens = {
        "kid-thumbprint": lambda: _token(pki["root"], access),
        "kid-libtrust": lambda: _token(
            pki["root"], access, kid=libtrust_key_id(pki["root"].key.public_key())
        ),
        "x5c-self": lambda: _token(pki["root"], access, chain=[pki["root"]]),
        "x5c-chain": lambda: _token(pki["leaf"], access, chain=[pki["leaf"], pki["intermediate"]]),
        "jwk-header": lambda: _token(pki["root"], access, jwk=_jwk(pki["root"])),
        "jwks-kid": lambda: _token(jwks_key, access, kid="my-jwks-key"),
        "rsa": lambda: _token(pki["direct"], access),
        "eddsa": lambda: _token(pki["ed"], access),
    }
    token = tokens[how]()
    with registry_server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        push_image(client, repo, "v1", f"token-{how}")
        assert client.get(f"/v2/{repo}/manifests/v1").status_code == 200
        assert client.get("/v2/").status_code == 200
    assert "auth.user.name=alice" in registry_server.logs()


def _invalid_tokens(pki: dict[str, Issued], name: str) -> dict[str, str]:
    access = [repo_access(name, "pull")]
    good = _token(pki["root"], access)
    header, payload, signature = good.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["access"] = [repo_access(name, "pull", "push", "delete")]
    tampered_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    stranger = pki["stranger"]
    return {
        "expired": _token(pki["root"], access, lifetime=-120),
        "not-yet-valid": _token(pki["root"], access, not_before=600),
        "wrong-audience": sign(
            claims(issuer=ISSUER, service="other-registry", access=access), pki["root"].key
        ),
        "wrong-issuer": sign(
            claims(issuer="evil", service=SERVICE, access=access), pki["root"].key
        ),
        "untrusted-key": _token(stranger, access),
        "claims-trusted-kid": _token(
            stranger, access, kid=jwk_thumbprint(pki["root"].key.public_key())
        ),
        "x5c-untrusted-chain": _token(stranger, access, chain=[stranger]),
        "x5c-leaf-without-intermediate": _token(pki["leaf"], access, chain=[pki["leaf"]]),
        "tampered": f"{header}.{tampered_payload}.{signature}",
        "no-exp": sign(
            {"iss": ISSUER, "aud": SERVICE, "sub": "alice", "access": access}, pki["root"].key
        ),
        "unknown-kid": _token(pki["root"], access, kid="NOPE:NOPE"),
        "jwk-untrusted": _token(stranger, access, jwk=_jwk(stranger)),
        "jwk-claims-trusted-kid": _token(
            stranger, access, jwk=_jwk(stranger, jwk_thumbprint(pki["root"].key.public_key()))
        ),
        "alg-none": jwt.encode(claims(issuer=ISSUER, service=SERVICE, access=access), None, "none"),
        "garbage": "not.a.jwt",
        "hmac-with-public-key": _hmac_confusion(pki["direct"], access),
    }


def _hmac_confusion(key: Issued, access: list) -> str:
    """HS256 keyed with the trusted RSA key's public PEM: the classic key-confusion attack."""
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    pem = key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = {"typ": "JWT", "alg": "HS256", "kid": jwk_thumbprint(key.key.public_key())}

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    body = claims(issuer=ISSUER, service=SERVICE, access=access)
    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(body).encode())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "wrong-issuer",
        "untrusted-key",
        "claims-trusted-kid",
        "x5c-untrusted-chain",
        "x5c-leaf-without-intermediate",
        "tampered",
        "no-exp",
        "unknown-kid",
        "jwk-untrusted",
        "jwk-claims-trusted-kid",
        "alg-none",
        "garbage",
        "hmac-with-public-key",
    ],
)
def test_invalid_tokens_are_refused(
    registry_server: DockyardServer, pki: dict[str, Issued], case: str
) -> None:
    token = _invalid_tokens(pki, "team/app")[case]
    response = _get(registry_server, "/v2/team/app/tags/list", token)
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == (
        f'{CHALLENGE},scope="repository:team/app:pull",error="invalid_token"'
    )


def test_clock_skew_leeway(registry_server: DockyardServer, pki: dict[str, Issued]) -> None:
    access = [repo_access("team/app", "pull")]
    for token in (
        _token(pki["root"], access, lifetime=-30),  # expired 30s ago: within 60s of skew
        _token(pki["root"], access, not_before=30),  # valid in 30s: within 60s of skew
    ):
        response = _get(registry_server, "/v2/team/app/tags/list", token)
        assert_error(response, 404, "NAME_UNKNOWN")


def test_insufficient_scope(registry_server: DockyardServer, pki: dict[str, Issued]) -> None:
    token = _token(pki["root"], [repo_access("team/app", "pull")])
    with registry_server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.post("/v2/team/app/blobs/uploads/")
        other = client.get("/v2/team/other/tags/list")
        catalog = client.get("/v2/_catalog")
    assert_error(response, 401, "DENIED")
    assert response.headers["www-authenticate"] == (
        f'{CHALLENGE},scope="repository:team/app:pull,push",error="insufficient_scope"'
    )
    assert_error(other, 401, "DENIED")
    assert other.headers["www-authenticate"].endswith(
        'scope="repository:team/other:pull",error="insufficient_scope"'
    )
    assert catalog.headers["www-authenticate"].endswith(
        'scope="registry:catalog:*",error="insufficient_scope"'
    )


def test_delete_needs_delete_or_star(
    registry_server: DockyardServer, pki: dict[str, Issued]
) -> None:
    digest = "sha256:" + "0" * 64
    for actions, status in ((["pull", "push"], 401), (["delete"], 404), (["*"], 404)):
        token = _token(pki["root"], [repo_access("team/app", *actions)])
        with registry_server.client(headers={"Authorization": f"Bearer {token}"}) as client:
            response = client.delete(f"/v2/team/app/manifests/{digest}")
        assert response.status_code == status, (actions, response.text)


def test_catalog_scope(registry_server: DockyardServer, pki: dict[str, Issued]) -> None:
    token = _token(pki["root"], [{"type": "registry", "name": "catalog", "actions": ["*"]}])
    response = _get(registry_server, "/v2/_catalog", token)
    assert response.status_code == 200
    assert "repositories" in response.json()


def test_resource_class_is_ignored(registry_server: DockyardServer, pki: dict[str, Issued]) -> None:
    access = [{"type": "repository(plugin)", "name": "team/app", "actions": ["pull"]}]
    response = _get(registry_server, "/v2/team/app/tags/list", _token(pki["root"], access))
    assert_error(response, 404, "NAME_UNKNOWN")


def test_cross_repository_mount_needs_pull_on_source(
    registry_server: DockyardServer, pki: dict[str, Issued], repo: str
) -> None:
    source, target = f"{repo}-src", f"{repo}-dst"
    token = _token(pki["root"], [repo_access(source, "pull", "push")])
    with registry_server.client(headers={"Authorization": f"Bearer {token}"}) as client:
        digest = push_image(client, source, "v1", "mount")["layers"][0].digest
    params = {"mount": digest, "from": source}
    push_only = _token(pki["root"], [repo_access(target, "pull", "push")])
    with registry_server.client(headers={"Authorization": f"Bearer {push_only}"}) as client:
        response = client.post(f"/v2/{target}/blobs/uploads/", params=params)
    assert response.status_code == 202  # no pull on the source: an ordinary upload instead
    both = _token(pki["root"], [repo_access(target, "pull", "push"), repo_access(source, "pull")])
    with registry_server.client(headers={"Authorization": f"Bearer {both}"}) as client:
        response = client.post(f"/v2/{target}/blobs/uploads/", params=params)
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == digest


def test_signing_algorithms_restrict(
    server_factory: Callable[..., DockyardServer], module_dir: Path, pki: dict[str, Issued]
) -> None:
    bundle = module_dir / "restricted.pem"
    bundle.write_bytes(pki["root"].cert_pem() + pki["direct"].cert_pem())
    auth = token_auth(bundle, REALM)
    auth["token"]["signingalgorithms"] = ["RS256"]
    server = server_factory(auth=auth)
    access = [repo_access("team/app", "pull")]
    ec_token = _token(pki["root"], access)  # ES256: not in the list
    rsa_token = _token(pki["direct"], access)
    assert _get(server, "/v2/team/app/tags/list", ec_token).status_code == 401
    assert _get(server, "/v2/team/app/tags/list", rsa_token).status_code == 404


def test_autoredirect_realm(
    server_factory: Callable[..., DockyardServer], module_dir: Path, pki: dict[str, Issued]
) -> None:
    bundle = module_dir / "redirect.pem"
    bundle.write_bytes(pki["root"].cert_pem())
    auth = token_auth(bundle, REALM)
    auth["token"].update(autoredirect=True, autoredirectpath="/auth/token/")
    server = server_factory(auth=auth)
    with server.client() as client:
        plain = client.get("/v2/", headers={"Host": "registry.example.com:5000"})
        forwarded = client.get(
            "/v2/", headers={"Host": "registry.example.com", "X-Forwarded-Proto": "http"}
        )
    assert plain.headers["www-authenticate"] == (
        f'Bearer realm="https://registry.example.com:5000/auth/token/",service="{SERVICE}"'
    )
    assert forwarded.headers["www-authenticate"].startswith(
        'Bearer realm="http://registry.example.com/auth/token/"'
    )


def test_token_lifetime_is_checked_now(
    registry_server: DockyardServer, pki: dict[str, Issued]
) -> None:
    # A token made two minutes in the past that expired one minute ago is refused.
    token = _token(
        pki["root"], [repo_access("team/app", "pull")], now=time.time() - 120, lifetime=0
    )
    assert _get(registry_server, "/v2/team/app/tags/list", token).status_code == 401
