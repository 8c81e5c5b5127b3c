"""Errors of the registry domain. Handlers raise them; ``api.errors`` renders the spec's JSON.

They carry what a client needs (the digest, the name, the current upload offset) and nothing
from the storage layer: a missing path becomes "blob unknown" before it reaches here.
"""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Base of every error that maps onto a spec error code."""

    def __init__(self, message: str = "", detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class BlobUnknownError(RegistryError):
    def __init__(self, digest: str) -> None:
        super().__init__("blob unknown to registry", {"digest": digest})
        self.digest = digest


class BlobUploadUnknownError(RegistryError):
    def __init__(self, upload_id: str = "") -> None:
        super().__init__(
            "blob upload unknown to registry", {"uuid": upload_id} if upload_id else None
        )


class BlobUploadInvalidError(RegistryError):
    def __init__(self, reason: str) -> None:
        super().__init__("blob upload invalid", reason)


class DigestInvalidError(RegistryError):
    def __init__(
        self, digest: str, reason: str = "provided digest did not match uploaded content"
    ) -> None:
        super().__init__(reason, {"digest": digest})


class SizeInvalidError(RegistryError):
    def __init__(self, reason: str) -> None:
        super().__init__("provided length did not match content length", reason)


class RangeInvalidError(RegistryError):
    """A chunk does not continue where the upload stands; ``size`` is the current offset."""

    def __init__(self, size: int, reason: str = "invalid content range") -> None:
        super().__init__(reason, {"size": size})
        self.size = size


class RangeNotSatisfiableError(RegistryError):
    """A blob ``Range`` request outside the blob; ``size`` is the blob length."""

    def __init__(self, size: int) -> None:
        super().__init__("requested range not satisfiable", {"size": size})
        self.size = size


class ManifestUnknownError(RegistryError):
    def __init__(self, reference: str) -> None:
        super().__init__("manifest unknown", {"reference": reference})


class ManifestInvalidError(RegistryError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"manifest invalid: {reason}", reason)


class ManifestTooLargeError(RegistryError):
    def __init__(self, limit: int) -> None:
        super().__init__("manifest too large", {"limit": limit})


class ManifestBlobUnknownError(RegistryError):
    def __init__(self, digest: str) -> None:
        super().__init__("blob unknown to registry", {"digest": digest})


class NameInvalidError(RegistryError):
    def __init__(self, name: str, reason: str = "invalid repository name") -> None:
        super().__init__(reason, {"name": name[:300]})


class NameUnknownError(RegistryError):
    def __init__(self, name: str) -> None:
        super().__init__("repository name not known to registry", {"name": name})


class TagInvalidError(RegistryError):
    def __init__(self, tag: str) -> None:
        super().__init__("manifest tag did not match URI", {"tag": tag[:300]})


class PaginationNumberInvalidError(RegistryError):
    def __init__(self, value: str) -> None:
        super().__init__("invalid number of results requested", {"n": value[:64]})


class UnsupportedError(RegistryError):
    def __init__(self, reason: str = "The operation is unsupported.") -> None:
        super().__init__(reason)


class UnauthorizedError(RegistryError):
    """No or bad credentials; ``challenge`` is the ``WWW-Authenticate`` value to answer."""

    def __init__(
        self, reason: str = "authentication required", detail: Any = None, challenge: str = ""
    ) -> None:
        super().__init__(reason, detail)
        self.challenge = challenge


class DeniedError(RegistryError):
    """A known identity may not do this; ``status`` 401 keeps a Bearer client's retry working."""

    def __init__(
        self,
        reason: str = "requested access to the resource is denied",
        detail: Any = None,
        challenge: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(reason, detail)
        self.challenge = challenge
        self.status = status


class AccessBackendError(RegistryError):
    """The access controller itself failed: answered with no detail (and logged where raised)."""


class TooManyRequestsError(RegistryError):
    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


class StorageFullError(RegistryError):
    def __init__(self) -> None:
        super().__init__("insufficient storage: the registry's storage is full")


class UnavailableError(RegistryError):
    def __init__(self, reason: str = "service unavailable") -> None:
        super().__init__(reason)
