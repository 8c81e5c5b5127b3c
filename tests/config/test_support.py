"""What start-up does with each feature: refuse it with one line, or accept it and warn."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config.examples import V28, v3
from config.test_models import MINIMAL, load_text
from dockyard.config import loader, support


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "http:\n  tls:\n    letsencrypt:\n      cachefile: /c\n      email: a@b\n",
            "http.tls.letsencrypt: not supported: certificates from an ACME server need the "
            "internet",
        ),
        ("http:\n  net: unix\n  addr: /run/registry.sock\n", "http.net: unix sockets"),
        (
            "proxy:\n  remoteurl: https://registry-1.docker.io\n",
            "proxy.remoteurl: pull-through cache mode is not available in Dockyard",
        ),
        ("policy:\n  repository:\n    classes: [image]\n", "policy.repository.classes"),
    ],
)
def test_refused(tmp_path: Path, extra: str, message: str) -> None:
    config = load_text(tmp_path, MINIMAL + extra)
    with pytest.raises(support.UnsupportedSettingError) as info:
        support.check(config)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("driver", ["s3", "azure", "gcs"])
def test_object_store_drivers_refused(driver: str) -> None:
    config = loader.validate(yaml.safe_load(v3(driver)))
    with pytest.raises(support.UnsupportedSettingError) as info:
        support.check(config)
    assert str(info.value) == (
        f"storage.{driver}: the {driver} storage driver is not available in Dockyard yet "
        "(use filesystem)"
    )


def test_operational_features_start_without_warnings(tmp_path: Path) -> None:
    """Notifications, Redis, health, debug, middleware, draintimeout are implemented: no warning."""
    document = yaml.safe_load(v3("filesystem"))
    for key in ("auth", "proxy", "policy"):
        del document[key]
    del document["http"]["tls"]
    assert support.check(loader.validate(document)) == []


def test_v28_leftovers_warn(tmp_path: Path) -> None:
    document = yaml.safe_load(V28)
    del document["auth"]
    del document["http"]["tls"]
    warnings = support.check(loader.validate(document))
    assert any(w.startswith("compatibility.schema1.enabled: Docker schema 1") for w in warnings)
    assert any(w.startswith("reporting: removed in Distribution v3") for w in warnings)


def test_plain_configurations_are_quiet(tmp_path: Path) -> None:
    assert support.check(loader.load(None, {})) == []
    assert support.check(load_text(tmp_path, MINIMAL + "auth: none\n")) == []


def test_access_control_and_tls_are_left_to_their_modules(tmp_path: Path) -> None:
    """auth.* and http.tls are checked by dockyard.auth / dockyard.tls (tests/auth, tests/tls)."""
    extra = "auth:\n  ldap:\n    url: x\nhttp:\n  tls:\n    certificate: /c\n    key: /k\n"
    assert support.check(load_text(tmp_path, MINIMAL + extra)) == []
