"""Every request → access-record mapping, seen through ``auth.silly``'s challenge (one scope
entry per record, exactly as Distribution's silly controller lists them), and the 401 body."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dockyard.api import routes
from dockyard.auth.access import Access, request_records, scope_param
from support.api import assert_error
from support.server import DockyardServer

DIGEST = "sha256:" + "a" * 64
PUSH = "repository:team/app:pull repository:team/app:push"
REALM, SERVICE = "silly-realm", "silly-service"


@pytest.fixture(scope="module")
def silly(server_factory: Callable[..., DockyardServer]) -> DockyardServer:
    return server_factory(auth={"silly": {"realm": REALM, "service": SERVICE}})


def _challenge(scope: str = "") -> str:
    value = f'Bearer realm="{REALM}",service="{SERVICE}"'
    return f'{value},scope="{scope}"' if scope else value


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/v2/", ""),
        ("HEAD", "/v2/", ""),
        ("GET", "/v2/_catalog", "registry:catalog:*"),
        ("GET", "/v2/team/app/tags/list", "repository:team/app:pull"),
        ("GET", "/v2/team/app/manifests/latest", "repository:team/app:pull"),
        ("HEAD", "/v2/team/app/manifests/latest", "repository:team/app:pull"),
        ("PUT", "/v2/team/app/manifests/latest", PUSH),
        ("DELETE", f"/v2/team/app/manifests/{DIGEST}", "repository:team/app:delete"),
        ("GET", f"/v2/team/app/blobs/{DIGEST}", "repository:team/app:pull"),
        ("HEAD", f"/v2/team/app/blobs/{DIGEST}", "repository:team/app:pull"),
        ("DELETE", f"/v2/team/app/blobs/{DIGEST}", "repository:team/app:delete"),
        ("POST", "/v2/team/app/blobs/uploads/", PUSH),
        ("GET", "/v2/team/app/blobs/uploads/some-id", "repository:team/app:pull"),
        ("PATCH", "/v2/team/app/blobs/uploads/some-id", PUSH),
        ("PUT", "/v2/team/app/blobs/uploads/some-id", PUSH),
        ("DELETE", "/v2/team/app/blobs/uploads/some-id", "repository:team/app:delete"),
        ("GET", f"/v2/team/app/referrers/{DIGEST}", "repository:team/app:pull"),
    ],
)
def test_request_needs_records(silly: DockyardServer, method: str, path: str, scope: str) -> None:
    with silly.client() as client:
        response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == _challenge(scope)
    if method != "HEAD":
        entry = assert_error(response, 401, "UNAUTHORIZED")
        parts = [s.split(":") for s in scope.split()]
        expected = [{"Type": t, "Class": "", "Name": n, "Action": a} for t, n, a in parts]
        assert entry.get("detail", []) == expected


def test_any_authorization_header_passes_as_user_silly(silly: DockyardServer) -> None:
    with silly.client(headers={"Authorization": "anything"}) as client:
        assert client.get("/v2/").status_code == 200
        response = client.get("/v2/nothing/here/tags/list")
    assert_error(response, 404, "NAME_UNKNOWN")  # past the gate: only now does existence show
    assert "auth.user.name=silly" in silly.logs()


def test_invalid_name_is_rejected_before_auth(silly: DockyardServer) -> None:
    with silly.client() as client:
        response = client.get("/v2/Bad_Name/tags/list")
    assert_error(response, 400, "NAME_INVALID")


@pytest.mark.parametrize(
    ("method", "actions"),
    [
        ("GET", ["pull"]),
        ("HEAD", ["pull"]),
        ("POST", ["pull", "push"]),
        ("PUT", ["pull", "push"]),
        ("PATCH", ["pull", "push"]),
        ("DELETE", ["delete"]),
    ],
)
def test_repository_mapping(method: str, actions: list[str]) -> None:
    records = request_records(routes.MANIFEST, method, "a/b")
    assert records == [Access.repository("a/b", action) for action in actions]
    assert scope_param(records) == f"repository:a/b:{','.join(actions)}"


def test_base_and_catalog_mapping() -> None:
    assert request_records(routes.BASE, "GET", "") == []
    assert scope_param(request_records(routes.CATALOG, "GET", "")) == "registry:catalog:*"
    with pytest.raises(ValueError):
        request_records(routes.MANIFEST, "GET", "")
