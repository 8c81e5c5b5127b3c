"""The access policy: glob semantics, and enforced with ``auth.htpasswd`` (403 DENIED for a known
user, 401 for anonymous clients, anonymous pull where a rule allows it, catalog access)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auth.conftest import PASSWORDS
from dockyard.auth.access import CATALOG_ACCESS, Access
from dockyard.auth.policy import AccessPolicy, compile_glob
from dockyard.config.access import Policy
from support.api import assert_error, push_image
from support.server import DockyardServer

POLICY = {
    "groups": {"developers": ["alice", "bob"], "ops": ["admin"]},
    "repositories": [
        {"match": "team/**", "groups": ["developers"], "actions": ["pull", "push"]},
        {"match": "team/b?b-*", "users": ["bob"], "actions": ["delete"]},
        {"match": "public/*", "anonymous": True, "actions": ["pull"]},
        {"match": "public/*", "users": ["*"], "actions": ["pull", "push"]},
        {"match": "**", "groups": ["ops"], "actions": ["*"]},
    ],
    "catalog": {"groups": ["ops"]},
}


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("team/*", "team/app", True),
        ("team/*", "team/deep/app", False),
        ("team/**", "team/deep/app", True),
        ("team/**", "team/app", True),
        ("team/**", "teamster/app", False),
        ("**/app", "a/b/app", True),
        ("**/app", "a/b/apple", False),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("lib.x", "libyx", False),
        ("*", "app", True),
        ("*", "team/app", False),
        ("**", "any/thing/at/all", True),
    ],
)
def test_glob(pattern: str, name: str, matches: bool) -> None:
    assert bool(compile_glob(pattern).match(name)) is matches


@pytest.mark.parametrize(
    ("user", "name", "actions"),
    [
        ("alice", "team/app", {"pull", "push"}),
        ("bob", "team/bob-tools", {"pull", "push", "delete"}),
        ("alice", "team/bob-tools", {"pull", "push"}),
        ("carol", "team/app", set()),
        ("carol", "public/app", {"pull", "push"}),
        (None, "public/app", {"pull"}),
        (None, "public/deep/app", set()),
        (None, "team/app", set()),
        ("admin", "anything/at/all", {"pull", "push", "delete"}),
    ],
)
def test_policy_actions(user: str | None, name: str, actions: set[str]) -> None:
    policy = AccessPolicy(Policy.model_validate(POLICY))
    assert policy.repository_actions(user, name) == actions
    assert policy.allows(user, Access.repository(name, "*")) is (len(actions) == 3)


def test_catalog_rule() -> None:
    policy = AccessPolicy(Policy.model_validate(POLICY))
    assert policy.allows("admin", CATALOG_ACCESS)
    assert not policy.allows("alice", CATALOG_ACCESS)
    assert not policy.allows(None, CATALOG_ACCESS)


@pytest.fixture(scope="module")
def guarded(server_factory: Callable[..., DockyardServer], htpasswd: Path) -> DockyardServer:
    return server_factory(
        auth={"htpasswd": {"realm": "policy", "path": str(htpasswd)}},
        dockyard={"auth": {"policy": POLICY}},
    )


def _client(server: DockyardServer, user: str | None):  # type: ignore[no-untyped-def]
    return server.client(auth=(user, PASSWORDS[user]) if user else None)


def test_policy_allows_and_denies_with_htpasswd(guarded: DockyardServer, repo: str) -> None:
    name = f"team/{repo.split('/')[1]}"
    with _client(guarded, "alice") as alice:
        push_image(alice, name, "v1", "policy")
        assert alice.get(f"/v2/{name}/manifests/v1").status_code == 200
        denied = alice.delete(f"/v2/{name}/manifests/v1")
        outside = alice.post(f"/v2/other/{repo.split('/')[1]}/blobs/uploads/")
        catalog = alice.get("/v2/_catalog")
    for response in (denied, outside, catalog):
        assert_error(response, 403, "DENIED")
        assert "www-authenticate" not in response.headers
    with _client(guarded, "admin") as admin:
        assert admin.get("/v2/_catalog").status_code == 200
    assert "auth.user.name=alice" in guarded.logs()


def test_denial_does_not_reveal_existence(guarded: DockyardServer, repo: str) -> None:
    name = f"team/{repo.split('/')[1]}"
    with _client(guarded, "bob") as bob:
        push_image(bob, name, "v1", "secret")
    with guarded.client(auth=("carol-not-a-user", "x")) as stranger:
        assert stranger.get(f"/v2/{name}/tags/list").status_code == 401
    with _client(guarded, "alice") as alice:
        # alice may not delete in team/: the refusal is the same whether the manifest exists.
        present = alice.delete(f"/v2/{name}/manifests/v1")
        absent = alice.delete(f"/v2/{name}-absent/manifests/v1")
    assert present.status_code == absent.status_code == 403
    assert present.json() == absent.json()


def test_anonymous_pull_where_allowed(guarded: DockyardServer, repo: str) -> None:
    name = f"public/{repo.split('/')[1]}"
    with _client(guarded, "bob") as bob:
        push_image(bob, name, "v1", "public")
    with guarded.client() as anonymous:
        assert anonymous.get(f"/v2/{name}/manifests/v1").status_code == 200
        assert anonymous.get(f"/v2/{name}/tags/list").json()["tags"] == ["v1"]
        push = anonymous.post(f"/v2/{name}/blobs/uploads/")
        private = anonymous.get("/v2/team/app/tags/list")
        base = anonymous.get("/v2/")
    for response in (push, private, base):
        assert_error(response, 401, "UNAUTHORIZED")
        assert response.headers["www-authenticate"] == 'Basic realm="policy"'
