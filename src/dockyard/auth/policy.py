"""The access policy: users and groups, repository glob patterns → pull/push/delete, catalog.

Rules only add: a client gets the union of the actions of every rule that matches it and the
repository. ``*`` and ``?`` match within one path component, ``**`` across ``/``; ``"*"`` in
``users`` is every authenticated user; ``anonymous: true`` rules (pull only) apply to everyone,
with or without credentials. Decisions depend on names alone, never on whether a repository
exists, so a refusal reveals nothing about the registry's content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dockyard.auth.access import ALL, CATALOG_ACCESS, REPOSITORY, Access
from dockyard.config.access import Policy

ACTIONS = ("pull", "push", "delete")
EVERYONE = "*"


def compile_glob(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


@dataclass(frozen=True, slots=True)
class _Rule:
    patterns: tuple[re.Pattern[str], ...]
    actions: frozenset[str]
    users: frozenset[str]
    groups: frozenset[str]
    anonymous: bool

    def applies(self, user: str | None, groups: frozenset[str]) -> bool:
        if self.anonymous:
            return True
        if user is None:
            return False
        return EVERYONE in self.users or user in self.users or bool(self.groups & groups)

    def matches(self, name: str) -> bool:
        return any(p.match(name) for p in self.patterns)


class AccessPolicy:
    def __init__(self, config: Policy) -> None:
        self._groups_of: dict[str, set[str]] = {}
        for group, members in config.groups.items():
            for member in members:
                self._groups_of.setdefault(member, set()).add(group)
        self._rules = tuple(
            _Rule(
                patterns=tuple(compile_glob(p) for p in rule.match),
                actions=frozenset(ACTIONS if ALL in rule.actions else rule.actions),
                users=frozenset(rule.users),
                groups=frozenset(rule.groups),
                anonymous=rule.anonymous,
            )
            for rule in config.repositories
        )
        catalog = config.catalog
        self._catalog = _Rule(
            (), frozenset(), frozenset(catalog.users), frozenset(catalog.groups), catalog.anonymous
        )

    def groups(self, user: str | None) -> frozenset[str]:
        return frozenset(self._groups_of.get(user, ())) if user is not None else frozenset()

    def repository_actions(self, user: str | None, name: str) -> frozenset[str]:
        """What ``user`` (None: anonymous) may do on repository ``name``."""
        groups = self.groups(user)
        granted: set[str] = set()
        for rule in self._rules:
            if rule.applies(user, groups) and rule.matches(name):
                granted |= rule.actions
        return frozenset(granted)

    def catalog_allowed(self, user: str | None) -> bool:
        return self._catalog.applies(user, self.groups(user))

    def allows(self, user: str | None, access: Access) -> bool:
        if access == CATALOG_ACCESS:
            return self.catalog_allowed(user)
        if access.resource.type != REPOSITORY:
            return False
        granted = self.repository_actions(user, access.resource.name)
        if access.action == ALL:
            return granted >= set(ACTIONS)
        return access.action in granted

    def allows_all(self, user: str | None, records: Sequence[Access]) -> bool:
        return all(self.allows(user, access) for access in records)

    def checker(self, user: str | None) -> Callable[[Access], bool]:
        return lambda access: self.allows(user, access)
