"""Access records: what a request needs (the seed's ``appendAccessRecords``) and scope strings.

A request becomes a list of :class:`Access` items, each a typed, named resource and one action;
an access controller grants them all or refuses. The same vocabulary travels in token scopes
(``repository:team/app:pull,push``) and in the ``access`` claim of a JWT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from dockyard.api import routes

REPOSITORY = "repository"
REGISTRY = "registry"
CATALOG = "catalog"
ALL = "*"


@dataclass(frozen=True, slots=True)
class Resource:
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Access:
    resource: Resource
    action: str

    @classmethod
    def repository(cls, name: str, action: str) -> Access:
        return cls(Resource(REPOSITORY, name), action)

    def detail(self) -> dict[str, str]:
        """As Distribution's JSON encodes ``auth.Access`` in an ``UNAUTHORIZED`` detail."""
        return {
            "Type": self.resource.type,
            "Class": "",
            "Name": self.resource.name,
            "Action": self.action,
        }


CATALOG_ACCESS = Access(Resource(REGISTRY, CATALOG), ALL)


def repository_records(method: str, name: str) -> list[Access]:
    """``GET``/``HEAD`` → pull; ``POST``/``PUT``/``PATCH`` → pull + push; ``DELETE`` → delete."""
    if method in ("GET", "HEAD"):
        return [Access.repository(name, "pull")]
    if method in ("POST", "PUT", "PATCH"):
        return [Access.repository(name, "pull"), Access.repository(name, "push")]
    if method == "DELETE":
        return [Access.repository(name, "delete")]
    return []


def request_records(route: str, method: str, name: str) -> list[Access]:
    """Everything a request needs. The base route needs only authentication (no record)."""
    if route == routes.BASE:
        return []
    if route == routes.CATALOG:
        return [CATALOG_ACCESS]
    if not name:
        raise ValueError(f"route {route} needs a repository name")
    return repository_records(method, name)


class AccessSet:
    """Resources → granted actions; ``*`` grants every action on its resource."""

    __slots__ = ("_actions",)

    def __init__(self, items: Iterable[tuple[Resource, Iterable[str]]] = ()) -> None:
        self._actions: dict[Resource, set[str]] = {}
        for resource, actions in items:
            self._actions.setdefault(resource, set()).update(actions)

    def allows(self, access: Access) -> bool:
        actions = self._actions.get(access.resource)
        return actions is not None and (ALL in actions or access.action in actions)


def scope_param(records: Sequence[Access]) -> str:
    """One ``type:name:action,action`` entry per resource, in request order (a challenge)."""
    grouped: dict[Resource, list[str]] = {}
    for access in records:
        actions = grouped.setdefault(access.resource, [])
        if access.action not in actions:
            actions.append(access.action)
    return " ".join(f"{r.type}:{r.name}:{','.join(a)}" for r, a in grouped.items())


@dataclass(frozen=True, slots=True)
class Scope:
    """One requested resource scope, as a token request carries it."""

    resource: Resource
    actions: tuple[str, ...]


def parse_scopes(values: Iterable[str]) -> list[Scope]:
    """Parse ``scope`` parameters (each may hold several, space-separated); skip malformed ones.

    The name may contain one ``:`` (a registry host with a port), so the type ends at the first
    colon and the actions start after the last one. A resource class (``repository(plugin)``)
    is deprecated and ignored, as Distribution does.
    """
    scopes: list[Scope] = []
    for value in values:
        for item in value.split():
            rtype, sep, rest = item.partition(":")
            name, sep2, actions = rest.rpartition(":")
            if not (sep and sep2 and rtype and name):
                continue
            rtype = rtype.split("(", 1)[0]
            wanted = tuple(a for a in actions.split(",") if a)
            if wanted:
                scopes.append(Scope(Resource(rtype, name), wanted))
    return scopes


def format_scopes(granted: Sequence[Scope]) -> str:
    return " ".join(
        f"{s.resource.type}:{s.resource.name}:{','.join(s.actions)}" for s in granted if s.actions
    )


@dataclass(frozen=True, slots=True)
class Grant:
    """The outcome of a successful check: who is asking and what else they may do.

    ``allows`` answers for records beyond the ones checked (the source repository of a
    cross-repository mount); ``None`` means everything.
    """

    user: str = ""
    allows: Callable[[Access], bool] | None = field(default=None, compare=False)

    def permits(self, access: Access) -> bool:
        return self.allows is None or self.allows(access)


def go_quote(value: str) -> str:
    """A string quoted as Go's ``%q`` does, so challenge headers match Distribution's bytes."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
