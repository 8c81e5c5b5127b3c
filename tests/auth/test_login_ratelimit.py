"""Failed logins are throttled per client address: 429 TOOMANYREQUESTS with Retry-After, even
for the right password while throttled, on the registry (Basic) and on the token issuer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auth.conftest import PASSWORDS, SERVICE, token_auth
from dockyard.auth.ratelimit import LoginLimiter
from support.api import assert_error
from support.pki import Issued
from support.server import DockyardServer

LIMIT = {"failures": 3, "interval": "1h"}


def test_limiter_bucket() -> None:
    limiter = LoginLimiter(failures=2, interval=10.0)
    assert limiter.retry_after("a") == 0
    limiter.failed("a")
    assert limiter.retry_after("a") == 0
    limiter.failed("a")
    assert 1 <= limiter.retry_after("a") <= 10
    assert limiter.retry_after("b") == 0
    disabled = LoginLimiter(failures=1, interval=10.0, enabled=False)
    disabled.failed("a")
    disabled.failed("a")
    assert disabled.retry_after("a") == 0


def _exhaust(client, path: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    for _ in range(LIMIT["failures"]):
        assert client.get(path, auth=("alice", "wrong"), **kwargs).status_code == 401


def test_basic_logins_are_throttled(
    server_factory: Callable[..., DockyardServer], htpasswd: Path
) -> None:
    server = server_factory(
        auth={"htpasswd": {"realm": "r", "path": str(htpasswd)}},
        dockyard={"auth": {"loginlimit": LIMIT}},
    )
    with server.client() as client:
        assert client.get("/v2/", auth=("alice", PASSWORDS["alice"])).status_code == 200
        _exhaust(client, "/v2/")
        throttled = client.get("/v2/", auth=("alice", "wrong"))
        right = client.get("/v2/", auth=("alice", PASSWORDS["alice"]))
        anonymous = client.get("/v2/")
    for response in (throttled, right):
        assert_error(response, 429, "TOOMANYREQUESTS")
        assert 1 <= int(response.headers["retry-after"]) <= 3600
    assert anonymous.status_code == 401  # no login attempted: a challenge, as always


def test_issuer_logins_are_throttled(
    server_factory: Callable[..., DockyardServer],
    htpasswd: Path,
    signer: tuple[Issued, Path, Path],
) -> None:
    _, cert, key = signer
    server = server_factory(
        auth=token_auth(cert),
        dockyard={
            "auth": {
                "tokenissuer": {"signingkey": str(key), "htpasswd": str(htpasswd)},
                "loginlimit": LIMIT,
            }
        },
    )
    params = {"service": SERVICE}
    with server.client() as client:
        _exhaust(client, "/auth/token", params=params)
        response = client.get("/auth/token", params=params, auth=("bob", PASSWORDS["bob"]))
        form = client.post(
            "/auth/token",
            data={"grant_type": "password", "username": "bob", "password": PASSWORDS["bob"]},
        )
        anonymous = client.get("/auth/token", params=params)
    for refused in (response, form):
        assert_error(refused, 429, "TOOMANYREQUESTS")
        assert int(refused.headers["retry-after"]) >= 1
    assert anonymous.status_code == 200


def test_limit_can_be_disabled(
    server_factory: Callable[..., DockyardServer], htpasswd: Path
) -> None:
    server = server_factory(
        auth={"htpasswd": {"realm": "r", "path": str(htpasswd)}},
        dockyard={"auth": {"loginlimit": {**LIMIT, "disabled": True}}},
    )
    with server.client() as client:
        _exhaust(client, "/v2/")
        _exhaust(client, "/v2/")
        assert client.get("/v2/", auth=("alice", PASSWORDS["alice"])).status_code == 200
