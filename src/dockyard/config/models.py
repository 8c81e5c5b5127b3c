"""Distribution's ``config.yml`` as pydantic models: every section of v2.8 and v3, strictly typed.

Keys are Distribution's own (lower-case YAML names). Unknown keys are refused so that a typo stops
start-up instead of silently disabling a feature (Distribution ignores them). Sections for features
Dockyard does not have (yet) are parsed and validated all the same; ``dockyard.config.support``
says which are refused at start-up and which are accepted but not acted on.

As with Go's YAML decoder, a number given where text is expected is taken as text
(``secret: 123456``), and a driver or auth section may be named by a bare string
(``storage: inmemory``, ``auth: none``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from dockyard.config.durations import Duration
from dockyard.config.extensions import Extensions

LOG_LEVELS = ("error", "warn", "warning", "info", "debug", "panic", "fatal", "trace")


def _check_level(value: str) -> str:
    value = value.lower()
    if value not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return value


def _as_header_lists(value: Any) -> Any:
    """``http.Header`` values are lists; accept a single string as a one-item list."""
    if isinstance(value, dict):
        return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
    return value


HeaderMap = Annotated[dict[str, list[str]], BeforeValidator(_as_header_lists)]
LogLevel = Annotated[str, BeforeValidator(lambda v: _check_level(str(v)))]


class Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, frozen=False, coerce_numbers_to_str=True
    )


def _named_section(value: Any) -> Any:
    """``storage: inmemory`` / ``auth: none``: a bare name is that provider with no parameters."""
    if isinstance(value, str) and value:
        return {value: {}}
    return value


# -- log --------------------------------------------------------------------------------------


class AccessLog(Section):
    disabled: bool = False


class SMTP(Section):
    addr: str = ""
    username: str = ""
    password: str = ""
    insecure: bool = False


class MailOptions(Section):
    smtp: SMTP = SMTP()
    from_: str = Field("", alias="from")
    to: list[str] = []


class LogHook(Section):
    type: str = ""
    disabled: bool = False
    levels: list[str] = []
    options: MailOptions = MailOptions()


class Log(Section):
    accesslog: AccessLog = AccessLog()
    level: LogLevel = "info"
    formatter: Literal["text", "json", "logstash"] = "text"
    fields: dict[str, Any] = {}
    hooks: list[LogHook] = []
    reportcaller: bool = False


# -- storage ----------------------------------------------------------------------------------


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


class Enabled(Section):
    enabled: bool = False


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


# -- auth -------------------------------------------------------------------------------------


class SillyAuth(Section):
    realm: str
    service: str


class TokenAuth(Section):
    realm: str
    service: str
    issuer: str
    rootcertbundle: str = ""
    jwks: str = ""
    autoredirect: bool = False
    autoredirectpath: str = "/auth/token/"
    signingalgorithms: list[str] = []

    @model_validator(mode="after")
    def _keys(self) -> TokenAuth:
        if not self.rootcertbundle and not self.jwks:
            raise ValueError("token auth needs rootcertbundle or jwks")
        return self


class HtpasswdAuth(Section):
    realm: str
    path: str


class Auth(Section):
    """One access controller by name; ``none`` (Distribution's spelling of "no auth") is none."""

    model_config = ConfigDict(extra="allow")  # third-party access controllers by name

    silly: SillyAuth | None = None
    token: TokenAuth | None = None
    htpasswd: HtpasswdAuth | None = None

    @model_validator(mode="before")
    @classmethod
    def _by_name(cls, data: Any) -> Any:
        data = _named_section(data)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if str(k).lower() != "none"}
        return data

    @model_validator(mode="after")
    def _one(self) -> Auth:
        configured = [name for name, _ in self._providers()]
        if len(configured) > 1:
            raise ValueError(f"only one auth provider may be configured, found {configured}")
        return self

    def _providers(self) -> list[tuple[str, Any]]:
        found = [
            (name, getattr(self, name))
            for name in type(self).model_fields
            if getattr(self, name) is not None
        ]
        found += [(name, value or {}) for name, value in (self.model_extra or {}).items()]
        return found

    @property
    def provider(self) -> tuple[str, Any] | None:
        """The configured access controller as (name, parameters), or None."""
        providers = self._providers()
        return providers[0] if providers else None


# -- middleware -------------------------------------------------------------------------------


class MiddlewareEntry(Section):
    name: str
    disabled: bool = False
    options: dict[str, Any] = {}

    @field_validator("options", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class Middleware(Section):
    registry: list[MiddlewareEntry] = []
    repository: list[MiddlewareEntry] = []
    storage: list[MiddlewareEntry] = []


# -- http -------------------------------------------------------------------------------------

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


# -- notifications ----------------------------------------------------------------------------


class Ignore(Section):
    mediatypes: list[str] = []
    actions: list[Literal["push", "pull", "mount", "delete"]] = []


class Endpoint(Section):
    name: str
    disabled: bool = False
    url: str = ""
    headers: HeaderMap = {}
    timeout: Duration = 1.0
    threshold: int = Field(10, ge=0)
    backoff: Duration = 1.0
    ignoredmediatypes: list[str] = []
    ignore: Ignore = Ignore()

    @model_validator(mode="after")
    def _url(self) -> Endpoint:
        if not self.disabled and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint {self.name!r} needs an http(s) url")
        return self


class Events(Section):
    includereferences: bool = False


class Notifications(Section):
    events: Events = Events()
    endpoints: list[Endpoint] = []


# -- redis ------------------------------------------------------------------------------------


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


# -- health -----------------------------------------------------------------------------------


class StorageDriverCheck(Section):
    enabled: bool = False
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class FileCheck(Section):
    file: str
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class HTTPCheck(Section):
    uri: str
    headers: HeaderMap = {}
    statuscode: int = 200
    timeout: Duration = 1.0
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class TCPCheck(Section):
    addr: str
    timeout: Duration = 1.0
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class Health(Section):
    storagedriver: StorageDriverCheck = StorageDriverCheck()
    file: list[FileCheck] = []
    http: list[HTTPCheck] = []
    tcp: list[TCPCheck] = []


# -- the rest ---------------------------------------------------------------------------------


class ProxyExec(Section):
    command: str
    lifetime: Duration | None = None


class Proxy(Section):
    remoteurl: str = ""
    username: str = ""
    password: str = ""
    exec: ProxyExec | None = None
    ttl: Duration | None = None
    cachewritetimeout: Duration | None = None


class URLs(Section):
    allow: list[str] = []
    deny: list[str] = []


class Platform(Section):
    architecture: str = ""
    os: str = ""


class Indexes(Section):
    platforms: str = "all"
    platformlist: list[Platform] = []

    @field_validator("platforms")
    @classmethod
    def _mode(cls, value: str) -> str:
        value = value.lower()
        if value not in ("all", "none", "list"):
            raise ValueError("must be 'all', 'none' or 'list'")
        return value


class ValidationManifests(Section):
    urls: URLs = URLs()
    indexes: Indexes = Indexes()


class Validation(Section):
    enabled: bool = False  # deprecated in Distribution; ignored
    disabled: bool = False
    manifests: ValidationManifests = ValidationManifests()


class Catalog(Section):
    maxentries: int = 1000

    @field_validator("maxentries")
    @classmethod
    def _default_when_unset(cls, value: int) -> int:
        return value if value > 0 else 1000  # Distribution: zero or negative means the default


class Tags(Section):
    maxtags: int = Field(1000, ge=0)

    @field_validator("maxtags")
    @classmethod
    def _default_when_zero(cls, value: int) -> int:
        return value or 1000  # Distribution: 0 means the default; negative is an error


class Schema1(Section):
    enabled: bool = False
    signingkeyfile: str = ""


class Compatibility(Section):
    schema1: Schema1 = Schema1()


class Reporting(Section):
    bugsnag: dict[str, Any] = {}
    newrelic: dict[str, Any] = {}


class PolicyRepository(Section):
    classes: list[str] = []


class Policy(Section):
    repository: PolicyRepository = PolicyRepository()


class Configuration(Section):
    """The whole file. ``version`` must be ``0.1``, as in Distribution."""

    version: str
    log: Log = Log()
    loglevel: LogLevel | None = None
    storage: Storage
    auth: Auth = Auth()
    middleware: Middleware = Middleware()
    http: HTTP = HTTP()
    notifications: Notifications = Notifications()
    redis: Redis = Redis()
    health: Health = Health()
    catalog: Catalog = Catalog()
    tags: Tags = Tags()
    proxy: Proxy = Proxy()
    validation: Validation = Validation()
    policy: Policy = Policy()
    compatibility: Compatibility = Compatibility()
    reporting: Reporting = Reporting()
    dockyard: Extensions = Extensions()

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> str:
        text = str(value)
        if text != "0.1":
            raise ValueError(f"unsupported configuration version {text!r} (expected 0.1)")
        return text

    @model_validator(mode="after")
    def _deprecated_loglevel(self) -> Configuration:
        if self.loglevel and "level" not in self.log.model_fields_set:
            self.log.level = self.loglevel
        return self
