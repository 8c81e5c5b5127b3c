"""The spec's error codes, their HTTP statuses, and the one place domain errors become JSON.

Statuses follow Distribution's ``errcode`` registrations except where the OCI spec is explicit
(a manifest over the size limit is ``413``). ``BLOB_UPLOAD_INVALID`` is ``404`` as Distribution
registers it (its API document says 400): the OCI endpoint table allows 404 on every upload
endpoint but 400 on none of PATCH or GET, and a 404 tells clients to start the upload over,
which is what the code means. See docs/api-differences.md.
"""

from __future__ import annotations

import enum
import logging

from dockyard.api.http import Response
from dockyard.registry import errors as e

log = logging.getLogger(__name__)


class ErrorCode(enum.Enum):
    """(HTTP status, default message) per code."""

    BLOB_UNKNOWN = (404, "blob unknown to registry")
    BLOB_UPLOAD_INVALID = (404, "blob upload invalid")
    BLOB_UPLOAD_UNKNOWN = (404, "blob upload unknown to registry")
    DIGEST_INVALID = (400, "provided digest did not match uploaded content")
    MANIFEST_BLOB_UNKNOWN = (400, "blob unknown to registry")
    MANIFEST_INVALID = (400, "manifest invalid")
    MANIFEST_UNKNOWN = (404, "manifest unknown")
    NAME_INVALID = (400, "invalid repository name")
    NAME_UNKNOWN = (404, "repository name not known to registry")
    SIZE_INVALID = (400, "provided length did not match content length")
    TAG_INVALID = (400, "manifest tag did not match URI")
    UNAUTHORIZED = (401, "authentication required")
    DENIED = (403, "requested access to the resource is denied")
    UNSUPPORTED = (405, "The operation is unsupported.")
    TOOMANYREQUESTS = (429, "too many requests")
    RANGE_INVALID = (416, "invalid content range")
    PAGINATION_NUMBER_INVALID = (400, "invalid number of results requested")
    UNAVAILABLE = (503, "service unavailable")
    UNKNOWN = (500, "unknown error")

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def message(self) -> str:
        return self.value[1]


# The one map from domain errors to codes (and, where it differs from the code's, a status).
_CODES: dict[type[e.RegistryError], tuple[ErrorCode, int | None]] = {
    e.BlobUnknownError: (ErrorCode.BLOB_UNKNOWN, None),
    e.BlobUploadUnknownError: (ErrorCode.BLOB_UPLOAD_UNKNOWN, None),
    e.BlobUploadInvalidError: (ErrorCode.BLOB_UPLOAD_INVALID, None),
    e.DigestInvalidError: (ErrorCode.DIGEST_INVALID, None),
    e.SizeInvalidError: (ErrorCode.SIZE_INVALID, None),
    e.RangeInvalidError: (ErrorCode.RANGE_INVALID, None),
    e.RangeNotSatisfiableError: (ErrorCode.RANGE_INVALID, 416),
    e.ManifestUnknownError: (ErrorCode.MANIFEST_UNKNOWN, None),
    e.ManifestInvalidError: (ErrorCode.MANIFEST_INVALID, None),
    e.ManifestTooLargeError: (ErrorCode.MANIFEST_INVALID, 413),
    e.ManifestBlobUnknownError: (ErrorCode.MANIFEST_BLOB_UNKNOWN, None),
    e.NameInvalidError: (ErrorCode.NAME_INVALID, None),
    e.NameUnknownError: (ErrorCode.NAME_UNKNOWN, None),
    e.TagInvalidError: (ErrorCode.TAG_INVALID, None),
    e.PaginationNumberInvalidError: (ErrorCode.PAGINATION_NUMBER_INVALID, None),
    e.UnsupportedError: (ErrorCode.UNSUPPORTED, None),
    e.UnauthorizedError: (ErrorCode.UNAUTHORIZED, None),
    e.DeniedError: (ErrorCode.DENIED, None),
    e.TooManyRequestsError: (ErrorCode.TOOMANYREQUESTS, None),
    e.StorageFullError: (ErrorCode.UNAVAILABLE, 507),
    e.UnavailableError: (ErrorCode.UNAVAILABLE, None),
}


def error_body(code: ErrorCode, message: str | None = None, detail: object = None) -> dict:
    entry: dict[str, object] = {"code": code.name, "message": message or code.message}
    if detail is not None:
        entry["detail"] = detail
    return {"errors": [entry]}


def error_response(
    code: ErrorCode, message: str | None = None, detail: object = None, status: int | None = None
) -> Response:
    return Response.json(error_body(code, message, detail), status=status or code.status)


def render(exc: e.RegistryError) -> Response:
    """Turn a domain error into the spec's JSON envelope, with the headers the error implies."""
    if isinstance(exc, e.AccessBackendError):
        # Distribution's "potential security problem": a bare 400 that tells nothing.
        return Response(status=400, body=b"")
    for cls in type(exc).__mro__:
        mapped = _CODES.get(cls)  # type: ignore[arg-type]
        if mapped is not None:
            code, status = mapped
            break
    else:  # a RegistryError subclass nobody mapped: a bug, but never a traceback to the client
        log.error("unmapped registry error %s", type(exc).__name__)
        code, status = ErrorCode.UNKNOWN, None
    if isinstance(exc, e.DeniedError) and exc.status:
        status = exc.status
    response = error_response(code, exc.message or None, exc.detail, status)
    if isinstance(exc, e.UnauthorizedError | e.DeniedError) and exc.challenge:
        response.set("WWW-Authenticate", exc.challenge)
    if isinstance(exc, e.RangeInvalidError):
        response.set("Range", f"0-{max(exc.size - 1, 0)}")
    elif isinstance(exc, e.RangeNotSatisfiableError):
        response.set("Content-Range", f"bytes */{exc.size}")
    elif isinstance(exc, e.TooManyRequestsError):
        response.set("Retry-After", exc.retry_after)
    return response
