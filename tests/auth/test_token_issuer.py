"""The built-in token issuer: Distribution's GET protocol, the OAuth2 POST form, refresh tokens,
the policy intersection, and the registry verifying its tokens through ``auth.token``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from auth.conftest import ISSUER, PASSWORDS, SERVICE, token_auth, write_htpasswd
from dockyard.auth import AuthConfigError, build
from dockyard.config import loader
from support.api import assert_error, push_image
from support.pki import Issued, self_signed
from support.server import DockyardServer, base_config, free_port

POLICY = {
    "groups": {"developers": ["alice", "bob"]},
    "repositories": [
        {"match": "team/**", "groups": ["developers"], "actions": ["pull", "push"]},
        {"match": "team/alice-*", "users": ["alice"], "actions": ["delete"]},
        {"match": ["public/*"], "anonymous": True, "actions": ["pull"]},
        {"match": "**", "users": ["admin"], "actions": ["*"]},
    ],
    "catalog": {"users": ["admin"]},
}


def issuer_config(
    root: Path, port: int, htpasswd: Path, signer: tuple[Issued, Path, Path], **extra: Any
) -> dict[str, Any]:
    _, cert, key = signer
    auth = token_auth(cert, realm=f"http://127.0.0.1:{port}/auth/token")
    issuer = {"signingkey": str(key), "htpasswd": str(htpasswd), **extra}
    return base_config(
        root, port, auth=auth, dockyard={"auth": {"tokenissuer": issuer, "policy": POLICY}}
    )


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    htpasswd: Path,
    signer: tuple[Issued, Path, Path],
) -> Any:
    server = DockyardServer(tmp_path_factory.mktemp("issuer"))
    server.config = issuer_config(server.root, server.port, htpasswd, signer)
    server.start()
    yield server
    server.stop()


def get_token(server: DockyardServer, *scopes: str, auth: Any = None, **params: str) -> dict:
    query = [("service", SERVICE), *(("scope", s) for s in scopes), *params.items()]
    with server.client(auth=auth) as client:
        response = client.get("/auth/token", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def access_of(token: str, signer: tuple[Issued, Path, Path]) -> list[dict[str, Any]]:
    claims = jwt.decode(
        token, signer[0].key.public_key(), algorithms=["ES256"], audience=SERVICE, issuer=ISSUER
    )
    return claims["access"]


def test_get_token_response_fields(server: DockyardServer, signer: Any) -> None:
    body = get_token(server, "repository:team/app:pull,push", auth=("alice", PASSWORDS["alice"]))
    assert body["token"] == body["access_token"]
    assert body["expires_in"] == 300
    issued = datetime.strptime(body["issued_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - issued).total_seconds()) < 60
    assert "refresh_token" not in body
    claims = jwt.decode(
        body["token"], signer[0].key.public_key(), algorithms=["ES256"], audience=SERVICE
    )
    assert claims["iss"] == ISSUER and claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["access"] == [
        {"type": "repository", "name": "team/app", "actions": ["pull", "push"]}
    ]
    assert jwt.get_unverified_header(body["token"])["kid"]


@pytest.mark.parametrize(
    ("user", "scope", "granted"),
    [
        ("alice", "repository:team/app:pull,push,delete", ["pull", "push"]),
        ("alice", "repository:team/alice-tools:delete", ["delete"]),
        ("bob", "repository:team/alice-tools:delete", []),
        ("bob", "repository:other/app:pull", []),
        ("admin", "repository:other/deep/app:pull,push,delete", ["pull", "push", "delete"]),
        (None, "repository:public/app:pull,push", ["pull"]),
        (None, "repository:public/deep/app:pull", []),
        (None, "repository:team/app:pull", []),
        ("alice", "registry:catalog:*", []),
        ("admin", "registry:catalog:*", ["*"]),
    ],
)
def test_policy_intersection(
    server: DockyardServer, signer: Any, user: str | None, scope: str, granted: list[str]
) -> None:
    auth = (user, PASSWORDS[user]) if user else None
    body = get_token(server, scope, auth=auth)
    access = access_of(body["token"], signer)
    assert [a["actions"] for a in access] == ([granted] if granted else [])


def test_several_scopes_in_one_request(server: DockyardServer, signer: Any) -> None:
    body = get_token(
        server,
        "repository:team/a:pull",
        "repository:team/b:push repository:nope/c:pull",
        auth=("bob", PASSWORDS["bob"]),
    )
    assert [(a["name"], a["actions"]) for a in access_of(body["token"], signer)] == [
        ("team/a", ["pull"]),
        ("team/b", ["push"]),
    ]


def test_bad_credentials_and_service(server: DockyardServer) -> None:
    with server.client() as client:
        bad = client.get("/auth/token", params={"service": SERVICE}, auth=("alice", "nope"))
        other = client.get("/auth/token", params={"service": "elsewhere"})
        method = client.put("/auth/token")
    assert_error(bad, 401, "UNAUTHORIZED")
    assert bad.headers["www-authenticate"] == 'Basic realm="Dockyard token issuer"'
    assert other.status_code == 400 and other.json()["error"] == "invalid_request"
    assert method.status_code == 405


def test_oauth2_password_and_refresh(server: DockyardServer, signer: Any) -> None:
    form = {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORDS["alice"],
        "service": SERVICE,
        "client_id": "tests",
        "access_type": "offline",
        "scope": "repository:team/app:pull,push repository:other/x:pull",
    }
    with server.client() as client:
        first = client.post("/auth/token", data=form)
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["scope"] == "repository:team/app:pull,push"
        refresh = body["refresh_token"]
        again = client.post(
            "/auth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "service": SERVICE,
                "client_id": "tests",
                "scope": "repository:team/other:pull",
            },
        )
        assert again.status_code == 200, again.text
        assert again.json()["refresh_token"] == refresh
        assert access_of(again.json()["access_token"], signer)[0]["name"] == "team/other"
        # A refresh token is never an access token.
        with server.client(headers={"Authorization": f"Bearer {refresh}"}) as registry:
            assert registry.get("/v2/").status_code == 401
        wrong = client.post("/auth/token", data={**form, "password": "wrong"})
        assert wrong.status_code == 401
        forged = client.post(
            "/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": "x.y.z", "service": SERVICE},
        )
        assert forged.status_code == 401
        unknown = client.post("/auth/token", data={"grant_type": "client_credentials"})
        assert unknown.status_code == 400
        assert unknown.json()["error"] == "unsupported_grant_type"


def test_get_offline_token(server: DockyardServer) -> None:
    body = get_token(server, auth=("bob", PASSWORDS["bob"]), offline_token="true")
    assert body["refresh_token"]
    anonymous = get_token(server, offline_token="true")
    assert "refresh_token" not in anonymous


def test_issued_tokens_drive_the_registry(server: DockyardServer, repo: str) -> None:
    name = f"team/{repo.split('/')[1]}"
    push = get_token(server, f"repository:{name}:pull,push", auth=("bob", PASSWORDS["bob"]))
    with server.client(headers={"Authorization": f"Bearer {push['token']}"}) as client:
        push_image(client, name, "v1", "issued")
        assert client.get(f"/v2/{name}/manifests/v1").status_code == 200
        refused = client.delete(f"/v2/{name}/manifests/v1")
    assert_error(refused, 401, "DENIED")
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    anonymous = get_token(server, f"repository:{name}:pull")
    with server.client(headers={"Authorization": f"Bearer {anonymous['token']}"}) as client:
        response = client.get(f"/v2/{name}/manifests/v1")
    assert_error(response, 401, "DENIED")


def test_registry_challenge_points_at_the_issuer(server: DockyardServer) -> None:
    with server.client() as client:
        response = client.get("/v2/")
    assert response.headers["www-authenticate"] == (
        f'Bearer realm="http://127.0.0.1:{server.port}/auth/token",service="{SERVICE}"'
    )


def _refusal(config: dict[str, Any]) -> str:
    with pytest.raises(AuthConfigError) as refusal:
        build(loader.validate(config))
    return str(refusal.value)


def test_start_up_refusals(
    tmp_path: Path, htpasswd: Path, signer: tuple[Issued, Path, Path], module_dir: Path
) -> None:
    port = free_port()
    good = issuer_config(tmp_path / "data", port, htpasswd, signer)

    no_token = {**good, "auth": {"htpasswd": {"realm": "r", "path": str(htpasswd)}}}
    assert "dockyard.auth.tokenissuer: needs auth.token" in _refusal(no_token)

    other_cert, _ = self_signed("someone else").write(module_dir / "other", "other")
    untrusted = {**good, "auth": token_auth(other_cert)}
    assert "is not trusted by auth.token" in _refusal(untrusted)

    policy_only = {**good, "auth": token_auth(signer[1]), "dockyard": {"auth": {"policy": POLICY}}}
    assert "dockyard.auth.policy: applies only with" in _refusal(policy_only)


def test_endpoint_absent_when_not_configured(client: httpx.Client) -> None:
    assert client.get("/auth/token").status_code == 404


def test_user_store_failure_answers_without_detail(
    tmp_path: Path, signer: tuple[Issued, Path, Path]
) -> None:
    users = tmp_path / "users.htpasswd"
    write_htpasswd(users, PASSWORDS)
    server = DockyardServer(tmp_path / "server")
    server.config = issuer_config(server.root, server.port, users, signer)
    server.start()
    try:
        users.unlink()
        with server.client() as client:
            response = client.get(
                "/auth/token", params={"service": SERVICE}, auth=("bob", PASSWORDS["bob"])
            )
        assert response.status_code == 400
        assert response.content == b""
        assert "token issuer failed" in server.logs()
    finally:
        server.stop()
