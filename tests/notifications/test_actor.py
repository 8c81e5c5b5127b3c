"""The notification actor is the authenticated user, as in Distribution's event bridge."""

from __future__ import annotations

from pathlib import Path

from support.api import push_blob
from support.htpasswd import write_htpasswd
from support.server import DockyardServer
from support.webhook import Receiver, endpoint, matching, notifying_server


def test_actor_is_the_htpasswd_user(receiver: Receiver, tmp_path: Path, repo: str) -> None:
    users = write_htpasswd(tmp_path / "htpasswd", {"carol": "carol-secret"})
    server: DockyardServer = notifying_server(
        tmp_path / "server",
        [endpoint(receiver)],
        auth={"htpasswd": {"realm": "test", "path": str(users)}},
    )
    server.start()
    try:
        with server.client(auth=("carol", "carol-secret")) as client:
            digest = push_blob(client, repo, b"actor test blob")
        events = receiver.wait_for(lambda ev: len(matching(ev, repo)) >= 1, what="a push event")
        push = matching(events, repo)[0]
        assert push["action"] == "push"
        assert push["target"]["digest"] == digest
        assert push["actor"] == {"name": "carol"}
    finally:
        server.stop()
