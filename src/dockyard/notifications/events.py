"""Distribution's event envelope: the JSON fields and their names, built as plain dicts.

Field names and nesting follow ``notifications/event.go`` (``target`` embeds an OCI descriptor
plus ``length``, ``repository``, ``fromRepository``, ``url``, ``tag``, ``references``). Empty
fields are left out, as Distribution 2.x does, so a delete carries only ``digest`` and
``repository`` (a tag delete: ``repository`` and ``tag``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dockyard.manifest.parse import Ref
from dockyard.registry.descriptor import Descriptor

EVENTS_MEDIA_TYPE = "application/vnd.docker.distribution.events.v2+json"
EVENTS_MEDIA_TYPE_V1 = "application/vnd.docker.distribution.events.v1+json"
MEDIA_TYPES = (EVENTS_MEDIA_TYPE, EVENTS_MEDIA_TYPE_V1)

PUSH = "push"
PULL = "pull"
MOUNT = "mount"
DELETE = "delete"
ACTIONS = (PUSH, PULL, MOUNT, DELETE)


@dataclass(frozen=True, slots=True)
class Source:
    """The registry node generating events (``source`` in the envelope)."""

    addr: str
    instance_id: str

    def record(self) -> dict[str, str]:
        return {"addr": self.addr, "instanceID": self.instance_id}


def timestamp() -> str:
    """RFC 3339 in UTC with a ``Z``, as Go encodes ``time.Time`` in UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_event(
    action: str,
    target: dict[str, Any],
    request: dict[str, str],
    actor: dict[str, str],
    source: dict[str, str],
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "timestamp": timestamp(),
        "action": action,
        "target": target,
        "request": request,
        "actor": actor,
        "source": source,
    }


def descriptor_target(descriptor: Descriptor, repository: str, url: str) -> dict[str, Any]:
    """The target of a push, pull or mount: descriptor fields, ``length`` (= size) and where."""
    return {
        "mediaType": descriptor.media_type,
        "digest": str(descriptor.digest),
        "size": descriptor.size,
        "length": descriptor.size,
        "repository": repository,
        "url": url,
    }


def reference(ref: Ref) -> dict[str, Any]:
    """A manifest's reference as the OCI descriptor ``references`` lists."""
    out: dict[str, Any] = {"mediaType": ref.media_type, "digest": str(ref.digest), "size": ref.size}
    if ref.urls:
        out["urls"] = list(ref.urls)
    if ref.annotations:
        out["annotations"] = ref.annotations
    if ref.platform:
        out["platform"] = ref.platform
    if ref.artifact_type:
        out["artifactType"] = ref.artifact_type
    return out


def envelope(records: list[bytes]) -> bytes:
    """``{"events": [...]}`` around already-encoded events, without decoding them again."""
    return b'{"events":[' + b",".join(records) + b"]}"
