"""The ``redis`` section: the v2.8 keys (``addr``, ``pool``) and the go-redis options of v3."""

from __future__ import annotations

from pydantic import (
    Field,
)

from dockyard.config.durations import Duration
from dockyard.config.sections.common import Section


class RedisPool(Section):
    maxidle: int = 0
    maxactive: int = 0
    idletimeout: Duration = 0.0


class RedisTLS(Section):
    enabled: bool = False
    certificate: str = ""
    key: str = ""
    rootcas: list[str] = []


class Redis(Section):
    addr: str = ""  # 2.8
    addrs: list[str] = []  # v3
    clientname: str = ""
    db: int = Field(0, ge=0)
    protocol: int = 0
    username: str = ""
    password: str = ""
    sentinelusername: str = ""
    sentinelpassword: str = ""
    mastername: str = ""
    maxretries: int = 0
    minretrybackoff: Duration = 0.0
    maxretrybackoff: Duration = 0.0
    dialtimeout: Duration = 0.0
    readtimeout: Duration = 0.0
    writetimeout: Duration = 0.0
    contexttimeoutenabled: bool = False
    poolfifo: bool = False
    poolsize: int = 0
    pooltimeout: Duration = 0.0
    minidleconns: int = 0
    maxidleconns: int = 0
    maxactiveconns: int = 0
    connmaxidletime: Duration = 0.0
    connmaxlifetime: Duration = 0.0
    maxredirects: int = 0
    readonly: bool = False
    routebylatency: bool = False
    routerandomly: bool = False
    disableidentity: bool = False
    identitysuffix: str = ""
    unstableresp3: bool = False
    pool: RedisPool = RedisPool()  # 2.8
    tls: RedisTLS = RedisTLS()

    @property
    def addresses(self) -> list[str]:
        return self.addrs or ([self.addr] if self.addr else [])
