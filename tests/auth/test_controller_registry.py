"""Third-party access controllers: found by name through the ``dockyard.auth`` entry points
(a real distribution on the server's path), or registered in code."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from dockyard.auth import controller
from dockyard.auth.controller import AuthConfigError, AuthEnvironment, create, register
from dockyard.auth.ratelimit import LoginLimiter
from support.api import assert_error
from support.server import DockyardServer

PLUGIN = '''
"""A third-party controller: the user named by a header, refused when it is "mallory"."""
from dockyard.auth.access import Grant
from dockyard.auth.controller import Challenge, Denied


class HeaderController:
    def __init__(self, options, env):
        self.header = options.get("header", "x-user")

    async def authorized(self, request, access):
        user = request.header(self.header)
        if not user:
            raise Challenge("who are you?", 'Header realm="plugin"')
        if user == "mallory" and access:
            raise Denied("not you")
        return Grant(user)
'''


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "headerauth.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "headerauth-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: headerauth\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[dockyard.auth]\nheader = headerauth:HeaderController\n"
    )
    return site


def test_entry_point_controller_in_a_real_server(
    make_server: Callable[..., DockyardServer], plugin_path: Path
) -> None:
    server = make_server(
        env={"PYTHONPATH": str(plugin_path)}, auth={"header": {"header": "x-remote-user"}}
    )
    with server.client() as client:
        anonymous = client.get("/v2/")
        known = client.get("/v2/", headers={"X-Remote-User": "carol"})
        refused = client.get("/v2/x/tags/list", headers={"X-Remote-User": "mallory"})
    assert_error(anonymous, 401, "UNAUTHORIZED")
    assert anonymous.headers["www-authenticate"] == 'Header realm="plugin"'
    assert known.status_code == 200
    assert_error(refused, 403, "DENIED")
    assert "auth.user.name=carol" in server.logs()


def test_register_in_code() -> None:
    env = AuthEnvironment(None, LoginLimiter(1, 1.0))
    made: list[dict] = []

    def factory(options, env):  # type: ignore[no-untyped-def]
        made.append(dict(options))
        return object()

    register("in-code-test", factory)
    try:
        create("in-code-test", {"a": 1}, env)
        assert made == [{"a": 1}]
        with pytest.raises(ValueError):
            register("in-code-test", factory)
        with pytest.raises(AuthConfigError, match="no access controller named 'absent'"):
            create("absent", {}, env)
    finally:
        controller._registered.pop("in-code-test", None)
