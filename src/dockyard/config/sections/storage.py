"""The ``storage`` section: one driver and its parameters, plus delete, cache, maintenance."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from dockyard.config.durations import Duration
from dockyard.config.sections.common import Enabled, Section, _named_section

MIN_FILESYSTEM_THREADS = 25


class FilesystemParams(Section):
    rootdirectory: str = "/var/lib/registry"
    maxthreads: int = 100

    @field_validator("rootdirectory")
    @classmethod
    def _root(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a directory")
        return value

    @field_validator("maxthreads")
    @classmethod
    def _at_least_minimum(cls, value: int) -> int:
        return max(value, MIN_FILESYSTEM_THREADS)  # Distribution raises smaller values to 25


class InMemoryParams(Section):
    """The ``inmemory`` driver takes no parameters."""


class S3Params(Section):
    accesskey: str = ""
    secretkey: str = ""
    sessiontoken: str = ""
    region: str
    regionendpoint: str = ""
    forcepathstyle: bool = False
    accelerate: bool = False
    bucket: str
    encrypt: bool = False
    keyid: str = ""
    secure: bool = True
    skipverify: bool = False
    v4auth: bool = True
    chunksize: int = Field(10 << 20, ge=5 << 20)
    multipartcopychunksize: int = Field(32 << 20, ge=5 << 20)
    multipartcopymaxconcurrency: int = Field(100, ge=1)
    multipartcopythresholdsize: int = Field(32 << 20, ge=0)
    rootdirectory: str = ""
    storageclass: str = "STANDARD"
    useragent: str = ""
    objectacl: str = "private"
    usedualstack: bool = False
    usefipsendpoint: bool = False
    loglevel: str | bool = "off"
    redirectendpoint: str = ""


class AzureCredentials(Section):
    type: str = ""
    clientid: str = ""
    tenantid: str = ""
    secret: str = ""


class AzureParams(Section):
    accountname: str = ""
    accountkey: str = ""
    container: str = ""
    realm: str = ""
    serviceurl: str = ""
    rootdirectory: str = ""
    credentials: AzureCredentials = AzureCredentials()
    max_retries: int = 0
    retry_delay: Duration = 0.0
    copy_status_poll_max_retry: int = 0
    copy_status_poll_delay: Duration = 0.0


class GCSParams(Section):
    model_config = ConfigDict(extra="allow")  # ``credentials`` mirrors a Google key file

    bucket: str = ""
    keyfile: str = ""
    credentials: dict[str, Any] = {}
    rootdirectory: str = ""
    chunksize: int = 5 << 20
    maxconcurrency: int = 50
    useragent: str = ""


class UploadPurging(Section):
    enabled: bool = True
    age: Duration = 168 * 3600.0
    interval: Duration = 24 * 3600.0
    dryrun: bool = False

    @model_validator(mode="after")
    def _positive(self) -> UploadPurging:
        if self.enabled and (self.age <= 0 or self.interval <= 0):
            raise ValueError("age and interval must be positive durations when purging is enabled")
        return self


class Maintenance(Section):
    uploadpurging: UploadPurging = UploadPurging()
    readonly: Enabled = Enabled()


class StorageCache(Section):
    blobdescriptor: Literal["", "inmemory", "redis"] = ""
    layerinfo: Literal["", "inmemory", "redis"] = ""  # the pre-2.1 name of blobdescriptor
    blobdescriptorsize: int = Field(10000, ge=0)

    @property
    def kind(self) -> str:
        return self.blobdescriptor or self.layerinfo


class StorageRedirect(Section):
    disable: bool = False


class StorageTag(Section):
    concurrencylimit: int = Field(0, ge=0)


DRIVERS = ("filesystem", "inmemory", "s3", "azure", "gcs")
REMOVED_DRIVERS = ("swift", "oss")


class Storage(Section):
    filesystem: FilesystemParams | None = None
    inmemory: InMemoryParams | None = None
    s3: S3Params | None = None
    azure: AzureParams | None = None
    gcs: GCSParams | None = None
    delete: Enabled = Enabled()
    cache: StorageCache = StorageCache()
    maintenance: Maintenance = Maintenance()
    redirect: StorageRedirect = StorageRedirect()
    tag: StorageTag = StorageTag()

    @model_validator(mode="before")
    @classmethod
    def _driver_keys(cls, data: Any) -> Any:
        data = _named_section(data)
        if not isinstance(data, dict):
            return data
        for removed in REMOVED_DRIVERS:
            if removed in data:
                raise ValueError(f"the {removed!r} storage driver is no longer supported")
        present = [name for name in DRIVERS if name in data]
        if len(present) > 1:
            raise ValueError(f"only one storage driver may be configured, found {present}")
        data = dict(data)
        for name in present:  # ``inmemory:`` with no value, or ``filesystem:`` with defaults
            if data[name] is None:
                data[name] = {}
        return data

    @model_validator(mode="after")
    def _one_driver(self) -> Storage:
        if not any(getattr(self, name) is not None for name in DRIVERS):
            raise ValueError("no storage driver configured (one of: " + ", ".join(DRIVERS) + ")")
        return self

    @property
    def driver_name(self) -> str:
        return next(name for name in DRIVERS if getattr(self, name) is not None)

    @property
    def driver_params(self) -> dict[str, Any]:
        params = getattr(self, self.driver_name)
        return params if isinstance(params, dict) else params.model_dump(by_alias=True)
