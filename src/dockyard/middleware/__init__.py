"""Middleware registries by name, for ``middleware.registry``, ``.repository`` and ``.storage``.

A middleware is a factory ``factory(inner, options) -> wrapped`` where ``inner`` is the registry
(namespace), a repository, or the storage driver, and ``wrapped`` offers the same attributes.
Names resolve, lazily, from: the built-ins below; the entry-point groups
``dockyard.middleware.registry|repository|storage`` of installed packages; or a
``"package.module:factory"`` string. Entries run in order, each wrapping the previous result;
``disabled: true`` skips one. An unknown name or refused options stop start-up with one line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from dockyard.config.sections.middleware import MiddlewareEntry

KINDS = ("registry", "repository", "storage")
ENTRY_POINT_GROUP = "dockyard.middleware.{kind}"
BUILTIN: dict[str, dict[str, str]] = {
    "registry": {},
    "repository": {},
    "storage": {"redirect": "dockyard.middleware.redirect:redirect"},
}

Factory = Callable[[Any, dict[str, Any]], Any]


class MiddlewareError(Exception):
    """A middleware that cannot be found or built; the message is the start-up line."""


def _load(target: str) -> Factory:
    module, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    if not callable(factory):
        raise TypeError(f"{target} is not callable")
    return factory  # type: ignore[no-any-return]


def resolve(kind: str, name: str) -> Factory:
    where = f"middleware.{kind}: {name!r}"
    builtin = BUILTIN[kind].get(name)
    try:
        if builtin is not None:
            return _load(builtin)
        for ep in entry_points(group=ENTRY_POINT_GROUP.format(kind=kind)):
            if ep.name == name:
                return ep.load()  # type: ignore[no-any-return]
        if ":" in name:
            return _load(name)
    except (ImportError, AttributeError, TypeError) as exc:
        raise MiddlewareError(f"{where}: cannot load: {exc}") from None
    installed = entry_points(group=ENTRY_POINT_GROUP.format(kind=kind))
    known = sorted(set(BUILTIN[kind]) | {ep.name for ep in installed})
    raise MiddlewareError(
        f"{where}: unknown {kind} middleware (known: {', '.join(known) or 'none'})"
    )


def apply(kind: str, inner: Any, entries: list[MiddlewareEntry]) -> Any:
    """Wrap ``inner`` with every enabled entry, in order."""
    for entry in entries:
        if entry.disabled:
            continue
        factory = resolve(kind, entry.name)
        try:
            inner = factory(inner, dict(entry.options))
        except MiddlewareError:
            raise
        except Exception as exc:
            raise MiddlewareError(
                f"middleware.{kind}: unable to configure {entry.name!r}: {exc}"
            ) from None
    return inner
