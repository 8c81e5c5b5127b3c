"""log.hooks: the mail hook delivers to a real local SMTP server (aiosmtpd) started here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from support.api import push_blob
from support.server import DockyardServer, free_port, wait_until
from support.webhook import Receiver, endpoint


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Any, Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_mail_hook_sends_errors(
    make_server: Callable[..., DockyardServer], smtp: tuple[Inbox, int], repo: str
) -> None:
    inbox, port = smtp
    dead = Receiver()  # never started: delivering to it logs an error
    hook = {
        "type": "mail",
        "levels": ["error"],
        "options": {
            "smtp": {"addr": f"127.0.0.1:{port}", "insecure": True},
            "from": "registry@example.test",
            "to": ["ops@example.test", "oncall@example.test"],
        },
    }
    server = make_server(
        log__hooks=[hook], notifications={"endpoints": [endpoint(dead, "deadhook")]}
    )
    with server.client() as client:
        push_blob(client, repo, b"mail me")
    wait_until(lambda: inbox.messages, 20, what="an e-mail")
    envelope, message = inbox.messages[0]
    assert envelope.mail_from == "registry@example.test"
    assert envelope.rcpt_tos == ["ops@example.test", "oncall@example.test"]
    assert message["Subject"].startswith("[error] 127.0.0.1: notification endpoint deadhook")
    assert "deadhook" in message.get_payload(decode=True).decode()
    assert all(m["Subject"].startswith("[error]") for _, m in inbox.messages)


def test_unknown_hook_type_stops_startup(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(start=False, log__hooks=[{"type": "pager", "levels": ["error"]}])
    server.start(wait=False)
    assert server.process is not None
    assert server.process.wait(60) == 2
    assert "log.hooks: unknown hook type 'pager'" in server.logs()
