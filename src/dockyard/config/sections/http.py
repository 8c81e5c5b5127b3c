"""The ``http`` section: listener, URLs, TLS, debug server, headers, HTTP/2."""

from __future__ import annotations

from typing import Literal

from dockyard.config.durations import Duration
from dockyard.config.sections.common import Enabled, HeaderMap, Section

CLIENT_AUTH_MODES = (
    "request-client-cert",
    "require-any-client-cert",
    "verify-client-cert-if-given",
    "require-and-verify-client-cert",
)


class LetsEncrypt(Section):
    cachefile: str = ""
    email: str = ""
    hosts: list[str] = []
    directoryurl: str = ""


class TLS(Section):
    certificate: str = ""
    key: str = ""
    clientcas: list[str] = []
    clientauth: Literal[
        "",
        "request-client-cert",
        "require-any-client-cert",
        "verify-client-cert-if-given",
        "require-and-verify-client-cert",
    ] = ""
    minimumtls: Literal["", "tls1.0", "tls1.1", "tls1.2", "tls1.3"] = ""
    ciphersuites: list[str] = []
    letsencrypt: LetsEncrypt = LetsEncrypt()


class Prometheus(Section):
    enabled: bool = False
    path: str = "/metrics"


class Debug(Section):
    addr: str = ""
    prometheus: Prometheus = Prometheus()


class HTTP2(Section):
    disabled: bool = False


class HTTP(Section):
    addr: str = ":5000"
    net: Literal["", "tcp", "unix"] = ""
    host: str = ""
    prefix: str = ""
    secret: str = ""
    relativeurls: bool = False
    draintimeout: Duration = 0.0
    tls: TLS = TLS()
    headers: HeaderMap = {}
    debug: Debug = Debug()
    http2: HTTP2 = HTTP2()
    h2c: Enabled = Enabled()
