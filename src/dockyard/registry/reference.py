"""The grammar of repository names, tags and digests (OCI distribution spec, image-spec descriptor).

Everything a client puts in a URL is checked here before it is used to build a storage path; the
grammar alone keeps ``..``, ``/`` tricks and NUL bytes out of the storage layer. Checks use
``fullmatch``: with ``match``, ``$`` also matches before a final newline, which would let
``v1\n`` through as a tag.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from dockyard.registry.errors import DigestInvalidError, NameInvalidError, TagInvalidError

NAME_MAX_LENGTH = 255
TAG_MAX_LENGTH = 128

_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
NAME_PATTERN = rf"{_COMPONENT}(?:/{_COMPONENT})*"
NAME_RE = re.compile(rf"^{NAME_PATTERN}$")
TAG_PATTERN = r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}"
TAG_RE = re.compile(rf"^{TAG_PATTERN}$")
DIGEST_PATTERN = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+"
DIGEST_RE = re.compile(rf"^{DIGEST_PATTERN}$")

ALGORITHMS: dict[str, int] = {"sha256": 64, "sha512": 128}
"""Registered algorithms and the length of their lower-case hex encoding."""
CANONICAL_ALGORITHM = "sha256"
_HEX_RE = {alg: re.compile(rf"^[a-f0-9]{{{n}}}$") for alg, n in ALGORITHMS.items()}


@dataclass(frozen=True, slots=True)
class Digest:
    """A validated ``<algorithm>:<hex>`` content digest of a registered algorithm."""

    algorithm: str
    hex: str

    @classmethod
    def parse(cls, text: str) -> Digest:
        """Parse and validate ``text``; raise :class:`DigestInvalidError` if it is not a digest."""
        if not DIGEST_RE.fullmatch(text):
            raise DigestInvalidError(text, "invalid digest format")
        algorithm, _, encoded = text.partition(":")
        pattern = _HEX_RE.get(algorithm)
        if pattern is None:
            raise DigestInvalidError(text, f"unsupported digest algorithm {algorithm!r}")
        if not pattern.fullmatch(encoded):
            raise DigestInvalidError(text, f"invalid {algorithm} digest encoding")
        return cls(algorithm, encoded)

    @classmethod
    def of(cls, data: bytes, algorithm: str = CANONICAL_ALGORITHM) -> Digest:
        return cls(algorithm, hashlib.new(algorithm, data).hexdigest())

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    def hasher(self) -> hashlib._Hash:
        return hashlib.new(self.algorithm)

    def matches(self, data: bytes) -> bool:
        return hashlib.new(self.algorithm, data).hexdigest() == self.hex


EMPTY_SHA256 = Digest.of(b"")


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid repository name, else raise :class:`NameInvalidError`."""
    if len(name) > NAME_MAX_LENGTH:
        raise NameInvalidError(
            name, f"repository name must not exceed {NAME_MAX_LENGTH} characters"
        )
    if not NAME_RE.fullmatch(name):
        raise NameInvalidError(name, "invalid repository name")
    return name


def validate_tag(tag: str) -> str:
    if not TAG_RE.fullmatch(tag):
        raise TagInvalidError(tag)
    return tag


def is_digest_reference(reference: str) -> bool:
    """A manifest reference containing ``:`` is a digest; tags cannot contain one."""
    return ":" in reference
