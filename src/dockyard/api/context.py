"""What a handler gets: the request, the matched route, the repository, and who is asking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockyard.api.http import Request
from dockyard.api.routes import Route
from dockyard.registry.events import NO_LISTENER, RepositoryListener

if TYPE_CHECKING:
    from dockyard.app import App
    from dockyard.storage.registry import Repository


@dataclass(slots=True)
class Context:
    app: App
    request: Request
    route: Route
    vars: dict[str, str]
    request_id: str
    name: str = ""
    user: str = ""
    listener: RepositoryListener = NO_LISTENER
    can_pull: Callable[[str], Awaitable[bool]] | None = None
    """Whether the caller may pull another repository (cross-repository mounts); None: yes."""
    _repository: Repository | None = field(default=None)

    @property
    def repository(self) -> Repository:
        assert self._repository is not None, "route has no repository"
        return self._repository
