"""What Dockyard does with each configured feature: use it, accept it for later, or refuse it.

Every key of Distribution's ``config.yml`` parses and validates (``models.py``, ``sections/``).
A few features cannot be offered at all. :func:`check` runs before start-up:

* **refused** settings stop start-up with one line saying why — where ignoring them would change
  what the registry serves or who may use it (pull-through proxy, resource policy,
  object-store drivers, Let's Encrypt, unix sockets); access control (``dockyard.auth``) and
  TLS (``dockyard.tls``) refuse what they cannot honour themselves;
* **ignored** settings (removed in Distribution v3) are accepted; :func:`check` returns one
  warning per configured one, which start-up logs.

``docs/configuration.md`` is the human-readable form of this module; keep them in step.
"""

from __future__ import annotations

from dockyard.config.loader import ConfigError
from dockyard.config.models import Configuration
from dockyard.storage.driver import factory


class UnsupportedSettingError(ConfigError):
    """A configured feature Dockyard refuses to start with."""


def check(config: Configuration) -> list[str]:
    """Raise :class:`UnsupportedSettingError` for a refused setting; return warnings."""
    _refuse_storage(config)
    _refuse_access(config)
    _refuse_serving(config)
    return _later(config)


def _refuse_storage(config: Configuration) -> None:
    try:
        factory.check(config.storage.driver_name)
    except factory.DriverUnavailableError as exc:
        raise UnsupportedSettingError(str(exc)) from None


def _refuse_access(config: Configuration) -> None:
    # auth.* (htpasswd, token, silly, third-party controllers) is built and checked by
    # dockyard.auth.build; http.tls by dockyard.tls: each refuses what it cannot honour.
    if config.policy.repository.classes:
        raise UnsupportedSettingError(
            "policy.repository.classes: repository class policies are not enforced by Dockyard "
            "yet; refusing to accept content the policy would deny"
        )
    if config.proxy.remoteurl:
        raise UnsupportedSettingError(
            "proxy.remoteurl: pull-through cache mode is not available in Dockyard"
        )


def _refuse_serving(config: Configuration) -> None:
    tls = config.http.tls
    letsencrypt = tls.letsencrypt
    if letsencrypt.cachefile or letsencrypt.email or letsencrypt.hosts:
        raise UnsupportedSettingError(
            "http.tls.letsencrypt: not supported: certificates from an ACME server need the "
            "internet; use http.tls.certificate and http.tls.key"
        )
    if config.http.net == "unix":
        raise UnsupportedSettingError("http.net: unix sockets are not supported; use tcp")


def _later(config: Configuration) -> list[str]:
    """One warning per configured setting that is accepted but has no effect."""
    warnings: list[str] = []

    if config.compatibility.schema1.enabled:
        warnings.append(
            "compatibility.schema1.enabled: Docker schema 1 manifests are refused whatever this "
            "says (as in Distribution v3); ignored"
        )
    if config.reporting.bugsnag or config.reporting.newrelic:
        warnings.append("reporting: removed in Distribution v3 and not supported; ignored")
    return warnings
