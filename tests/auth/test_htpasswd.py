"""``auth.htpasswd``: the Basic challenge, bcrypt checks, reloads, start-up refusals, logs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auth.conftest import PASSWORDS, write_htpasswd
from dockyard.auth import AuthConfigError, build
from dockyard.config import loader
from support.api import assert_error, push_image
from support.server import DockyardServer, base_config, free_port, wait_until
from support.startup import refused

REALM = 'Dockyard "test" realm'


@pytest.fixture(scope="module")
def users_file(module_dir: Path) -> Path:
    return write_htpasswd(module_dir / "users.htpasswd", PASSWORDS)


@pytest.fixture(scope="module")
def basic(server_factory: Callable[..., DockyardServer], users_file: Path) -> DockyardServer:
    return server_factory(auth={"htpasswd": {"realm": REALM, "path": str(users_file)}})


def test_challenge_is_distributions_basic_challenge(basic: DockyardServer) -> None:
    with basic.client() as client:
        response = client.get("/v2/")
    assert_error(response, 401, "UNAUTHORIZED")
    # Go's %q: the quotes inside the realm are escaped.
    assert response.headers["www-authenticate"] == 'Basic realm="Dockyard \\"test\\" realm"'


def test_valid_credentials_reach_the_api(basic: DockyardServer, repo: str) -> None:
    with basic.client(auth=("alice", PASSWORDS["alice"])) as client:
        assert client.get("/v2/").json() == {}
        img = push_image(client, repo, "v1", "htpasswd")
        response = client.get(f"/v2/{repo}/manifests/v1")
    assert response.status_code == 200
    assert response.headers["docker-content-digest"] == img["digest"]
    assert "auth.user.name=alice" in basic.logs()


@pytest.mark.parametrize(
    "auth", [("alice", "wrong"), ("nobody", "alice-secret-1"), ("", ""), ("alice", "")]
)
def test_bad_credentials_are_challenged(basic: DockyardServer, auth: tuple[str, str]) -> None:
    with basic.client(auth=auth) as client:
        response = client.get("/v2/team/app/manifests/latest")
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == 'Basic realm="Dockyard \\"test\\" realm"'


@pytest.mark.parametrize("header", ["Basic !!!notbase64", "Basic " + "YWxpY2U=", "Bearer abc"])
def test_malformed_authorization_is_challenged(basic: DockyardServer, header: str) -> None:
    with basic.client(headers={"Authorization": header}) as client:
        response = client.get("/v2/")
    assert_error(response, 401, "UNAUTHORIZED")


def test_existence_is_not_revealed_without_credentials(basic: DockyardServer, repo: str) -> None:
    with basic.client(auth=("alice", PASSWORDS["alice"])) as client:
        push_image(client, repo, "v1", "hidden")
    with basic.client() as client:
        present = client.get(f"/v2/{repo}/manifests/v1")
        absent = client.get(f"/v2/{repo}-absent/manifests/v1")
    assert present.status_code == absent.status_code == 401
    assert present.headers["www-authenticate"] == absent.headers["www-authenticate"]


def test_passwords_never_reach_the_log(basic: DockyardServer) -> None:
    with basic.client(auth=("alice", "a-guess-that-must-not-be-logged")) as client:
        client.get("/v2/")
    with basic.client(auth=("bob", PASSWORDS["bob"])) as client:
        client.get("/v2/")
    logs = basic.logs()
    assert "a-guess-that-must-not-be-logged" not in logs
    assert PASSWORDS["bob"] not in logs
    assert "Authorization" not in logs and "Basic " not in logs


def test_file_is_reread_when_it_changes(
    server_factory: Callable[..., DockyardServer], module_dir: Path
) -> None:
    path = write_htpasswd(module_dir / "changing.htpasswd", {"alice": "first"})
    server = server_factory(auth={"htpasswd": {"realm": "r", "path": str(path)}})
    with server.client() as client:
        assert client.get("/v2/", auth=("carol", "third")).status_code == 401
        write_htpasswd(path, {"alice": "second", "carol": "third"})
        wait_until(
            lambda: client.get("/v2/", auth=("carol", "third")).status_code == 200,
            what="the new user to be accepted",
        )
        assert client.get("/v2/", auth=("alice", "first")).status_code == 401
        assert client.get("/v2/", auth=("alice", "second")).status_code == 200
        # A broken rewrite keeps the previous users (and says so in the log).
        path.write_text("alice:{SHA}not-bcrypt\n")
        wait_until(
            lambda: (
                client.get("/v2/", auth=("carol", "third")).status_code == 200
                and "keeping the previous users" in server.logs()
            ),
            what="the broken file to be noticed",
        )


def test_backend_failure_answers_without_detail(
    server_factory: Callable[..., DockyardServer], module_dir: Path
) -> None:
    path = write_htpasswd(module_dir / "vanishing.htpasswd", {"alice": "pw"})
    server = server_factory(auth={"htpasswd": {"realm": "r", "path": str(path)}})
    path.unlink()
    with server.client(auth=("alice", "pw")) as client:
        response = client.get("/v2/team/app/tags/list")
    assert response.status_code == 400
    assert response.content == b""
    assert "error checking authorization" in server.logs()
    assert "pw" not in response.text


def _start_fails(tmp_path: Path, auth: dict) -> str:
    """The start-up line, checked in-process (one subprocess test proves the wiring)."""
    config = loader.validate(base_config(tmp_path / "data", free_port(), auth=auth))
    with pytest.raises(AuthConfigError) as refusal:
        build(config)
    return f"dockyard: {refusal.value}"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("bob:$apr1$abcdefgh$0123456789012345678901", "does not have a bcrypt hash"),
        ("bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "does not have a bcrypt hash"),
        ("bob:plaintext", "does not have a bcrypt hash"),
        ("no-colon-here", "not a user:hash entry"),
    ],
)
def test_non_bcrypt_entries_are_refused_at_start(tmp_path: Path, entry: str, reason: str) -> None:
    path = write_htpasswd(tmp_path / "htpasswd", {"alice": "pw"})
    path.write_text(path.read_text() + entry + "\n")
    line = _start_fails(tmp_path, {"htpasswd": {"realm": "r", "path": str(path)}})
    assert line.startswith("dockyard: auth.htpasswd: ")
    assert reason in line and "line 2" in line


def test_missing_file_is_refused_at_start(tmp_path: Path) -> None:
    missing = tmp_path / "absent.htpasswd"
    auth = {"htpasswd": {"realm": "r", "path": str(missing)}}
    line = refused(tmp_path, base_config(tmp_path / "data", free_port(), auth=auth))
    assert line == f"dockyard: auth.htpasswd: {missing}: htpasswd file not found"


def test_unknown_controller_is_refused_at_start(tmp_path: Path) -> None:
    line = _start_fails(tmp_path, {"ldap": {"url": "ldap://x"}})
    assert line.startswith("dockyard: auth.ldap: no access controller named 'ldap'")
