"""Real clients against access control: ``skopeo login`` / ``skopeo copy`` with htpasswd, and
skopeo through the Bearer token dance with the built-in issuer and its policy."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from auth.conftest import PASSWORDS
from auth.test_token_issuer import POLICY, issuer_config
from support.images import image, write_layout
from support.pki import Issued
from support.server import DockyardServer

pytestmark = [
    pytest.mark.clients,
    pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed"),
]


def skopeo(workdir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    policy = workdir / "policy.json"
    if not policy.exists():
        policy.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
    return subprocess.run(
        ["skopeo", "--policy", str(policy), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def layout(workdir: Path, seed: str) -> str:
    path = workdir / f"layout-{seed}"
    write_layout(path, [image(seed)])
    return f"oci:{path}:latest"


def copy(workdir: Path, src: str, dst: str, *flags: str) -> subprocess.CompletedProcess:
    return skopeo(
        workdir,
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        *flags,
        src,
        dst,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def test_skopeo_login_and_copy_with_htpasswd(
    server_factory: Callable[..., DockyardServer], htpasswd: Path, workdir: Path
) -> None:
    server = server_factory(auth={"htpasswd": {"realm": "skopeo", "path": str(htpasswd)}})
    authfile = workdir / "auth.json"

    def log_in(password: str) -> subprocess.CompletedProcess[str]:
        return skopeo(
            workdir,
            *("login", "--tls-verify=false", "--authfile", str(authfile)),
            *("-u", "alice", "--password-stdin", server.host),
            stdin=password + "\n",
        )

    bad = log_in("wrong")
    assert bad.returncode != 0
    assert "unauthorized" in bad.stderr.lower() or "invalid username" in bad.stderr.lower()
    login = log_in(PASSWORDS["alice"])
    assert login.returncode == 0, login.stderr
    assert "Login Succeeded" in login.stdout
    target = f"docker://{server.host}/team/htpasswd:v1"
    pushed = copy(workdir, layout(workdir, "login"), target, "--authfile", str(authfile))
    assert pushed.returncode == 0, pushed.stderr
    creds = f"bob:{PASSWORDS['bob']}"
    pulled = copy(workdir, target, f"oci:{workdir / 'out'}:v1", "--src-creds", creds)
    assert pulled.returncode == 0, pulled.stderr
    anonymous = copy(workdir, target, f"oci:{workdir / 'anon'}:v1")
    assert anonymous.returncode != 0
    assert "unauthorized" in anonymous.stderr.lower() or "authentication" in anonymous.stderr
    assert PASSWORDS["alice"] not in server.logs()


@pytest.fixture(scope="module")
def issuing(
    tmp_path_factory: pytest.TempPathFactory,
    htpasswd: Path,
    signer: tuple[Issued, Path, Path],
) -> DockyardServer:
    server = DockyardServer(tmp_path_factory.mktemp("issuing"))
    server.config = issuer_config(server.root, server.port, htpasswd, signer)
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


def test_skopeo_bearer_flow_with_the_builtin_issuer(issuing: DockyardServer, workdir: Path) -> None:
    target = f"docker://{issuing.host}/team/bearer:v1"
    creds = f"alice:{PASSWORDS['alice']}"
    pushed = copy(workdir, layout(workdir, "bearer"), target, "--dest-creds", creds)
    assert pushed.returncode == 0, pushed.stderr
    pulled = copy(workdir, target, f"oci:{workdir / 'out'}:v1", "--src-creds", creds)
    assert pulled.returncode == 0, pulled.stderr
    tags = skopeo(workdir, "list-tags", "--tls-verify=false", "--creds", creds, target[:-3])
    assert tags.returncode == 0, tags.stderr
    assert json.loads(tags.stdout)["Tags"] == ["v1"]
    assert "auth.user.name=alice" in issuing.logs()


def test_push_the_policy_forbids_is_denied(issuing: DockyardServer, workdir: Path) -> None:
    creds = f"alice:{PASSWORDS['alice']}"
    refused = copy(
        workdir,
        layout(workdir, "forbidden"),
        f"docker://{issuing.host}/other/forbidden:v1",
        "--dest-creds",
        creds,
    )
    assert refused.returncode != 0
    assert "denied" in refused.stderr.lower(), refused.stderr


def test_anonymous_pull_where_the_policy_allows(issuing: DockyardServer, workdir: Path) -> None:
    target = f"docker://{issuing.host}/public/anon:v1"
    admin = f"admin:{PASSWORDS['admin']}"
    pushed = copy(workdir, layout(workdir, "anonymous"), target, "--dest-creds", admin)
    assert pushed.returncode == 0, pushed.stderr
    pulled = copy(workdir, target, f"oci:{workdir / 'anon'}:v1")
    assert pulled.returncode == 0, pulled.stderr
    anonymous_push = copy(workdir, layout(workdir, "anon-push"), target)
    assert anonymous_push.returncode != 0
    assert POLICY["repositories"]  # the same policy the issuer tests use
