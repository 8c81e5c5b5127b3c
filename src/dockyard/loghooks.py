"""``log.hooks``: the ``mail`` hook sends an e-mail for every log record at one of its ``levels``.

As in Distribution the subject is ``[<level>] <smtp host>: <message>`` and the body the message
and its fields. Mail goes out from a background thread through a bounded queue, so a slow or
dead SMTP server never holds up the code that logged (records beyond the bound are dropped).
STARTTLS is used when the server offers it (certificate checked unless ``insecure``); like Go's
``PlainAuth``, credentials are only sent over TLS or to localhost.
"""

from __future__ import annotations

import logging
import queue
import smtplib
import ssl
import sys
import threading
from email.message import EmailMessage

from dockyard.config.sections.log import LogHook

LEVELS = {
    "panic": logging.CRITICAL,
    "fatal": logging.CRITICAL,
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}
_NAMES = {
    logging.CRITICAL: "fatal",
    logging.ERROR: "error",
    logging.WARNING: "warning",
    logging.INFO: "info",
    logging.DEBUG: "debug",
}
QUEUE_SIZE = 100
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class HookConfigError(Exception):
    """A hook that cannot work as configured; reported at start-up."""


class MailHandler(logging.Handler):
    def __init__(self, hook: LogHook) -> None:
        super().__init__(logging.DEBUG)
        self.host, self.port, self.levels = _validate(hook)
        self.hook = hook
        self._queue: queue.Queue[EmailMessage | None] = queue.Queue(QUEUE_SIZE)
        self._thread = threading.Thread(target=self._run, name="mail-hook", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno not in self.levels or record.name == __name__:
            return
        try:
            message = self._message(record)
            self._queue.put_nowait(message)
        except queue.Full:
            pass
        except Exception:
            self.handleError(record)

    def _message(self, record: logging.LogRecord) -> EmailMessage:
        options = self.hook.options
        text = record.getMessage()
        level = _NAMES.get(record.levelno, record.levelname.lower())
        fields = [
            f"{key}: {value}" for key, value in record.__dict__.items() if key not in _RESERVED
        ]
        msg = EmailMessage()
        msg["To"] = ", ".join(options.to)
        msg["From"] = options.from_
        msg["Subject"] = f"[{level}] {self.host}: {text}"[:900].replace("\n", " ")
        msg.set_content("\n".join([text, "", *fields]) + "\n")
        return msg

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            try:
                self._send(message)
            except (OSError, smtplib.SMTPException) as exc:
                print(f"dockyard: mail hook: cannot send to {self.host}: {exc}", file=sys.stderr)

    def _send(self, message: EmailMessage) -> None:
        smtp = self.hook.options.smtp
        with smtplib.SMTP(self.host, self.port, timeout=10) as client:
            client.ehlo()
            secure = False
            if client.has_extn("starttls"):
                context = ssl.create_default_context()
                if smtp.insecure:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                client.starttls(context=context)
                client.ehlo()
                secure = True
            if smtp.username:
                if not secure and self.host not in ("localhost", "127.0.0.1", "::1"):
                    raise smtplib.SMTPException("refusing to send credentials without TLS")
                client.login(smtp.username, smtp.password)
            client.send_message(message)

    def close(self) -> None:
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        super().close()


def install(hooks: list[LogHook]) -> None:
    """Attach the configured hooks to the root logger (replacing earlier ones)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, MailHandler):
            root.removeHandler(handler)
            handler.close()
    for hook in hooks:
        if not hook.disabled:
            root.addHandler(MailHandler(hook))


def _validate(hook: LogHook) -> tuple[str, int, frozenset[int]]:
    if hook.type != "mail":
        raise HookConfigError(f"log.hooks: unknown hook type {hook.type!r} (known: mail)")
    smtp = hook.options.smtp
    host, sep, port = smtp.addr.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise HookConfigError(f"log.hooks: mail: smtp.addr {smtp.addr!r} is not host:port")
    if not hook.options.to:
        raise HookConfigError("log.hooks: mail: no recipients (options.to)")
    unknown = [lv for lv in hook.levels if lv.lower() not in LEVELS]
    if unknown:
        raise HookConfigError(f"log.hooks: mail: unknown levels {unknown}")
    return host, int(port), frozenset(LEVELS[lv.lower()] for lv in hook.levels)


def check(hooks: list[LogHook]) -> None:
    """Refuse, before start-up, hooks that :func:`install` cannot build."""
    for hook in hooks:
        if not hook.disabled:
            _validate(hook)
